// SPDX-License-Identifier: MIT
#include "worker_build_control.h"

#include "plugin/isolation/plugin_protocol.h"
#include "worker_context.h"

namespace lfsw::worker {

Result WorkerBuildControl::callForResult(const char* call, nlohmann::json arguments)
{
    arguments["op"] = protocol::op::kBuild;
    arguments["call"] = call;
    return protocol::resultFromJson(ask(channel_, arguments));
}

bool WorkerBuildControl::supervising() const
{
    const auto value =
        ask(channel_, {{"op", protocol::op::kBuild}, {"call", protocol::build_call::kSupervising}});
    return value.is_boolean() && value.get<bool>();
}

Result WorkerBuildControl::stopBuild(bool force)
{
    return callForResult(protocol::build_call::kStopBuild, {{"force", force}});
}

Result WorkerBuildControl::restartStep()
{
    return callForResult(protocol::build_call::kRestartStep);
}

StepLimits WorkerBuildControl::limits() const
{
    const auto value =
        ask(channel_, {{"op", protocol::op::kBuild}, {"call", protocol::build_call::kLimits}});
    StepLimits limits;
    if (value.is_object()) {
        limits.jobs = static_cast<int>(lfsw::protocol::integer(value, "jobs", 1));
        limits.memoryBytes = static_cast<std::uint64_t>(lfsw::protocol::integer(value, "memory"));
    }
    return limits;
}

void WorkerBuildControl::adjustLimits(const StepLimits& limits, const std::string& reason)
{
    ask(channel_, {{"op", protocol::op::kBuild},
                   {"call", protocol::build_call::kAdjustLimits},
                   {"jobs", limits.jobs},
                   {"memory", limits.memoryBytes},
                   {"argument", reason}});
}

Result WorkerBuildControl::createCheckpoint(const std::string& name)
{
    return callForResult(protocol::build_call::kCreateCheckpoint, {{"argument", name}});
}

Result WorkerBuildControl::restoreCheckpoint(const std::string& selector)
{
    return callForResult(protocol::build_call::kRestoreCheckpoint, {{"argument", selector}});
}

Result WorkerBuildControl::cleanEnvironment(bool revert)
{
    return callForResult(protocol::build_call::kCleanEnvironment, {{"revert", revert}});
}

Result WorkerBuildControl::freeResources()
{
    return callForResult(protocol::build_call::kFreeResources);
}

Result WorkerBuildControl::repairFromBackup(const std::vector<std::string>& paths)
{
    return callForResult(protocol::build_call::kRepairFromBackup, {{"paths", paths}});
}

} // namespace lfsw::worker
