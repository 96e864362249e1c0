// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include <lfsw/build_control.h>
#include <lfsw/workspace.h>

// One step of the driver's plan: a name and a shell command.
struct DriverStep {
    std::string name;
    std::string command;
};

// A minimal build driver that uses lfs-wrapper's checkpoint store and
// recovery engine without the lfs-wrapper host: it runs its steps in the
// build root, checkpoints the tree after each one that succeeds, and hands a
// failure to the engine, whose chain (from the config) acts on the build
// through this class's BuildControl.
class BuildDriver final : public lfsw::BuildControl
{
public:
    explicit BuildDriver(lfsw::Workspace& workspace) : workspace_(workspace) {}

    // Runs the steps in order; returns 0 when all of them ended done.
    int run(const std::vector<DriverStep>& steps);

    bool supervising() const override { return true; }
    lfsw::Result stopBuild(bool force) override;
    lfsw::Result restartStep() override;
    lfsw::StepLimits limits() const override { return limits_; }
    void adjustLimits(const lfsw::StepLimits& limits, const std::string& reason) override;
    lfsw::Result createCheckpoint(const std::string& name) override;
    lfsw::Result restoreCheckpoint(const std::string& selector) override;
    lfsw::Result cleanEnvironment(bool revert) override;
    lfsw::Result freeResources() override;
    lfsw::Result repairFromBackup(const std::vector<std::string>& paths) override;

private:
    // Runs one step; true when it exited 0.
    bool runStep(const DriverStep& step, int& exitStatus) const;

    lfsw::Workspace& workspace_;
    lfsw::StepLimits limits_{2, 0};
    bool restartRequested_ = false;
};
