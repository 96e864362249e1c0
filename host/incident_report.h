// SPDX-License-Identifier: MIT
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "recovery/incident_log.h"

namespace lfsw::host {

class Session;

// An incident as its report: what failed, the evidence and the step's log,
// what recovery did (attempts and actions), the alerts sent, the state of
// the build and its checkpoints after it, and what is left to do. Read
// from the state database when it is made; printed as Markdown or JSON.
class IncidentReport
{
public:
    IncidentReport(Session& session, Incident incident);

    void writeMarkdown(std::ostream& out) const;
    nlohmann::json json() const;
    const Incident& incident() const { return incident_; }

    // The history's one line about an incident: "#3 2026-… build_failure
    // step gcc  2 attempts  recovered in 1m12s".
    static std::string summaryLine(const Incident& incident);

private:
    struct AlertRecord {
        std::string queuedAt, channel, subject, result, message;
    };

    std::vector<std::string> leftToDo() const;

    Incident incident_;
    std::vector<std::string> logTail_; // the last lines of the step's log
    std::string logFile_;
    std::vector<AlertRecord> alerts_;
    std::string runState_;    // the run's state now, "" outside builds
    std::string runProgress_; // "7 of 32 steps done"
    std::string lastGood_;    // the newest good checkpoint: "gcc-pass1 (000012, taken …)"
    std::string lastCheckpoint_;
};

} // namespace lfsw::host
