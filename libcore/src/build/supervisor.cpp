// SPDX-License-Identifier: MIT
#include "build/supervisor.h"

#include <algorithm>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lfsw/command_runner.h>
#include <lfsw/units.h>

#include "base/counted.h"
#include "base/file_content.h"
#include "base/open_beneath.h"
#include "base/process_table.h"
#include "base/unique_fd.h"
#include "build/eta_estimator.h"
#include "build/reclaimer.h"
#include "build/remote_build_control.h"
#include "build/step_cgroup.h"
#include "build/step_outcome.h"
#include "config/config.h"
#include "recovery/recovery_engine.h"
#include "state/state_database.h"
#include "store/backup_repository.h"

namespace lfsw {

namespace {

// Kernel messages since `fd` was positioned, without the "prio,seq,time,-;" prefix.
std::vector<std::string> readKernelMessages(int fd)
{
    std::vector<std::string> lines;
    if (fd < 0)
        return lines;
    char record[8192];
    while (true) {
        ssize_t count = ::read(fd, record, sizeof record - 1);
        if (count < 0 && errno == EPIPE)
            continue; // overwritten records: go on with the next
        if (count <= 0)
            break;
        std::string text(record, static_cast<std::size_t>(count));
        auto semicolon = text.find(';');
        text = text.substr(semicolon == std::string::npos ? 0 : semicolon + 1);
        while (!text.empty() && text.back() == '\n')
            text.pop_back();
        lines.push_back(text);
    }
    return lines;
}

// What a step inherits of the supervisor's environment (docs/plans.md), with
// the plan's `env` and the LFS, LFSW_* and MAKEFLAGS variables set for it.
constexpr const char* kStepEnvironment[] = {"PATH",   "HOME", "USER",     "LOGNAME", "SHELL",
                                            "TERM",   "LANG", "LANGUAGE", "LC_*",    "TZ",
                                            "TMPDIR", "LFS",  "LFS_*",    "LFSW_*"};

std::string sanitized(const std::string& name)
{
    std::string result = name;
    for (auto& c : result)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
            c = '_';
    return result;
}

} // namespace

Supervisor::Supervisor(const Config& config, StateDatabase& database, RecoveryEngine& engine,
                       std::filesystem::path stateDirectory, SupervisorObserver& observer)
    : config_(config), database_(database), journal_(database), engine_(engine),
      stateDirectory_(std::move(stateDirectory)), observer_(observer),
      logger_(makeLogger("supervisor")), lock_(stateDirectory_ / kLockFileName),
      tree_(config, stateDirectory_), limits_(RemoteBuildControl::configuredLimits(config)),
      autoAdjust_(config.boolean("resources.limits.auto_adjust")),
      monitor_(config, stateDirectory_), metrics_(config, stateDirectory_),
      monitorInterval_(*parseDuration(config.string("monitoring.interval")))
{
    monitor_.prime();
    nextSample_ = std::chrono::steady_clock::now() + monitorInterval_;
}

Supervisor::~Supervisor() = default;

std::optional<std::string> Supervisor::startMetrics(bool daemonRunning)
{
    try {
        metrics_.start();
    } catch (const std::exception& e) {
        if (daemonRunning) {
            LFSW_LOG(logger_, Info) << "metrics: the daemon of this state directory serves "
                                    << metrics_.listenAddress();
            return std::nullopt;
        }
        return std::string(e.what());
    }
    return std::nullopt;
}

Expected<void> Supervisor::lock()
{
    if (auto acquired = lock_.acquire(); !acquired)
        return acquired;

    // Orphans of a step become our children, so no descendant escapes `build stop`.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    sigset_t signals;
    sigemptyset(&signals);
    for (int signal : {SIGTERM, SIGINT, SIGHUP, SIGUSR1})
        sigaddset(&signals, signal);
    ::sigprocmask(SIG_BLOCK, &signals, nullptr);
    signalFd_.reset(::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC));
    return {};
}

RunOutcome Supervisor::start(const BuildPlan& plan, const std::string& planSource)
{
    std::vector<std::string> names;
    for (const auto& step : plan.steps())
        names.push_back(step.name);
    const auto runId = journal_.createRun(planSource, plan.text(), config_.buildRoot().string(),
                                          names, ::getpid());
    LFSW_LOG(logger_, Info) << "run " << runId << " started: " << names.size() << " steps from "
                            << planSource;
    return runFrom(runId, plan, planSource);
}

RunOutcome Supervisor::resume(const BuildPlan& plan, bool resourceOptimized,
                              const std::string& fromStep)
{
    auto run = journal_.latestRun();
    if (!run)
        throw std::runtime_error(
            "there is no build to resume; start one with lfs-wrapper build start");
    if (run->state == "done" && fromStep.empty())
        return {run->id, "done", "build " + std::to_string(run->id) + " had already finished"};
    if (resourceOptimized) {
        std::string reason;
        if (auto adjusted = journal_.adjustedLimits(&reason)) {
            limits_ = *adjusted;
            observer_.note(
                "resource-optimized: " + std::to_string(limits_.jobs) + " jobs" +
                (limits_.memoryBytes
                     ? ", memory cap " + std::to_string(limits_.memoryBytes >> 20) + " MiB"
                     : "") +
                " (" + reason + ")");
        } else {
            observer_.note("resource-optimized: adjust_limits has chosen no limits yet; using the "
                           "configured ones");
        }
    }
    if (!fromStep.empty()) {
        int position = 0;
        for (const auto& step : plan.steps()) {
            ++position;
            if (step.name == fromStep)
                break;
        }
        if (plan.steps().empty() ||
            plan.steps()[static_cast<std::size_t>(position - 1)].name != fromStep)
            throw std::runtime_error("build resume --from: the plan has no step '" + fromStep +
                                     "'");
        journal_.rewindTo(run->id, position - 1,
                          "resumed from step " + fromStep + " (build resume --from)");
    }
    const auto records = journal_.steps(run->id);
    // A step left "running" by a supervisor that died: whatever it left
    // running ends now. It is never taken as done.
    for (const auto& step : records)
        if (step.state == "running") {
            observer_.note("step " + step.name +
                           " was interrupted when its supervisor died; it runs again");
            if (step.pgid > 0)
                ProcessTable::terminate(0, step.pgid, std::chrono::milliseconds(0));
        }
    // The first step not done ran before (stopped, interrupted, failed, timed
    // out) or is asked for with --from: it may have half-installed, so it
    // runs again on the tree of the last step before it that was checkpointed.
    auto unfinished = std::find_if(records.begin(), records.end(),
                                   [](const StepRecord& r) { return r.state != "done"; });
    if (unfinished != records.end() && unfinished->state == "undone" && fromStep.empty()) {
        // step undo took back what it did and nothing else: the tree is
        // already as the step found it, less what later steps changed.
        observer_.note("step " + unfinished->name +
                       " was undone (lfs-wrapper step undo): it runs again on the tree as the "
                       "undo left it");
    } else if (unfinished != records.end() && (unfinished->attempts > 0 || !fromStep.empty())) {
        std::optional<Manifest> good;
        int goodPosition = 0;
        for (auto before = std::make_reverse_iterator(unfinished); before != records.rend();
             ++before) {
            good = tree_.store().find(before->name);
            if (good && good->good) {
                goodPosition = before->position;
                break;
            }
            good.reset();
        }
        if (!good) {
            observer_.note("no checkpoint was taken before step " + unfinished->name +
                           ": it runs again on the tree as it was left");
        } else {
            observer_.note("step " + unfinished->name + " did not finish (" + unfinished->state +
                           "): the tree goes back to checkpoint " + good->name + " (" + good->id +
                           ") before it runs again");
            auto restored = tree_.restore(good->id, nullptr);
            observer_.note(restored.message());
            if (!restored.ok()) {
                const std::string message = "cannot bring the tree back to checkpoint " +
                                            good->name + " before step " + unfinished->name + ": " +
                                            restored.message() + "; nothing ran";
                journal_.setRunState(run->id, "failed", message);
                return {run->id, "failed", message};
            }
            if (goodPosition + 1 < unfinished->position) {
                // Steps done since without a checkpoint of their own were undone.
                observer_.note("steps " + std::to_string(goodPosition + 1) + " to " +
                               std::to_string(unfinished->position - 1) +
                               " had no checkpoint of their own: they run again too");
                journal_.rewindTo(run->id, goodPosition, "rewound to checkpoint " + good->name);
            }
        }
    }
    journal_.resumeRun(run->id, ::getpid());
    // The plan may have been edited since: steps are matched by name.
    int position = 0;
    for (const auto& step : plan.steps())
        journal_.addStep(run->id, ++position, step.name);
    database_.prepare("DELETE FROM build_step WHERE run_id = ? AND position > ?")
        .bind(1, run->id)
        .bind(2, std::int64_t{position})
        .run();
    LFSW_LOG(logger_, Info) << "run " << run->id << " resumed";
    return runFrom(run->id, plan, run->planSource);
}

RunOutcome Supervisor::runFrom(std::int64_t runId, const BuildPlan& plan,
                               const std::string& planSource)
{
    auto outcome = runSteps(runId, plan, planSource);
    metrics_.publish(database_);
    return outcome;
}

RunOutcome Supervisor::runSteps(std::int64_t runId, const BuildPlan& plan,
                                const std::string& planSource)
{
    runId_ = runId;
    planDirectory_ = std::filesystem::path(planSource).is_absolute()
                         ? std::filesystem::path(planSource).parent_path()
                         : std::filesystem::current_path();
    const auto& steps = plan.steps();
    const int total = static_cast<int>(steps.size());
    if (!std::filesystem::is_directory(config_.buildRoot()))
        throw std::runtime_error("the build root " + config_.buildRoot().string() +
                                 " does not exist (moved or unmounted?)");

    for (int index = 0; index < total;) {
        const auto& step = steps[static_cast<std::size_t>(index)];
        const int position = index + 1;
        auto records = journal_.steps(runId);
        auto record = std::find_if(records.begin(), records.end(),
                                   [&](const auto& r) { return r.position == position; });
        if (record != records.end() && record->state == "done") {
            ++index;
            continue;
        }

        if (const auto eta = EtaEstimator(database_, config_).estimate(runId, plan); eta.end)
            observer_.expectedEnd(eta.text());
        StepRecord result = runStep(runId, step, position, total);
        journal_.finishStep(runId, position, result);
        observer_.stepFinished(step, result);

        if (result.state == "done") {
            engine_.resetAttempts("", step.name);
            if (step.checkpoint) {
                auto checkpoint =
                    tree_.createCheckpoint(step.name, true, nullptr,
                                           step.baseline ? std::vector<std::string>{"baseline"}
                                                         : std::vector<std::string>{});
                observer_.note(checkpoint.message());
            }
            metrics_.publish(database_);
            ++index;
            continue;
        }
        if (result.state == "stopped") {
            const std::string message = result.message + " during step " + step.name +
                                        "; continue with: lfs-wrapper build resume (it brings "
                                        "the tree back to the last good step first)";
            journal_.setRunState(runId, "stopped", message);
            return {runId, "stopped", message};
        }

        metrics_.publish(database_);
        // The step failed: raise its condition.
        Event event;
        event.condition = result.condition;
        event.failureClass = result.failureClass;
        event.step = step.name;
        event.evidence["summary"] = result.message;
        event.evidence["run"] = std::to_string(runId);
        if (result.exitStatus)
            event.evidence["exit_status"] = std::to_string(*result.exitStatus);
        if (result.signal)
            event.evidence["signal"] = std::to_string(*result.signal);
        for (const auto& r : journal_.steps(runId))
            if (r.position == position)
                event.evidence["log_file"] = r.logFile;
        if (resourceEvent_) {
            // The monitor's figures: resource, value, threshold, filesystem.
            for (const auto& [key, value] : resourceEvent_->evidence)
                event.evidence.emplace(key, value);
            resourceEvent_.reset();
        }

        const bool covered = config_.recoversAutomatically(event.condition, event.failureClass);
        std::string message = "step " + step.name + " failed: " + result.message;
        if (!covered) {
            message += "; no automatic recovery is configured for " + event.condition +
                       (event.failureClass.empty() ? "" : ":" + event.failureClass) +
                       "; fix the cause, then: lfs-wrapper build resume";
            journal_.setRunState(runId, "failed", message);
            engine_.notify(event, message);
            return {runId, "failed", message};
        }

        stopAfterChain_ = false;
        restartRequested_ = false;
        observer_.note("recovering from " + event.condition + ":" + event.failureClass +
                       " in step " + step.name);
        auto outcome =
            engine_.run(event, *this, [this](const std::string& action, const Result& r) {
                observer_.note("  " + action + ": " + statusName(r.status()) +
                               (r.message().empty() ? "" : " (" + r.message() + ")"));
            });
        if (outcome.status == RecoveryOutcome::Status::Exhausted) {
            message += "; " + outcome.message + "; the build is stopped";
            journal_.setRunState(runId, "failed", message);
            return {runId, "failed", message};
        }
        if (outcome.status == RecoveryOutcome::Status::Failed) {
            message += "; recovery chain " + outcome.chainKey + " failed at " + outcome.message +
                       "; fix the cause, then: lfs-wrapper build resume";
            journal_.setRunState(runId, "failed", message);
            return {runId, "failed", message};
        }
        if (restartRequested_) {
            observer_.note("recovery chain " + outcome.chainKey + " restarts step " + step.name +
                           " (attempt " + std::to_string(outcome.attempt) + " of " +
                           std::to_string(outcome.maxAttempts) + ")");
            continue; // the same step again
        }
        message += "; recovery chain " + outcome.chainKey +
                   " ran and left the build stopped (it has no restart_build); fix the cause, "
                   "then: lfs-wrapper build resume";
        engine_.recordStopped(outcome, "the chain has no restart_build: the build stopped on "
                                       "the tree it left");
        journal_.setRunState(runId, "failed", message);
        return {runId, "failed", message};
    }
    const std::string done =
        total == 1 ? "its 1 step done" : "all " + counted(total, "step") + " done";
    journal_.setRunState(runId, "done", done);
    return {runId, "done", done};
}

std::unique_ptr<StepCgroup> Supervisor::memoryCap(std::int64_t runId, int position, int attempt)
{
    if (limits_.memoryBytes == 0)
        return nullptr;
    auto cgroup = StepCgroup::create("lfsw-step-" + std::to_string(runId) + "-" +
                                         std::to_string(position) + "-" + std::to_string(attempt),
                                     limits_.memoryBytes);
    if (!cgroup) {
        LFSW_LOG(logger_, Info) << "memory cap " << (limits_.memoryBytes >> 20)
                                << " MiB: RLIMIT_AS per process (" << cgroup.error() << ")";
        return nullptr;
    }
    LFSW_LOG(logger_, Info) << "memory cap " << (limits_.memoryBytes >> 20)
                            << " MiB: " << (*cgroup)->describe();
    return std::move(*cgroup);
}

std::map<std::string, std::string> Supervisor::jobVariables() const
{
    const std::string jobs = std::to_string(limits_.jobs);
    return {{"MAKEFLAGS", "-j" + jobs}, {"TESTSUITEFLAGS", "-j" + jobs}, {"NINJAJOBS", jobs}};
}

std::map<std::string, std::string> Supervisor::bookEnvironment(const PlanStep& step,
                                                               const std::string& home,
                                                               const std::string& path) const
{
    // What the LFS book's env -i keeps, with the jobs of resources.limits:
    // the chroot command of chapter 7 (HOME=/root, PATH=/usr/bin:/usr/sbin,
    // MAKEFLAGS, TESTSUITEFLAGS), the lfs user's login of chapter 4.4; the
    // step's own variables over them.
    auto environment = jobVariables();
    environment["PATH"] = path;
    if (!home.empty())
        environment["HOME"] = home;
    for (const auto& [name, value] : step.env)
        environment[name] = value;
    return environment;
}

std::vector<std::string> Supervisor::inheritedEnvironment(const Config& config)
{
    std::vector<std::string> names(std::begin(kStepEnvironment), std::end(kStepEnvironment));
    for (const auto& name : config.list("build.pass_environment"))
        names.push_back(name);
    return names;
}

CommandRunner::Options Supervisor::commandOptions(const PlanStep& step,
                                                  const StepCgroup* cgroup) const
{
    const auto root = config_.buildRoot();
    CommandRunner::Options options;
    options.timeout = step.timeout;
    options.grace = *parseDuration(config_.string("build.stop_grace"));
    // A documented environment, never the supervisor's whole one: what the
    // host has (cloud keys, tokens) and the secrets the config names stay out.
    options.inheritOnly = inheritedEnvironment(config_);
    options.withheld = config_.secretVariables();
    options.environment = step.env;
    options.environment["LFS"] = root.string();
    options.environment["LFSW_ROOT"] = root.string();
    options.environment["LFSW_JOBS"] = std::to_string(limits_.jobs);
    for (const auto& [name, value] : jobVariables())
        options.environment[name] = value;
    options.environment["LFSW_STEP"] = step.name;
    options.environment["LFSW_STATE_DIR"] = stateDirectory_.string();
    options.environment["LFSW_PLAN_DIR"] = planDirectory_.string();
    if (config_.file())
        options.environment["LFSW_CONFIG_DIR"] =
            std::filesystem::absolute(*config_.file()).parent_path().string();
    options.user = step.user;
    options.shell = step.shell;
    options.containProcesses = true;
    options.memoryLimitBytes = cgroup ? 0 : limits_.memoryBytes;
    if (limits_.memoryBytes > 0)
        options.environment["LFSW_MEMORY_LIMIT"] = std::to_string(limits_.memoryBytes);
    if (cgroup)
        options.cgroupProcs = cgroup->procsFile();
    if (step.chroot) {
        options.chrootDir = root;
        options.chrootMounts = true;
        options.workdir = step.workdir.empty() ? "/" : step.workdir;
        options.environment = bookEnvironment(step, "/root", "/usr/bin:/usr/sbin");
        options.environment["PS1"] = "(lfs chroot) \\u:\\w\\$ ";
        options.inheritOnly = std::vector<std::string>{"TERM"};
    } else {
        options.workdir = step.workdir.empty() ? root : root / step.workdir;
        if (step.cleanEnv) {
            // The user's HOME comes with the user; the supervisor's own when none.
            const passwd* self = step.user.empty() ? ::getpwuid(::geteuid()) : nullptr;
            options.environment = bookEnvironment(step, self ? self->pw_dir : "", "/usr/bin:/bin");
            options.environment["LFS"] = root.string();
            options.inheritOnly = std::vector<std::string>{"TERM"};
        }
    }
    return options;
}

StepRecord Supervisor::runStep(std::int64_t runId, const PlanStep& step, int position, int total)
{
    int attempt = 1;
    for (const auto& r : journal_.steps(runId))
        if (r.position == position)
            attempt = r.attempts + 1;
    const auto logDirectory = stateDirectory_ / "steps" / std::to_string(runId);
    std::filesystem::create_directories(logDirectory);
    std::filesystem::permissions(stateDirectory_ / "steps", std::filesystem::perms::owner_all);
    std::filesystem::permissions(logDirectory, std::filesystem::perms::owner_all);
    const auto logFile = logDirectory / (std::to_string(position) + "-" + sanitized(step.name) +
                                         "." + std::to_string(attempt) + ".log");
    journal_.startStep(runId, position, logFile.string(), limits_);
    observer_.stepStarted(step, position, total, attempt);
    LFSW_LOG(logger_, Info) << "step " << position << "/" << total << " " << step.name
                            << " started (attempt " << attempt << ", " << limits_.jobs << " jobs)";

    // The memory cap: a cgroup of the step's own where one is writable (the
    // kernel enforces it on the whole process tree and counts its OOM
    // kills), else RLIMIT_AS on each process.
    const auto cgroup = memoryCap(runId, position, attempt);
    CommandRunner::Options options = commandOptions(step, cgroup.get());
    currentStep_ = step.name;
    options.onStarted = [&](int pid) {
        stepPid_ = pid;
        lastStepGroup_ = pid;
        journal_.setStepPgid(runId, position, pid);
    };
    options.stopRequested = [this] { return pollStop(); };

    // Not O_APPEND: splice refuses files opened for appending. The file is
    // new for every attempt.
    UniqueFd logFd(
        ::open(logFile.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    const int log = logFd.get();
    if (log < 0)
        throw std::runtime_error("cannot write the step log " + logFile.string() + ": " +
                                 std::strerror(errno));
    UniqueFd kmsg(::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (kmsg.isValid())
        ::lseek(kmsg.get(), 0, SEEK_END);

    CommandOutcome outcome;
    try {
        // "set -e" semantics: the step fails at the first failing command, as
        // jhalfs and the LFS book's scripts expect.
        // Output is spliced into the log in the kernel and forwarded to the
        // console from there: copying gigabytes of it through this process
        // would cost the build time.
        options.outputFile = log;
        std::string chunk;
        options.onAppended = [&](std::int64_t offset, std::size_t length) {
            if (observer_.forward(log, offset, length))
                return;
            chunk.resize(length);
            ssize_t got = ::pread(log, chunk.data(), length, offset);
            observer_.output(
                std::string_view(chunk.data(), got > 0 ? static_cast<std::size_t>(got) : 0));
        };
        outcome = CommandRunner().run("set -e\n" + step.run, options, nullptr);
    } catch (const std::exception& e) {
        outcome.started = false;
        outcome.error = e.what();
    }
    logFd.reset();
    const auto kernelLines = readKernelMessages(kmsg.get());
    kmsg.reset();
    stepPid_ = 0;
    reapOrphans();
    keepTestLog(step, logFile);

    StepEndingFacts facts;
    facts.position = position;
    facts.name = step.name;
    facts.monitorEvent = resourceEvent_;
    facts.stopForced = stopForced_;
    facts.stopCause = stopCause_;
    facts.classify = [&](StepEnding ending) {
        ending.kernelLines = kernelLines;
        if (cgroup)
            ending.cgroupOomKill = cgroup->oomEvidence();
        return FailureClassifier::classifyLog(ending, logFile);
    };
    StepRecord result = stepRecordFor(outcome, facts);
    if (result.state == "failed" && outcome.started)
        LFSW_LOG(logger_, Error) << "step " << step.name << " failed: " << result.message;
    return result;
}

void Supervisor::keepTestLog(const PlanStep& step, const std::filesystem::path& logFile)
{
    // The book's test results (TEST_LOG, as jhalfs's envars set it) are
    // written in the build root, where the step can write: a copy goes beside
    // the step's log, where analyze errors and a person look.
    const auto it = step.env.find("TEST_LOG");
    if (it == step.env.end() || it->second.empty())
        return;
    const auto root = config_.buildRoot().lexically_normal();
    std::filesystem::path inside = std::filesystem::path(it->second).lexically_normal();
    inside = step.chroot ? inside.relative_path() : inside.lexically_relative(root);
    if (inside.empty() || *inside.begin() == ".." || !Manifest::safePath(inside.string()))
        return;
    UniqueFd rootFd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    UniqueFd from(
        rootFd.isValid() ? openBeneath(rootFd.get(), inside.string(), O_RDONLY | O_NONBLOCK) : -1);
    struct stat info {
    };
    if (!from.isValid() || ::fstat(from.get(), &info) != 0 || !S_ISREG(info.st_mode))
        return;
    auto copy = logFile;
    copy.replace_extension(".test.log");
    UniqueFd to(::open(copy.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!to.isValid())
        return;
    std::vector<char> buffer(kFileBufferSize);
    try {
        copyFileContent(from.get(), to.get(), static_cast<std::uint64_t>(info.st_size),
                        buffer.data());
    } catch (const std::exception& e) {
        LFSW_LOG(logger_, Warning)
            << "cannot keep the test log of " << step.name << ": " << e.what();
    }
}

CommandRunner::Stop Supervisor::pollStop()
{
    reapOrphans();
    CommandRunner::Stop stop = CommandRunner::Stop::None;
    signalfd_siginfo info{};
    while (signalFd_.isValid() && ::read(signalFd_.get(), &info, sizeof info) == sizeof info) {
        if (info.ssi_signo == SIGUSR1) {
            const std::string request = journal_.stopRequest(runId_);
            if (request == "force") {
                stop = CommandRunner::Stop::Force;
                stopCause_ = "stopped by build stop --force";
            } else if (request == "graceful" && stop == CommandRunner::Stop::None) {
                stop = CommandRunner::Stop::Graceful;
                stopCause_ = "stopped by build stop";
            }
        } else if (stop == CommandRunner::Stop::None) {
            const int signal = static_cast<int>(info.ssi_signo);
            LFSW_LOG(logger_, Warning)
                << "received SIG" << sigabbrev_np(signal) << ": stopping the build";
            stop = CommandRunner::Stop::Graceful;
            stopCause_ = std::string("stopped by SIG") + sigabbrev_np(signal) +
                         (signal == SIGINT    ? " (Ctrl-C)"
                          : signal == SIGHUP  ? " (its terminal closed)"
                          : signal == SIGTERM ? " (sent by another process)"
                                              : "");
        }
    }
    if (stop == CommandRunner::Stop::Force)
        stopForced_ = true;
    if (stop == CommandRunner::Stop::None && resourcesExhausted())
        stop = CommandRunner::Stop::Graceful;
    return stop;
}

bool Supervisor::resourcesExhausted()
{
    const auto now = std::chrono::steady_clock::now();
    if (now < nextSample_ || resourceEvent_)
        return false;
    nextSample_ = now + monitorInterval_;
    bool exhausted = false;
    try {
        for (auto& event : monitor_.tick()) {
            LFSW_LOG(logger_, Warning) << event.evidence["summary"];
            if (!ResourceMonitor::exhausts(event)) {
                // A build is meant to keep every CPU busy: say so, do not stop it.
                event.step = currentStep_;
                engine_.notify(event,
                               "CPU load is over its threshold while the build runs; the "
                               "build goes on",
                               "CPU over its threshold, the build goes on", LogLevel::Warning);
                continue;
            }
            if (!exhausted) {
                observer_.note(event.evidence["summary"] + ": stopping the step");
                resourceEvent_ = std::move(event);
                exhausted = true;
            }
        }
        monitor_.record(database_);
        metrics_.publish(database_);
    } catch (const std::exception& e) {
        LFSW_LOG(logger_, Warning) << "resource monitor: " << e.what();
    }
    return exhausted;
}

void Supervisor::reapOrphans()
{
    // Reap adopted orphans, but never the running step's shell: its runner
    // waits for it and needs its status.
    while (true) {
        siginfo_t info{};
        if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0)
            return;
        if (info.si_pid == stepPid_)
            return;
        ::waitpid(info.si_pid, nullptr, 0);
    }
}

Result Supervisor::stopBuild(bool force)
{
    const auto grace =
        force ? std::chrono::milliseconds(0)
              : std::chrono::milliseconds(*parseDuration(config_.string("build.stop_grace")));
    // What is left of the failed step: its group (the keeper ended whatever
    // left the group). Not every descendant of the supervisor: a plugin's
    // worker is one too, and may be the very plugin running this chain.
    int ended = lastStepGroup_ > 0 ? ProcessTable::terminate(0, lastStepGroup_, grace) : 0;
    reapOrphans();
    stopAfterChain_ = true;
    restartRequested_ = false;
    return Result::done(
        "the build stops after this chain" +
        (ended ? "; " + counted(ended, "leftover process", "leftover processes") + " ended"
               : std::string("; no process of the step was left")));
}

Result Supervisor::restartStep()
{
    restartRequested_ = true;
    stopAfterChain_ = false;
    return Result::done("the failed step runs again when the chain has finished");
}

Result Supervisor::createCheckpoint(const std::string& name)
{
    return tree_.createCheckpoint(name, false, nullptr);
}

Result Supervisor::restoreCheckpoint(const std::string& selector)
{
    return tree_.restore(selector, nullptr);
}

Result Supervisor::repairFromBackup(const std::vector<std::string>& paths)
{
    if (paths.empty())
        return Result::notApplicable("the event names no damaged paths");
    try {
        BackupRepository repository(config_, stateDirectory_);
        return Result::done(repository.repair(paths, database_));
    } catch (const std::exception& e) {
        return Result::failed(e.what());
    }
}

Result Supervisor::freeResources()
{
    reapOrphans();
    Reclaimer reclaimer(config_, stateDirectory_);
    auto items = reclaimer.caches();
    for (auto more : {reclaimer.scratch(tree_), reclaimer.oldStepLogs(journal_),
                      reclaimer.temporaryFiles(), reclaimer.storeObjects(tree_)})
        items.insert(items.end(), more.begin(), more.end());
    LFSW_LOG(logger_, Info) << Reclaimer::describe(items);
    if (Reclaimer::total(items) == 0)
        return Result::notApplicable(Reclaimer::describe(items));
    return Result::done(Reclaimer::describe(items));
}

Result Supervisor::cleanEnvironment(bool revert)
{
    reapOrphans();
    auto scratch = tree_.cleanScratch();
    std::string message = scratch.message();
    if (revert) {
        auto restored = tree_.restore("last-good", nullptr);
        if (!restored.ok())
            return restored;
        message += "; " + restored.message();
    }
    return Result::done(message);
}

void Supervisor::adjustLimits(const StepLimits& limits, const std::string& reason)
{
    journal_.recordLimits(limits, reason);
    if (autoAdjust_) {
        limits_ = limits;
        LFSW_LOG(logger_, Info) << "limits now " << limits.jobs << " jobs"
                                << (limits.memoryBytes
                                        ? ", memory " + std::to_string(limits.memoryBytes >> 20) +
                                              " MiB"
                                        : "")
                                << ": " << reason;
    } else {
        LFSW_LOG(logger_, Info) << "adjust_limits chose " << limits.jobs
                                << " jobs; resources.limits.auto_adjust is off, so they apply to "
                                   "build resume --resource-optimized";
    }
}

} // namespace lfsw
