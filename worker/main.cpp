// SPDX-License-Identifier: MIT
// lfs-wrapper-plugin-worker [--memory-limit BYTES] PLUGIN.so
//
// Runs one plugin for a host that isolates it (`plugins.isolation:
// process`): loads the plugin with the host's checks, tells the host what it
// provides, then answers the host's requests on descriptor 3 until the host
// closes it. Whatever the plugin does wrong (a crash, an abort, a hang,
// unbounded memory) ends this process only.
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include <sys/prctl.h>
#include <sys/resource.h>

#include "plugin/isolation/plugin_channel.h"
#include "plugin/isolation/plugin_protocol.h"
#include "plugin/plugin_loader.h"
#include "plugin/plugin_registry.h"
#include "worker_context.h"

namespace {

using lfsw::PluginChannel;
using nlohmann::json;

json describePlugin(const lfsw::PluginRegistry& registry)
{
    const auto& info = registry.plugins().front();
    json actions = json::array();
    for (const auto& name : info.actions) {
        const auto action = registry.action(name);
        actions.push_back({{"name", name},
                           {"description", action->description()},
                           {"repeatable", action->repeatable()}});
    }
    json conditions = json::array();
    for (const auto& name : info.conditions) {
        const auto* condition = registry.condition(name);
        conditions.push_back({{"name", name},
                              {"description", condition->description},
                              {"failure_classes", condition->failureClasses}});
    }
    json channels = json::array();
    for (const auto& name : info.alertChannels)
        channels.push_back(
            {{"name", name}, {"description", registry.alertChannel(name)->description()}});
    return {{"op", "loaded"},
            {"ok", true},
            {"plugin",
             {{"name", info.name},
              {"version", info.version},
              {"description", info.description},
              {"abi", info.abi}}},
            {"actions", actions},
            {"conditions", conditions},
            {"alert_channels", channels},
            {"backup_backends", info.backupBackends}};
}

json resultReply(const lfsw::Result& result)
{
    return {{"op", "reply"}, {"result", lfsw::protocol::toJson(result)}};
}

json answer(const lfsw::PluginRegistry& registry, PluginChannel& channel, const json& request)
{
    const std::string op = lfsw::protocol::text(request, "op");
    if (op == "send") {
        const auto sink = registry.alertChannel(lfsw::protocol::text(request, "channel"));
        if (!sink)
            return resultReply(lfsw::Result::failed("the plugin has no alert channel '" +
                                                    lfsw::protocol::text(request, "channel") +
                                                    "'"));
        const auto alert = lfsw::protocol::alertFromJson(lfsw::protocol::member(request, "alert"));
        json forContext = request;
        forContext["event"] = lfsw::protocol::toJson(alert.event);
        forContext["attempt"] = alert.attempt;
        lfsw::worker::WorkerContext context(channel, forContext);
        return resultReply(sink->send(alert, context));
    }
    const auto action = registry.action(lfsw::protocol::text(request, "action"));
    if (!action)
        return resultReply(lfsw::Result::failed("the plugin has no action '" +
                                                lfsw::protocol::text(request, "action") + "'"));
    const auto params = lfsw::protocol::paramsFromJson(lfsw::protocol::member(request, "params"));
    if (op == "validate") {
        json problems = json::array();
        for (const auto& problem : action->validate(params))
            problems.push_back({{"param", problem.param}, {"message", problem.message}});
        return {{"op", "reply"}, {"problems", problems}};
    }
    if (op == "describe")
        return {{"op", "reply"}, {"text", action->describe(params)}};
    lfsw::worker::WorkerContext context(channel, request);
    return resultReply(action->run(context));
}

} // namespace

int main(int argc, char** argv)
{
    std::string file;
    unsigned long long memoryLimit = 0;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--memory-limit") == 0 && i + 1 < argc)
            memoryLimit = std::strtoull(argv[++i], nullptr, 10);
        else
            file = argv[i];
    }
    // A plugin in the worker may hold the channel's password or token: no
    // core dump, no ptrace by another process of the same user.
    ::prctl(PR_SET_DUMPABLE, 0);
    if (file.empty()) {
        std::cerr << "usage: lfs-wrapper-plugin-worker [--memory-limit BYTES] PLUGIN.so\n"
                     "(started by lfs-wrapper for plugins.isolation: process)\n";
        return 2;
    }
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer reserves terabytes of address space for its shadow:
    // an address-space limit would stop this worker before it starts.
    // (scripts/test-sanitize bounds memory with ASAN_OPTIONS instead.)
    memoryLimit = 0;
#endif
    if (memoryLimit > 0) {
        const rlimit limit{memoryLimit, memoryLimit};
        ::setrlimit(RLIMIT_AS, &limit);
    }
    PluginChannel channel{lfsw::UniqueFd(3)};
    lfsw::PluginRegistry registry;
    const lfsw::PluginLoader loader({}, {});
    if (!loader.loadFile(file, registry) || registry.plugins().empty()) {
        const std::string refusal =
            registry.refusals().empty() ? file + ": not loaded" : registry.refusals().back();
        channel.send({{"op", "loaded"}, {"ok", false}, {"refusal", refusal}});
        return 0;
    }
    channel.send(describePlugin(registry));
    for (;;) {
        json request;
        if (channel.receive(request) != PluginChannel::Receipt::Message)
            return 0;
        if (!channel.send(answer(registry, channel, request)))
            return 0;
    }
}
