// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>

#include <lfsw/alert.h>
#include <lfsw/build_control.h>
#include <lfsw/export.h>

#include "logging.h"

namespace lfsw {

class Config;
class PluginRegistry;
class StateDatabase;

// Sends an alert through every channel in `alerts.methods` when its condition
// is in `alerts.triggers`, and records each channel's outcome in the state
// database. A channel that fails is logged and does not stop the others.
class LFSW_EXPORT AlertDispatcher
{
public:
    AlertDispatcher(const Config& config, const PluginRegistry& registry, StateDatabase& database,
                    std::filesystem::path stateDirectory);

    // Returns how many channels accepted the alert.
    int send(const Alert& alert, BuildControl& build);

private:
    const Config& config_;
    const PluginRegistry& registry_;
    StateDatabase& database_;
    std::filesystem::path stateDirectory_;
    Logger logger_;
};

} // namespace lfsw
