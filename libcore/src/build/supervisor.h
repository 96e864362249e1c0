// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <lfsw/build_control.h>
#include <lfsw/command_runner.h>

#include "base/expected.h"
#include "base/pid_lock.h"
#include "base/unique_fd.h"
#include "build/build_journal.h"
#include "build/build_plan.h"
#include "build/build_tree.h"
#include "build/failure_classifier.h"
#include "build/metrics_publisher.h"
#include "build/step_cgroup.h"
#include "monitor/resource_monitor.h"
#include "state/logging.h"

namespace lfsw {

class Config;
class RecoveryEngine;
class StateDatabase;

// What the supervisor reports as it goes; the host draws it on the console.
class SupervisorObserver
{
public:
    virtual ~SupervisorObserver() = default;
    virtual void stepStarted(const PlanStep& step, int position, int total, int attempt) = 0;
    // The step's output as it arrives: chunks, not necessarily whole lines.
    virtual void output(std::string_view chunk) = 0;
    // The same output, as a range of the step's log file: an observer that
    // can forward it from there (sendfile) returns true, and output() is not
    // called for it.
    virtual bool forward(int /*logFile*/, std::int64_t /*offset*/, std::size_t /*length*/)
    {
        return false;
    }
    virtual void stepFinished(const PlanStep& step, const StepRecord& result) = 0;
    // Before each step, when the run's end can be estimated:
    // EtaEstimator::Estimate::text().
    virtual void expectedEnd(const std::string& /*text*/) {}
    virtual void note(const std::string& text) = 0;
};

// How a supervised run ended.
struct RunOutcome {
    std::int64_t runId = 0;
    std::string state; // done, failed, stopped
    std::string message;
};

// Runs a build plan step by step: each step in its own process group, its
// output to a per-step log file and the observer, its result committed to the
// state database only once it has finished. A failed step is classified and
// raises its condition; when auto-recovery covers it, the engine runs the
// chain, and the chain decides whether the build goes on (restart_build) or
// stops. One supervisor per state directory (a lock file); `build stop`
// reaches it through the database and SIGUSR1, SIGTERM and SIGINT stop it
// gracefully. It is also the BuildControl that recovery actions use.
class Supervisor final : public BuildControl
{
public:
    // The lock file in the state directory (holds the supervisor's PID).
    static constexpr const char* kLockFileName = "supervisor.lock";
    // The variables of this process's environment a step inherits
    // (CommandRunner::Options::inheritOnly): a documented list and
    // build.pass_environment; the user's recovery.checks get the same.
    static std::vector<std::string> inheritedEnvironment(const Config& config);

    Supervisor(const Config& config, StateDatabase& database, RecoveryEngine& engine,
               std::filesystem::path stateDirectory, SupervisorObserver& observer);
    ~Supervisor() override;

    // Takes the supervisor lock; fails, with the PID of the holder as the
    // error, when another supervisor runs the build of this state directory.
    Expected<void> lock();

    // Serves /metrics (monitoring.prometheus.listen) while the build runs;
    // the problem when it cannot. When the daemon of this state directory
    // runs, an address it already serves is no problem: it serves this
    // build too.
    std::optional<std::string> startMetrics(bool daemonRunning);
    RunOutcome start(const BuildPlan& plan, const std::string& planSource);
    // Continues the latest run from its first step not done (or from
    // `fromStep`, when given). A step that ran before and did not finish,
    // however it ended, runs again on the tree of the last checkpointed step
    // before it: the tree is restored first. With `resourceOptimized`, steps
    // run with the limits adjust_limits chose.
    RunOutcome resume(const BuildPlan& plan, bool resourceOptimized,
                      const std::string& fromStep = {});

    // BuildControl
    bool supervising() const override { return true; }
    Result stopBuild(bool force) override;
    Result restartStep() override;
    StepLimits limits() const override { return limits_; }
    void adjustLimits(const StepLimits& limits, const std::string& reason) override;
    Result createCheckpoint(const std::string& name) override;
    Result restoreCheckpoint(const std::string& selector) override;
    Result cleanEnvironment(bool revert) override;
    Result freeResources() override;
    Result repairFromBackup(const std::vector<std::string>& paths) override;

private:
    // Runs the steps not done, then publishes the metrics of how it ended.
    RunOutcome runFrom(std::int64_t runId, const BuildPlan& plan, const std::string& planSource);
    RunOutcome runSteps(std::int64_t runId, const BuildPlan& plan, const std::string& planSource);
    StepRecord runStep(std::int64_t runId, const PlanStep& step, int position, int total);
    // The step's memory cgroup under limits_.memoryBytes, or none (no cap,
    // or no writable memory controller: RLIMIT_AS then), said in the log.
    std::unique_ptr<StepCgroup> memoryCap(std::int64_t runId, int position, int attempt);
    // How the step's command runs: its documented environment, user,
    // working directory or chroot, and the memory cap.
    CommandRunner::Options commandOptions(const PlanStep& step, const StepCgroup* cgroup) const;
    // Copies the step's TEST_LOG (in the build root) beside its log file.
    void keepTestLog(const PlanStep& step, const std::filesystem::path& logFile);
    // MAKEFLAGS, TESTSUITEFLAGS and NINJAJOBS for the jobs of resources.limits
    // (or what adjust_limits chose): every step has them.
    std::map<std::string, std::string> jobVariables() const;
    // The environment of a step that starts empty (chroot, clean_env):
    // PATH, HOME (unless empty: the user's), the jobs, the step's own.
    std::map<std::string, std::string>
    bookEnvironment(const PlanStep& step, const std::string& home, const std::string& path) const;
    CommandRunner::Stop pollStop();
    // Samples resources when the interval has passed; true when disk or
    // memory crossed its threshold, so the step must stop.
    bool resourcesExhausted();
    void reapOrphans();

    const Config& config_;
    StateDatabase& database_;
    BuildJournal journal_;
    RecoveryEngine& engine_;
    std::filesystem::path stateDirectory_;
    std::filesystem::path planDirectory_; // LFSW_PLAN_DIR for the steps
    SupervisorObserver& observer_;
    Logger logger_;
    PidLock lock_;
    BuildTree tree_;
    StepLimits limits_;
    bool autoAdjust_ = false;
    UniqueFd signalFd_;
    std::int64_t runId_ = 0;
    int stepPid_ = 0;
    int lastStepGroup_ = 0;   // the process group of the step that ran last
    std::string currentStep_; // the step running now, for the monitor's events
    bool stopAfterChain_ = false;
    bool restartRequested_ = false;
    bool stopForced_ = false;
    std::string stopCause_; // "stopped by SIGINT (Ctrl-C)", for the step's record
    ResourceMonitor monitor_;
    MetricsPublisher metrics_;
    std::chrono::nanoseconds monitorInterval_;
    std::chrono::steady_clock::time_point nextSample_;
    std::optional<Event> resourceEvent_; // what stopped the step, until raised
};

} // namespace lfsw
