// SPDX-License-Identifier: MIT
#include <lfsw/testing.h>

#include <cstdlib>
#include <stdexcept>

#include "config/config.h"

namespace lfsw::testing {

namespace {

std::string joined(const std::vector<std::string>& items)
{
    std::string text;
    for (const auto& item : items)
        text += " " + item;
    return text;
}

} // namespace

Result RecordingBuildControl::stopBuild(bool force)
{
    calls.push_back(force ? "stop --force" : "stop");
    return Result::done();
}

Result RecordingBuildControl::restartStep()
{
    calls.push_back("restart");
    return supervisingValue ? Result::done() : Result::notApplicable("no build is supervised");
}

void RecordingBuildControl::adjustLimits(const StepLimits& limits, const std::string&)
{
    calls.push_back("limits " + std::to_string(limits.jobs) + " " +
                    std::to_string(limits.memoryBytes));
    currentLimits = limits;
}

Result RecordingBuildControl::createCheckpoint(const std::string& name)
{
    calls.push_back("checkpoint " + name);
    return Result::done();
}

Result RecordingBuildControl::restoreCheckpoint(const std::string& selector)
{
    calls.push_back("restore " + selector);
    return Result::done();
}

Result RecordingBuildControl::cleanEnvironment(bool revert)
{
    calls.push_back(revert ? "clean --revert" : "clean");
    return Result::done();
}

Result RecordingBuildControl::freeResources()
{
    calls.push_back("free resources");
    return Result::done();
}

Result RecordingBuildControl::repairFromBackup(const std::vector<std::string>& paths)
{
    calls.push_back("repair" + joined(paths));
    return Result::done();
}

// The Context the harness hands out: the config's settings, the harness's
// fields, and log records kept for the test.
class HarnessContext final : public Context
{
public:
    HarnessContext(Harness& harness, const Config& config, const std::filesystem::path& state,
                   std::vector<LogEntry>& logs)
        : harness_(harness), config_(config), state_(state), logs_(logs)
    {
    }

    const Event& event() const override { return harness_.event; }
    const Params& params() const override { return harness_.params; }
    int attempt() const override { return harness_.attempt; }
    std::filesystem::path stateDirectory() const override { return state_; }
    std::filesystem::path buildRoot() const override { return config_.buildRoot(); }
    std::optional<std::string> setting(std::string_view key) const override
    {
        return config_.setting(std::string(key));
    }
    std::vector<std::string> settingList(std::string_view key) const override
    {
        return config_.settingList(std::string(key));
    }
    std::map<std::string, std::string> settingMap(std::string_view key) const override
    {
        return config_.settingMap(std::string(key));
    }
    BuildControl& build() override { return harness_.build; }
    void log(LogLevel level, std::string_view message) override
    {
        logs_.push_back({level, std::string(message)});
    }

private:
    Harness& harness_;
    const Config& config_;
    std::filesystem::path state_;
    std::vector<LogEntry>& logs_;
};

struct Harness::State {
    std::filesystem::path directory;
    std::optional<Config> config;
    std::vector<LogEntry> logs;
    std::unique_ptr<HarnessContext> context;
};

Harness::Harness(const std::string& configYaml) : state_(std::make_unique<State>())
{
    std::string pattern = (std::filesystem::temp_directory_path() / "lfsw-harness-XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
        throw std::runtime_error("cannot make a temporary state directory");
    state_->directory = pattern;
    state_->config = Config::fromString(configYaml, "test config");
    if (!state_->config->problems().empty()) {
        std::filesystem::remove_all(state_->directory);
        throw std::invalid_argument(formatDiagnostics(state_->config->problems()));
    }
}

Harness::~Harness()
{
    std::error_code ignored;
    std::filesystem::remove_all(state_->directory, ignored);
}

Context& Harness::context()
{
    if (!state_->context)
        state_->context = std::make_unique<HarnessContext>(*this, *state_->config,
                                                           state_->directory, state_->logs);
    return *state_->context;
}

const std::vector<LogEntry>& Harness::logs() const
{
    return state_->logs;
}

bool Harness::logged(const std::string& text) const
{
    for (const auto& entry : state_->logs)
        if (entry.message.find(text) != std::string::npos)
            return true;
    return false;
}

const std::filesystem::path& Harness::stateDirectory() const
{
    return state_->directory;
}

} // namespace lfsw::testing
