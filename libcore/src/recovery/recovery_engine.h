// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <lfsw/build_control.h>
#include <lfsw/event.h>
#include <lfsw/result.h>

#include "config/config.h"
#include "recovery/incident_log.h"
#include "state/logging.h"

namespace lfsw {

class AlertDispatcher;
class PluginRegistry;
class StateDatabase;

// How one request to recover ended.
struct RecoveryOutcome {
    enum class Status {
        Recovered, // every action was done or not applicable
        Failed,    // an action failed; the chain stopped there
        Exhausted, // max_attempts reached: nothing ran
        NoChain,   // the config has no chain for this condition
    };
    Status status = Status::NoChain;
    std::string chainKey;
    int attempt = 0; // the attempt this was (Exhausted: the attempts used)
    int maxAttempts = 0;
    std::string message; // the failed action's reason, or why nothing ran
    // Recovered, but every action was not applicable: the chain changed
    // nothing (journalled as "unchanged", never as "recovered").
    bool changedNothing = false;
    std::int64_t attemptId = 0;      // its row in recovery_attempt, once counted
    std::int64_t incidentId = 0;     // the incident it belongs to
    bool leavesBuildStopped = false; // a supervised chain without restart_build
};

// What one chain entry would do, for --dry-run.
struct PlannedAction {
    std::string action;
    std::string description; // the action's describe() of its parameters
    bool repeatable = true;
};

// Runs recovery chains. An attempt is one run of a chain for one
// (condition, build step); see docs/recovery.md for the counting rule. Every
// attempt and every action start and end is journaled in the state database
// before the next action starts, so the journal tells the truth even when the
// process is killed mid-chain.
class RecoveryEngine
{
public:
    RecoveryEngine(const Config& config, const PluginRegistry& registry, StateDatabase& database,
                   AlertDispatcher& alerts, std::filesystem::path stateDirectory);

    // What each entry of `chain` would do; runs nothing.
    static std::vector<PlannedAction> plan(const PluginRegistry& registry, const Chain& chain);

    // Counts the attempt, runs the chain, journals it, sends the alerts.
    // `onAction` sees each action's result as it completes.
    RecoveryOutcome
    run(const Event& event, BuildControl& build,
        const std::function<void(const std::string& action, const Result&)>& onAction = {});

    // The chain ran and left the build stopped (it has no restart_build):
    // journalled as "stopped", which is what the user sees, not "recovered".
    void recordStopped(const RecoveryOutcome& outcome, const std::string& message);

    int attemptsUsed(const std::string& condition, const std::string& step);
    // Why attempts are forgotten: the step succeeded (its incidents end
    // recovered), or the user ran `recovery reset` (they end reset).
    enum class Reset { StepSucceeded, ByHand };
    // Forgets the attempts of a (condition, step), or of every condition of
    // that step when `condition` is empty, and closes their open incidents.
    void resetAttempts(const std::string& condition, const std::string& step,
                       Reset why = Reset::StepSucceeded);
    IncidentLog& incidents() { return incidents_; }
    // Called before ("pre") and after ("post") each chain that runs during
    // a supervised build when auto_recovery.checklists is true: the host
    // runs its recovery checklists there.
    using ChecklistHook = std::function<void(const std::string& phase, std::int64_t incidentId)>;
    void setChecklistHook(ChecklistHook hook) { checklistHook_ = std::move(hook); }

    // Alerts about a condition no recovery runs for (not covered by
    // auto_recovery, or one that needs none): what happened and what the user
    // should do; `outcome` ends the subject.
    void notify(const Event& event, const std::string& message,
                const std::string& outcome = "no automatic recovery",
                LogLevel severity = LogLevel::Error);

private:
    // Returns the attempt number, or 0 when the attempts are used up.
    int claimAttempt(const Event& event, const std::string& chainKey, const std::string& source,
                     RecoveryOutcome& outcome);
    void sendAlert(const Event& event, const RecoveryOutcome& outcome);

    const Config& config_;
    const PluginRegistry& registry_;
    StateDatabase& database_;
    AlertDispatcher& alerts_;
    std::filesystem::path stateDirectory_;
    IncidentLog incidents_;
    ChecklistHook checklistHook_;
    Logger logger_;
};

} // namespace lfsw
