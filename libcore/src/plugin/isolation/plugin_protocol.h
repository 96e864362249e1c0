// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

#include <lfsw/alert.h>
#include <lfsw/backup_backend.h>
#include <lfsw/context.h>
#include <lfsw/event.h>
#include <lfsw/params.h>
#include <lfsw/result.h>

// How the values of the plugin interfaces travel between the host and a
// plugin worker (see docs/plugins.md, "Process isolation", for the messages).
namespace lfsw::protocol {

// The operations a message names in its "op", defined once for both ends:
// the host's stand-ins (isolated_*.cpp, PluginWorker::serve) and the
// worker's dispatch tables (worker/main.cpp, worker/worker_*.cpp).
namespace op {
// The worker's answers and questions.
inline constexpr const char* kLoaded = "loaded";   // the plugin is loaded, or refused
inline constexpr const char* kReply = "reply";     // the answer to the host's request
inline constexpr const char* kLog = "log";         // Context::log, not answered
inline constexpr const char* kSetting = "setting"; // Context::setting*, answered with a value
inline constexpr const char* kBuild = "build";     // a BuildControl call, answered with a value
// The host's answer to a question.
inline constexpr const char* kValue = "value";
// Action.
inline constexpr const char* kValidate = "validate";
inline constexpr const char* kDescribe = "describe";
inline constexpr const char* kRun = "run";
// AlertChannel.
inline constexpr const char* kSend = "send";
// BackupBackend.
inline constexpr const char* kBackupCreate = "backup_create";
inline constexpr const char* kBackupList = "backup_list";
inline constexpr const char* kBackupVerify = "backup_verify";
inline constexpr const char* kBackupRestore = "backup_restore";
inline constexpr const char* kBackupPrune = "backup_prune";
} // namespace op

// The BuildControl calls an "op":"build" message names in its "call".
namespace build_call {
inline constexpr const char* kSupervising = "supervising";
inline constexpr const char* kLimits = "limits";
inline constexpr const char* kAdjustLimits = "adjustLimits";
inline constexpr const char* kStopBuild = "stopBuild";
inline constexpr const char* kRestartStep = "restartStep";
inline constexpr const char* kCreateCheckpoint = "createCheckpoint";
inline constexpr const char* kRestoreCheckpoint = "restoreCheckpoint";
inline constexpr const char* kCleanEnvironment = "cleanEnvironment";
inline constexpr const char* kFreeResources = "freeResources";
inline constexpr const char* kRepairFromBackup = "repairFromBackup";
} // namespace build_call

// What a worker's Context is made from: the event, parameters, attempt,
// state directory and build root of the host's Context, as members of a
// request.
void addContext(nlohmann::json& request, const Context& context);

nlohmann::json toJson(const BackupSnapshot& snapshot);
BackupSnapshot snapshotFromJson(const nlohmann::json& value);

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
