// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include <lfsw/params.h>

#include "base/diagnostic.h"

namespace lfsw {

// One entry of a recovery chain: the action's name and its parameters.
struct ChainEntry {
    std::string action;
    Params params;
};

// The chain that answers an event: which `recovery_actions` key was chosen
// ("build_failure:fetch_error" wins over "build_failure") and its entries.
struct Chain {
    std::string key;
    std::vector<ChainEntry> entries;
};

// The effective configuration: the schema's defaults with the user's file laid
// over them. Structural problems (keys, types, syntaxes) are found when it is
// loaded; names of actions, conditions and alert channels are checked against
// the loaded plugins by checkReferences() (plugin/config_references.h).
class Config
{
public:
    static constexpr const char* kBuiltInName = "<built-in defaults>";

    static Config builtIn();
    static Config fromFile(const std::filesystem::path& file);
    // `name` is what diagnostics call the text (a file name, usually).
    static Config fromString(const std::string& yaml, const std::string& name,
                             std::optional<std::filesystem::path> file = std::nullopt);

    // The file it came from, or nothing for the built-in defaults.
    const std::optional<std::filesystem::path>& file() const { return file_; }
    const std::string& sourceName() const { return sourceName_; }
    const std::vector<Diagnostic>& problems() const { return problems_; }

    // The whole effective tree (defaults filled in), and one key of it.
    const YAML::Node& effective() const { return effective_; }
    std::optional<YAML::Node> node(const std::string& dottedKey) const;
    std::optional<std::string> scalar(const std::string& dottedKey) const;

    // Typed reads of keys that the schema guarantees; call only on a config
    // without problems().
    bool boolean(const std::string& dottedKey) const;
    long long integer(const std::string& dottedKey) const;
    std::string string(const std::string& dottedKey) const;
    std::vector<std::string> list(const std::string& dottedKey) const;
    // The environment variables this config names as holding a secret
    // (alerts.email.password_env): never passed on to a build step.
    std::vector<std::string> secretVariables() const;

    // What a plugin's Context::setting, settingList and settingMap return:
    // a scalar (a path resolved against the config file's directory), the
    // items of a list, the entries of a map of scalars; nothing or empty
    // when the key is not of that shape.
    std::optional<std::string> setting(const std::string& dottedKey) const;
    std::vector<std::string> settingList(const std::string& dottedKey) const;
    std::map<std::string, std::string> settingMap(const std::string& dottedKey) const;

    // A path from the config: relative ones are taken from the config file's
    // directory (the current directory for the built-in defaults).
    std::filesystem::path resolvePath(const std::string& text) const;
    std::filesystem::path buildRoot() const;
    // `build.state_dir`, else `.lfs-wrapper` beside the config file.
    std::filesystem::path stateDirectory() const;

    // The chain for a condition and failure class, or nothing when the config
    // names none.
    std::optional<Chain> chainFor(const std::string& condition,
                                  const std::string& failureClass) const;
    // Whether a raised condition is recovered by itself: auto_recovery is
    // enabled, lists the condition, and a chain exists for it.
    bool recoversAutomatically(const std::string& condition, const std::string& failureClass) const;

private:
    Config() = default;

    std::optional<std::filesystem::path> file_;
    std::string sourceName_;
    std::vector<Diagnostic> problems_;
    YAML::Node effective_;
};

} // namespace lfsw
