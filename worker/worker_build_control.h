// SPDX-License-Identifier: MIT
#pragma once

#include <lfsw/build_control.h>

#include "plugin/isolation/plugin_channel.h"

namespace lfsw::worker {

// BuildControl inside the worker: every call is made by the host, on the
// build the host is recovering, and its answer comes back over the channel.
class WorkerBuildControl final : public BuildControl
{
public:
    explicit WorkerBuildControl(PluginChannel& channel) : channel_(channel) {}

    bool supervising() const override;
    Result stopBuild(bool force) override;
    Result restartStep() override;
    StepLimits limits() const override;
    void adjustLimits(const StepLimits& limits, const std::string& reason) override;
    Result createCheckpoint(const std::string& name) override;
    Result restoreCheckpoint(const std::string& selector) override;
    Result cleanEnvironment(bool revert) override;
    Result freeResources() override;
    Result repairFromBackup(const std::vector<std::string>& paths) override;

private:
    Result callForResult(const char* call, nlohmann::json arguments = nlohmann::json::object());

    PluginChannel& channel_;
};

} // namespace lfsw::worker
