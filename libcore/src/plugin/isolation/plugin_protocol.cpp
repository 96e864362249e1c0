// SPDX-License-Identifier: MIT
#include "plugin/isolation/plugin_protocol.h"

namespace lfsw::protocol {

namespace {

std::map<std::string, std::string> stringMap(const nlohmann::json& value)
{
    std::map<std::string, std::string> map;
    if (value.is_object())
        for (const auto& [key, item] : value.items())
            if (item.is_string())
                map[key] = item.get<std::string>();
    return map;
}

} // namespace

std::string text(const nlohmann::json& value, const char* key, const std::string& fallback)
{
    if (!value.is_object())
        return fallback;
    const auto it = value.find(key);
    return it != value.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::int64_t integer(const nlohmann::json& value, const char* key, std::int64_t fallback)
{
    if (!value.is_object())
        return fallback;
    const auto it = value.find(key);
    return it != value.end() && it->is_number_integer() ? it->get<std::int64_t>() : fallback;
}

bool flag(const nlohmann::json& value, const char* key, bool fallback)
{
    if (!value.is_object())
        return fallback;
    const auto it = value.find(key);
    return it != value.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

nlohmann::json member(const nlohmann::json& value, const char* key)
{
    if (!value.is_object())
        return nullptr;
    const auto it = value.find(key);
    return it != value.end() ? *it : nlohmann::json();
}

nlohmann::json array(const nlohmann::json& value, const char* key)
{
    if (!value.is_object())
        return nlohmann::json::array();
    const auto it = value.find(key);
    return it != value.end() && it->is_array() ? *it : nlohmann::json::array();
}

std::vector<std::string> strings(const nlohmann::json& value, const char* key)
{
    std::vector<std::string> result;
    for (const auto& item : array(value, key))
        if (item.is_string())
            result.push_back(item.get<std::string>());
    return result;
}

nlohmann::json toJson(const Event& event)
{
    return {{"condition", event.condition},
            {"failure_class", event.failureClass},
            {"step", event.step},
            {"evidence", event.evidence},
            {"raised_at_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                 event.raisedAt.time_since_epoch())
                                 .count()}};
}

Event eventFromJson(const nlohmann::json& value)
{
    Event event;
    event.condition = text(value, "condition");
    event.failureClass = text(value, "failure_class");
    event.step = text(value, "step");
    if (value.is_object() && value.contains("evidence"))
        event.evidence = stringMap(value["evidence"]);
    if (value.is_object() && value.contains("raised_at_ms") &&
        value["raised_at_ms"].is_number_integer())
        event.raisedAt = std::chrono::system_clock::time_point(
            std::chrono::milliseconds(value["raised_at_ms"].get<std::int64_t>()));
    return event;
}

nlohmann::json toJson(const Params& params)
{
    return params.values();
}

Params paramsFromJson(const nlohmann::json& value)
{
    return Params(stringMap(value));
}

nlohmann::json toJson(const Alert& alert)
{
    return {{"event", toJson(alert.event)},
            {"severity", levelName(alert.severity)},
            {"subject", alert.subject},
            {"body", alert.body},
            {"attempt", alert.attempt},
            {"given_up", alert.givenUp},
            {"contacts", alert.contacts},
            {"log_tail", alert.logTail},
            {"resume_command", alert.resumeCommand}};
}

Alert alertFromJson(const nlohmann::json& value)
{
    Alert alert;
    if (!value.is_object())
        return alert;
    alert.event = eventFromJson(member(value, "event"));
    alert.severity = parseLogLevel(text(value, "severity")).value_or(LogLevel::Error);
    alert.subject = text(value, "subject");
    alert.body = text(value, "body");
    if (value.contains("attempt") && value["attempt"].is_number_integer())
        alert.attempt = value["attempt"].get<int>();
    alert.givenUp = flag(value, "given_up");
    for (const char* key : {"contacts", "log_tail"})
        if (value.contains(key) && value[key].is_array())
            for (const auto& item : value[key])
                if (item.is_string())
                    (std::string(key) == "contacts" ? alert.contacts : alert.logTail)
                        .push_back(item.get<std::string>());
    alert.resumeCommand = text(value, "resume_command");
    return alert;
}

nlohmann::json toJson(const Result& result)
{
    return {{"status", statusName(result.status())}, {"message", result.message()}};
}

Result resultFromJson(const nlohmann::json& value)
{
    const std::string status = text(value, "status");
    const std::string message = text(value, "message");
    if (status == "done")
        return Result::done(message);
    if (status == "not-applicable")
        return Result::notApplicable(message);
    if (status == "failed")
        return Result::failed(message);
    if (status == "rejected")
        return Result::rejected(message);
    return Result::failed("the plugin worker answered with no result");
}

void addContext(nlohmann::json& request, const Context& context)
{
    request["event"] = toJson(context.event());
    request["params"] = toJson(context.params());
    request["attempt"] = context.attempt();
    request["state_directory"] = context.stateDirectory().string();
    request["build_root"] = context.buildRoot().string();
}

nlohmann::json toJson(const BackupSnapshot& snapshot)
{
    return {{"id", snapshot.id},
            {"time", snapshot.time},
            {"tags", snapshot.tags},
            {"paths", snapshot.paths}};
}

BackupSnapshot snapshotFromJson(const nlohmann::json& value)
{
    return {text(value, "id"), text(value, "time"), strings(value, "tags"),
            strings(value, "paths")};
}

} // namespace lfsw::protocol
