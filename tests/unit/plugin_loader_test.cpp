// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <algorithm>

#include <sys/stat.h>

#include <lfsw/abi.h>

#include "config/config.h"
#include "plugin/host_context.h"
#include "temp_directory.h"
#include "test_plugins.h"
#include <lfsw/testing.h>

using lfsw::PluginLoader;
using lfsw::PluginRegistry;
using lfsw::test::testPluginDirectory;

namespace {

std::string refusalFor(const PluginRegistry& registry, const std::string& fileName)
{
    for (const auto& refusal : registry.refusals())
        if (refusal.find(fileName + ": ") != std::string::npos)
            return refusal;
    return {};
}

bool loaded(const PluginRegistry& registry, const std::string& name)
{
    const auto& plugins = registry.plugins();
    return std::any_of(plugins.begin(), plugins.end(),
                       [&](const auto& plugin) { return plugin.name == name; });
}

} // namespace

TEST_CASE("each bad plugin is refused with one line naming its file; the rest load")
{
    PluginRegistry registry;
    PluginLoader({testPluginDirectory()}, {}).loadInto(registry);

    const auto abi = std::to_string(lfsw::kPluginAbi);
    const auto minimum = std::to_string(lfsw::kPluginAbiMinimum);
    CHECK(refusalFor(registry, "abi_too_new.so")
              .find("plugin ABI " + std::to_string(lfsw::kPluginAbi + 1) +
                    " is newer than this host's maximum " + abi) != std::string::npos);
    CHECK(refusalFor(registry, "abi_too_old.so")
              .find("plugin ABI " + std::to_string(lfsw::kPluginAbiMinimum - 1) +
                    " is older than this host's minimum " + minimum) != std::string::npos);
    CHECK(refusalFor(registry, "not_a_plugin.so").find("not an lfs-wrapper plugin") !=
          std::string::npos);
    CHECK(refusalFor(registry, "throws_at_register.so")
              .find("threw during registration: registration exploded") != std::string::npos);
    const std::string duplicate = refusalFor(registry, "zz_duplicate_action.so");
    CHECK(duplicate.find("plugin 'zz_duplicate_action' refused: action 'record' is already "
                         "provided by plugin 'recorder' (") != std::string::npos);
    CHECK(duplicate.find("recorder.so)") != std::string::npos);
    for (const std::string kind : {"condition", "channel", "backend"})
        CHECK(refusalFor(registry, "zz_duplicate_" + kind + ".so")
                  .find("is already provided by plugin 'kinds' (") != std::string::npos);
    CHECK(registry.refusals().size() == 8);
    CHECK(registry.condition("test_condition")->plugin == "kinds");

    CHECK(loaded(registry, "recorder"));
    CHECK_FALSE(loaded(registry, "throws_at_register"));
    CHECK(registry.action("record"));
    CHECK(registry.action("always_fail"));
}

TEST_CASE("stock plugins provide the foundation's actions, conditions and channel")
{
    PluginRegistry registry;
    lfsw::test::loadStockAndRecorder(registry);
    CHECK(registry.refusals().empty());
    CHECK(registry.action("run_command"));
    CHECK(registry.alertChannel("log"));
    for (const char* condition :
         {"build_failure", "resource_exhaustion", "minor_corruption", "system_error"})
        CHECK(registry.condition(condition));
    CHECK(registry.failureClasses("build_failure").size() == 8);
}

TEST_CASE("an exception thrown by an action becomes a failed result")
{
    PluginRegistry registry;
    lfsw::test::loadStockAndRecorder(registry);
    auto action = registry.action("throw_in_action");
    REQUIRE(action);
    lfsw::Config config = lfsw::Config::builtIn();
    lfsw::Event event;
    event.condition = "system_error";
    lfsw::test::TempDirectory state;
    lfsw::testing::RecordingBuildControl build;
    lfsw::HostContext context(config, event, {}, 1, state.path(), build, "test");
    auto result = action->run(context);
    CHECK(std::string(lfsw::statusName(result.status())) == "failed");
    CHECK(result.message() ==
          "action throw_in_action (plugin recorder) threw: boom from the plugin");
}

TEST_CASE("an action keeps its plugin loaded after the registry is gone")
{
    std::shared_ptr<lfsw::Action> action;
    {
        PluginRegistry registry;
        PluginLoader({}, {}).loadFile(testPluginDirectory() / "recorder.so", registry);
        action = registry.action("nothing_to_do");
    }
    REQUIRE(action);
    // Calling into the plugin's code would crash if its library had been unloaded.
    CHECK(action->description() == "is never applicable");
}

TEST_CASE("world-writable plugin files and directories are refused")
{
    lfsw::test::TempDirectory directory;
    const auto copy = directory.path() / "recorder.so";
    std::filesystem::copy_file(testPluginDirectory() / "recorder.so", copy);

    ::chmod(copy.c_str(), 0757);
    {
        PluginRegistry registry;
        PluginLoader({directory.path()}, {}).loadInto(registry);
        CHECK(refusalFor(registry, "recorder.so").find(copy.string() + " is world-writable") !=
              std::string::npos);
        CHECK(registry.plugins().empty());
    }
    ::chmod(copy.c_str(), 0755);
    ::chmod(directory.path().c_str(), 0777);
    {
        PluginRegistry registry;
        PluginLoader({directory.path()}, {}).loadInto(registry);
        REQUIRE(registry.refusals().size() == 1);
        CHECK(registry.refusals()[0].find("plugin directory refused: " + directory.path().string() +
                                          " is world-writable") != std::string::npos);
        CHECK(registry.plugins().empty());
    }
    ::chmod(directory.path().c_str(), 0700);
    {
        PluginRegistry registry;
        PluginLoader({directory.path()}, {}).loadInto(registry);
        CHECK(registry.refusals().empty());
        CHECK(loaded(registry, "recorder"));
    }
}

TEST_CASE("plugins.enable and plugins.disable select plugins by name")
{
    PluginRegistry onlyRecorder;
    PluginLoader({testPluginDirectory()}, {{"recorder"}, {}}).loadInto(onlyRecorder);
    CHECK(onlyRecorder.plugins().size() == 1);

    PluginRegistry withoutRecorder;
    PluginLoader({testPluginDirectory()}, {{}, {"recorder"}}).loadInto(withoutRecorder);
    CHECK_FALSE(loaded(withoutRecorder, "recorder"));
    CHECK(loaded(withoutRecorder, "zz_duplicate_action")); // nothing clashes with it now
}

TEST_CASE("the registry takes a name of each kind once")
{
    PluginRegistry registry;
    registry.addCondition({"twice", "a condition", {}, "first"});
    CHECK_THROWS_WITH_AS(registry.addCondition({"twice", "again", {}, "second"}),
                         "condition 'twice' of plugin 'second' is already provided by plugin "
                         "'first'",
                         std::logic_error);
    CHECK(registry.condition("twice")->description == "a condition");
}
