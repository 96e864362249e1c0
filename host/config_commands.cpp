// SPDX-License-Identifier: MIT
// config validate | show | get KEY | set KEY VALUE
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml-cpp/yaml.h>

#include "base/file_content.h"
#include "base/suggest.h"
#include "build/build_plan.h"
#include "command.h"
#include "config/config_editor.h"
#include "config/config_schema.h"
#include "plugin/config_references.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

bool contains(const std::vector<std::string>& list, const std::string& item)
{
    return std::find(list.begin(), list.end(), item) != list.end();
}

void printProblems(const std::vector<Diagnostic>& problems)
{
    for (const auto& problem : problems)
        std::cerr << problem.format() << "\n";
}

int validate(Session& session, const po::variables_map&)
{
    auto problems = session.configProblems(true);
    // The plan the config names is part of what runs: checked in the same pass.
    std::string planFile;
    if (!session.config().string("build.plan").empty()) {
        planFile = session.config().resolvePath(session.config().string("build.plan")).string();
        if (!std::filesystem::exists(planFile)) {
            std::cerr << "warning: build.plan names " << planFile
                      << ", which does not exist (yet): build start will need it\n";
            planFile.clear();
        } else {
            const auto plan = BuildPlan::fromFile(planFile);
            problems.insert(problems.end(), plan.problems().begin(), plan.problems().end());
        }
    }
    // Said only of a backup.types the file sets: the default holds
    // critical-data for the configs that name some.
    const auto* file = session.config().file() ? &*session.config().file() : nullptr;
    YAML::Node written;
    try {
        if (file)
            written = YAML::LoadFile(file->string());
    } catch (const std::exception&) {
    }
    if (written.IsMap() && written["backup"].IsMap() && written["backup"]["types"] &&
        problems.empty() && contains(session.config().list("backup.types"), "critical-data") &&
        session.config().list("backup.critical_data").empty())
        std::cerr << "warning: backup.types has critical-data but backup.critical_data names "
                     "no path: backups hold no critical data\n";
    if (!problems.empty()) {
        printProblems(problems);
        std::cerr << session.configSourceDescription() << ": " << problems.size() << " problem"
                  << (problems.size() == 1 ? "" : "s") << "\n";
        return kExitUsage;
    }
    const auto& plugins = session.plugins();
    if (!planFile.empty())
        std::cout << planFile << ": valid\n";
    std::cout << session.configSourceDescription() << ": valid (" << plugins.plugins().size()
              << " plugins, " << plugins.actionNames().size() << " actions, "
              << plugins.conditionNames().size() << " conditions, "
              << plugins.alertChannelNames().size() << " alert channels)\n";
    return plugins.refusals().empty() ? kExitOk : kExitFailed;
}

// A URL with the password of its userinfo and its query hidden, and with
// `maskPath` its path too: where webhook services put their tokens
// (https://hooks.slack.com/services/T…/B…/secret).
std::string maskedUrl(std::string url, bool maskPath)
{
    const auto scheme = url.find("://");
    const auto start = scheme == std::string::npos ? 0 : scheme + 3;
    const auto end = std::min(url.find('/', start), url.find('?', start));
    const auto at = url.rfind('@', end);
    if (at != std::string::npos && at >= start)
        if (const auto colon = url.find(':', start); colon < at)
            url.replace(colon + 1, at - colon - 1, "********");
    if (const auto query = url.find('?'); query != std::string::npos)
        url.replace(query + 1, std::string::npos, "********");
    if (const auto slash = url.find('/', start);
        maskPath && slash != std::string::npos && slash + 1 < url.size() && url[slash + 1] != '?')
        url.replace(slash + 1, url.find('?', slash) - slash - 1, "********");
    return url;
}

// Header values and URL credentials often carry tokens: shown masked.
// (Passwords are never in the YAML: alerts.email.password_file /
// password_env name where they are.)
YAML::Node masked(const YAML::Node& effective)
{
    YAML::Node copy = YAML::Clone(effective);
    if (auto url = copy["alerts"]["webhook"]["url"]; url && url.IsScalar())
        url = maskedUrl(url.as<std::string>(), true);
    if (auto url = copy["backup"]["restic"]["repository"]; url && url.IsScalar())
        url = maskedUrl(url.as<std::string>(), false);
    if (auto headers = copy["alerts"]["webhook"]["headers"]; headers && headers.IsMap())
        for (auto entry : headers)
            entry.second = "********";
    return copy;
}

int show(Session& session, const po::variables_map&)
{
    YAML::Emitter out;
    out << masked(session.config().effective());
    std::cout << "# effective configuration: " << session.configSourceDescription()
              << ", defaults filled in\n"
              << out.c_str() << "\n";
    return kExitOk;
}

int get(Session& session, const po::variables_map& values)
{
    const std::string key = values["key"].as<std::string>();
    auto node = session.config().node(key);
    if (node) {
        // Walk the masked copy, so header values and URL tokens stay hidden
        // at whatever depth the key asks for.
        YAML::Node current = masked(session.config().effective());
        std::istringstream parts(key);
        for (std::string part; std::getline(parts, part, '.');)
            current.reset(current[part]);
        node = current;
    }
    if (!node) {
        std::vector<std::string> keys = ConfigSchema::leafKeys();
        std::cerr << "lfs-wrapper: unknown config key '" << key << "'" << didYouMean(key, keys)
                  << "\n";
        return kExitUsage;
    }
    if (node->IsScalar()) {
        std::cout << node->Scalar() << "\n";
    } else {
        YAML::Emitter out;
        out << *node;
        std::cout << out.c_str() << "\n";
    }
    return kExitOk;
}

int set(Session& session, const po::variables_map& values)
{
    std::string key = values["key"].as<std::string>();
    std::string value = values.count("value") ? values["value"].as<std::string>() : "";
    if (values.count("auto-adjust")) {
        // The seed's spelling: config set resources.limits --auto-adjust
        if (key != "resources.limits" || values.count("value")) {
            std::cerr << "lfs-wrapper: config set: --auto-adjust goes with the key "
                         "resources.limits and no value\n";
            return kExitUsage;
        }
        key = "resources.limits.auto_adjust";
        value = "true";
    } else if (!values.count("value")) {
        std::cerr << "lfs-wrapper: config set: missing VALUE (usage: lfs-wrapper config set KEY "
                     "VALUE)\n";
        return kExitUsage;
    }
    const std::filesystem::path file = session.config().file()
                                           ? *session.config().file()
                                           : std::filesystem::path("lfs-wrapper.yaml");

    std::string original;
    if (std::filesystem::exists(file))
        original = readFileText(file).value_or("");
    auto edit = ConfigEditor::set(original, key, value);
    if (!edit) {
        std::cerr << "lfs-wrapper: config set: " << edit.error() << "\n";
        return kExitUsage;
    }
    const auto& result = *edit;

    // Validate the whole new config before a byte of it is written.
    Config candidate = Config::fromString(result.text, file.string(), file);
    std::vector<Diagnostic> problems = candidate.problems();
    if (problems.empty())
        problems = checkReferences(candidate, session.plugins());
    if (!problems.empty()) {
        printProblems(problems);
        std::cerr << "lfs-wrapper: config set: " << file.string() << " was not changed\n";
        return kExitUsage;
    }
    writeFileDurably(file, result.text);
    std::cout << file.string() << ": " << key << " = " << candidate.scalar(key).value_or(value)
              << "\n";
    if (!result.commentsKept && !original.empty())
        std::cout << "note: the file was rewritten as a whole; its comments were not kept "
                     "(only a key that already holds a one-line value is edited in place)\n";
    return kExitOk;
}

} // namespace

void addConfigCommands(std::vector<Command>& commands)
{
    commands.push_back({"config validate", "", "Check the config file and report every problem",
                        "Checks keys, types, durations, percentages, cron expressions, and that\n"
                        "every action, condition and alert channel it names is provided by a\n"
                        "loaded plugin. Each problem is printed as FILE:LINE:COLUMN: message.",
                        ConfigNeed::None, nullptr, validate});
    commands.push_back({"config show", "", "Print the effective config, defaults filled in", "",
                        ConfigNeed::Structural, nullptr, show});
    commands.push_back(
        {"config get", "KEY", "Print one key's effective value (e.g. alerts.methods)", "",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("key", po::value<std::string>()->required(), "dotted key");
             positional.add("key", 1);
         },
         get});
    commands.push_back(
        {"config set", "KEY VALUE | resources.limits --auto-adjust",
         "Change one key in the config file, validated first",
         "VALUE is YAML: 5, true, 90%, \"0 */4 * * *\", [log, email]. The new config is\n"
         "validated as a whole before the file is written; nothing is written when it\n"
         "has a problem. A key that already holds a one-line value is edited in place\n"
         "and the file's comments are kept; adding a key rewrites the file without its\n"
         "comments (yaml-cpp cannot keep them) and says so. Without a config file,\n"
         "./lfs-wrapper.yaml is created.\n"
         "'config set resources.limits --auto-adjust' sets resources.limits.auto_adjust:\n"
         "adjust_limits then applies the jobs and memory limits it chooses to the next\n"
         "attempt by itself (they are recorded and shown by build status).",
         ConfigNeed::None,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("key", po::value<std::string>()->required(), "dotted key")(
                 "value", po::value<std::string>(), "new value (YAML)")(
                 "auto-adjust", "with resources.limits: let adjust_limits apply its limits");
             positional.add("key", 1).add("value", 1);
         },
         set});
}

} // namespace lfsw::host
