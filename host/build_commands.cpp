// SPDX-License-Identifier: MIT
// build start | status | stop | resume | analyze-state, process stop,
// system stop, analyze errors
#include <algorithm>
#include <csignal>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

#include <lfsw/units.h>

#include "base/pid_lock.h"
#include "base/process_table.h"
#include "base/suggest.h"
#include "build/build_plan.h"
#include "build/build_tree.h"
#include "build/failure_classifier.h"
#include "build/supervisor.h"
#include "command.h"
#include "console_reporter.h"
#include "daemon.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

void printProblems(const BuildPlan& plan)
{
    for (const auto& problem : plan.problems())
        std::cerr << problem.format() << "\n";
    std::cerr << "lfs-wrapper: " << plan.problems().size() << " problem"
              << (plan.problems().size() == 1 ? "" : "s") << " in the build plan; nothing ran\n";
}

int finish(const RunOutcome& outcome)
{
    std::cout << "build " << outcome.runId << ": " << outcome.state << " — " << outcome.message
              << "\n";
    return outcome.state == "done" ? kExitOk : kExitFailed;
}

// Runs `work` as the supervisor of this state directory, or says who is.
template <typename Work> int supervise(Session& session, bool quiet, Work&& work)
{
    session.keepConsoleForProgress();
    ConsoleReporter reporter(::isatty(STDOUT_FILENO) != 0, quiet);
    Supervisor supervisor(session.config(), session.database(), session.engine(),
                          session.stateDirectory(), reporter);
    std::string holder;
    if (!supervisor.lock(holder)) {
        std::cerr << "lfs-wrapper: another supervisor (pid " << (holder.empty() ? "?" : holder)
                  << ") is running the build of " << session.stateDirectory().string()
                  << "; see lfs-wrapper build status, or stop it with lfs-wrapper build stop\n";
        return kExitFailed;
    }
    return finish(work(supervisor));
}

// A root that does not exist is refused (a typo would build onto the
// host's disk) unless build.create_root says to make it; before anything,
// the state directory included, is created.
bool checkBuildRoot(Session& session, bool quiet)
{
    const auto root = session.config().buildRoot();
    std::error_code error;
    if (!std::filesystem::exists(root, error)) {
        if (!session.config().boolean("build.create_root")) {
            std::cerr << "lfs-wrapper: build start: the build root " << root.string()
                      << " does not exist; create it (mkdir -p " << root.string()
                      << "), or set build.create_root: true\n";
            return false;
        }
        std::filesystem::create_directories(root);
    }
    struct stat tree {
    }, system{};
    if (::stat(root.c_str(), &tree) == 0 && ::stat("/", &system) == 0 &&
        tree.st_dev == system.st_dev && !quiet)
        std::cerr << "note: the build root " << root.string()
                  << " is on the same file system as /: a build that fills it fills the host's "
                     "disk (the LFS book gives $LFS a partition of its own)\n";
    return true;
}

int start(Session& session, const po::variables_map& values)
{
    std::optional<BuildPlan> plan;
    std::string source;
    if (values.count("plan")) {
        source = std::filesystem::absolute(values["plan"].as<std::string>()).string();
        plan = BuildPlan::fromFile(source);
    } else if (values.count("command")) {
        plan = BuildPlan::fromCommand(values["command"].as<std::vector<std::string>>());
        source = plan->sourceName();
    } else if (!session.config().string("build.plan").empty()) {
        source = session.config().resolvePath(session.config().string("build.plan")).string();
        plan = BuildPlan::fromFile(source);
    } else {
        std::cerr << "lfs-wrapper: build start needs a plan: --plan FILE, build.plan in the "
                     "config, or -- COMMAND...\n";
        return kExitUsage;
    }
    if (!plan->problems().empty()) {
        printProblems(*plan);
        return kExitUsage;
    }
    if (!checkBuildRoot(session, values.count("quiet") > 0))
        return kExitFailed;
    return supervise(session, values.count("quiet") > 0,
                     [&](Supervisor& supervisor) { return supervisor.start(*plan, source); });
}

int resume(Session& session, const po::variables_map& values)
{
    return resumeBuild(session, values.count("resource-optimized") > 0, values.count("quiet") > 0,
                       values.count("from") ? values["from"].as<std::string>() : std::string());
}

std::string duration(const std::string& start, const std::string& end)
{
    auto parse = [](const std::string& text) -> std::optional<std::time_t> {
        std::tm tm{};
        if (text.size() < 19 || !strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm))
            return std::nullopt;
        return timegm(&tm);
    };
    auto from = parse(start);
    auto to = end.empty() ? std::optional<std::time_t>(std::time(nullptr)) : parse(end);
    if (!from || !to)
        return "-";
    return formatDuration(std::chrono::seconds(std::max<std::time_t>(0, *to - *from)));
}

std::string stateOf(Session& session, const RunRecord& run)
{
    if (run.state == "running" && !session.remoteControl().supervisorAlive(run.supervisorPid))
        return "interrupted (its supervisor, pid " + std::to_string(run.supervisorPid) +
               ", is gone)";
    if (run.state == "running")
        return "running (supervisor pid " + std::to_string(run.supervisorPid) + ")";
    return run.state;
}

nlohmann::json optionalNumber(const std::optional<int>& value)
{
    return value ? nlohmann::json(*value) : nlohmann::json();
}

int statusJson(Session& session)
{
    auto run = session.stateDirectoryExists() ? session.journal().latestRun() : std::nullopt;
    if (!run) {
        printJson({{"run", nullptr}, {"steps", nlohmann::json::array()}});
        return kExitOk;
    }
    nlohmann::json steps = nlohmann::json::array();
    const bool alive = session.remoteControl().supervisorAlive(run->supervisorPid);
    for (const auto& step : session.journal().steps(run->id))
        steps.push_back({{"position", step.position},
                         {"name", step.name},
                         {"state", step.state == "running" && !alive ? "interrupted" : step.state},
                         {"started_at", step.startedAt},
                         {"ended_at", step.endedAt},
                         {"attempts", step.attempts},
                         {"jobs", step.jobs},
                         {"exit_status", optionalNumber(step.exitStatus)},
                         {"signal", optionalNumber(step.signal)},
                         {"condition", step.condition},
                         {"failure_class", step.failureClass},
                         {"message", step.message},
                         {"log_file", step.logFile}});
    printJson({{"run",
                {{"id", run->id},
                 {"state", run->state == "running" && !alive ? "interrupted" : run->state},
                 {"plan", run->planSource},
                 {"root", run->buildRoot},
                 {"started_at", run->startedAt},
                 {"ended_at", run->endedAt},
                 {"supervisor_pid", run->supervisorPid},
                 {"message", run->message}}},
               {"steps", steps}});
    return kExitOk;
}

int status(Session& session, const po::variables_map& values)
{
    if (values.count("json"))
        return statusJson(session);
    if (!session.stateDirectoryExists()) {
        std::cout << "no build has run (" << session.stateDirectory().string()
                  << " does not exist; " << session.configSearchDescription() << ")\n";
        return kExitOk;
    }
    auto run = session.journal().latestRun();
    if (!run) {
        std::cout << "no build has run\n";
        return kExitOk;
    }
    std::cout << "build " << run->id << ": " << stateOf(session, *run) << "\n"
              << "  plan:    " << run->planSource << "\n"
              << "  root:    " << run->buildRoot << "\n"
              << "  started: " << run->startedAt
              << (run->endedAt.empty() ? "" : ", ended " + run->endedAt) << "\n";
    if (!run->message.empty())
        std::cout << "  note:    " << run->message << "\n";
    std::string reason;
    if (auto limits = session.journal().adjustedLimits(&reason))
        std::cout << "  limits chosen by adjust_limits: " << limits->jobs << " jobs"
                  << (limits->memoryBytes
                          ? ", memory cap " + std::to_string(limits->memoryBytes >> 20) + " MiB"
                          : "")
                  << " (" << reason << ")"
                  << (session.config().boolean("resources.limits.auto_adjust")
                          ? ""
                          : "; applied by build resume --resource-optimized")
                  << "\n";
    // The monitor's samples over the run: peaks against the thresholds.
    auto peaks = session.database().prepare(
        "SELECT resource, subject, max(value), avg(value), max(threshold), count(*) "
        "FROM resource_sample WHERE resource <> 'pressure' AND taken_at >= ? AND "
        "(? = '' OR taken_at <= ?) GROUP BY resource, subject ORDER BY resource, subject");
    peaks.bind(1, run->startedAt).bind(2, run->endedAt).bind(3, run->endedAt);
    std::string resources;
    while (peaks.step()) {
        char text[160];
        std::snprintf(text, sizeof text, "%s%s%s peak %.1f%% (mean %.1f%%, threshold %.0f%%)",
                      resources.empty() ? "" : "; ", peaks.text(0).c_str(),
                      peaks.text(1).empty() ? "" : (" " + peaks.text(1)).c_str(), peaks.real(2),
                      peaks.real(3), peaks.real(4));
        resources += text;
    }
    if (!resources.empty())
        std::cout << "  resources: " << resources << "\n";
    std::cout << "\n"
              << std::left << std::setw(4) << "#" << std::setw(24) << "STEP" << std::setw(13)
              << "STATE" << std::setw(10) << "TIME" << std::setw(9) << "ATTEMPTS" << std::setw(6)
              << "JOBS" << std::setw(16) << "EXIT"
              << "FAILURE\n";
    for (const auto& step : session.journal().steps(run->id)) {
        std::string state = step.state;
        if (state == "running" && !session.remoteControl().supervisorAlive(run->supervisorPid))
            state = "interrupted";
        std::string exit = step.signal       ? "signal " + std::to_string(*step.signal)
                           : step.exitStatus ? "status " + std::to_string(*step.exitStatus)
                                             : "-";
        std::string failure =
            step.condition.empty() ? "" : step.condition + ":" + step.failureClass;
        std::cout << std::left << std::setw(4) << step.position << std::setw(24) << step.name
                  << std::setw(13) << state << std::setw(10)
                  << (step.startedAt.empty() ? "-" : duration(step.startedAt, step.endedAt))
                  << std::setw(9) << step.attempts << std::setw(6)
                  << (step.jobs ? std::to_string(step.jobs) : "-") << std::setw(16) << exit
                  << failure << "\n";
    }
    return kExitOk;
}

int stop(Session& session, const po::variables_map& values)
{
    if (!session.stateDirectoryExists()) {
        std::cout << "no build is running\n";
        return kExitOk;
    }
    auto result = session.remoteControl().stopBuild(values.count("force") > 0);
    std::cout << result.message() << "\n";
    return result.status() == Result::Status::Failed ? kExitFailed : kExitOk;
}

int analyzeState(Session& session, const po::variables_map&)
{
    if (!session.stateDirectoryExists() || !session.journal().latestRun()) {
        std::cout << "no build has run: nothing to analyze\n";
        return kExitOk;
    }
    auto run = *session.journal().latestRun();
    const auto steps = session.journal().steps(run.id);
    const bool supervisorAlive = session.remoteControl().supervisorAlive(run.supervisorPid);
    std::vector<std::string> done;
    const StepRecord* halfDone = nullptr;
    const StepRecord* failed = nullptr;
    for (const auto& step : steps) {
        if (step.state == "done")
            done.push_back(step.name);
        else if (step.state == "running" || step.state == "interrupted")
            halfDone = halfDone ? halfDone : &step;
        else if (!failed && (step.state == "failed" || step.state == "stopped"))
            failed = &step;
    }
    std::cout << "build " << run.id << ": " << stateOf(session, run) << "\n"
              << "steps done: " << done.size() << " of " << steps.size();
    for (std::size_t i = 0; i < done.size(); ++i)
        std::cout << (i ? ", " : " (") << done[i] << (i + 1 == done.size() ? ")" : "");
    std::cout << "\n";
    bool consistent = true;
    if (halfDone && !(run.state == "running" && supervisorAlive)) {
        consistent = false;
        std::cout << "half-done step: " << halfDone->name << " was running (started "
                  << halfDone->startedAt << ", attempt " << halfDone->attempts
                  << ") when its supervisor died; its install may have left files in "
                  << run.buildRoot << "\n"
                  << "recovery: lfs-wrapper build resume treats it as failed (interrupted), ends "
                     "any process it left, never marks it done, and runs it again\n";
    } else if (halfDone) {
        std::cout << "running step: " << halfDone->name << " (supervisor pid " << run.supervisorPid
                  << " is alive)\n";
    }
    if (failed) {
        std::cout << "stopped at: " << failed->name << " (" << failed->state
                  << (failed->condition.empty()
                          ? ""
                          : ", " + failed->condition + ":" + failed->failureClass)
                  << "): " << failed->message << "\n"
                  << "recovery: fix the cause, then lfs-wrapper build resume (it re-runs "
                  << failed->name << " and continues)\n";
    }
    // What the database cannot see: what a step that did not finish left
    // in the tree. Compared with the last good checkpoint, metadata only.
    BuildTree tree(session.config(), session.stateDirectory());
    auto good = tree.store().find("last-good");
    if (run.state == "running" && supervisorAlive) {
        std::cout << "the build tree is not compared with last-good while a step runs\n";
    } else if (!good) {
        std::cout << "no last-good checkpoint: the build tree cannot be compared\n";
    } else if (std::filesystem::is_directory(tree.root())) {
        auto live = CheckpointStore::scan(tree.root(), tree.walkOptions(), false, nullptr);
        auto differences = CheckpointStore::diff(*good, live, false);
        if (!differences.empty()) {
            consistent = false;
            std::cout << "the build tree differs from last-good (checkpoint " << good->name << ", "
                      << good->id << ") in " << differences.size() << " path"
                      << (differences.size() == 1 ? "" : "s") << ":\n";
            for (const auto& d : differences)
                std::cout << "  " << d.kind << " " << d.path
                          << (d.what.empty() ? "" : " (" + d.what + ")") << "\n";
            std::cout << "recovery: lfs-wrapper build resume restores last-good before it runs "
                         "the next step; lfs-wrapper checkpoint restore last-good does it now\n";
        } else {
            std::cout << "the build tree matches last-good (checkpoint " << good->name << ", "
                      << good->id << ")\n";
        }
    }
    if (consistent)
        std::cout << "the state database is consistent: every step marked done finished and "
                     "succeeded\n";
    return consistent ? kExitOk : kExitFailed;
}

int processStop(Session& session, const po::variables_map& values)
{
    if (!values.count("resource-heavy")) {
        std::cerr << "lfs-wrapper: process stop needs --resource-heavy (stop the build's "
                     "heaviest processes); to stop the whole build use lfs-wrapper build stop\n";
        return kExitUsage;
    }
    auto run = session.stateDirectoryExists() ? session.journal().latestRun() : std::nullopt;
    if (!run || run->state != "running" ||
        !session.remoteControl().supervisorAlive(run->supervisorPid)) {
        std::cout << "no build is running: no build process to stop\n";
        return kExitOk;
    }
    // CPU use is measured over half a second.
    auto before = ProcessTable::snapshot().buildProcesses(run->supervisorPid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto after = ProcessTable::snapshot().buildProcesses(run->supervisorPid, 0);
    std::map<pid_t, std::uint64_t> ticksBefore;
    for (const auto& p : before)
        ticksBefore[p.pid] = p.cpuTicks;
    const double ticksPerSecond = static_cast<double>(::sysconf(_SC_CLK_TCK));
    struct Load {
        ProcessInfo info;
        double cpuPercent;
    };
    std::vector<Load> loads;
    for (const auto& p : after) {
        if (p.command == "sh" || p.command == "bash" || p.command == "make")
            continue; // shells and make only wait for their children
        double cpu = 0;
        if (ticksBefore.count(p.pid))
            cpu = static_cast<double>(p.cpuTicks - ticksBefore[p.pid]) / ticksPerSecond / 0.5 * 100;
        loads.push_back({p, cpu});
    }
    if (loads.empty()) {
        std::cout << "the build has no process besides shells and make right now\n";
        return kExitOk;
    }
    const auto count = static_cast<std::size_t>(std::max(1, values["count"].as<int>()));
    std::set<pid_t> chosen;
    std::sort(loads.begin(), loads.end(),
              [](const auto& a, const auto& b) { return a.info.rssBytes > b.info.rssBytes; });
    for (std::size_t i = 0; i < std::min(count, loads.size()); ++i)
        chosen.insert(loads[i].info.pid);
    std::sort(loads.begin(), loads.end(),
              [](const auto& a, const auto& b) { return a.cpuPercent > b.cpuPercent; });
    for (std::size_t i = 0; i < std::min(count, loads.size()); ++i)
        chosen.insert(loads[i].info.pid);
    std::vector<pid_t> pids;
    for (const auto& load : loads)
        if (chosen.count(load.info.pid)) {
            std::cout << "stopping pid " << load.info.pid << " (" << load.info.command
                      << "): " << (load.info.rssBytes >> 20) << " MiB resident, " << std::fixed
                      << std::setprecision(0) << load.cpuPercent << "% CPU\n";
            pids.push_back(load.info.pid);
        }
    ProcessTable::terminatePids(pids, *parseDuration(session.config().string("build.stop_grace")));
    std::cout << "stopped " << pids.size() << " process" << (pids.size() == 1 ? "" : "es")
              << "; the step they belonged to fails and its condition's recovery decides what "
                 "happens next\n";
    return kExitOk;
}

int systemStop(Session& session, const po::variables_map& values)
{
    if (!values.count("all")) {
        std::cerr << "lfs-wrapper: system stop needs --all (the build, its supervisor and the "
                     "daemon of this state directory)\n";
        return kExitUsage;
    }
    if (!session.stateDirectoryExists()) {
        std::cout << "build: none running\nsupervisor: none running\ndaemon: none running\n";
        return kExitOk;
    }
    auto run = session.journal().latestRun();
    const bool supervisorRan = run && run->state == "running" &&
                               session.remoteControl().supervisorAlive(run->supervisorPid);
    auto result = session.remoteControl().stopBuild(values.count("force") > 0);
    std::cout << "build: " << result.message() << "\n"
              << "supervisor: "
              << (supervisorRan ? "pid " + std::to_string(run->supervisorPid) + " ended"
                                : "none running")
              << "\n";
    auto daemon = PidLock::holder(session.stateDirectory() / Daemon::kLockFileName);
    if (!daemon || *daemon <= 0) {
        std::cout << "daemon: none running\n";
    } else {
        std::vector<pid_t> pids{*daemon};
        ProcessTable::terminatePids(pids, values.count("force") ? std::chrono::seconds(0)
                                                                : std::chrono::seconds(10));
        std::cout << "daemon: pid " << *daemon << " ended\n";
    }
    return result.status() == Result::Status::Failed ? kExitFailed : kExitOk;
}

int analyzeErrors(Session& session, const po::variables_map& values)
{
    printErrorAnalysis(session, values.count("comprehensive") != 0, values.count("json") != 0);
    return kExitOk;
}

} // namespace

void printErrorAnalysis(Session& session, bool comprehensive, bool json)
{
    nlohmann::json failed = nlohmann::json::array();
    if (!session.stateDirectoryExists() || !session.journal().latestRun()) {
        if (json)
            printJson({{"failures", failed}});
        else
            std::cout << "no build has run: no errors to analyze\n";
        return;
    }
    std::vector<RunRecord> runs;
    if (comprehensive)
        runs = session.journal().runs();
    else
        runs.push_back(*session.journal().latestRun());
    int failures = 0;
    for (const auto& run : runs) {
        for (const auto& step : session.journal().steps(run.id)) {
            if (step.state != "failed" && step.state != "interrupted")
                continue;
            ++failures;
            StepEnding ending;
            ending.exitStatus = step.exitStatus.value_or(-1);
            ending.signal = step.signal.value_or(0);
            auto found = FailureClassifier::classifyLog(ending, step.logFile);
            const std::string condition = step.condition.empty() ? found.condition : step.condition;
            const std::string failureClass =
                step.failureClass.empty() ? found.failureClass : step.failureClass;
            auto chain = session.config().chainFor(condition, failureClass);
            if (json) {
                nlohmann::json evidence = nlohmann::json::array();
                for (const auto& line : found.evidence)
                    evidence.push_back({{"line", line.line}, {"text", line.text}});
                nlohmann::json actions = nlohmann::json::array();
                if (chain)
                    for (const auto& entry : chain->entries)
                        actions.push_back(entry.action);
                failed.push_back({{"run", run.id},
                                  {"step", step.name},
                                  {"attempts", step.attempts},
                                  {"condition", condition},
                                  {"failure_class", failureClass},
                                  {"message", step.message.empty() ? found.summary : step.message},
                                  {"log_file", step.logFile},
                                  {"evidence", evidence},
                                  {"chain", chain ? nlohmann::json(chain->key) : nlohmann::json()},
                                  {"actions", actions}});
                continue;
            }
            std::cout << "build " << run.id << ", step " << step.name << " (attempt "
                      << step.attempts << "): " << condition << ":" << failureClass << "\n"
                      << "  " << (step.message.empty() ? found.summary : step.message) << "\n"
                      << "  log: " << step.logFile << "\n";
            for (const auto& evidence : found.evidence)
                std::cout << "  line " << evidence.line << ": " << evidence.text << "\n";
            std::cout << "  recovery: ";
            if (!chain) {
                std::cout << "no chain in recovery_actions for " << condition << "\n";
            } else {
                std::cout << chain->key << " ->";
                for (const auto& entry : chain->entries)
                    std::cout << " " << entry.action;
                std::cout << "\n";
            }
        }
    }
    if (json) {
        printJson({{"failures", failed}});
        return;
    }
    if (failures == 0)
        std::cout << "no failed step in " << (runs.size() == 1 ? "the last build" : "any build")
                  << "\n";
}

int resumeBuild(Session& session, bool resourceOptimized, bool quiet, const std::string& fromStep)
{
    auto run = session.stateDirectoryExists() ? session.journal().latestRun() : std::nullopt;
    if (!run) {
        std::cerr
            << "lfs-wrapper: there is no build to resume; start one with lfs-wrapper build start\n";
        return kExitFailed;
    }
    // The plan file as it is now (it may have been fixed), else the recorded text.
    BuildPlan plan = std::filesystem::exists(run->planSource)
                         ? BuildPlan::fromFile(run->planSource)
                         : BuildPlan::fromString(run->planText, run->planSource);
    if (!plan.problems().empty()) {
        printProblems(plan);
        return kExitUsage;
    }
    if (!fromStep.empty()) {
        std::vector<std::string> names;
        for (const auto& step : plan.steps())
            names.push_back(step.name);
        if (std::find(names.begin(), names.end(), fromStep) == names.end()) {
            std::cerr << "lfs-wrapper: build resume --from: the plan " << run->planSource
                      << " has no step '" << fromStep << "'" << didYouMean(fromStep, names) << "\n";
            return kExitUsage;
        }
    }
    return supervise(session, quiet, [&](Supervisor& supervisor) {
        return supervisor.resume(plan, resourceOptimized, fromStep);
    });
}

void addBuildCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"build start", "[--plan FILE] [-- COMMAND...]",
         "Run a build plan (or one command) under supervision",
         "Runs each step in its own process group, its output to\n"
         "STATE_DIR/steps/RUN/N-NAME.ATTEMPT.log and the console, and records each\n"
         "result once the step has finished. A failed step is classified and raises\n"
         "build_failure or resource_exhaustion; when auto_recovery covers it, its chain\n"
         "runs (restart_build re-runs the step). One supervisor per state directory.\n"
         "The plan is --plan FILE, else build.plan from the config; '-- CMD ARGS' runs\n"
         "one command as a one-step plan.",
         ConfigNeed::Full,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("plan", po::value<std::string>()->value_name("FILE"),
                                   "build plan (YAML)")(
                 "command", po::value<std::vector<std::string>>(), "command to run (after --)");
             positional.add("command", -1);
         },
         start});
    commands.push_back({"build status", "[--json]",
                        "Show the build: every step with its state, time, attempts and failure", "",
                        ConfigNeed::Structural, flagOption("json", kJsonHelp), status});
    commands.push_back(
        {"build stop", "[--force]", "Stop the running build from another terminal",
         "Every process of the running step and all its descendants end: SIGTERM, then\n"
         "SIGKILL after build.stop_grace; --force kills at once. The step is recorded as\n"
         "stopped, never as done; continue with lfs-wrapper build resume.",
         ConfigNeed::Structural, flagOption("force", "kill at once (SIGKILL)"), stop});
    commands.push_back(
        {"build resume", "[--resource-optimized] [--from STEP]",
         "Continue the last build from its first step not done",
         "A step that did not finish, however it ended (build stop, Ctrl-C, SIGTERM,\n"
         "a timeout, a failure, a supervisor killed or a power loss), runs again on the\n"
         "tree of the last checkpointed step before it: the tree is restored to that\n"
         "checkpoint first. --from STEP runs again from STEP, on the checkpoint of the\n"
         "step before it. --resource-optimized runs the steps with the jobs and memory\n"
         "limits that adjust_limits chose (see build status).",
         ConfigNeed::Full,
         [](po::options_description& options, po::positional_options_description&) {
             options.add_options()("resource-optimized", "apply the limits adjust_limits chose")(
                 "from", po::value<std::string>()->value_name("STEP"),
                 "run again from this step of the plan");
         },
         resume});
    commands.push_back({"build analyze-state", "",
                        "Check the build's consistency: steps done, a half-done step, what to do",
                        "", ConfigNeed::Structural, nullptr, analyzeState});
    commands.push_back(
        {"process stop", "--resource-heavy [--count N]",
         "Stop the build processes using the most memory and CPU",
         "Looks at the running build's processes in /proc, names the ones with the most\n"
         "resident memory and the most CPU over half a second (N of each), and stops them\n"
         "(SIGTERM, then SIGKILL after build.stop_grace).",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description&) {
             options.add_options()("resource-heavy", "stop the heaviest processes")(
                 "count", po::value<int>()->default_value(1)->value_name("N"),
                 "how many of each (memory, CPU)");
         },
         processStop});
    commands.push_back({"system stop", "--all [--force]",
                        "Stop the build, its supervisor and the daemon", "", ConfigNeed::Structural,
                        [](po::options_description& options, po::positional_options_description&) {
                            options.add_options()("all", "everything of this state directory")(
                                "force", "kill at once (SIGKILL)");
                        },
                        systemStop});
    commands.push_back(
        {"analyze errors", "[--comprehensive] [--json]",
         "Explain why each failed step failed, with evidence from its log",
         "Prints each failed step's class (compile error, link error, test-suite failure,\n"
         "out of memory, out of disk, fetch error, missing dependency, timeout, killed,\n"
         "unknown), the log lines that show it with their line numbers, and the recovery\n"
         "chain that would run. --comprehensive covers every build in the state database.",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description&) {
             options.add_options()("comprehensive", "every build, not just the last")("json",
                                                                                      kJsonHelp);
         },
         analyzeErrors});
}

} // namespace lfsw::host
