// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <lfsw/build_control.h>
#include <lfsw/context.h>
#include <lfsw/event.h>
#include <lfsw/export.h>
#include <lfsw/log_level.h>
#include <lfsw/params.h>

namespace lfsw::testing {

// What an action asked of the build, in order ("stop", "restart",
// "checkpoint NAME", "restore SELECTOR", "clean", "free resources",
// "repair PATH...", "limits JOBS MEMORY").
class LFSW_EXPORT RecordingBuildControl final : public BuildControl
{
public:
    bool supervising() const override { return supervisingValue; }
    Result stopBuild(bool force) override;
    Result restartStep() override;
    StepLimits limits() const override { return currentLimits; }
    void adjustLimits(const StepLimits& limits, const std::string& reason) override;
    Result createCheckpoint(const std::string& name) override;
    Result restoreCheckpoint(const std::string& selector) override;
    Result cleanEnvironment(bool revert) override;
    Result freeResources() override;
    Result repairFromBackup(const std::vector<std::string>& paths) override;

    bool supervisingValue = true;
    StepLimits currentLimits{4, 0};
    std::vector<std::string> calls;
};

// One record an action or channel logged through Context::log.
struct LogEntry {
    LogLevel level;
    std::string message;
};

// Runs a plugin's action or alert channel without the host: a temporary
// state directory (removed at the end), a config from YAML text validated
// like the host's (a bad one throws std::invalid_argument with its
// FILE:LINE:COLUMN problems), an event and parameters of the test's
// choosing, a BuildControl that records what it was asked, and the log
// records to assert on.
//
//   lfsw::testing::Harness harness("resources:\n  reclaim: [/tmp/cache]\n");
//   harness.event.condition = "resource_exhaustion";
//   auto result = MyAction().run(harness.context());
//   CHECK(result.status() == lfsw::Result::Status::Done);
//   CHECK(harness.logged("trimmed"));
class LFSW_EXPORT Harness
{
public:
    explicit Harness(const std::string& configYaml = "");
    ~Harness();
    Harness(const Harness&) = delete;
    Harness& operator=(const Harness&) = delete;

    Event event;
    Params params;
    int attempt = 1;
    RecordingBuildControl build;

    // A Context over the fields above, as they are when it is used.
    Context& context();
    const std::vector<LogEntry>& logs() const;
    // Whether any record contains `text`.
    bool logged(const std::string& text) const;
    const std::filesystem::path& stateDirectory() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace lfsw::testing
