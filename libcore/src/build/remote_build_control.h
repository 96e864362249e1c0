// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>

#include <lfsw/build_control.h>

namespace lfsw {

class BuildJournal;
class Config;

// BuildControl for everything that is not the supervisor (`build stop`,
// `recovery run` by hand): it finds the running build in the state database
// and asks its supervisor to stop through a recorded request and SIGUSR1;
// when the supervisor is dead, it ends the step's processes itself.
class RemoteBuildControl final : public BuildControl
{
public:
    RemoteBuildControl(const Config& config, BuildJournal& journal,
                       std::filesystem::path stateDirectory);

    bool supervising() const override { return false; }
    Result stopBuild(bool force) override;
    Result restartStep() override;
    StepLimits limits() const override;
    void adjustLimits(const StepLimits& limits, const std::string& reason) override;
    Result createCheckpoint(const std::string& name) override;
    Result restoreCheckpoint(const std::string& selector) override;
    Result cleanEnvironment(bool revert) override;
    Result freeResources() override;
    Result repairFromBackup(const std::vector<std::string>& paths) override;

    // The limits configured (jobs 0 resolved to the CPU count).
    static StepLimits configuredLimits(const Config& config);

    // A build is running under its own supervisor: changing its tree from
    // here would race with it.
    bool buildRunning() const;
    // The supervisor recorded as `pid` still runs this state directory's
    // build: it holds the supervisor lock (a pid that exists may have been
    // reused by another process).
    bool supervisorAlive(pid_t pid) const;

private:
    const Config& config_;
    BuildJournal& journal_;
    std::filesystem::path stateDirectory_;
};

} // namespace lfsw
