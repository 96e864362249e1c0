// SPDX-License-Identifier: MIT
// Test plugins for process isolation, one file per behaviour (a crash is
// remembered per file): BEHAVIOUR selects what the plugin's action does.
//   1 segfaults, 2 aborts, 3 hangs, 4 allocates memory until it runs out,
//   5 is polite: logs, reads settings and asks the build, from its worker.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include <unistd.h>

#include <lfsw/plugin.h>

#ifndef BEHAVIOUR
#error "BEHAVIOUR must be defined"
#endif

namespace {

class Misbehave final : public lfsw::Action
{
public:
    std::string name() const override { return kName; }
    std::string description() const override { return "misbehaves on purpose"; }
    bool repeatable() const override { return BEHAVIOUR == 5; }
    std::vector<lfsw::ParamProblem> validate(const lfsw::Params& params) const override
    {
        return lfsw::unknownParams(params, {"label"});
    }
    std::string describe(const lfsw::Params&) const override
    {
        return std::string(kName) + " in pid " + std::to_string(::getpid());
    }
    lfsw::Result run(lfsw::Context& context) override
    {
        context.log(lfsw::LogLevel::Info,
                    std::string(kName) + " starts in worker pid " + std::to_string(::getpid()));
        if constexpr (BEHAVIOUR == 1) {
            volatile int* nowhere = nullptr;
            *nowhere = 1;
        } else if constexpr (BEHAVIOUR == 2) {
            std::abort();
        } else if constexpr (BEHAVIOUR == 3) {
            for (;;)
                std::this_thread::sleep_for(std::chrono::seconds(1));
        } else if constexpr (BEHAVIOUR == 4) {
            std::vector<char*> kept;
            for (;;) {
                char* block = new char[64u << 20];
                std::memset(block, 1, 64u << 20);
                kept.push_back(block);
            }
        } else {
            const auto root = context.setting("build.root").value_or("?");
            const auto methods = context.settingList("alerts.methods");
            const auto limits = context.build().limits();
            const auto stop = context.build().stopBuild(false);
            return lfsw::Result::done("polite in pid " + std::to_string(::getpid()) + ": root " +
                                      root + ", " + std::to_string(methods.size()) +
                                      " alert methods, jobs " + std::to_string(limits.jobs) +
                                      ", stop: " + stop.message() + ", step " +
                                      context.event().step);
        }
        return lfsw::Result::done("unreachable");
    }

private:
    static constexpr const char* kName = BEHAVIOUR == 1   ? "segfault_now"
                                         : BEHAVIOUR == 2 ? "abort_now"
                                         : BEHAVIOUR == 3 ? "hang_forever"
                                         : BEHAVIOUR == 4 ? "leak_memory"
                                                          : "polite_action";
};

class Flaky final : public lfsw::Condition
{
public:
    std::string name() const override { return BEHAVIOUR == 5 ? "polite_condition" : ""; }
    std::string description() const override { return "a condition from a worker"; }
    std::vector<std::string> failureClasses() const override { return {"rude"}; }
};

// The aborting plugin also has an alert channel that aborts.
class AbortChannel final : public lfsw::AlertChannel
{
public:
    std::string name() const override { return "abort_channel"; }
    std::string description() const override { return "aborts while it sends"; }
    lfsw::Result send(const lfsw::Alert& alert, lfsw::Context& context) override
    {
        context.log(lfsw::LogLevel::Info, "abort_channel sends '" + alert.subject + "'");
        std::abort();
    }
};

} // namespace

LFSW_PLUGIN(PLUGIN_NAME, "1.0.0", "misbehaves on purpose, for the isolation tests")
{
    registry.addAction(std::make_shared<Misbehave>());
    if (BEHAVIOUR == 5)
        registry.addCondition(std::make_shared<Flaky>());
    if (BEHAVIOUR == 2)
        registry.addAlertChannel(std::make_shared<AbortChannel>());
}
