// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include <lfsw/alert.h>

#include "state/logging.h"

namespace lfsw {

class AlertCourier;
class Config;
class PluginRegistry;
class StateDatabase;

// Decides who is told what, and queues it: an alert whose condition is in
// `alerts.triggers` (or that says recovery was given up) gets its contacts
// escalated from `alerts.contacts` (primary; secondary from the second
// attempt; emergency when given up), the tail of the step's log and the
// command to resume, and one outbox row per channel of `alerts.methods` and
// per contact that names a channel instead of an address.
// The same alert within `alerts.repeat_after` is not queued again. An
// AlertCourier delivers the rows on its own thread.
class AlertDispatcher
{
public:
    AlertDispatcher(const Config& config, const PluginRegistry& registry, StateDatabase& database,
                    std::filesystem::path stateDirectory);
    ~AlertDispatcher();

    // Returns how many channels the alert was queued for. Its outbox rows
    // name `incidentId` (0: none), for the incident's report.
    int send(Alert alert, std::int64_t incidentId = 0);
    // The courier, started on first use (the daemon starts it to resume
    // pending rows).
    AlertCourier& courier();

private:
    const Config& config_;
    const PluginRegistry& registry_;
    StateDatabase& database_;
    std::filesystem::path stateDirectory_;
    Logger logger_;
    std::unique_ptr<AlertCourier> courier_;
};

} // namespace lfsw
