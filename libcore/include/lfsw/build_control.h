// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <lfsw/result.h>

namespace lfsw {

// The limits build steps run with: parallel jobs (MAKEFLAGS=-jN, LFSW_JOBS)
// and a memory cap (0: none).
struct StepLimits {
    int jobs = 1;
    std::uint64_t memoryBytes = 0;
};

// What recovery actions may do to the build. Inside `build start`/`build
// resume` it is the supervisor itself; outside (a `recovery run` by hand) it
// reaches a running supervisor through the state database and signals, and
// supervising() is false.
class BuildControl
{
public:
    virtual ~BuildControl() = default;

    // Whether this is the supervisor of a running build.
    virtual bool supervising() const = 0;
    // Ends every process of the running step (SIGTERM, a grace period, then
    // SIGKILL; at once with `force`) and leaves the build stopped.
    virtual Result stopBuild(bool force) = 0;
    // Asks the supervisor to run the event's step again once the chain has
    // finished, then to continue. Not applicable outside the supervisor.
    virtual Result restartStep() = 0;
    // The limits the next step will run with.
    virtual StepLimits limits() const = 0;
    // Records new limits (persisted in the state database with the reason);
    // they apply to the next attempt when `resources.limits.auto_adjust` is on
    // and to `build resume --resource-optimized` in any case.
    virtual void adjustLimits(const StepLimits& limits, const std::string& reason) = 0;
    // Takes a checkpoint of the build tree as it is now.
    virtual Result createCheckpoint(const std::string& name) = 0;
    // Reverts the build tree in place to a checkpoint: a name, an id, a tag
    // or "last-good" (the newest taken after a successful step).
    virtual Result restoreCheckpoint(const std::string& selector) = 0;
    // Removes the build's scratch directories (`build.scratch`) and the
    // temporary files of interrupted writes; with `revert`, also reverts the
    // tree to the last good checkpoint.
    virtual Result cleanEnvironment(bool revert) = 0;
    // Frees disk space where the config allows it: empties the
    // `resources.reclaim` paths, removes the scratch directories, step logs
    // past `resources.log_retention` and store objects no checkpoint uses.
    // The message says how many bytes each item gave back.
    virtual Result freeResources() = 0;
    // Restores these live paths (absolute, or relative to the build root)
    // from the newest backup that holds them undamaged, leaving everything
    // else as it is.
    virtual Result repairFromBackup(const std::vector<std::string>& paths) = 0;
};

} // namespace lfsw
