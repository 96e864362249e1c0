// SPDX-License-Identifier: MIT
#include "worker_context.h"

#include <unistd.h>

#include "plugin/isolation/plugin_protocol.h"

namespace lfsw::worker {

nlohmann::json ask(PluginChannel& channel, const nlohmann::json& request)
{
    nlohmann::json answer;
    if (!channel.send(request) || channel.receive(answer) != PluginChannel::Receipt::Message)
        ::_exit(1);
    return lfsw::protocol::member(answer, "value");
}

WorkerContext::WorkerContext(PluginChannel& channel, const nlohmann::json& request)
    : channel_(channel), event_(protocol::eventFromJson(lfsw::protocol::member(request, "event"))),
      params_(protocol::paramsFromJson(lfsw::protocol::member(request, "params"))),
      attempt_(static_cast<int>(lfsw::protocol::integer(request, "attempt", 1))),
      stateDirectory_(protocol::text(request, "state_directory")),
      buildRoot_(protocol::text(request, "build_root")), build_(channel)
{
}

nlohmann::json WorkerContext::askSetting(std::string_view key, const char* kind) const
{
    return ask(channel_,
               {{"op", protocol::op::kSetting}, {"kind", kind}, {"key", std::string(key)}});
}

std::optional<std::string> WorkerContext::setting(std::string_view dottedKey) const
{
    const auto value = askSetting(dottedKey, "scalar");
    if (!value.is_string())
        return std::nullopt;
    return value.get<std::string>();
}

std::vector<std::string> WorkerContext::settingList(std::string_view dottedKey) const
{
    std::vector<std::string> items;
    for (const auto& item : askSetting(dottedKey, "list"))
        if (item.is_string())
            items.push_back(item.get<std::string>());
    return items;
}

std::map<std::string, std::string> WorkerContext::settingMap(std::string_view dottedKey) const
{
    std::map<std::string, std::string> entries;
    const auto value = askSetting(dottedKey, "map");
    if (value.is_object())
        for (const auto& [key, item] : value.items())
            if (item.is_string())
                entries[key] = item.get<std::string>();
    return entries;
}

void WorkerContext::log(LogLevel level, std::string_view message)
{
    channel_.send({{"op", protocol::op::kLog},
                   {"level", levelName(level)},
                   {"message", std::string(message)}});
}

} // namespace lfsw::worker
