// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include <lfsw/build_control.h>

namespace lfsw::test {

// A BuildControl that records what actions asked of it.
class FakeBuildControl final : public BuildControl
{
public:
    bool supervising() const override { return supervisingValue; }
    Result stopBuild(bool force) override
    {
        calls.push_back(force ? "stop --force" : "stop");
        return Result::done("stopped");
    }
    Result restartStep() override
    {
        calls.push_back("restart");
        return Result::done("restarts");
    }
    StepLimits limits() const override { return current; }
    void adjustLimits(const StepLimits& limits, const std::string& reason) override
    {
        current = limits;
        calls.push_back("adjust: " + reason);
    }

    Result createCheckpoint(const std::string& name) override
    {
        calls.push_back("checkpoint " + name);
        return Result::done();
    }
    Result restoreCheckpoint(const std::string& selector) override
    {
        calls.push_back("restore " + selector);
        return Result::done();
    }
    Result cleanEnvironment(bool revert) override
    {
        calls.push_back(revert ? "clean --revert" : "clean");
        return Result::done();
    }

    Result freeResources() override
    {
        calls.push_back("free resources");
        return Result::done("freed 0 B");
    }

    Result repairFromBackup(const std::vector<std::string>& paths) override
    {
        std::string text = "repair";
        for (const auto& path : paths)
            text += " " + path;
        calls.push_back(text);
        return Result::done();
    }

    bool supervisingValue = true;
    StepLimits current{8, 0};
    std::vector<std::string> calls;
};

} // namespace lfsw::test
