// SPDX-License-Identifier: MIT
#include "worker_build_control.h"

#include "plugin/isolation/plugin_protocol.h"
#include "worker_context.h"

namespace lfsw::worker {

Result WorkerBuildControl::callForResult(const std::string& call, nlohmann::json arguments)
{
    arguments["op"] = "build";
    arguments["call"] = call;
    return protocol::resultFromJson(ask(channel_, arguments));
}

bool WorkerBuildControl::supervising() const
{
    const auto value = ask(channel_, {{"op", "build"}, {"call", "supervising"}});
    return value.is_boolean() && value.get<bool>();
}

Result WorkerBuildControl::stopBuild(bool force)
{
    return callForResult("stopBuild", {{"force", force}});
}

Result WorkerBuildControl::restartStep()
{
    return callForResult("restartStep");
}

StepLimits WorkerBuildControl::limits() const
{
    const auto value = ask(channel_, {{"op", "build"}, {"call", "limits"}});
    StepLimits limits;
    if (value.is_object()) {
        limits.jobs = static_cast<int>(lfsw::protocol::integer(value, "jobs", 1));
        limits.memoryBytes = static_cast<std::uint64_t>(lfsw::protocol::integer(value, "memory"));
    }
    return limits;
}

void WorkerBuildControl::adjustLimits(const StepLimits& limits, const std::string& reason)
{
    ask(channel_, {{"op", "build"},
                   {"call", "adjustLimits"},
                   {"jobs", limits.jobs},
                   {"memory", limits.memoryBytes},
                   {"argument", reason}});
}

Result WorkerBuildControl::createCheckpoint(const std::string& name)
{
    return callForResult("createCheckpoint", {{"argument", name}});
}

Result WorkerBuildControl::restoreCheckpoint(const std::string& selector)
{
    return callForResult("restoreCheckpoint", {{"argument", selector}});
}

Result WorkerBuildControl::cleanEnvironment(bool revert)
{
    return callForResult("cleanEnvironment", {{"revert", revert}});
}

Result WorkerBuildControl::freeResources()
{
    return callForResult("freeResources");
}

Result WorkerBuildControl::repairFromBackup(const std::vector<std::string>& paths)
{
    return callForResult("repairFromBackup", {{"paths", paths}});
}

} // namespace lfsw::worker
