// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <lfsw/build_control.h>

namespace lfsw {

class StateDatabase;

// A supervised run as recorded in the state database.
struct RunRecord {
    std::int64_t id = 0;
    std::string planSource;
    std::string planText;
    std::string buildRoot;
    std::string startedAt;
    std::string endedAt;
    std::string state; // running, done, failed, stopped, interrupted
    std::string message;
    int supervisorPid = 0;
    std::string stopRequest; // "", "graceful", "force"
};

// One step of a run.
struct StepRecord {
    int position = 0;
    std::string name;
    std::string state; // pending, running, done, failed, stopped, interrupted
    int attempts = 0;
    std::string startedAt;
    std::string endedAt;
    std::optional<int> exitStatus;
    std::optional<int> signal;
    std::string condition;
    std::string failureClass;
    int pgid = 0;
    std::string logFile;
    int jobs = 0;
    std::uint64_t memoryLimit = 0;
    std::string message;
};

// Reads and writes runs and steps. Each write is its own committed
// transaction, so that a supervisor killed at any point leaves the database
// telling the truth: a step is "done" only once it has finished and
// succeeded.
class BuildJournal
{
public:
    explicit BuildJournal(StateDatabase& database) : database_(database) {}
    StateDatabase& database() { return database_; }

    std::int64_t createRun(const std::string& planSource, const std::string& planText,
                           const std::string& buildRoot, const std::vector<std::string>& steps,
                           int supervisorPid);
    std::optional<RunRecord> latestRun();
    std::vector<RunRecord> runs();
    // Deletes a run and its steps from the database (clean system --deep).
    void forgetRun(std::int64_t runId);
    std::vector<StepRecord> steps(std::int64_t runId);

    void setRunState(std::int64_t runId, const std::string& state, const std::string& message);
    // Takes over a run for `build resume`: new supervisor, state running,
    // any step left "running" by a dead supervisor marked "interrupted".
    void resumeRun(std::int64_t runId, int supervisorPid);
    void addStep(std::int64_t runId, int position, const std::string& name);
    void startStep(std::int64_t runId, int position, const std::string& logFile,
                   const StepLimits& limits);
    void setStepPgid(std::int64_t runId, int position, int pgid);
    void finishStep(std::int64_t runId, int position, const StepRecord& result);
    void requestStop(std::int64_t runId, const std::string& how);
    // Sets the steps after `position` back to pending and the run to
    // "stopped" with `message`: the tree was restored to the checkpoint taken
    // after that step.
    void rewindTo(std::int64_t runId, int position, const std::string& message);
    std::string stopRequest(std::int64_t runId);

    // Marks the step at `position` "undone" (lfs-wrapper step undo): build
    // resume runs it again. A finished run becomes "stopped". `before` is
    // the checkpoint taken before the undo, `after` the one after it.
    void markUndone(std::int64_t runId, int position, const std::string& before,
                    const std::string& after);
    // When `checkpoint` is the one taken before an undo of a step of run
    // `runId`, the step is done again (the undo was taken back by restoring
    // it); its name, or nothing.
    std::optional<std::string> takeBackUndo(std::int64_t runId, const std::string& checkpoint);

    // The last limits adjust_limits chose, if any.
    std::optional<StepLimits> adjustedLimits(std::string* reason = nullptr);
    void recordLimits(const StepLimits& limits, const std::string& reason);

private:
    StateDatabase& database_;
};

} // namespace lfsw
