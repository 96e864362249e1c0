// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

#include <lfsw/alert.h>
#include <lfsw/event.h>
#include <lfsw/params.h>
#include <lfsw/result.h>

// How the values of the plugin interfaces travel between the host and a
// plugin worker (see docs/plugins.md, "Process isolation", for the messages).
namespace lfsw::protocol {

nlohmann::json toJson(const Event& event);
Event eventFromJson(const nlohmann::json& value);

nlohmann::json toJson(const Params& params);
Params paramsFromJson(const nlohmann::json& value);

nlohmann::json toJson(const Alert& alert);
Alert alertFromJson(const nlohmann::json& value);

nlohmann::json toJson(const Result& result);
Result resultFromJson(const nlohmann::json& value);

// A string member, or `fallback` when it is missing or not a string: what a
// peer sends is never trusted to be well-formed.
std::string text(const nlohmann::json& value, const char* key, const std::string& fallback = {});
// The same for the other shapes a message holds: a member of the wrong type
// is the fallback, never an exception.
std::int64_t integer(const nlohmann::json& value, const char* key, std::int64_t fallback = 0);
bool flag(const nlohmann::json& value, const char* key, bool fallback = false);
// A member of any type, or null when missing (or `value` is no object).
nlohmann::json member(const nlohmann::json& value, const char* key);
// An array member (empty when missing or not an array), and its strings.
nlohmann::json array(const nlohmann::json& value, const char* key);
std::vector<std::string> strings(const nlohmann::json& value, const char* key);

} // namespace lfsw::protocol
