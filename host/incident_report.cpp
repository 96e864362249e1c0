// SPDX-License-Identifier: MIT
#include "incident_report.h"

#include <algorithm>

#include <lfsw/units.h>

#include "base/file_content.h"
#include "base/time_text.h"
#include "build/build_journal.h"
#include "build/build_tree.h"
#include "session.h"
#include "state/state_database.h"

namespace lfsw::host {

namespace {

constexpr std::size_t kReportLogLines = 20;

std::string where(const Incident& incident)
{
    return incident.condition +
           (incident.failureClass.empty() ? "" : " (" + incident.failureClass + ")") +
           (incident.step.empty() ? " outside build steps" : " in step " + incident.step);
}

std::string outcomeText(const Incident& incident)
{
    std::string text = incident.outcome;
    if (auto took = incident.timeToRecover())
        text += " in " + formatDuration(*took);
    return text;
}

std::string attemptsText(const Incident& incident)
{
    const auto n = incident.attempts.size();
    return std::to_string(n) + (n == 1 ? " attempt" : " attempts");
}

std::string checkpointText(const Manifest& checkpoint)
{
    return checkpoint.name + " (" + checkpoint.id + ", taken " + checkpoint.created + ")";
}

// A Markdown table cell: no bar, no line break.
std::string cell(std::string text)
{
    std::replace(text.begin(), text.end(), '\n', ' ');
    std::string escaped;
    for (char c : text)
        escaped += c == '|' ? std::string("\\|") : std::string(1, c);
    return escaped;
}

} // namespace

IncidentReport::IncidentReport(Session& session, Incident incident) : incident_(std::move(incident))
{
    if (auto log = incident_.evidence.find("log_file"); log != incident_.evidence.end()) {
        logFile_ = log->second;
        logTail_ = lastLines(logFile_, kReportLogLines);
    }
    auto& database = session.database();
    {
        auto alerts = database.prepare(
            "SELECT created_at, channel, subject, state, tries, last_error FROM alert_outbox"
            " WHERE incident_id = ? ORDER BY id");
        alerts.bind(1, incident_.id);
        while (alerts.step()) {
            const auto tries = alerts.integer(4);
            alerts_.push_back({alerts.text(0), alerts.text(1), alerts.text(2),
                               alerts.text(3) + " after " + std::to_string(tries) +
                                   (tries == 1 ? " try" : " tries"),
                               alerts.text(5)});
        }
    }
    if (incident_.runId > 0) {
        auto& journal = session.journal();
        for (const auto& run : journal.runs())
            if (run.id == incident_.runId) {
                runState_ = run.state;
                const auto steps = journal.steps(run.id);
                const auto done = std::count_if(steps.begin(), steps.end(), [](const auto& step) {
                    return step.state == "done";
                });
                runProgress_ =
                    std::to_string(done) + " of " + std::to_string(steps.size()) + " steps done";
            }
    }
    try {
        BuildTree tree(session.config(), session.stateDirectory());
        const auto headers = tree.headers();
        if (!headers.empty())
            lastCheckpoint_ = checkpointText(headers.back());
        for (auto it = headers.rbegin(); it != headers.rend(); ++it)
            if (it->good) {
                lastGood_ = checkpointText(*it);
                break;
            }
    } catch (const std::exception&) {
        // No store: the report says there is no checkpoint.
    }
}

std::string IncidentReport::summaryLine(const Incident& incident)
{
    return "#" + std::to_string(incident.id) + "  " + incident.openedAt + "  " + where(incident) +
           "  " + attemptsText(incident) + "  " +
           (incident.open() ? "open (" + incident.outcome + ")" : outcomeText(incident));
}

std::vector<std::string> IncidentReport::leftToDo() const
{
    const auto& i = incident_;
    const std::string reset =
        "lfs-wrapper recovery reset " + i.condition + (i.step.empty() ? "" : " --step " + i.step);
    std::vector<std::string> todo;
    if (i.outcome == "given_up") {
        todo.push_back("Recovery gave up: find the cause in the evidence and the log above and "
                       "fix it by hand.");
        todo.push_back("Then `" + reset + "` and `lfs-wrapper build resume`.");
    } else if (i.outcome == "stopped") {
        todo.push_back("The build is stopped on the tree the chain left: fix the cause, then "
                       "`lfs-wrapper build resume`.");
    } else if (i.outcome == "failed") {
        const auto& last = i.attempts.empty() ? IncidentAttempt{} : i.attempts.back();
        todo.push_back("The chain " + last.chain + " failed: " + last.message + ".");
        todo.push_back("Mend what the failed action reports, then `lfs-wrapper recovery run " +
                       i.condition + (i.step.empty() ? "" : " --step " + i.step) +
                       "` or `lfs-wrapper build resume`.");
    } else if (i.outcome == "running" || i.outcome == "open") {
        todo.push_back("Recovery is running or was interrupted: `lfs-wrapper build status` "
                       "and `lfs-wrapper build analyze-state` say which.");
    } else if (i.outcome == "reset") {
        todo.push_back("The attempts were reset by hand; `lfs-wrapper build resume` runs the step "
                       "again.");
    } else {
        todo.push_back(
            "Nothing for recovery: " +
            std::string(i.step.empty() ? "the chain completed." : "the step succeeded after it."));
    }
    if (runState_ == "failed" || runState_ == "stopped" || runState_ == "interrupted")
        todo.push_back("The build run " + std::to_string(i.runId) + " is " + runState_ + " (" +
                       runProgress_ + "): `lfs-wrapper build resume` continues it.");
    todo.push_back("`lfs-wrapper recovery checklist post` verifies the system and the build, and "
                   "runs your checks.");
    return todo;
}

void IncidentReport::writeMarkdown(std::ostream& out) const
{
    const auto& i = incident_;
    out << "# Incident " << i.id << ": " << where(i) << "\n\n";
    out << "- Opened: " << i.openedAt << " (" << i.source << ")\n";
    out << "- Closed: " << (i.closedAt.empty() ? "still open" : i.closedAt) << "\n";
    out << "- Outcome: " << outcomeText(i) << (i.message.empty() ? "" : ": " + i.message) << "\n";
    out << "- Attempts: " << i.attempts.size() << "\n";
    if (auto took = i.timeToRecover())
        out << "- Time to recover: " << formatDuration(*took) << "\n";

    out << "\n## What failed\n\n";
    out << "- Condition: " << i.condition << "\n";
    if (!i.failureClass.empty())
        out << "- Failure class: " << i.failureClass << "\n";
    out << "- Step: " << (i.step.empty() ? "(none)" : i.step) << "\n";
    if (i.runId > 0)
        out << "- Build run: " << i.runId << "\n";
    out << "\n### Evidence\n\n";
    if (i.evidence.empty())
        out << "No evidence was recorded.\n";
    for (const auto& [key, value] : i.evidence)
        out << "- " << key << ": " << value << "\n";
    if (!logFile_.empty()) {
        out << "\nThe last " << logTail_.size() << " lines of " << logFile_ << ":\n\n```\n";
        for (const auto& line : logTail_)
            out << line << "\n";
        out << "```\n";
    }

    out << "\n## What was done\n";
    if (i.attempts.empty())
        out << "\nNo chain ran" << (i.outcome == "given_up" ? ": the attempts were used up" : "")
            << ".\n";
    for (const auto& attempt : i.attempts) {
        out << "\n### Attempt " << attempt.attempt << ": chain " << attempt.chain << ", "
            << attempt.outcome << "\n\n"
            << attempt.startedAt << " to "
            << (attempt.endedAt.empty() ? "not ended" : attempt.endedAt)
            << (attempt.message.empty() ? "" : ": " + attempt.message) << "\n\n";
        out << "| # | action | result | message | started | ended |\n"
            << "|---|---|---|---|---|---|\n";
        for (const auto& action : attempt.actions)
            out << "| " << action.position << " | " << cell(action.action)
                << (action.params == "{}" ? "" : " " + cell(action.params)) << " | "
                << action.result << " | " << cell(action.message) << " | " << action.startedAt
                << " | " << (action.endedAt.empty() ? "not ended" : action.endedAt) << " |\n";
    }

    out << "\n## Alerts sent\n\n";
    if (alerts_.empty())
        out << "None.\n";
    for (const auto& alert : alerts_)
        out << "- " << alert.queuedAt << " " << alert.channel << ": " << alert.result << " — "
            << alert.subject << (alert.message.empty() ? "" : " (" + alert.message + ")") << "\n";

    out << "\n## State after it\n\n";
    if (i.runId > 0)
        out << "- Build run " << i.runId << ": "
            << (runState_.empty() ? "forgotten (clean)" : runState_ + ", " + runProgress_) << "\n";
    out << "- Newest checkpoint: " << (lastCheckpoint_.empty() ? "none" : lastCheckpoint_) << "\n";
    out << "- Last good checkpoint: " << (lastGood_.empty() ? "none" : lastGood_) << "\n";

    out << "\n## What is left to do\n\n";
    for (const auto& item : leftToDo())
        out << "- " << item << "\n";
}

nlohmann::json IncidentReport::json() const
{
    const auto& i = incident_;
    nlohmann::json attempts = nlohmann::json::array();
    for (const auto& attempt : i.attempts) {
        nlohmann::json actions = nlohmann::json::array();
        for (const auto& action : attempt.actions)
            actions.push_back({{"position", action.position},
                               {"action", action.action},
                               {"params", action.params},
                               {"started_at", action.startedAt},
                               {"ended_at", action.endedAt},
                               {"result", action.result},
                               {"message", action.message}});
        attempts.push_back({{"id", attempt.id},
                            {"chain", attempt.chain},
                            {"attempt", attempt.attempt},
                            {"started_at", attempt.startedAt},
                            {"ended_at", attempt.endedAt},
                            {"outcome", attempt.outcome},
                            {"message", attempt.message},
                            {"actions", actions}});
    }
    nlohmann::json alerts = nlohmann::json::array();
    for (const auto& alert : alerts_)
        alerts.push_back({{"queued_at", alert.queuedAt},
                          {"channel", alert.channel},
                          {"subject", alert.subject},
                          {"result", alert.result},
                          {"message", alert.message}});
    const auto took = i.timeToRecover();
    return {
        {"id", i.id},
        {"condition", i.condition},
        {"failure_class", i.failureClass},
        {"step", i.step},
        {"run", i.runId > 0 ? nlohmann::json(i.runId) : nlohmann::json(nullptr)},
        {"source", i.source},
        {"opened_at", i.openedAt},
        {"closed_at", i.closedAt.empty() ? nlohmann::json(nullptr) : nlohmann::json(i.closedAt)},
        {"outcome", i.outcome},
        {"message", i.message},
        {"time_to_recover_seconds", took ? nlohmann::json(took->count()) : nlohmann::json(nullptr)},
        {"evidence", i.evidence},
        {"log_file", logFile_},
        {"log_tail", logTail_},
        {"attempts", attempts},
        {"alerts", alerts},
        {"state_after",
         {{"run_state", runState_},
          {"run_progress", runProgress_},
          {"newest_checkpoint", lastCheckpoint_},
          {"last_good_checkpoint", lastGood_}}},
        {"left_to_do", leftToDo()}};
}

} // namespace lfsw::host
