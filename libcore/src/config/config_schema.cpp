// SPDX-License-Identifier: MIT
#include "config/config_schema.h"

#include <charconv>
#include <map>
#include <sstream>
#include <variant>

#include <lfsw/units.h>

#include "base/cron_expression.h"
#include "base/suggest.h"

namespace lfsw {

namespace {

SchemaNode leaf(std::string key, ValueType type, std::string defaultValue, std::string doc)
{
    return SchemaNode{std::move(key), type, std::move(defaultValue), std::move(doc), {}, {}, 0, 0};
}

SchemaNode integer(std::string key, std::string defaultValue, long long minimum, long long maximum,
                   std::string doc)
{
    SchemaNode node =
        leaf(std::move(key), ValueType::Integer, std::move(defaultValue), std::move(doc));
    node.minimum = minimum;
    node.maximum = maximum;
    return node;
}

SchemaNode choice(std::string key, ValueType type, std::string defaultValue,
                  std::vector<std::string> choices, std::string doc)
{
    SchemaNode node = leaf(std::move(key), type, std::move(defaultValue), std::move(doc));
    node.choices = std::move(choices);
    return node;
}

SchemaNode map(std::string key, std::string doc, std::vector<SchemaNode> children)
{
    return SchemaNode{
        std::move(key), ValueType::Map, {}, std::move(doc), std::move(children), {}, 0, 0};
}

SchemaNode flag(std::string key, std::string defaultValue, std::string doc)
{
    return leaf(std::move(key), ValueType::Bool, std::move(defaultValue), std::move(doc));
}

SchemaNode buildSchema()
{
    return map(
        "", "lfs-wrapper.yaml",
        {
            map("build", "What is being built.",
                {
                    leaf("root", ValueType::Path, "/mnt/lfs",
                         "The build tree (LFS's $LFS): what checkpoints save and restore. "
                         "Relative paths are taken from the config file's directory."),
                    flag("create_root", "false",
                         "Create build.root when it does not exist, instead of refusing to "
                         "build (a misspelled root would build onto the host's disk)."),
                    leaf("sbu_step", ValueType::String, "\"\"",
                         "The step whose time is one SBU (the book's Standard Build Unit) for "
                         "the ETA; empty: the plan's binutils pass 1 step."),
                    leaf("plan", ValueType::Path, "\"\"",
                         "The build plan file that `build start` runs; empty: none."),
                    leaf("pass_environment", ValueType::StringList, "[]",
                         "Variables of lfs-wrapper's own environment that steps get besides "
                         "the documented ones: names, or PREFIX* globs."),
                    leaf("scratch", ValueType::StringList, "[]",
                         "Scratch directories of the build, as globs relative to the build "
                         "root (e.g. sources/*-build): what clean_environment and `clean "
                         "build` remove."),
                    leaf("stop_grace", ValueType::Duration, "10s",
                         "How long a stopped step's processes get between SIGTERM and SIGKILL."),
                    leaf("state_dir", ValueType::Path, "\"\"",
                         "The state directory (database, logs, store). Empty: `.lfs-wrapper/` "
                         "beside the config file, or in the current directory without one. "
                         "`--state-dir` overrides it."),
                }),
            map("resources", "Resources the build may use.",
                {
                    map("limits", "Limits applied to build steps.",
                        {
                            integer("jobs", "0", 0, 4096,
                                    "Parallel jobs for build steps (MAKEFLAGS=-jN); 0 means one "
                                    "per CPU."),
                            leaf("memory", ValueType::Size, "\"0\"",
                                 "Memory cap for a build step (\"4G\"); 0 means none."),
                            flag("auto_adjust", "false",
                                 "Let adjust_limits apply the jobs and memory limits it chooses "
                                 "to the next attempt by itself (`config set resources.limits "
                                 "--auto-adjust`)."),
                        }),
                    leaf("reclaim", ValueType::StringList, "[]",
                         "Paths free_resources and `clean cache` may empty (ccache, download "
                         "caches), as absolute paths or relative to the config file. Their "
                         "contents are removed, the directories kept."),
                    leaf("log_retention", ValueType::Duration, "7d",
                         "Step logs of finished runs older than this are reclaimable."),
                }),
            map("plugins", "Where plugins are found and which are used.",
                {
                    leaf("dirs", ValueType::StringList, "[]",
                         "Plugin directories searched first, before $LFSW_PLUGIN_PATH and the "
                         "installation's own plugin directory."),
                    leaf("enable", ValueType::StringList, "[]",
                         "When not empty, only the plugins named here are loaded."),
                    leaf("disable", ValueType::StringList, "[]", "Plugins not to load, by name."),
                    choice("isolation", ValueType::String, "in-process", {"in-process", "process"},
                           "Where site plugins run: in the host's process, or each in its own "
                           "worker process (lfs-wrapper-plugin-worker) that a crash, abort or "
                           "hang of the plugin ends without the host. Stock plugins stay "
                           "in-process unless `isolate` names them."),
                    leaf("isolate", ValueType::StringList, "[]",
                         "Plugin files (names without .so) run in a worker process whatever "
                         "`isolation` says, stock plugins too."),
                    leaf("action_timeout", ValueType::Duration, "30m",
                         "How long an isolated plugin's action may run before its worker is "
                         "killed and the action counts as failed."),
                    leaf("worker_memory", ValueType::Size, "2G",
                         "Address-space limit of each plugin worker (RLIMIT_AS); 0: none."),
                }),
            map("logging", "The log file in the state directory.",
                {
                    choice("level", ValueType::String, "info",
                           {"trace", "debug", "info", "warning", "error"},
                           "Least severe level written to the log file."),
                    leaf("rotate_size", ValueType::Size, "10M",
                         "The log file is rotated when it reaches this size."),
                    integer("keep", "5", 1, 1000, "How many rotated log files are kept."),
                }),
            map("checkpoint", "Checkpoints of the build tree.",
                {
                    leaf("exclude", ValueType::StringList, "[]",
                         "Globs of paths never checkpointed nor touched by restore (a glob "
                         "without '/' matches names anywhere)."),
                }),
            map("backup", "Backups of the build (seed: Automated Backups).",
                {
                    leaf("schedule", ValueType::Cron, "\"0 */4 * * *\"",
                         "When backups run: a 5-field cron expression."),
                    leaf("retention", ValueType::Duration, "7d",
                         "Keep backups newer than this, and always the newest one."),
                    leaf("repository", ValueType::Path, "\"\"",
                         "The backup repository directory; empty: `backups/` in the state "
                         "directory. Ideally on another disk than the build root."),
                    choice("types", ValueType::StringList,
                           "[system-state, build-progress, critical-data]",
                           {"system-state", "build-progress", "critical-data"},
                           "What a scheduled backup holds."),
                    leaf("critical_data", ValueType::StringList, "[]",
                         "Files and directories the critical-data type holds (absolute, or "
                         "relative to the config file)."),
                    choice("backend", ValueType::String, "local", {"local", "restic"},
                           "Where backups go: the local repository, or restic's."),
                    map("restic", "The restic backend (backup.backend: restic).",
                        {
                            leaf("repository", ValueType::String, "\"\"",
                                 "A restic repository: a path, sftp:, s3:, rest:..."),
                            leaf("password_file", ValueType::Path, "\"\"",
                                 "File holding the repository password."),
                            leaf("host", ValueType::String, "\"\"",
                                 "The host name this machine's snapshots carry; empty: its "
                                 "host name. In a repository shared by several machines, "
                                 "list, latest and prune see only this host's."),
                            leaf("options", ValueType::StringList, "[]",
                                 "Extra restic options, each passed as -o (e.g. "
                                 "sftp.command=ssh -F FILE host -s sftp)."),
                        }),
                }),
            map("monitoring", "Resource monitoring (seed: System Monitoring).",
                {
                    map("resources", "Which resources are watched.",
                        {
                            leaf("disk", ValueType::Bool, "true",
                                 "Watch disk usage of the build root and state directory."),
                            leaf("memory", ValueType::Bool, "true", "Watch memory use."),
                            leaf("cpu", ValueType::Bool, "true", "Watch CPU load."),
                        }),
                    map("thresholds", "Levels that raise resource_exhaustion.",
                        {
                            leaf("disk_usage", ValueType::Percentage, "90%",
                                 "Disk usage threshold."),
                            leaf("memory_usage", ValueType::Percentage, "85%",
                                 "Memory usage threshold."),
                            leaf("cpu_load", ValueType::Percentage, "95%", "CPU load threshold."),
                        }),
                    leaf("interval", ValueType::Duration, "1s", "How often resources are sampled."),
                    integer("for", "1", 1, 1000,
                            "Samples in a row above a threshold before resource_exhaustion is "
                            "raised."),
                    leaf("clear_margin", ValueType::Percentage, "5%",
                         "A raised resource clears only when it falls this far below its "
                         "threshold (no flapping)."),
                    leaf("retention", ValueType::Duration, "7d",
                         "How long samples are kept in the state database."),
                    map("prometheus", "Metrics for Prometheus.",
                        {
                            leaf("textfile", ValueType::Path, "\"\"",
                                 "Directory of node_exporter's textfile collector: "
                                 "lfs_wrapper.prom is written there after every step and "
                                 "sample."),
                            leaf("listen", ValueType::String, "\"\"",
                                 "ADDRESS:PORT the daemon and a running supervisor serve "
                                 "/metrics on (e.g. 127.0.0.1:9101)."),
                        }),
                }),
            map("alerts", "Who is told what (seed: Alert Configuration).",
                {
                    leaf("methods", ValueType::ChannelList, "[log]",
                         "Alert channels alerts are sent through; each must be provided by a "
                         "loaded plugin."),
                    leaf("triggers", ValueType::ConditionList,
                         "[resource_exhaustion, build_failure, system_error]",
                         "Conditions that send an alert when raised."),
                    map("contacts",
                        "Who is alerted (seed: Emergency Contacts): the first alert "
                        "of an incident goes to primary, later attempts add "
                        "secondary, and recovery given up adds emergency.",
                        {
                            leaf("primary", ValueType::String, "\"\"",
                                 "Primary contact's address."),
                            leaf("secondary", ValueType::String, "\"\"",
                                 "Secondary contact's address."),
                            leaf("emergency", ValueType::String, "\"\"",
                                 "Emergency contact's address."),
                        }),
                    leaf("repeat_after", ValueType::Duration, "30m",
                         "The same alert is not sent again within this time."),
                    integer("retries", "3", 0, 100,
                            "Tries after the first when a channel fails to deliver."),
                    leaf("retry_backoff", ValueType::Duration, "2s",
                         "Wait before the first retry; it doubles with each retry."),
                    map("email", "The email channel (SMTP).",
                        {
                            leaf("server", ValueType::String, "localhost", "SMTP server host."),
                            integer("port", "25", 1, 65535, "SMTP server port."),
                            flag("starttls", "false", "Require STARTTLS."),
                            flag("insecure_auth", "false",
                                 "Send the password without TLS (a trusted loopback relay)."),
                            leaf("from", ValueType::String, "lfs-wrapper@localhost",
                                 "Sender address."),
                            leaf("to", ValueType::StringList, "[]",
                                 "Recipients of every alert, besides the contacts."),
                            leaf("username", ValueType::String, "\"\"",
                                 "SMTP user name; empty: no authentication."),
                            leaf("password_file", ValueType::Path, "\"\"",
                                 "File holding the SMTP password (never put it in the YAML)."),
                            leaf("password_env", ValueType::String, "\"\"",
                                 "Environment variable holding the SMTP password."),
                            leaf("timeout", ValueType::Duration, "10s", "Time allowed per try."),
                        }),
                    map("webhook", "The webhook channel: an HTTP POST of JSON.",
                        {
                            leaf("url", ValueType::String, "\"\"", "Where alerts are posted."),
                            leaf("headers", ValueType::StringMap, "{}",
                                 "Extra HTTP headers, name: value."),
                            leaf("timeout", ValueType::Duration, "10s", "Time allowed per try."),
                        }),
                    map("irc", "The IRC channel: alerts said in a channel by PRIVMSG.",
                        {
                            leaf("server", ValueType::String, "\"\"",
                                 "IRC server host (your team's server, e.g. irc.libera.chat)."),
                            integer("port", "6697", 1, 65535,
                                    "IRC server port (6697 for TLS, 6667 plain)."),
                            flag("tls", "true",
                                 "Connect with TLS; the server's certificate and name are "
                                 "verified."),
                            leaf("ca_file", ValueType::Path, "\"\"",
                                 "CA certificates to verify the server with, instead of the "
                                 "system's."),
                            leaf("nick", ValueType::String, "lfsw",
                                 "Nick to use; when in use, the nick plus a digit."),
                            leaf("channel", ValueType::String, "\"\"",
                                 "Channel the alerts are said in (#name)."),
                            leaf("password_file", ValueType::Path, "\"\"",
                                 "File holding the server password (PASS), if it needs one."),
                            integer("log_lines", "5", 0, 20,
                                    "Lines of the step's log said after the alert."),
                            leaf("timeout", ValueType::Duration, "30s", "Time allowed per try."),
                        }),
                    map("matrix", "The Matrix channel: alerts as m.notice in a room.",
                        {
                            leaf("homeserver", ValueType::String, "\"\"",
                                 "Homeserver base URL (https://matrix.org)."),
                            leaf("room", ValueType::String, "\"\"",
                                 "Room id (!id:server) or alias (#room:server)."),
                            leaf("access_token_file", ValueType::Path, "\"\"",
                                 "File holding the access token of the account that speaks."),
                            leaf("timeout", ValueType::Duration, "10s", "Time allowed per try."),
                        }),
                }),
            map("auto_recovery", "Automatic recovery (seed: Automatic Recovery).",
                {
                    leaf("enabled", ValueType::Bool, "true",
                         "Run recovery chains by themselves when a listed condition is raised."),
                    integer("max_attempts", "3", 1, 1000,
                            "Recovery attempts per condition per build step; see "
                            "docs/recovery.md for the exact rule."),
                    leaf("conditions", ValueType::ConditionList,
                         "[build_failure, resource_exhaustion, minor_corruption]",
                         "Conditions recovered from automatically."),
                    flag("checklists", "false",
                         "Run the pre-recovery checklist before and the post-recovery "
                         "checklist after each chain that runs during a build."),
                }),
            map("recovery", "Recovery checklists (seed: Pre- and Post-Recovery Checklists).",
                {
                    leaf("checks", ValueType::StringList, "[]",
                         "Your smoke tests, shell commands run by the post-recovery "
                         "checklist (e.g. the book's toolchain sanity check in the chroot)."),
                    leaf("required", ValueType::StringList, "[]",
                         "Checklist items that must run: one that cannot (shown as -) fails "
                         "the checklist like one that fails."),
                    leaf("check_timeout", ValueType::Duration, "10m",
                         "Time allowed for each of recovery.checks."),
                }),
            leaf("recovery_actions", ValueType::Chains,
                 // The seed's chains.
                 "{build_failure: [stop_build, clean_environment, restore_checkpoint], "
                 "resource_exhaustion: [free_resources, adjust_limits, restart_build], "
                 "minor_corruption: [repair_from_backup]}",
                 "For each condition (or condition:failure_class), the ordered list of actions "
                 "its recovery runs. An entry is an action name or a one-key map "
                 "`action: {param: value}`. A config that has this key replaces the built-in "
                 "chains as a whole."),
        });
}

std::string describeKind(const YAML::Node& node)
{
    switch (node.Type()) {
    case YAML::NodeType::Null:
        return "nothing";
    case YAML::NodeType::Scalar:
        return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Map:
        return "a map";
    default:
        return "an undefined value";
    }
}

void checkScalarList(const SchemaNode& schema, const YAML::Node& value, const std::string& path,
                     const std::string& file, std::vector<Diagnostic>& problems)
{
    if (!value.IsSequence()) {
        problems.push_back(
            diagnosticAt(file, value, path + ": expected a list, found " + describeKind(value)));
        return;
    }
    for (const auto& item : value) {
        if (!item.IsScalar()) {
            problems.push_back(diagnosticAt(
                file, item, path + ": expected a list of names, found " + describeKind(item)));
        } else if (!schema.choices.empty() &&
                   std::find(schema.choices.begin(), schema.choices.end(), item.Scalar()) ==
                       schema.choices.end()) {
            problems.push_back(diagnosticAt(file, item,
                                            path + ": unknown value '" + item.Scalar() + "'" +
                                                didYouMean(item.Scalar(), schema.choices)));
        }
    }
}

void checkChains(const YAML::Node& value, const std::string& path, const std::string& file,
                 std::vector<Diagnostic>& problems)
{
    if (!value.IsMap()) {
        problems.push_back(diagnosticAt(
            file, value,
            path + ": expected a map of condition to action list, found " + describeKind(value)));
        return;
    }
    for (const auto& chain : value) {
        std::string chainPath = path + "." + chain.first.Scalar();
        const YAML::Node& actions = chain.second;
        if (!actions.IsSequence()) {
            problems.push_back(diagnosticAt(file, actions,
                                            chainPath + ": expected a list of actions, found " +
                                                describeKind(actions)));
            continue;
        }
        for (const auto& entry : actions) {
            if (entry.IsScalar())
                continue;
            if (!entry.IsMap() || entry.size() != 1) {
                problems.push_back(diagnosticAt(
                    file, entry,
                    chainPath +
                        ": expected an action name or a one-key map "
                        "'action: {param: value}', found " +
                        (entry.IsMap() ? "a map with " + std::to_string(entry.size()) + " keys"
                                       : describeKind(entry))));
                continue;
            }
            const YAML::Node params = entry.begin()->second;
            if (params.IsNull())
                continue;
            if (!params.IsMap()) {
                problems.push_back(diagnosticAt(file, params,
                                                chainPath + "." + entry.begin()->first.Scalar() +
                                                    ": expected a map of parameters, found " +
                                                    describeKind(params)));
                continue;
            }
            for (const auto& param : params)
                if (!param.second.IsScalar())
                    problems.push_back(diagnosticAt(
                        file, param.second,
                        chainPath + "." + entry.begin()->first.Scalar() + "." +
                            param.first.Scalar() + ": expected a single value, found " +
                            describeKind(param.second)));
        }
    }
}

void checkMap(const SchemaNode& schema, const YAML::Node& value, const std::string& path,
              const std::string& file, std::vector<Diagnostic>& problems);

void checkStringMap(const YAML::Node& value, const std::string& path, const std::string& file,
                    std::vector<Diagnostic>& problems)
{
    if (!value.IsMap()) {
        problems.push_back(diagnosticAt(file, value,
                                        path + ": expected a map of names to values, found " +
                                            describeKind(value)));
        return;
    }
    for (const auto& entry : value)
        if (!entry.second.IsScalar())
            problems.push_back(diagnosticAt(file, entry.second,
                                            path + "." + entry.first.Scalar() +
                                                ": expected a single value, found " +
                                                describeKind(entry.second)));
}

void checkMapList(const SchemaNode& schema, const YAML::Node& value, const std::string& path,
                  const std::string& file, std::vector<Diagnostic>& problems)
{
    if (!value.IsSequence()) {
        problems.push_back(
            diagnosticAt(file, value, path + ": expected a list, found " + describeKind(value)));
        return;
    }
    std::size_t index = 0;
    for (const auto& item : value)
        checkMap(schema, item, path + "[" + std::to_string(index++) + "]", file, problems);
}

void checkMap(const SchemaNode& schema, const YAML::Node& value, const std::string& path,
              const std::string& file, std::vector<Diagnostic>& problems)
{
    if (!value.IsMap()) {
        problems.push_back(diagnosticAt(file, value,
                                        (path.empty() ? std::string("the document") : path) +
                                            ": expected a map, found " + describeKind(value)));
        return;
    }
    std::vector<std::string> known;
    for (const auto& child : schema.children)
        known.push_back(child.key);
    std::map<std::string, int> seen;
    for (const auto& entry : value) {
        const std::string key = entry.first.Scalar();
        const std::string keyPath = path.empty() ? key : path + "." + key;
        if (auto [it, inserted] = seen.emplace(key, entry.first.Mark().line + 1); !inserted) {
            problems.push_back(diagnosticAt(file, entry.first,
                                            "duplicate key '" + keyPath + "' (first on line " +
                                                std::to_string(it->second) + ")"));
            continue;
        }
        const SchemaNode* child = schema.child(key);
        if (!child) {
            problems.push_back(diagnosticAt(
                file, entry.first, "unknown key '" + keyPath + "'" + didYouMean(key, known)));
            continue;
        }
        ConfigSchema::checkValue(*child, entry.second, keyPath, file, problems);
    }
    for (const auto& child : schema.children)
        if (child.required && !seen.count(child.key))
            problems.push_back(diagnosticAt(file, value,
                                            (path.empty() ? std::string("the document") : path) +
                                                ": missing required key '" + child.key + "'"));
}

} // namespace

const SchemaNode* SchemaNode::child(const std::string& name) const
{
    for (const auto& node : children)
        if (node.key == name)
            return &node;
    return nullptr;
}

Diagnostic diagnosticAt(const std::string& file, const YAML::Node& node, std::string message)
{
    const YAML::Mark mark = node.Mark();
    if (mark.is_null())
        return Diagnostic{file, 0, 0, std::move(message)};
    return Diagnostic{file, mark.line + 1, mark.column + 1, std::move(message)};
}

const SchemaNode& ConfigSchema::root()
{
    static const SchemaNode schema = buildSchema();
    return schema;
}

const SchemaNode* ConfigSchema::find(const std::string& dottedKey)
{
    const SchemaNode* node = &root();
    std::istringstream parts(dottedKey);
    for (std::string part; std::getline(parts, part, '.');) {
        if (node->type != ValueType::Map)
            return nullptr;
        node = node->child(part);
        if (!node)
            return nullptr;
    }
    return node;
}

std::vector<std::string> ConfigSchema::leafKeys()
{
    std::vector<std::string> keys;
    auto walk = [&keys](const auto& self, const SchemaNode& node, const std::string& path) -> void {
        for (const auto& child : node.children) {
            std::string childPath = path.empty() ? child.key : path + "." + child.key;
            if (child.type == ValueType::Map)
                self(self, child, childPath);
            else
                keys.push_back(childPath);
        }
    };
    walk(walk, root(), "");
    return keys;
}

YAML::Node ConfigSchema::defaults()
{
    auto build = [](const auto& self, const SchemaNode& node) -> YAML::Node {
        if (node.type != ValueType::Map)
            return YAML::Load(node.defaultValue);
        YAML::Node map(YAML::NodeType::Map);
        for (const auto& child : node.children)
            map[child.key] = self(self, child);
        return map;
    };
    return build(build, root());
}

void ConfigSchema::check(const YAML::Node& document, const std::string& file,
                         std::vector<Diagnostic>& problems)
{
    if (document.IsNull())
        return; // an empty file: every default applies
    checkMap(root(), document, "", file, problems);
}

void ConfigSchema::checkValue(const SchemaNode& node, const YAML::Node& value,
                              const std::string& path, const std::string& file,
                              std::vector<Diagnostic>& problems)
{
    auto expected = [&](const std::string& what) {
        problems.push_back(diagnosticAt(
            file, value, path + ": expected " + what + ", found " + describeKind(value)));
    };
    switch (node.type) {
    case ValueType::Map:
        checkMap(node, value, path, file, problems);
        return;
    case ValueType::StringList:
    case ValueType::ConditionList:
    case ValueType::ChannelList:
        checkScalarList(node, value, path, file, problems);
        return;
    case ValueType::Chains:
        checkChains(value, path, file, problems);
        return;
    case ValueType::StringMap:
        checkStringMap(value, path, file, problems);
        return;
    case ValueType::MapList:
        checkMapList(node, value, path, file, problems);
        return;
    default:
        break;
    }
    if (!value.IsScalar()) {
        expected(typeName(node.type));
        return;
    }
    const std::string& text = value.Scalar();
    switch (node.type) {
    case ValueType::Bool: {
        bool parsed = false;
        if (!YAML::convert<bool>::decode(value, parsed))
            expected("true or false");
        return;
    }
    case ValueType::Integer: {
        long long parsed = 0;
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
        if (text.empty() || error != std::errc() || end != text.data() + text.size())
            expected("a whole number");
        else if (parsed < node.minimum || parsed > node.maximum)
            problems.push_back(diagnosticAt(file, value,
                                            path + ": " + text + " is out of range " +
                                                std::to_string(node.minimum) + ".." +
                                                std::to_string(node.maximum)));
        return;
    }
    case ValueType::String:
        if (!node.choices.empty() &&
            std::find(node.choices.begin(), node.choices.end(), text) == node.choices.end()) {
            std::string all;
            for (const auto& c : node.choices)
                all += (all.empty() ? "" : ", ") + c;
            problems.push_back(diagnosticAt(file, value,
                                            path + ": '" + text + "' is not one of " + all +
                                                didYouMean(text, node.choices)));
        }
        return;
    case ValueType::Path:
        return;
    case ValueType::Duration:
        if (!parseDuration(text))
            expected("a duration such as 30s, 5m, 1h or 7d");
        return;
    case ValueType::Percentage:
        if (!parsePercentage(text))
            expected("a percentage from 0% to 100% such as 90%");
        return;
    case ValueType::Size:
        if (!parseSize(text))
            expected("a size such as 512K, 10M or 2G");
        return;
    case ValueType::Cron: {
        auto parsed = CronExpression::parse(text);
        if (!parsed)
            problems.push_back(
                diagnosticAt(file, value, path + ": invalid cron expression: " + parsed.error()));
        return;
    }
    default:
        return;
    }
}

std::string ConfigSchema::typeName(ValueType type)
{
    switch (type) {
    case ValueType::Map:
        return "a map";
    case ValueType::Bool:
        return "true or false";
    case ValueType::Integer:
        return "a whole number";
    case ValueType::String:
        return "a string";
    case ValueType::Path:
        return "a path";
    case ValueType::Duration:
        return "a duration";
    case ValueType::Percentage:
        return "a percentage";
    case ValueType::Size:
        return "a size";
    case ValueType::Cron:
        return "a cron expression";
    case ValueType::StringList:
        return "a list of strings";
    case ValueType::ConditionList:
        return "a list of condition names";
    case ValueType::ChannelList:
        return "a list of alert channel names";
    case ValueType::Chains:
        return "a map of condition to action list";
    case ValueType::StringMap:
        return "a map of names to values";
    case ValueType::MapList:
        return "a list of maps";
    }
    return "a value";
}

} // namespace lfsw
