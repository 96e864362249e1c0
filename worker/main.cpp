// SPDX-License-Identifier: MIT
// lfs-wrapper-plugin-worker [--memory-limit BYTES] PLUGIN.so
//
// Runs one plugin for a host that isolates it (`plugins.isolation:
// process`): loads the plugin with the host's checks, tells the host what it
// provides, then answers the host's requests on descriptor 3 until the host
// closes it. Whatever the plugin does wrong (a crash, an abort, a hang,
// unbounded memory) ends this process only.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
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
namespace op = lfsw::protocol::op;
namespace protocol = lfsw::protocol;
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
    json backends = json::array();
    for (const auto& name : info.backupBackends)
        backends.push_back(
            {{"name", name}, {"description", registry.backupBackend(name)->description()}});
    return {{"op", op::kLoaded},
            {"ok", true},
            {"plugin",
             {{"name", info.name},
              {"version", info.version},
              {"description", info.description},
              {"abi", info.abi}}},
            {"actions", actions},
            {"conditions", conditions},
            {"alert_channels", channels},
            {"backup_backends", backends}};
}

json resultReply(const lfsw::Result& result, json reply = json::object())
{
    reply["op"] = op::kReply;
    reply["result"] = protocol::toJson(result);
    return reply;
}

// One request, with what answering it needs.
struct Request {
    const lfsw::PluginRegistry& registry;
    PluginChannel& channel;
    const json& message;
};

json missing(const char* kind, const std::string& name)
{
    return resultReply(
        lfsw::Result::failed(std::string("the plugin has no ") + kind + " '" + name + "'"));
}

// Action.
json validate(const Request& request)
{
    const auto action = request.registry.action(protocol::text(request.message, "action"));
    if (!action)
        return missing("action", protocol::text(request.message, "action"));
    json problems = json::array();
    for (const auto& problem :
         action->validate(protocol::paramsFromJson(protocol::member(request.message, "params"))))
        problems.push_back({{"param", problem.param}, {"message", problem.message}});
    return {{"op", op::kReply}, {"problems", problems}};
}

json describe(const Request& request)
{
    const auto action = request.registry.action(protocol::text(request.message, "action"));
    if (!action)
        return missing("action", protocol::text(request.message, "action"));
    return {{"op", op::kReply},
            {"text", action->describe(
                         protocol::paramsFromJson(protocol::member(request.message, "params")))}};
}

json run(const Request& request)
{
    const auto action = request.registry.action(protocol::text(request.message, "action"));
    if (!action)
        return missing("action", protocol::text(request.message, "action"));
    lfsw::worker::WorkerContext context(request.channel, request.message);
    return resultReply(action->run(context));
}

// AlertChannel.
json send(const Request& request)
{
    const auto sink = request.registry.alertChannel(protocol::text(request.message, "channel"));
    if (!sink)
        return missing("alert channel", protocol::text(request.message, "channel"));
    const auto alert = protocol::alertFromJson(protocol::member(request.message, "alert"));
    json forContext = request.message;
    forContext["event"] = protocol::toJson(alert.event);
    forContext["attempt"] = alert.attempt;
    lfsw::worker::WorkerContext context(request.channel, forContext);
    return resultReply(sink->send(alert, context));
}

// BackupBackend: each call gets the backend and a context, and answers a Result.
template <typename Call> json withBackend(const Request& request, Call&& call)
{
    const auto backend = request.registry.backupBackend(protocol::text(request.message, "backend"));
    if (!backend)
        return missing("backup backend", protocol::text(request.message, "backend"));
    lfsw::worker::WorkerContext context(request.channel, request.message);
    return call(*backend, context);
}

json backupCreate(const Request& request)
{
    return withBackend(request, [&](lfsw::BackupBackend& backend, lfsw::Context& context) {
        return resultReply(backend.create(protocol::strings(request.message, "paths"),
                                          protocol::strings(request.message, "tags"), context));
    });
}

json backupList(const Request& request)
{
    return withBackend(request, [&](lfsw::BackupBackend& backend, lfsw::Context& context) {
        std::vector<lfsw::BackupSnapshot> snapshots;
        const auto result = backend.list(snapshots, context);
        json list = json::array();
        for (const auto& snapshot : snapshots)
            list.push_back(protocol::toJson(snapshot));
        return resultReply(result, {{"snapshots", list}});
    });
}

json backupVerify(const Request& request)
{
    return withBackend(request, [&](lfsw::BackupBackend& backend, lfsw::Context& context) {
        return resultReply(backend.verify(protocol::text(request.message, "id"), context));
    });
}

json backupRestore(const Request& request)
{
    return withBackend(request, [&](lfsw::BackupBackend& backend, lfsw::Context& context) {
        return resultReply(backend.restore(protocol::text(request.message, "id"),
                                           protocol::strings(request.message, "include"),
                                           protocol::text(request.message, "target"), context));
    });
}

json backupPrune(const Request& request)
{
    return withBackend(request, [&](lfsw::BackupBackend& backend, lfsw::Context& context) {
        const auto seconds =
            std::max<std::int64_t>(0, protocol::integer(request.message, "keep_within_seconds"));
        return resultReply(backend.prune(std::chrono::seconds(seconds), context));
    });
}

// Every operation the host may ask for, one entry each (the names are
// plugin_protocol.h's, as the host's stand-ins send them).
const std::map<std::string, json (*)(const Request&)> kOperations = {
    {op::kValidate, validate},
    {op::kDescribe, describe},
    {op::kRun, run},
    {op::kSend, send},
    {op::kBackupCreate, backupCreate},
    {op::kBackupList, backupList},
    {op::kBackupVerify, backupVerify},
    {op::kBackupRestore, backupRestore},
    {op::kBackupPrune, backupPrune},
};

json answer(const lfsw::PluginRegistry& registry, PluginChannel& channel, const json& message)
{
    const std::string name = protocol::text(message, "op");
    const auto operation = kOperations.find(name);
    if (operation == kOperations.end())
        return resultReply(
            lfsw::Result::failed("the worker does not know the operation '" + name + "'"));
    return operation->second({registry, channel, message});
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
        channel.send({{"op", op::kLoaded}, {"ok", false}, {"refusal", refusal}});
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
