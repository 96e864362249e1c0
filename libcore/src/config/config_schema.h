// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "base/diagnostic.h"

namespace lfsw {

// The kinds of value lfs-wrapper.yaml holds. Names of conditions, actions and
// alert channels are checked later, against the loaded plugins.
enum class ValueType {
    Map,           // fixed keys, described by children
    Bool,          // true / false
    Integer,       // within [minimum, maximum]
    String,        // any scalar; `choices` restricts it when not empty
    Path,          // a file system path
    Duration,      // "30s", "7d" (lfsw::parseDuration)
    Percentage,    // "90%"
    Size,          // "10M", "2G" or bytes
    Cron,          // 5-field cron expression
    StringList,    // list of scalars; `choices` restricts them when not empty
    ConditionList, // list of condition names
    ChannelList,   // list of alert channel names
    Chains,        // recovery_actions: condition[:class] -> list of actions
    StringMap,     // map of name -> scalar (environment variables)
    MapList,       // list of maps, each described by children (build plan steps)
};

// One key of the configuration: its type, default and documentation. The
// whole schema is one immutable tree (ConfigSchema::root()); validation,
// `config show` defaults and the docs test are all driven by it.
struct SchemaNode {
    std::string key;
    ValueType type;
    std::string defaultValue; // YAML text; empty for maps
    std::string doc;
    std::vector<SchemaNode> children;
    std::vector<std::string> choices;
    long long minimum = 0;
    long long maximum = 0;
    bool required = false; // in a map: the key must be present

    const SchemaNode* child(const std::string& name) const;
};

// The schema of lfs-wrapper.yaml and the structural checks it implies (keys,
// types, value syntaxes). checkValue() works on any schema tree: the build
// plan's is checked the same way.
class ConfigSchema
{
public:
    static const SchemaNode& root();
    // The node for a dotted key such as "alerts.methods", or nullptr.
    static const SchemaNode* find(const std::string& dottedKey);
    // Every leaf key, dotted, in schema order.
    static std::vector<std::string> leafKeys();
    // The default of every key, as a YAML tree.
    static YAML::Node defaults();
    // Checks `document` (the parsed user file) against the schema; appends one
    // diagnostic per problem found, naming `file` and the node's position.
    static void check(const YAML::Node& document, const std::string& file,
                      std::vector<Diagnostic>& problems);
    // Checks a single value for `node`'s type (no names of plugin things).
    static void checkValue(const SchemaNode& node, const YAML::Node& value, const std::string& path,
                           const std::string& file, std::vector<Diagnostic>& problems);
    // Human name of a type, for messages and docs ("duration", "percentage").
    static std::string typeName(ValueType type);
};

// Builds a diagnostic for `node` from its YAML mark.
Diagnostic diagnosticAt(const std::string& file, const YAML::Node& node, std::string message);

} // namespace lfsw
