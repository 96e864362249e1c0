// SPDX-License-Identifier: MIT
#include "config/config.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "base/file_content.h"
#include "base/suggest.h"
#include "config/config_schema.h"

namespace lfsw {

namespace {

// Lays `user` over the schema's defaults, key by key, into a new tree. User
// nodes are kept as they are, so their marks still point into the file.
YAML::Node overlay(const SchemaNode& schema, const YAML::Node& user)
{
    if (schema.type == ValueType::Map) {
        YAML::Node result(YAML::NodeType::Map);
        for (const auto& child : schema.children) {
            // A missing key gives yaml-cpp's "zombie" node: ask IsDefined() first.
            YAML::Node userChild =
                user.IsDefined() && user.IsMap() ? user[child.key] : YAML::Node();
            result[child.key] = overlay(child, userChild);
        }
        return result;
    }
    if (user.IsDefined() && !user.IsNull())
        return user;
    return YAML::Load(schema.defaultValue);
}

} // namespace

Config Config::builtIn()
{
    Config config;
    config.sourceName_ = kBuiltInName;
    config.effective_ = overlay(ConfigSchema::root(), YAML::Node());
    return config;
}

Config Config::fromFile(const std::filesystem::path& file)
{
    const auto text = readFileText(file);
    if (!text) {
        Config config = builtIn();
        config.file_ = file;
        config.sourceName_ = file.string();
        config.problems_.push_back(
            Diagnostic{file.string(), 0, 0,
                       "cannot read the config file: " + std::string(std::strerror(errno))});
        return config;
    }
    return fromString(*text, file.string(), file);
}

Config Config::fromString(const std::string& yaml, const std::string& name,
                          std::optional<std::filesystem::path> file)
{
    Config config = builtIn();
    config.file_ = std::move(file);
    config.sourceName_ = name;
    YAML::Node document;
    try {
        document = YAML::Load(yaml);
    } catch (const YAML::ParserException& e) {
        config.problems_.push_back(
            Diagnostic{name, e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg});
        return config;
    }
    ConfigSchema::check(document, name, config.problems_);
    if (document.IsMap())
        config.effective_ = overlay(ConfigSchema::root(), document);
    return config;
}

std::optional<YAML::Node> Config::node(const std::string& dottedKey) const
{
    // yaml-cpp's operator= on a node writes through to what it refers to, and a
    // non-const operator[] adds keys: walk with const lookups and reset().
    YAML::Node at;
    at.reset(effective_);
    std::istringstream parts(dottedKey);
    for (std::string part; std::getline(parts, part, '.');) {
        if (!at.IsMap())
            return std::nullopt;
        const YAML::Node& constAt = at;
        YAML::Node next = constAt[part];
        if (!next.IsDefined())
            return std::nullopt;
        at.reset(next);
    }
    return at;
}

std::optional<std::string> Config::scalar(const std::string& dottedKey) const
{
    auto value = node(dottedKey);
    if (!value || !value->IsScalar())
        return std::nullopt;
    return value->Scalar();
}

bool Config::boolean(const std::string& dottedKey) const
{
    return node(dottedKey)->as<bool>();
}

long long Config::integer(const std::string& dottedKey) const
{
    return node(dottedKey)->as<long long>();
}

std::string Config::string(const std::string& dottedKey) const
{
    return scalar(dottedKey).value_or("");
}

std::vector<std::string> Config::secretVariables() const
{
    std::vector<std::string> names;
    for (const char* key : {"alerts.email.password_env"})
        if (auto name = string(key); !name.empty())
            names.push_back(name);
    return names;
}

std::vector<std::string> Config::list(const std::string& dottedKey) const
{
    std::vector<std::string> items;
    if (auto value = node(dottedKey); value && value->IsSequence())
        for (const auto& item : *value)
            items.push_back(item.Scalar());
    return items;
}

std::filesystem::path Config::resolvePath(const std::string& text) const
{
    std::filesystem::path path(text);
    if (path.is_absolute())
        return path.lexically_normal();
    std::filesystem::path base =
        file_ ? std::filesystem::absolute(*file_).parent_path() : std::filesystem::current_path();
    return (base / path).lexically_normal();
}

std::filesystem::path Config::buildRoot() const
{
    return resolvePath(string("build.root"));
}

std::filesystem::path Config::stateDirectory() const
{
    const std::string configured = string("build.state_dir");
    return resolvePath(configured.empty() ? ".lfs-wrapper" : configured);
}

std::optional<std::string> Config::setting(const std::string& dottedKey) const
{
    auto value = scalar(dottedKey);
    const auto* schema = ConfigSchema::find(dottedKey);
    if (value && !value->empty() && schema && schema->type == ValueType::Path)
        return resolvePath(*value).string();
    return value;
}

std::vector<std::string> Config::settingList(const std::string& dottedKey) const
{
    auto found = node(dottedKey);
    return found && found->IsSequence() ? list(dottedKey) : std::vector<std::string>{};
}

std::map<std::string, std::string> Config::settingMap(const std::string& dottedKey) const
{
    std::map<std::string, std::string> entries;
    auto found = node(dottedKey);
    if (found && found->IsMap())
        for (const auto& entry : *found)
            if (entry.second.IsScalar())
                entries[entry.first.as<std::string>()] = entry.second.as<std::string>();
    return entries;
}

bool Config::recoversAutomatically(const std::string& condition,
                                   const std::string& failureClass) const
{
    const auto conditions = list("auto_recovery.conditions");
    return boolean("auto_recovery.enabled") &&
           std::find(conditions.begin(), conditions.end(), condition) != conditions.end() &&
           chainFor(condition, failureClass).has_value();
}

std::optional<Chain> Config::chainFor(const std::string& condition,
                                      const std::string& failureClass) const
{
    auto chains = node("recovery_actions");
    if (!chains || !chains->IsMap())
        return std::nullopt;
    std::vector<std::string> keys;
    if (!failureClass.empty())
        keys.push_back(condition + ":" + failureClass);
    keys.push_back(condition);
    const YAML::Node& constChains = *chains;
    for (const auto& key : keys) {
        const YAML::Node list = constChains[key];
        if (!list.IsDefined() || !list.IsSequence())
            continue;
        Chain chain{key, {}};
        for (const auto& entry : list) {
            if (entry.IsScalar()) {
                chain.entries.push_back({entry.Scalar(), Params()});
                continue;
            }
            std::map<std::string, std::string> values;
            const YAML::Node params = entry.begin()->second;
            if (params.IsMap())
                for (const auto& param : params)
                    values[param.first.Scalar()] = param.second.Scalar();
            chain.entries.push_back({entry.begin()->first.Scalar(), Params(values)});
        }
        return chain;
    }
    return std::nullopt;
}

} // namespace lfsw
