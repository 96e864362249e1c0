// SPDX-License-Identifier: MIT
#include "recovery_checklist.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <lfsw/command_runner.h>
#include <lfsw/units.h>

#include "base/file_content.h"
#include "base/time_text.h"
#include "build/build_journal.h"
#include "build/build_tree.h"
#include "build/failure_classifier.h"
#include "build/supervisor.h"
#include "command.h"
#include "incident_report.h"
#include "recovery/alert_courier.h"
#include "recovery/alert_dispatcher.h"
#include "recovery/recovery_engine.h"
#include "services.h"
#include "session.h"
#include "state/state_database.h"

namespace lfsw::host {

namespace {

std::string shellQuoted(const std::string& word)
{
    std::string quoted = "'";
    for (char c : word)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::string lastNonEmpty(const std::vector<std::string>& lines)
{
    for (auto it = lines.rbegin(); it != lines.rend(); ++it)
        if (!it->empty())
            return *it;
    return {};
}

std::string firstStartingWith(const std::vector<std::string>& lines, const std::string& prefix)
{
    for (const auto& line : lines)
        if (line.starts_with(prefix))
            return line;
    return {};
}

const char* mark(RecoveryChecklist::Status status)
{
    switch (status) {
    case RecoveryChecklist::Status::Done:
        return "✔";
    case RecoveryChecklist::Status::Failed:
        return "✘";
    case RecoveryChecklist::Status::Skipped:
        return "–";
    }
    return "?";
}

const char* statusWord(RecoveryChecklist::Status status)
{
    switch (status) {
    case RecoveryChecklist::Status::Done:
        return "done";
    case RecoveryChecklist::Status::Failed:
        return "failed";
    case RecoveryChecklist::Status::Skipped:
        return "skipped";
    }
    return "unknown";
}

std::string percent(double value)
{
    std::ostringstream text;
    text << std::round(value * 10) / 10 << "%";
    return text.str();
}

} // namespace

RecoveryChecklist::RecoveryChecklist(Session& session, std::string phase, std::int64_t incidentId)
    : session_(session), phase_(std::move(phase)), incidentId_(incidentId)
{
}

const std::vector<std::string>& RecoveryChecklist::itemIds()
{
    static const std::vector<std::string> ids{"health", "backup",        "incident",     "notify",
                                              "init",   "verify_system", "verify_build", "checks",
                                              "report", "monitoring",    "procedures"};
    return ids;
}

void RecoveryChecklist::add(Item item, std::ostream& out, bool print)
{
    const auto required = session_.config().list("recovery.required");
    item.required = std::find(required.begin(), required.end(), item.id) != required.end();
    if (print)
        out << mark(item.status) << " " << item.title << ": " << item.message
            << (item.required && item.status != Status::Done ? " [required]" : "") << "\n"
            << std::flush;
    items_.push_back(std::move(item));
}

const std::vector<RecoveryChecklist::Item>& RecoveryChecklist::run(std::ostream& out, bool json)
{
    const bool print = !json;
    if (print)
        out << phase_ << "-recovery checklist\n";
    if (phase_ == "pre") {
        add(health(), out, print);
        add(backup(), out, print);
        add(incident(), out, print);
        add(notify(), out, print);
        add(init(), out, print);
    } else {
        add(verifySystem(), out, print);
        add(verifyBuild(), out, print);
        for (auto& item : checks())
            add(std::move(item), out, print);
        add(report(), out, print);
        add(monitoring(), out, print);
        add(procedures(), out, print);
    }
    if (print) {
        int counts[3] = {0, 0, 0};
        for (const auto& item : items_)
            ++counts[static_cast<int>(item.status)];
        out << phase_ << "-recovery checklist: " << counts[0] << " done, " << counts[1]
            << " failed, " << counts[2] << " skipped" << (passed() ? "" : " — not passed") << "\n";
    }
    return items_;
}

bool RecoveryChecklist::passed() const
{
    return std::none_of(items_.begin(), items_.end(), [](const Item& item) {
        return item.status == Status::Failed || (item.required && item.status != Status::Done);
    });
}

nlohmann::json RecoveryChecklist::json() const
{
    nlohmann::json items = nlohmann::json::array();
    for (const auto& item : items_)
        items.push_back({{"id", item.id},
                         {"title", item.title},
                         {"status", statusWord(item.status)},
                         {"required", item.required},
                         {"message", item.message}});
    return {{"checklist", phase_},
            {"passed", passed()},
            {"incident", incidentId_ > 0 ? nlohmann::json(incidentId_) : nlohmann::json(nullptr)},
            {"items", items}};
}

int RecoveryChecklist::self(const std::string& arguments, std::vector<std::string>& output)
{
    char exe[4096];
    const ssize_t length = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (length <= 0) {
        output.push_back(std::string("cannot find this program: ") + std::strerror(errno));
        return -1;
    }
    std::string command(exe, static_cast<std::size_t>(length));
    command =
        shellQuoted(command) + " --state-dir " + shellQuoted(session_.stateDirectory().string());
    if (const auto& file = session_.globalOptions().configFile)
        command += " --config " + shellQuoted(file->string());
    command += " " + arguments;
    CommandRunner::Options options;
    options.environment["NO_COLOR"] = "1";
    auto outcome = CommandRunner().run(command, options,
                                       [&](std::string_view line) { output.emplace_back(line); });
    if (!outcome.started) {
        output.push_back(outcome.error);
        return -1;
    }
    return outcome.signal ? 128 + outcome.signal : outcome.exitStatus;
}

RecoveryChecklist::Item RecoveryChecklist::health()
{
    Item item{"health", "assess system state", Status::Failed, {}, false};
    std::vector<std::string> output;
    self("health check --json 2>/dev/null", output);
    std::string text;
    for (const auto& line : output)
        text += line + "\n";
    const auto report = nlohmann::json::parse(text, nullptr, false);
    if (!report.is_object() || !report["checks"].is_array()) {
        item.message = "health check did not run: " + lastNonEmpty(output);
        return item;
    }
    int ok = 0, warn = 0, fail = 0;
    std::string failed;
    for (const auto& check : report["checks"]) {
        const auto status = check.value("status", "");
        ok += status == "OK";
        warn += status == "WARN";
        if (status == "FAIL") {
            ++fail;
            failed += (failed.empty() ? "" : "; ") + check.value("check", "") + ": " +
                      check.value("message", "");
        }
    }
    item.status = Status::Done;
    item.message = "health check: " + std::to_string(ok) + " OK, " + std::to_string(warn) +
                   " WARN, " + std::to_string(fail) + " FAIL" +
                   (failed.empty() ? "" : " (" + failed + ")");
    return item;
}

RecoveryChecklist::Item RecoveryChecklist::backup()
{
    Item item{"backup", "back up critical data", Status::Failed, {}, false};
    std::vector<std::string> output;
    const int status = self("backup create --critical-only", output);
    item.status = status == 0 ? Status::Done : Status::Failed;
    item.message = "backup create --critical-only: " + lastNonEmpty(output);
    return item;
}

RecoveryChecklist::Item RecoveryChecklist::incident()
{
    Item item{"incident", "document current issues", Status::Skipped, {}, false};
    auto& incidents = session_.engine().incidents();
    if (incidentId_ > 0) {
        if (auto open = incidents.find(incidentId_)) {
            item.status = Status::Done;
            item.message = "incident " + std::to_string(open->id) + " (" + open->source +
                           "): " + open->condition +
                           (open->step.empty() ? "" : " in step " + open->step);
        }
        return item;
    }
    auto& journal = session_.journal();
    const auto run = journal.latestRun();
    if (!run) {
        item.message = "no build has run: no failure to record";
        return item;
    }
    std::optional<StepRecord> failed;
    for (const auto& step : journal.steps(run->id))
        if (step.state == "failed" || step.state == "interrupted")
            failed = step;
    if (!failed) {
        item.message = "the last build (run " + std::to_string(run->id) +
                       ") has no failed step: no failure to record";
        return item;
    }
    StepEnding ending;
    ending.exitStatus = failed->exitStatus.value_or(-1);
    ending.signal = failed->signal.value_or(0);
    const auto found = FailureClassifier::classifyLog(ending, failed->logFile);
    Event event;
    event.condition = failed->condition.empty() ? found.condition : failed->condition;
    event.failureClass = failed->failureClass.empty() ? found.failureClass : failed->failureClass;
    event.step = failed->name;
    event.evidence["run"] = std::to_string(run->id);
    event.evidence["log_file"] = failed->logFile;
    event.evidence["summary"] = failed->message.empty() ? found.summary : failed->message;
    if (failed->exitStatus)
        event.evidence["exit_status"] = std::to_string(*failed->exitStatus);
    for (const auto& line : found.evidence)
        event.evidence["log line " + std::to_string(line.line)] = line.text;
    auto& database = session_.database();
    database.transaction([&] { incidentId_ = incidents.open(event, "checklist"); });
    const auto opened = incidents.find(incidentId_);
    item.status = Status::Done;
    item.message = "incident " + std::to_string(incidentId_) +
                   (opened && opened->source != "checklist" ? " (already open)" : " opened") +
                   ": " + event.condition +
                   (event.failureClass.empty() ? "" : " (" + event.failureClass + ")") +
                   " in step " + event.step + " of run " + std::to_string(run->id) + ": " +
                   event.evidence["summary"];
    return item;
}

RecoveryChecklist::Item RecoveryChecklist::notify()
{
    Item item{"notify", "notify stakeholders", Status::Skipped, {}, false};
    auto& incidents = session_.engine().incidents();
    const auto incident = incidentId_ > 0 ? incidents.find(incidentId_) : std::nullopt;
    if (!incident) {
        item.message = "no incident to tell anyone about";
        return item;
    }
    Alert alert;
    alert.event.condition = incident->condition;
    alert.event.failureClass = incident->failureClass;
    alert.event.step = incident->step;
    alert.event.evidence = incident->evidence;
    alert.severity = LogLevel::Warning;
    alert.subject = incident->condition +
                    (incident->step.empty() ? "" : " in step '" + incident->step + "'") +
                    ": recovery starting (incident " + std::to_string(incident->id) + ")";
    alert.body = "The pre-recovery checklist ran: the system was assessed and critical data "
                 "backed up. The incident's report: lfs-wrapper recovery report " +
                 std::to_string(incident->id);
    auto& alerts = session_.services().alerts();
    const int queued = alerts.send(alert, incident->id);
    if (queued == 0) {
        item.message = "no alert queued: alerts.triggers does not name " + incident->condition +
                       ", or the same alert went out within alerts.repeat_after";
        return item;
    }
    alerts.courier().drain(alerts.courier().drainLimit());
    auto rows = session_.database().prepare(
        "SELECT channel, state, last_error FROM alert_outbox WHERE incident_id = ? AND subject = ?"
        " ORDER BY id DESC LIMIT ?");
    rows.bind(1, incident->id).bind(2, alert.subject).bind(3, std::int64_t{queued});
    std::string sent, notSent;
    while (rows.step()) {
        if (rows.text(1) == "sent")
            sent += (sent.empty() ? "" : ", ") + rows.text(0);
        else
            notSent += (notSent.empty() ? "" : "; ") + rows.text(0) + " " + rows.text(1) +
                       (rows.text(2).empty() ? "" : ": " + rows.text(2));
    }
    item.status = sent.empty() ? Status::Failed : Status::Done;
    item.message = "alert sent through " + (sent.empty() ? std::string("no channel") : sent) +
                   (notSent.empty() ? "" : " (not: " + notSent + ")");
    return item;
}

RecoveryChecklist::Item RecoveryChecklist::init()
{
    Item item{"init", "prepare recovery environment", Status::Failed, {}, false};
    std::vector<std::string> output;
    const int status = self("recovery init", output);
    const auto problem = firstStartingWith(output, "FAIL");
    item.status = status == 0 ? Status::Done : Status::Failed;
    item.message = status == 0
                       ? "recovery init: config, plugins, state directory, database and "
                         "store ready"
                       : "recovery init: " + (problem.empty() ? lastNonEmpty(output) : problem);
    return item;
}

RecoveryChecklist::Item RecoveryChecklist::verifySystem()
{
    Item item{"verify_system", "verify system integrity", Status::Skipped, {}, false};
    if (!std::filesystem::exists(session_.stateDirectory() / "store" / "manifests")) {
        item.message = "no checkpoint store yet: nothing to verify";
        return item;
    }
    std::vector<std::string> output;
    const int status = self("verify system --all", output);
    item.status = status == 0 ? Status::Done : Status::Failed;
    const auto problem = firstStartingWith(output, "FAIL");
    item.message = "verify system --all: " + lastNonEmpty(output) +
                   (problem.empty() ? "" : " (" + problem + ")");
    return item;
}

RecoveryChecklist::Item RecoveryChecklist::verifyBuild()
{
    Item item{"verify_build", "verify build integrity", Status::Skipped, {}, false};
    bool haveCheckpoint = false;
    try {
        BuildTree tree(session_.config(), session_.stateDirectory());
        haveCheckpoint = !tree.headers().empty();
    } catch (const std::exception&) {
    }
    if (!haveCheckpoint) {
        item.message = "no checkpoint of this build root: nothing to verify the tree against";
        return item;
    }
    std::vector<std::string> output;
    const int status = self("verify build --thorough", output);
    item.status = status == 0 ? Status::Done : Status::Failed;
    item.message = "verify build --thorough: " + lastNonEmpty(output);
    return item;
}

std::vector<RecoveryChecklist::Item> RecoveryChecklist::checks()
{
    const auto& config = session_.config();
    const auto commands = config.list("recovery.checks");
    if (commands.empty())
        return {{"checks", "test core functionality", Status::Skipped,
                 "no recovery.checks configured (your smoke tests, e.g. the book's toolchain "
                 "sanity check)",
                 false}};
    CommandRunner::Options options;
    options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        *parseDuration(config.string("recovery.check_timeout")));
    options.inheritOnly = Supervisor::inheritedEnvironment(config);
    options.withheld = config.secretVariables();
    options.environment["LFS"] = config.buildRoot().string();
    options.environment["LFSW_ROOT"] = config.buildRoot().string();
    std::vector<Item> items;
    for (const auto& command : commands) {
        std::vector<std::string> output;
        const auto outcome = CommandRunner().run(
            command, options, [&](std::string_view line) { output.emplace_back(line); });
        Item item{"checks", "test core functionality: " + command, Status::Failed, {}, false};
        item.status = outcome.succeeded() ? Status::Done : Status::Failed;
        const auto last = lastNonEmpty(output);
        item.message = (outcome.started ? outcome.summary() : outcome.error) +
                       (last.empty() ? "" : " (last line: " + last + ")");
        items.push_back(std::move(item));
    }
    return items;
}

RecoveryChecklist::Item RecoveryChecklist::report()
{
    Item item{"report", "document recovery actions", Status::Skipped, {}, false};
    auto& incidents = session_.engine().incidents();
    auto incident = incidentId_ > 0 ? incidents.find(incidentId_) : incidents.latest();
    if (!incident) {
        item.message = "no incident: no recovery has run";
        return item;
    }
    incidentId_ = incident->id;
    const auto directory = session_.stateDirectory() / "incidents";
    const auto file = directory / ("incident-" + std::to_string(incident->id) + ".md");
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    std::ostringstream text;
    IncidentReport(session_, *incident).writeMarkdown(text);
    try {
        writeFileDurably(file, text.str());
    } catch (const std::exception& e) {
        item.status = Status::Failed;
        item.message = e.what();
        return item;
    }
    item.status = Status::Done;
    item.message = "incident " + std::to_string(incident->id) + " report written to " +
                   file.string() + " (also: lfs-wrapper recovery report " +
                   std::to_string(incident->id) + ")";
    return item;
}

RecoveryChecklist::Item RecoveryChecklist::monitoring()
{
    Item item{"monitoring", "review monitoring data", Status::Skipped, {}, false};
    auto& incidents = session_.engine().incidents();
    auto incident = incidentId_ > 0 ? incidents.find(incidentId_) : incidents.latest();
    if (!incident) {
        item.message = "no incident whose monitoring data to review";
        return item;
    }
    // Samples from a minute before the incident opened to its end.
    const auto opened = parseIsoUtc(incident->openedAt);
    const std::string from =
        opened ? isoUtc(*opened - std::chrono::minutes(1)) : incident->openedAt;
    const std::string to = incident->closedAt.empty() ? isoUtcNow() : incident->closedAt + "~";
    auto rows = session_.database().prepare(
        "SELECT resource, subject, max(value), max(threshold), count(*) FROM resource_sample"
        " WHERE taken_at >= ? AND taken_at <= ? GROUP BY resource, subject ORDER BY resource,"
        " subject");
    rows.bind(1, from).bind(2, to);
    std::string peaks, above;
    int samples = 0;
    while (rows.step()) {
        const std::string name =
            rows.text(0) +
            (rows.text(1).empty() || rows.text(1) == rows.text(0) ? "" : " " + rows.text(1));
        samples += static_cast<int>(rows.integer(4));
        std::string peak = name + " peak " + percent(rows.real(2));
        if (!rows.isNull(3)) {
            peak += " (threshold " + percent(rows.real(3)) + ")";
            if (rows.real(2) >= rows.real(3))
                above += (above.empty() ? "" : ", ") + name;
        }
        peaks += (peaks.empty() ? "" : ", ") + peak;
    }
    if (peaks.empty()) {
        item.message = "no resource samples during incident " + std::to_string(incident->id) +
                       " (the supervisor samples during builds, the daemon outside them)";
        return item;
    }
    item.status = Status::Done;
    item.message = "during incident " + std::to_string(incident->id) + ", " +
                   std::to_string(samples) + " samples: " + peaks +
                   (above.empty() ? "; none above its threshold" : "; above threshold: " + above);
    return item;
}

RecoveryChecklist::Item RecoveryChecklist::procedures()
{
    Item item{"procedures", "update procedures", Status::Done, {}, false};
    std::string review;
    {
        auto failed = session_.database().prepare(
            "SELECT chain_key, count(*), (SELECT message FROM recovery_attempt b WHERE"
            " b.chain_key = a.chain_key AND b.outcome = 'failed' ORDER BY id DESC LIMIT 1)"
            " FROM recovery_attempt a WHERE outcome = 'failed' GROUP BY chain_key ORDER BY"
            " chain_key");
        while (failed.step())
            review += (review.empty() ? "" : "; ") + std::string("chain ") + failed.text(0) +
                      " failed " + std::to_string(failed.integer(1)) +
                      "× (last: " + failed.text(2) + ")";
    }
    {
        auto exhausted = session_.database().prepare(
            "SELECT condition, step, count(*) FROM incident WHERE outcome = 'given_up'"
            " GROUP BY condition, step ORDER BY condition, step");
        while (exhausted.step())
            review += (review.empty() ? "" : "; ") + exhausted.text(0) +
                      (exhausted.text(1).empty() ? "" : " in step " + exhausted.text(1)) +
                      " ran out of attempts " + std::to_string(exhausted.integer(2)) + "×";
    }
    item.message = review.empty() ? "no chain failed or ran out of attempts: recovery_actions "
                                    "need no change"
                                  : "review recovery_actions: " + review;
    return item;
}

} // namespace lfsw::host
