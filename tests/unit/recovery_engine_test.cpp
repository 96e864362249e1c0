// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <fstream>

#include "plugin/config_references.h"
#include "recovery/alert_courier.h"
#include "recovery/alert_dispatcher.h"
#include "recovery/recovery_engine.h"
#include "state/state_database.h"
#include "state/state_error.h"
#include "temp_directory.h"
#include "test_plugins.h"
#include <lfsw/testing.h>

using lfsw::RecoveryOutcome;

namespace {

// An engine over a fresh state directory and a config from text.
struct Fixture {
    explicit Fixture(const std::string& yaml, const std::filesystem::path& stateDir)
        : config(lfsw::Config::fromString(yaml, "test.yaml")), database(stateDir, true),
          alerts(config, registry, database, stateDir),
          engine(config, registry, database, alerts, stateDir)
    {
        lfsw::test::loadStockAndRecorder(registry);
        REQUIRE(config.problems().empty());
        REQUIRE(checkReferences(config, registry).empty());
    }

    lfsw::PluginRegistry registry;
    lfsw::Config config;
    lfsw::StateDatabase database;
    lfsw::AlertDispatcher alerts;
    lfsw::RecoveryEngine engine;
    lfsw::testing::RecordingBuildControl build;
};

std::vector<std::string> lines(const std::filesystem::path& file)
{
    std::ifstream in(file);
    std::vector<std::string> result;
    for (std::string line; std::getline(in, line);)
        result.push_back(line);
    return result;
}

std::string chainYaml(const std::filesystem::path& record, const std::string& middle,
                      int maxAttempts = 3)
{
    return "auto_recovery:\n  max_attempts: " + std::to_string(maxAttempts) +
           "\nrecovery_actions:\n  build_failure:\n"
           "    - record: {file: " +
           record.string() +
           ", label: first}\n"
           "    - " +
           middle +
           "\n"
           "    - record: {file: " +
           record.string() + ", label: third}\n";
}

lfsw::Event buildFailure(const std::string& step = "gcc-pass1")
{
    lfsw::Event event;
    event.condition = "build_failure";
    event.step = step;
    return event;
}

} // namespace

TEST_CASE("actions run in order and every start and end is journaled")
{
    lfsw::test::TempDirectory dir;
    const auto record = dir.path() / "calls";
    Fixture f(chainYaml(record, "nothing_to_do"), dir.path());
    auto outcome = f.engine.run(buildFailure(), f.build);
    CHECK(outcome.status == RecoveryOutcome::Status::Recovered);
    CHECK(outcome.attempt == 1);
    CHECK(lines(record) ==
          std::vector<std::string>{"first attempt=1 condition=build_failure step=gcc-pass1",
                                   "third attempt=1 condition=build_failure step=gcc-pass1"});

    auto journal = f.database.prepare(
        "SELECT position, action, result, ended_at IS NOT NULL FROM recovery_journal ORDER BY id");
    std::vector<std::string> rows;
    while (journal.step())
        rows.push_back(std::to_string(journal.integer(0)) + " " + journal.text(1) + " " +
                       journal.text(2) + " " + std::to_string(journal.integer(3)));
    CHECK(rows == std::vector<std::string>{"1 record done 1", "2 nothing_to_do not-applicable 1",
                                           "3 record done 1"});
}

TEST_CASE("the chain stops at the first failed action")
{
    lfsw::test::TempDirectory dir;
    const auto record = dir.path() / "calls";
    Fixture f(chainYaml(record, "always_fail"), dir.path());
    auto outcome = f.engine.run(buildFailure(), f.build);
    CHECK(outcome.status == RecoveryOutcome::Status::Failed);
    CHECK(outcome.message == "always_fail: failed on purpose");
    CHECK(lines(record).size() == 1); // "third" never ran
    auto attempt = f.database.prepare("SELECT outcome FROM recovery_attempt");
    REQUIRE(attempt.step());
    CHECK(attempt.text(0) == "failed");
}

TEST_CASE("an action that throws fails the chain and the host goes on")
{
    lfsw::test::TempDirectory dir;
    const auto record = dir.path() / "calls";
    Fixture f(chainYaml(record, "throw_in_action"), dir.path());
    auto outcome = f.engine.run(buildFailure(), f.build);
    CHECK(outcome.status == RecoveryOutcome::Status::Failed);
    CHECK(outcome.message.find("threw: boom from the plugin") != std::string::npos);
}

TEST_CASE("attempts are persisted and exhausted exactly at max_attempts, per step")
{
    lfsw::test::TempDirectory dir;
    const auto record = dir.path() / "calls";
    const std::string yaml = chainYaml(record, "always_fail", 2);
    {
        Fixture first(yaml, dir.path());
        CHECK(first.engine.run(buildFailure(), first.build).attempt == 1);
    }
    {
        // A second engine on the same state directory, as a second process would be.
        Fixture second(yaml, dir.path());
        CHECK(second.engine.attemptsUsed("build_failure", "gcc-pass1") == 1);
        auto outcome = second.engine.run(buildFailure(), second.build);
        CHECK(outcome.status == RecoveryOutcome::Status::Failed);
        CHECK(outcome.attempt == 2);
        auto refused = second.engine.run(buildFailure(), second.build);
        CHECK(refused.status == RecoveryOutcome::Status::Exhausted);
        CHECK(refused.message.find("all 2 recovery attempts for build_failure in step "
                                   "'gcc-pass1' are used up") != std::string::npos);
        CHECK(lines(record).size() == 2); // the refused attempt ran nothing

        // Another step has its own counter.
        CHECK(second.engine.run(buildFailure("binutils"), second.build).attempt == 1);
        // Success of the step (or recovery reset) clears it.
        second.engine.resetAttempts("", "gcc-pass1");
        CHECK(second.engine.run(buildFailure(), second.build).attempt == 1);
    }
}

TEST_CASE("alerts go to the configured channels for trigger conditions and are recorded")
{
    lfsw::test::TempDirectory dir;
    const auto record = dir.path() / "calls";
    Fixture f(chainYaml(record, "always_fail") +
                  "alerts:\n  methods: [log]\n  triggers: [build_failure]\n",
              dir.path());
    f.engine.run(buildFailure(), f.build);
    // Delivery runs on the courier's thread: wait for it.
    REQUIRE(f.alerts.courier().drain(std::chrono::seconds(10)));
    auto sent = f.database.prepare("SELECT channel, condition, subject, result FROM alert_sent");
    REQUIRE(sent.step());
    CHECK(sent.text(0) == "log");
    CHECK(sent.text(1) == "build_failure");
    CHECK(sent.text(2) == "build_failure in step 'gcc-pass1': recovery failed (attempt 1/3)");
    CHECK(sent.text(3) == "done");
}

TEST_CASE("the state database is created in WAL mode at the latest schema version")
{
    lfsw::test::TempDirectory dir;
    lfsw::StateDatabase database(dir.path(), true);
    CHECK(database.schemaVersion() == lfsw::StateDatabase::latestVersion());
    auto mode = database.prepare("PRAGMA journal_mode");
    REQUIRE(mode.step());
    CHECK(mode.text(0) == "wal");
    CHECK_THROWS_AS(lfsw::StateDatabase(dir.path() / "missing", false), lfsw::StateError);
}
