// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <algorithm>

#include "config/config.h"
#include "config/config_schema.h"
#include "plugin/config_references.h"
#include "test_plugins.h"

using lfsw::Config;
using lfsw::Diagnostic;

namespace {

std::vector<std::string> formatted(const std::vector<Diagnostic>& problems)
{
    std::vector<std::string> lines;
    for (const auto& problem : problems)
        lines.push_back(problem.format());
    return lines;
}

std::string only(const std::vector<Diagnostic>& problems)
{
    REQUIRE(problems.size() == 1);
    return problems.front().format();
}

const lfsw::PluginRegistry& registry()
{
    static lfsw::PluginRegistry loaded = [] {
        lfsw::PluginRegistry r;
        lfsw::test::loadStockAndRecorder(r);
        return r;
    }();
    return loaded;
}

constexpr const char* kSeed = R"(backup:
  schedule: "0 */4 * * *"  # Every 4 hours
  retention: "7d"          # Keep for 7 days
  types:
    - system-state
    - build-progress
    - critical-data
monitoring:
  resources:
    disk: true
    memory: true
    cpu: true
  thresholds:
    disk_usage: 90%
    memory_usage: 85%
    cpu_load: 95%
auto_recovery:
  enabled: true
  max_attempts: 3
  conditions:
    - build_failure
    - resource_exhaustion
    - minor_corruption
)";

} // namespace

TEST_CASE("the seed's backup, monitoring and auto_recovery blocks are valid as written")
{
    Config config = Config::fromString(kSeed, "seed.yaml");
    CHECK(formatted(config.problems()).empty());
    CHECK(checkReferences(config, registry()).empty());
    CHECK(config.string("backup.schedule") == "0 */4 * * *");
    CHECK(config.integer("auto_recovery.max_attempts") == 3);
}

TEST_CASE("built-in defaults fill every key")
{
    Config config = Config::builtIn();
    CHECK(config.problems().empty());
    CHECK(checkReferences(config, registry()).empty());
    for (const auto& key : lfsw::ConfigSchema::leafKeys())
        CHECK_MESSAGE(config.node(key).has_value(), key);
    CHECK(config.string("monitoring.thresholds.disk_usage") == "90%");
    CHECK(config.list("alerts.methods") == std::vector<std::string>{"log"});
    CHECK(config.boolean("auto_recovery.enabled"));
}

TEST_CASE("a user value overrides its default and leaves the others")
{
    Config config = Config::fromString("auto_recovery:\n  max_attempts: 5\n", "c.yaml");
    CHECK(config.problems().empty());
    CHECK(config.integer("auto_recovery.max_attempts") == 5);
    CHECK(config.boolean("auto_recovery.enabled"));
}

TEST_CASE("unknown key, with its line, column and a suggestion")
{
    Config config = Config::fromString("backup:\n  retension: 7d\n", "c.yaml");
    CHECK(only(config.problems()) ==
          "c.yaml:2:3: unknown key 'backup.retension', did you mean 'retention'?");
}

TEST_CASE("wrong types")
{
    Config config = Config::fromString("auto_recovery:\n  enabled: maybe\n  max_attempts: three\n"
                                       "monitoring: [disk]\n",
                                       "c.yaml");
    auto lines = formatted(config.problems());
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "c.yaml:2:12: auto_recovery.enabled: expected true or false, found 'maybe'");
    CHECK(lines[1] ==
          "c.yaml:3:17: auto_recovery.max_attempts: expected a whole number, found 'three'");
    CHECK(lines[2] == "c.yaml:4:13: monitoring: expected a map, found a list");
}

TEST_CASE("integer range")
{
    Config config = Config::fromString("auto_recovery:\n  max_attempts: 0\n", "c.yaml");
    CHECK(only(config.problems()) ==
          "c.yaml:2:17: auto_recovery.max_attempts: 0 is out of range 1..1000");
}

TEST_CASE("duration, percentage and cron syntax")
{
    Config config = Config::fromString(
        "backup:\n  retention: 7\n  schedule: \"0 */4 * *\"\nmonitoring:\n  thresholds:\n"
        "    disk_usage: 190%\n",
        "c.yaml");
    auto lines = formatted(config.problems());
    REQUIRE(lines.size() == 3);
    CHECK(
        lines[0] ==
        "c.yaml:2:14: backup.retention: expected a duration such as 30s, 5m, 1h or 7d, found '7'");
    CHECK(lines[1] == "c.yaml:3:13: backup.schedule: invalid cron expression: expected 5 fields "
                      "(minute hour day-of-month month day-of-week), found 4");
    CHECK(lines[2] == "c.yaml:6:17: monitoring.thresholds.disk_usage: expected a percentage from "
                      "0% to 100% such as 90%, found '190%'");
}

TEST_CASE("a list value outside its choices")
{
    Config config =
        Config::fromString("backup:\n  types: [system-state, build-progres]\n", "c.yaml");
    CHECK(
        only(config.problems()) ==
        "c.yaml:2:25: backup.types: unknown value 'build-progres', did you mean 'build-progress'?");
}

TEST_CASE("YAML syntax errors carry their position")
{
    Config config = Config::fromString("backup:\n  types: [system-state\n", "c.yaml");
    REQUIRE(config.problems().size() == 1);
    CHECK(config.problems()[0].line >= 2);
    CHECK(config.problems()[0].message.rfind("YAML syntax error", 0) == 0);
}

TEST_CASE("duplicate keys are reported")
{
    Config config = Config::fromString("backup:\n  retention: 7d\n  retention: 8d\n", "c.yaml");
    CHECK(only(config.problems()) ==
          "c.yaml:3:3: duplicate key 'backup.retention' (first on line 2)");
}

TEST_CASE("every error at once, in one pass")
{
    Config config = Config::fromString("bakup: {}\nalerts:\n  methods: log\nauto_recovery:\n"
                                       "  enabled: 3\n",
                                       "c.yaml");
    CHECK(config.problems().size() == 3);
}

TEST_CASE("an action that no plugin provides, with a suggestion")
{
    Config config = Config::fromString("recovery_actions:\n  build_failure:\n    - run_comand: "
                                       "{command: x}\n",
                                       "c.yaml");
    REQUIRE(config.problems().empty());
    CHECK(only(checkReferences(config, registry())) ==
          "c.yaml:3:7: recovery_actions.build_failure: no loaded plugin provides action "
          "'run_comand', did you mean 'run_command'?");
}

TEST_CASE("a condition that nothing raises, in chains, triggers and auto_recovery")
{
    Config config = Config::fromString("recovery_actions:\n  build_failur:\n    - always_fail\n"
                                       "alerts:\n  triggers: [disk_full]\n"
                                       "auto_recovery:\n  conditions: [system_error, bogus]\n",
                                       "c.yaml");
    auto lines = formatted(checkReferences(config, registry()));
    REQUIRE(lines.size() == 3);
    CHECK(std::count(lines.begin(), lines.end(),
                     "c.yaml:2:3: recovery_actions: no loaded plugin raises condition "
                     "'build_failur', did you mean 'build_failure'?") == 1);
    CHECK(std::count(lines.begin(), lines.end(),
                     "c.yaml:5:14: alerts.triggers: no loaded plugin provides condition "
                     "'disk_full'") == 1);
    CHECK(std::count(lines.begin(), lines.end(),
                     "c.yaml:7:30: auto_recovery.conditions: no loaded plugin provides condition "
                     "'bogus'") == 1);
}

TEST_CASE("an alert channel that no plugin provides")
{
    Config config = Config::fromString("alerts:\n  methods: [log, pager]\n", "c.yaml");
    CHECK(only(checkReferences(config, registry())) ==
          "c.yaml:2:18: alerts.methods: no loaded plugin provides alert channel 'pager'");
}

TEST_CASE("action parameters are validated by the action, at the parameter's position")
{
    Config config = Config::fromString(
        "recovery_actions:\n  build_failure:\n    - run_command: {command: make, timeout: soon}\n"
        "    - run_command\n",
        "c.yaml");
    auto lines = formatted(checkReferences(config, registry()));
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == "c.yaml:3:45: recovery_actions.build_failure.run_command.timeout: expected "
                      "a duration such as 30s or 5m, found 'soon'");
    CHECK(lines[1] == "c.yaml:4:7: recovery_actions.build_failure.run_command: needs a 'command' "
                      "parameter, e.g. run_command: {command: \"make clean\"}");
}

TEST_CASE("chain entries must be a name or a one-key map of scalars")
{
    Config config = Config::fromString(
        "recovery_actions:\n  build_failure:\n    - {a: 1, b: 2}\n    - run_command: [x]\n"
        "  system_error: run_command\n",
        "c.yaml");
    auto lines = formatted(config.problems());
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].find("c.yaml:3:7: recovery_actions.build_failure: expected an action name or a "
                        "one-key map") == 0);
    CHECK(lines[1] == "c.yaml:4:20: recovery_actions.build_failure.run_command: expected a map of "
                      "parameters, found a list");
    CHECK(lines[2] == "c.yaml:5:17: recovery_actions.system_error: expected a list of actions, "
                      "found 'run_command'");
}

TEST_CASE("a failure-class chain wins over the plain condition for its class")
{
    Config config = Config::fromString("recovery_actions:\n  build_failure:\n    - always_fail\n"
                                       "  build_failure:fetch_error:\n    - nothing_to_do\n"
                                       "  build_failure:no_such_class:\n    - nothing_to_do\n",
                                       "c.yaml");
    REQUIRE(config.problems().empty());
    CHECK(only(checkReferences(config, registry()))
              .find("c.yaml:6:3: recovery_actions: condition 'build_failure' has no failure class "
                    "'no_such_class'") == 0);
    CHECK(config.chainFor("build_failure", "fetch_error")->key == "build_failure:fetch_error");
    CHECK(config.chainFor("build_failure", "fetch_error")->entries[0].action == "nothing_to_do");
    CHECK(config.chainFor("build_failure", "compile_error")->key == "build_failure");
    CHECK(config.chainFor("build_failure", "")->entries[0].action == "always_fail");
    CHECK_FALSE(config.chainFor("system_error", ""));
}

TEST_CASE("relative paths are taken from the config file's directory")
{
    Config config = Config::fromString("build:\n  root: lfs\n", "/etc/x/c.yaml",
                                       std::filesystem::path("/etc/x/c.yaml"));
    CHECK(config.buildRoot() == "/etc/x/lfs");
    CHECK(config.stateDirectory() == "/etc/x/.lfs-wrapper");
}
