// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "build/failure_classifier.h"

using lfsw::FailureClassifier;
using lfsw::StepEnding;

namespace {

std::vector<std::string> readLines(const std::string& file)
{
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

} // namespace

TEST_CASE("captured logs of real gcc, make, configure, test-suite, curl and shell failures")
{
    const std::string directory = LFSW_SOURCE_ROOT "/tests/fixtures/failure-logs/";
    std::ifstream expected(directory + "expected.txt");
    REQUIRE(expected);
    int checked = 0;
    for (std::string line; std::getline(expected, line);) {
        if (line.empty() || line[0] == '#')
            continue;
        std::istringstream fields(line);
        std::string file, condition, failureClass;
        int exitStatus = 0;
        fields >> file >> exitStatus >> condition >> failureClass;
        const auto log = readLines(directory + file);
        REQUIRE_MESSAGE(!log.empty(), file);
        StepEnding ending;
        ending.exitStatus = exitStatus;
        auto result = FailureClassifier::classify(ending, log);
        INFO(file);
        CHECK(result.condition == condition);
        CHECK(result.failureClass == failureClass);
        REQUIRE_FALSE(result.evidence.empty());
        // Evidence lines carry their real line numbers in the log.
        for (const auto& evidence : result.evidence)
            CHECK(log.at(static_cast<std::size_t>(evidence.line - 1)) == evidence.text);
        ++checked;
    }
    CHECK(checked == 9);
}

TEST_CASE("the first evidence of a compile error is the compiler's error line")
{
    const auto log =
        readLines(LFSW_SOURCE_ROOT "/tests/fixtures/failure-logs/gcc-make-compile-error.log");
    auto result = FailureClassifier::classify({2, 0, false, {}, {}}, log);
    REQUIRE(result.evidence.size() >= 2);
    CHECK(result.evidence[0].line == 3);
    CHECK(result.evidence[0].text == "hello.c:5:5: error: expected ‘,’ or ‘;’ before ‘printf’");
}

TEST_CASE("SIGKILL is out of memory only with OOM evidence")
{
    StepEnding killed;
    killed.signal = SIGKILL;
    auto plain = FailureClassifier::classify(killed, {"compiling..."});
    CHECK(plain.condition == "build_failure");
    CHECK(plain.failureClass == "killed");

    killed.kernelLines = {"Out of memory: Killed process 4242 (cc1plus) total-vm:9000000kB"};
    auto oom = FailureClassifier::classify(killed, {"compiling..."});
    CHECK(oom.condition == "resource_exhaustion");
    CHECK(oom.failureClass == "memory");
    CHECK(oom.evidence.at(0).text.find("Killed process 4242") != std::string::npos);

    StepEnding cgroup;
    cgroup.signal = SIGKILL;
    cgroup.cgroupOomKill = "/sys/fs/cgroup/lfsw-step-1-1-1/memory.events: oom_kill 1";
    CHECK(FailureClassifier::classify(cgroup, {}).failureClass == "memory");
    // make exits 2 when its cc1 was OOM-killed in the step's cgroup.
    StepEnding viaMake;
    viaMake.exitStatus = 2;
    viaMake.cgroupOomKill = "/sys/fs/cgroup/lfsw-step-1-1-1/memory.events: oom_kill 1";
    const auto fromMake = FailureClassifier::classify(
        viaMake, {"gcc: fatal error: Killed signal terminated program cc1"});
    CHECK(fromMake.condition == "resource_exhaustion");
    CHECK(fromMake.failureClass == "memory");
    REQUIRE_FALSE(fromMake.evidence.empty());
    CHECK(fromMake.evidence.front().text ==
          "cgroup /sys/fs/cgroup/lfsw-step-1-1-1/memory.events: oom_kill 1");
}

TEST_CASE("a timeout wins over what the log says; an unrecognised failure is unknown")
{
    StepEnding timedOut;
    timedOut.timedOut = true;
    timedOut.signal = SIGTERM;
    CHECK(FailureClassifier::classify(timedOut, {"x.c:1:1: error: boom"}).failureClass ==
          "timeout");
    CHECK(FailureClassifier::classify({1, 0, false, {}, {}}, {"something odd"}).failureClass ==
          "unknown");
}

TEST_CASE("a huge log is read from its tail, with line numbers from the start of the file")
{
    const auto file = std::filesystem::temp_directory_path() / "lfsw-classifier-huge.log";
    {
        std::ofstream out(file);
        for (int i = 0; i < 200000; ++i) // 200000 lines of 40 bytes: 8 MB, twice the tail
            out << "checking for something unimportant.....\n";
        out << "big.c:7:3: error: 'x' undeclared\n";
    }
    auto result = FailureClassifier::classifyLog({2, 0, false, {}, {}}, file);
    std::filesystem::remove(file);
    CHECK(result.failureClass == "compile_error");
    REQUIRE(result.evidence.size() == 1);
    CHECK(result.evidence[0].line == 200001);
    CHECK(result.evidence[0].text == "big.c:7:3: error: 'x' undeclared");
}
