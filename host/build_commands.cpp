// SPDX-License-Identifier: MIT
// build start | status | stop | resume | analyze-state | restore | system
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
#include "base/suggest.h"
#include "base/time_text.h"
#include "build/eta_estimator.h"
#include "checkpoint_access.h"
#include "command.h"
#include "console_reporter.h"
#include "daemon.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

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
    if (auto locked = supervisor.lock(); !locked) {
        std::cerr << "lfs-wrapper: another supervisor (pid "
                  << (locked.error().empty() ? "?" : locked.error()) << ") is running the build of "
                  << session.stateDirectory().string()
                  << "; see lfs-wrapper build status, or stop it with lfs-wrapper build stop\n";
        return kExitFailed;
    }
    const bool daemonRunning =
        PidLock::holder(session.stateDirectory() / Daemon::kLockFileName).has_value();
    if (auto problem = supervisor.startMetrics(daemonRunning)) {
        std::cerr << "lfs-wrapper: " << *problem << "; the build does not start\n";
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
    auto chosen = choosePlan(session, values, "build start");
    if (!chosen)
        return kExitUsage;
    auto& [plan, source] = *chosen;
    if (values.count("dry-run")) {
        printPlan(plan, false);
        std::cout << "dry run: nothing ran\n";
        return kExitOk;
    }
    if (!checkBuildRoot(session, values.count("quiet") > 0))
        return kExitFailed;
    return supervise(session, values.count("quiet") > 0,
                     [&](Supervisor& supervisor) { return supervisor.start(plan, source); });
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
    const auto plan = BuildPlan::fromString(run->planText, run->planSource);
    const auto eta = EtaEstimator(session.database(), session.config()).estimate(run->id, plan);
    nlohmann::json etaJson = {
        {"end", eta.end ? nlohmann::json(isoUtc(*eta.end)) : nlohmann::json(nullptr)},
        {"seconds_left", eta.end ? nlohmann::json(eta.left.count()) : nlohmann::json(nullptr)},
        {"steps_from_earlier_runs", eta.fromHistory},
        {"steps_by_sbu", eta.fromSbu},
        {"steps_unknown", eta.unknown},
        {"sbu_seconds", eta.sbu ? nlohmann::json(eta.sbu->count()) : nlohmann::json(nullptr)}};
    printJson({{"eta", etaJson},
               {"run",
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
    if (run->state != "done") {
        const auto plan = BuildPlan::fromString(run->planText, run->planSource);
        const auto eta = EtaEstimator(session.database(), session.config()).estimate(run->id, plan);
        std::cout << (run->state == "running" ? "  ETA:     " : "  ETA:     if resumed now, ")
                  << eta.text() << (eta.sbu ? ", 1 SBU = " + formatDuration(*eta.sbu) : "") << "\n";
    }
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
    return !result.ok() ? kExitFailed : kExitOk;
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
    std::vector<std::string> done, undone;
    const StepRecord* halfDone = nullptr;
    const StepRecord* failed = nullptr;
    for (const auto& step : steps) {
        if (step.state == "done")
            done.push_back(step.name);
        else if (step.state == "undone")
            undone.push_back(step.name);
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
    for (const auto& name : undone)
        std::cout << "undone step: " << name
                  << " (lfs-wrapper step undo took back what it did); lfs-wrapper build resume "
                     "runs it again\n";
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

int buildRestore(Session& session, const po::variables_map& values)
{
    if (!values.count("last-known-good")) {
        std::cerr << "lfs-wrapper: build restore needs --last-known-good\n";
        return kExitUsage;
    }
    return rewind(session, "last-good", "build restore");
}

int buildFromBaseline(Session& session, const po::variables_map& values)
{
    if (!values.count("from-baseline")) {
        std::cerr << "lfs-wrapper: build system needs --from-baseline\n";
        return kExitUsage;
    }
    int status = rewind(session, "baseline", "build system");
    if (status != kExitOk)
        return status;
    if (!session.journal().latestRun()) {
        std::cerr << "lfs-wrapper: build system: the baseline is restored, but there is no build "
                     "to continue; start one with lfs-wrapper build start\n";
        return kExitFailed;
    }
    return resumeBuild(session, false, values.count("quiet") > 0);
}

} // namespace

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
        printPlanProblems(plan);
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
        {"build start", "[--plan FILE] [--dry-run] [-- COMMAND...]",
         "Run a build plan (or one command) under supervision",
         "Runs each step in its own process group, its output to\n"
         "STATE_DIR/steps/RUN/N-NAME.ATTEMPT.log and the console, and records each\n"
         "result once the step has finished. A failed step is classified and raises\n"
         "build_failure or resource_exhaustion; when auto_recovery covers it, its chain\n"
         "runs (restart_build re-runs the step). One supervisor per state directory.\n"
         "The plan is --plan FILE, else build.plan from the config; '-- CMD ARGS' runs\n"
         "one command as a one-step plan. --dry-run prints the plan as plan show does\n"
         "and runs nothing.",
         ConfigNeed::Full,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("plan", po::value<std::string>()->value_name("FILE"),
                                   "build plan (YAML)")("dry-run", "print the plan, run nothing")(
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
        {"build restore", "--last-known-good",
         "Restore the last good checkpoint and set the build's progress back to it", "",
         ConfigNeed::Structural,
         flagOption("last-known-good", "the newest checkpoint taken after a successful step"),
         buildRestore});
    commands.push_back({"build system", "--from-baseline",
                        "Restore the baseline checkpoint, then rebuild from the step after it",
                        "The baseline is the checkpoint of the plan step marked `baseline: true`\n"
                        "(or one created with checkpoint create NAME --tag baseline).",
                        ConfigNeed::Full,
                        flagOption("from-baseline", "start from the baseline checkpoint"),
                        buildFromBaseline});
}

} // namespace lfsw::host
