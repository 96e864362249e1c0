// SPDX-License-Identifier: MIT
#include "recovery/recovery_engine.h"

#include <algorithm>

#include <yaml-cpp/yaml.h>

#include "base/time_text.h"
#include "plugin/host_context.h"
#include "plugin/plugin_registry.h"
#include "recovery/alert_dispatcher.h"
#include "state/state_database.h"

namespace lfsw {

namespace {

// Parameters as a YAML flow map, the syntax the user wrote them in.
std::string paramsText(const Params& params)
{
    YAML::Emitter out;
    out << YAML::Flow << YAML::BeginMap;
    for (const auto& [key, value] : params.values())
        out << YAML::Key << key << YAML::Value << value;
    out << YAML::EndMap;
    return out.c_str();
}

} // namespace

RecoveryEngine::RecoveryEngine(const Config& config, const PluginRegistry& registry,
                               StateDatabase& database, AlertDispatcher& alerts,
                               std::filesystem::path stateDirectory)
    : config_(config), registry_(registry), database_(database), alerts_(alerts),
      stateDirectory_(std::move(stateDirectory)), incidents_(database),
      logger_(makeLogger("engine"))
{
}

std::vector<PlannedAction> RecoveryEngine::plan(const PluginRegistry& registry, const Chain& chain)
{
    std::vector<PlannedAction> planned;
    for (const auto& entry : chain.entries) {
        auto action = registry.action(entry.action);
        if (!action)
            planned.push_back({entry.action, "(no loaded plugin provides this action)", false});
        else
            planned.push_back({entry.action, action->describe(entry.params), action->repeatable()});
    }
    return planned;
}

int RecoveryEngine::attemptsUsed(const std::string& condition, const std::string& step)
{
    auto query =
        database_.prepare("SELECT attempts FROM attempt_counter WHERE condition = ? AND step = ?");
    query.bind(1, condition).bind(2, step);
    return query.step() ? static_cast<int>(query.integer(0)) : 0;
}

void RecoveryEngine::resetAttempts(const std::string& condition, const std::string& step, Reset why)
{
    if (why == Reset::StepSucceeded)
        incidents_.closeOpen(condition, step, "recovered",
                             "step " + step + " succeeded after recovery");
    else
        incidents_.closeOpen(condition, step, "reset",
                             "closed by recovery reset before the step succeeded");
    if (condition.empty())
        database_.prepare("DELETE FROM attempt_counter WHERE step = ?").bind(1, step).run();
    else
        database_.prepare("DELETE FROM attempt_counter WHERE condition = ? AND step = ?")
            .bind(1, condition)
            .bind(2, step)
            .run();
}

int RecoveryEngine::claimAttempt(const Event& event, const std::string& chainKey,
                                 const std::string& source, RecoveryOutcome& outcome)
{
    const int maxAttempts = static_cast<int>(config_.integer("auto_recovery.max_attempts"));
    int attempt = 0;
    database_.transaction([&] {
        outcome.incidentId = incidents_.open(event, source);
        const int used = attemptsUsed(event.condition, event.step);
        if (used >= maxAttempts)
            return;
        attempt = used + 1;
        database_
            .prepare(
                "INSERT INTO attempt_counter (condition, step, attempts, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (condition, step)"
                " DO UPDATE SET attempts = excluded.attempts, updated_at = excluded.updated_at")
            .bind(1, event.condition)
            .bind(2, event.step)
            .bind(3, std::int64_t{attempt})
            .bind(4, isoUtcNow())
            .run();
        database_
            .prepare("INSERT INTO recovery_attempt (condition, failure_class, step, chain_key,"
                     " attempt, started_at, outcome, incident_id)"
                     " VALUES (?, ?, ?, ?, ?, ?, 'running', ?)")
            .bind(1, event.condition)
            .bind(2, event.failureClass)
            .bind(3, event.step)
            .bind(4, chainKey)
            .bind(5, std::int64_t{attempt})
            .bind(6, isoUtcNow())
            .bind(7, outcome.incidentId)
            .run();
        outcome.attemptId = database_.lastInsertId();
        incidents_.update(outcome.incidentId, "running",
                          "attempt " + std::to_string(attempt) + " of chain " + chainKey, false);
    });
    return attempt;
}

RecoveryOutcome
RecoveryEngine::run(const Event& event, BuildControl& build,
                    const std::function<void(const std::string&, const Result&)>& onAction)
{
    RecoveryOutcome outcome;
    outcome.maxAttempts = static_cast<int>(config_.integer("auto_recovery.max_attempts"));
    auto chain = config_.chainFor(event.condition, event.failureClass);
    if (!chain) {
        outcome.status = RecoveryOutcome::Status::NoChain;
        outcome.message = "recovery_actions has no chain for '" + event.condition + "'";
        return outcome;
    }
    outcome.chainKey = chain->key;

    outcome.attempt =
        claimAttempt(event, chain->key, build.supervising() ? "automatic" : "manual", outcome);
    const std::int64_t attemptId = outcome.attemptId;
    if (outcome.attempt == 0) {
        outcome.status = RecoveryOutcome::Status::Exhausted;
        outcome.attempt = outcome.maxAttempts;
        outcome.message = "all " + std::to_string(outcome.maxAttempts) + " recovery attempts for " +
                          event.condition +
                          (event.step.empty() ? std::string() : " in step '" + event.step + "'") +
                          " are used up (auto_recovery.max_attempts)";
        LFSW_LOG(logger_, Error) << outcome.message;
        incidents_.update(outcome.incidentId, "given_up", outcome.message, true);
        sendAlert(event, outcome);
        return outcome;
    }
    LFSW_LOG(logger_, Info) << "recovering from " << event.condition
                            << (event.failureClass.empty() ? "" : " (" + event.failureClass + ")")
                            << ": chain " << chain->key << ", attempt " << outcome.attempt << " of "
                            << outcome.maxAttempts;

    const bool checklists = checklistHook_ && build.supervising() &&
                            config_.boolean("auto_recovery.checklists");
    if (checklists)
        checklistHook_("pre", outcome.incidentId);
    outcome.status = RecoveryOutcome::Status::Recovered;
    outcome.changedNothing = true;
    int position = 0;
    for (const auto& entry : chain->entries) {
        ++position;
        auto action = registry_.action(entry.action);
        const bool repeatable = action ? action->repeatable() : false;
        database_
            .prepare("INSERT INTO recovery_journal (attempt_id, position, action, params,"
                     " repeatable, started_at, result) VALUES (?, ?, ?, ?, ?, ?, 'running')")
            .bind(1, attemptId)
            .bind(2, std::int64_t{position})
            .bind(3, entry.action)
            .bind(4, paramsText(entry.params))
            .bind(5, std::int64_t{repeatable ? 1 : 0})
            .bind(6, isoUtcNow())
            .run();
        const std::int64_t journalId = database_.lastInsertId();

        LFSW_LOG(logger_, Debug) << "action " << position << "/" << chain->entries.size() << " "
                                 << entry.action << " started";
        Result result = Result::failed("no loaded plugin provides action '" + entry.action + "'");
        if (action) {
            HostContext context(config_, event, entry.params, outcome.attempt, stateDirectory_,
                                build, "action." + entry.action);
            result = action->run(context);
        }
        database_
            .prepare("UPDATE recovery_journal SET ended_at = ?, result = ?, message = ?"
                     " WHERE id = ?")
            .bind(1, isoUtcNow())
            .bind(2, std::string(statusName(result.status())))
            .bind(3, result.message())
            .bind(4, journalId)
            .run();
        if (!result.ok())
            LFSW_LOG(logger_, Error)
                << "action " << entry.action << " failed: " << result.message();
        else
            LFSW_LOG(logger_, Info)
                << "action " << entry.action << " " << statusName(result.status())
                << (result.message().empty() ? "" : ": " + result.message());
        if (onAction)
            onAction(entry.action, result);
        if (result.status() == Result::Status::Done)
            outcome.changedNothing = false;
        if (!result.ok()) {
            outcome.status = RecoveryOutcome::Status::Failed;
            outcome.message = entry.action + ": " + result.message();
            break;
        }
    }

    const std::string ended = outcome.status != RecoveryOutcome::Status::Recovered ? "failed"
                              : outcome.changedNothing                             ? "unchanged"
                                                                                   : "recovered";
    const std::string endMessage =
        outcome.changedNothing ? "no action applied: nothing changed" : outcome.message;
    database_
        .prepare("UPDATE recovery_attempt SET ended_at = ?, outcome = ?, message = ? WHERE id = ?")
        .bind(1, isoUtcNow())
        .bind(2, ended)
        .bind(3, endMessage)
        .bind(4, attemptId)
        .run();
    // Outside a step nothing later says whether the chain helped: the
    // incident ends with the chain, unless it failed (another run may mend it).
    incidents_.update(outcome.incidentId, ended, endMessage,
                      event.step.empty() && ended != "failed");
    if (checklists)
        checklistHook_("post", outcome.incidentId);
    // Under a supervisor, a chain without restart_build leaves the build
    // stopped: the alert says so rather than "completed".
    outcome.leavesBuildStopped =
        build.supervising() && outcome.status == RecoveryOutcome::Status::Recovered &&
        std::none_of(chain->entries.begin(), chain->entries.end(),
                     [](const auto& entry) { return entry.action == "restart_build"; });
    sendAlert(event, outcome);
    return outcome;
}

void RecoveryEngine::recordStopped(const RecoveryOutcome& outcome, const std::string& message)
{
    if (outcome.attemptId == 0)
        return;
    database_.prepare("UPDATE recovery_attempt SET outcome = 'stopped', message = ? WHERE id = ?")
        .bind(1, message)
        .bind(2, outcome.attemptId)
        .run();
    incidents_.update(outcome.incidentId, "stopped", message, false);
}

void RecoveryEngine::notify(const Event& event, const std::string& message,
                            const std::string& outcome, LogLevel severity)
{
    Alert alert;
    alert.event = event;
    alert.severity = severity;
    alert.subject = event.condition + (event.step.empty() ? "" : " in step '" + event.step + "'") +
                    ": " + outcome;
    alert.body = message;
    for (const auto& [key, value] : event.evidence)
        alert.body += "\n" + key + ": " + value;
    alerts_.send(std::move(alert));
}

void RecoveryEngine::sendAlert(const Event& event, const RecoveryOutcome& outcome)
{
    Alert alert;
    alert.event = event;
    alert.attempt = outcome.attempt;
    alert.givenUp = outcome.status == RecoveryOutcome::Status::Exhausted;
    const std::string where = event.step.empty() ? "" : " in step '" + event.step + "'";
    const std::string attempt =
        "attempt " + std::to_string(outcome.attempt) + "/" + std::to_string(outcome.maxAttempts);
    switch (outcome.status) {
    case RecoveryOutcome::Status::Recovered:
        alert.severity = LogLevel::Warning;
        alert.subject = event.condition + where + ": recovery chain " + outcome.chainKey +
                        (outcome.changedNothing       ? " changed nothing"
                         : outcome.leavesBuildStopped ? " ran; the build is stopped"
                                                      : " completed") +
                        " (" + attempt + ")";
        alert.body = "Recovery chain " + outcome.chainKey +
                     (outcome.changedNothing ? ": no action applied, nothing changed."
                      : outcome.leavesBuildStopped
                          ? " ran and has no restart_build: the build is stopped on the tree it "
                            "left. Fix the cause, then: lfs-wrapper build resume"
                          : " completed.");
        break;
    case RecoveryOutcome::Status::Failed:
        alert.severity = LogLevel::Error;
        alert.subject = event.condition + where + ": recovery failed (" + attempt + ")";
        alert.body = "Recovery chain " + outcome.chainKey + " stopped: " + outcome.message +
                     "\nSee: lfs-wrapper recovery history";
        break;
    case RecoveryOutcome::Status::Exhausted:
        alert.severity = LogLevel::Fatal;
        alert.subject = event.condition + where + ": recovery given up";
        alert.body = outcome.message + ".\nFix the cause, then: lfs-wrapper recovery reset " +
                     event.condition;
        break;
    case RecoveryOutcome::Status::NoChain:
        return;
    }
    for (const auto& [key, value] : event.evidence)
        alert.body += "\n" + key + ": " + value;
    alerts_.send(std::move(alert), outcome.incidentId);
}

} // namespace lfsw
