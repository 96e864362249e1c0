// SPDX-License-Identifier: MIT
// The recovery actions that act on the build itself: stop_build,
// restart_build and adjust_limits. They work through Context::build(): the
// supervisor during a build, a remote control of it otherwise.
#include <fstream>
#include <sstream>

#include <lfsw/plugin.h>
#include <lfsw/units.h>

namespace {

class StopBuild final : public lfsw::Action
{
public:
    std::string name() const override { return "stop_build"; }
    std::string description() const override
    {
        return "Ends every process of the build's step and leaves the build stopped "
               "(params: force)";
    }
    std::vector<lfsw::ParamProblem> validate(const lfsw::Params& params) const override
    {
        auto problems = lfsw::unknownParams(params, {"force"});
        if (auto force = params.get("force"); force && !lfsw::parseBool(*force))
            problems.push_back({"force", "expected true or false, found '" + *force + "'"});
        return problems;
    }
    std::string describe(const lfsw::Params& params) const override
    {
        return lfsw::parseBool(params.getOr("force", "false")).value_or(false)
                   ? "kill every process of the build at once and leave it stopped"
                   : "stop every process of the build (SIGTERM, grace, SIGKILL) and leave it "
                     "stopped";
    }
    lfsw::Result run(lfsw::Context& context) override
    {
        return context.build().stopBuild(
            lfsw::parseBool(context.params().getOr("force", "false")).value_or(false));
    }
};

class RestartBuild final : public lfsw::Action
{
public:
    std::string name() const override { return "restart_build"; }
    std::string description() const override
    {
        return "Runs the failed step again once the chain has finished, then continues";
    }
    std::vector<lfsw::ParamProblem> validate(const lfsw::Params& params) const override
    {
        return lfsw::unknownParams(params, {});
    }
    std::string describe(const lfsw::Params&) const override
    {
        return "run the failed step again, then continue the build";
    }
    lfsw::Result run(lfsw::Context& context) override { return context.build().restartStep(); }
};

// MemTotal from /proc/meminfo, in bytes.
std::uint64_t totalMemory()
{
    std::ifstream in("/proc/meminfo");
    std::string key;
    std::uint64_t kib = 0;
    std::string unit;
    while (in >> key >> kib >> unit)
        if (key == "MemTotal:")
            return kib * 1024;
    return 0;
}

class AdjustLimits final : public lfsw::Action
{
public:
    std::string name() const override { return "adjust_limits"; }
    std::string description() const override
    {
        return "After an out-of-memory failure: halves parallel jobs (down to 1) and caps memory "
               "(params: memory)";
    }
    std::vector<lfsw::ParamProblem> validate(const lfsw::Params& params) const override
    {
        auto problems = lfsw::unknownParams(params, {"memory"});
        if (auto memory = params.get("memory");
            memory && !lfsw::parseSize(*memory) && !lfsw::parsePercentage(*memory))
            problems.push_back({"memory", "expected a size such as 4G or a share of RAM such as "
                                          "80%, found '" +
                                              *memory + "'"});
        return problems;
    }
    std::string describe(const lfsw::Params& params) const override
    {
        return "after an out-of-memory failure: halve parallel jobs and cap each process's "
               "memory at " +
               params.getOr("memory", "90%") + "; nothing after out of disk";
    }
    lfsw::Result run(lfsw::Context& context) override
    {
        const auto& event = context.event();
        if (event.condition != "resource_exhaustion")
            return lfsw::Result::notApplicable("only resource exhaustion is adjusted, not " +
                                               event.condition);
        if (event.failureClass == "disk")
            return lfsw::Result::notApplicable(
                "out of disk space: fewer jobs or less memory would not help; free space instead");
        if (event.failureClass != "memory")
            return lfsw::Result::notApplicable("nothing to adjust for " + event.failureClass);

        lfsw::StepLimits limits = context.build().limits();
        const std::string memoryParam = context.params().getOr("memory", "90%");
        std::uint64_t cap = 0;
        if (auto share = lfsw::parsePercentage(memoryParam))
            cap = static_cast<std::uint64_t>(static_cast<double>(totalMemory()) * *share / 100.0);
        else
            cap = *lfsw::parseSize(memoryParam);

        lfsw::StepLimits adjusted = limits;
        adjusted.jobs = std::max(1, limits.jobs / 2);
        if (limits.memoryBytes == 0 || cap < limits.memoryBytes)
            adjusted.memoryBytes = cap;
        if (adjusted.jobs == limits.jobs && adjusted.memoryBytes == limits.memoryBytes)
            return lfsw::Result::failed("nothing left to adjust: already 1 job and a memory cap "
                                        "of " +
                                        std::to_string(limits.memoryBytes >> 20) + " MiB");
        std::ostringstream reason;
        reason << "out of memory in step " << event.step << ": jobs " << limits.jobs << " -> "
               << adjusted.jobs << ", memory cap "
               << (limits.memoryBytes ? std::to_string(limits.memoryBytes >> 20) + " MiB" : "none")
               << " -> " << (adjusted.memoryBytes >> 20)
               << " MiB (a memory cgroup of the step where one is writable, else RLIMIT_AS)";
        context.build().adjustLimits(adjusted, reason.str());
        return lfsw::Result::done(reason.str());
    }
};

class FreeResources final : public lfsw::Action
{
public:
    std::string name() const override { return "free_resources"; }
    std::string description() const override
    {
        return "Frees disk space: resources.reclaim paths, scratch directories, old step logs, "
               "unused store objects";
    }
    std::vector<lfsw::ParamProblem> validate(const lfsw::Params& params) const override
    {
        return lfsw::unknownParams(params, {});
    }
    std::string describe(const lfsw::Params&) const override
    {
        return "empty resources.reclaim paths, remove scratch directories, step logs past "
               "resources.log_retention and store objects no checkpoint uses";
    }
    lfsw::Result run(lfsw::Context& context) override { return context.build().freeResources(); }
};

} // namespace

LFSW_PLUGIN("build_actions", "1.0.0",
            "Recovery actions on the build: stop, restart, adjust limits, free resources")
{
    registry.addAction(std::make_shared<FreeResources>());
    registry.addAction(std::make_shared<StopBuild>());
    registry.addAction(std::make_shared<RestartBuild>());
    registry.addAction(std::make_shared<AdjustLimits>());
}
