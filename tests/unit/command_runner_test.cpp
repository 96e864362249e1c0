// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <thread>

#include <lfsw/command_runner.h>

#include "temp_directory.h"

using namespace std::chrono_literals;

TEST_CASE("output lines, exit status and environment")
{
    lfsw::CommandRunner::Options options;
    options.environment["LFSW_TEST_VALUE"] = "hello";
    std::vector<std::string> lines;
    auto outcome = lfsw::CommandRunner().run(
        "echo $LFSW_TEST_VALUE; echo err >&2; printf tail; exit 3", options,
        [&](std::string_view line) { lines.emplace_back(line); });
    CHECK(outcome.started);
    CHECK(outcome.exitStatus == 3);
    CHECK_FALSE(outcome.succeeded());
    CHECK(outcome.summary() == "exited with status 3");
    CHECK(lines == std::vector<std::string>{"hello", "err", "tail"});
}

TEST_CASE("a signal is reported by name")
{
    auto outcome = lfsw::CommandRunner().run("kill -KILL $$", {}, nullptr);
    CHECK(outcome.signal == SIGKILL);
    CHECK(outcome.summary() == "killed by signal 9 (SIGKILL)");
}

TEST_CASE("a timeout ends the whole process group, even a child that ignores SIGTERM")
{
    lfsw::test::TempDirectory dir;
    const auto pidFile = dir.path() / "child.pid";
    lfsw::CommandRunner::Options options;
    options.timeout = 1s;
    options.grace = 300ms;
    auto outcome =
        lfsw::CommandRunner().run("sh -c 'trap \"\" TERM; echo $$ > " + pidFile.string() +
                                      "; while :; do sleep 0.1; done' & wait",
                                  options, nullptr);
    CHECK(outcome.timedOut);
    CHECK(outcome.summary() == "timed out after 1s");
    std::ifstream in(pidFile);
    pid_t child = 0;
    in >> child;
    REQUIRE(child > 0);
    // The child ignoring SIGTERM got SIGKILL after the grace period.
    bool gone = false;
    for (int i = 0; i < 50 && !gone; ++i) {
        // Gone, or a zombie waiting for a parent that does not reap (PID 1 in a container).
        std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
        std::string pid, command, state;
        gone = !(stat >> pid >> command >> state) || state == "Z";
        std::this_thread::sleep_for(20ms);
    }
    CHECK(gone);
}

TEST_CASE("a missing working directory is reported")
{
    lfsw::CommandRunner::Options options;
    options.workdir = "/nonexistent/dir";
    std::vector<std::string> lines;
    auto outcome = lfsw::CommandRunner().run(
        "true", options, [&](std::string_view line) { lines.emplace_back(line); });
    CHECK(outcome.exitStatus == 127);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == "lfs-wrapper: cannot change to the working directory /nonexistent/dir: No "
                      "such file or directory");
}

TEST_CASE("inheritOnly passes on the listed variables and withholds the secret ones")
{
    ::setenv("LFSW_TEST_KEPT", "kept", 1);
    ::setenv("LFSW_TEST_SECRET", "secret", 1);
    ::setenv("CLOUD_TOKEN_FOR_TEST", "token", 1);
    lfsw::CommandRunner::Options options;
    options.inheritOnly = std::vector<std::string>{"PATH", "LFSW_*"};
    options.withheld = {"LFSW_TEST_SECRET"};
    options.environment["ADDED"] = "added";
    std::vector<std::string> lines;
    auto outcome = lfsw::CommandRunner().run(
        "env | sort", options, [&](std::string_view line) { lines.emplace_back(line); });
    CHECK(outcome.succeeded());
    auto has = [&](const std::string& line) {
        return std::find(lines.begin(), lines.end(), line) != lines.end();
    };
    CHECK(has("LFSW_TEST_KEPT=kept"));
    CHECK(has("ADDED=added"));
    CHECK_FALSE(has("LFSW_TEST_SECRET=secret"));
    CHECK_FALSE(has("CLOUD_TOKEN_FOR_TEST=token"));
    CHECK(std::any_of(lines.begin(), lines.end(),
                      [](const std::string& l) { return l.rfind("PATH=", 0) == 0; }));
    CHECK_FALSE(std::any_of(lines.begin(), lines.end(),
                            [](const std::string& l) { return l.rfind("HOME=", 0) == 0; }));
}

TEST_CASE("containProcesses ends what left the group and the session, and keeps the status")
{
    lfsw::CommandRunner::Options options;
    options.containProcesses = true;
    std::vector<std::string> lines;
    // setsid puts the sleep in a session of its own, out of the group; the
    // subshell exits at once, so the sleep is an orphan.
    auto outcome = lfsw::CommandRunner().run(
        "(setsid sleep 3171 & echo $! ) ; exit 3",
        options, [&](std::string_view line) { lines.emplace_back(line); });
    CHECK(outcome.exitStatus == 3);
    REQUIRE(lines.size() == 1);
    const std::string proc = "/proc/" + lines[0];
    bool gone = false;
    for (int i = 0; i < 100 && !gone; ++i) {
        std::ifstream stat(proc + "/stat");
        std::string pid, command, state;
        gone = !(stat >> pid >> command >> state) || state == "Z";
        std::this_thread::sleep_for(20ms);
    }
    CHECK(gone);
    auto killed = lfsw::CommandRunner().run("kill -9 $$", options, nullptr);
    CHECK(killed.signal == SIGKILL);
}
