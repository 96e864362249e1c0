// SPDX-License-Identifier: MIT
#include "build_driver.h"

#include <iostream>

#include <lfsw/command_runner.h>

int BuildDriver::run(const std::vector<DriverStep>& steps)
{
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const auto& step = steps[i];
        int exitStatus = 0;
        if (runStep(step, exitStatus)) {
            workspace_.stepSucceeded(step.name);
            const auto checkpoint = workspace_.checkpoint(step.name);
            std::cout << "step " << step.name << ": done; " << checkpoint.message() << "\n";
            if (checkpoint.status() == lfsw::Result::Status::Failed)
                return 1;
            continue;
        }
        std::cout << "step " << step.name << ": failed with status " << exitStatus << "\n";
        lfsw::Event event;
        event.condition = "build_failure";
        event.step = step.name;
        event.evidence["exit_status"] = std::to_string(exitStatus);
        restartRequested_ = false;
        const auto report = workspace_.recover(event, *this);
        switch (report.status) {
        case lfsw::RecoveryReport::Status::Recovered:
            std::cout << "recovery " << report.chain << " attempt " << report.attempt << "/"
                      << report.maxAttempts << ": recovered\n";
            break;
        case lfsw::RecoveryReport::Status::Exhausted:
            std::cout << "recovery " << report.chain << ": attempts used up (" << report.attempt
                      << "/" << report.maxAttempts << ")\n";
            return 1;
        default:
            std::cout << "recovery " << report.chain << ": " << report.message << "\n";
            return 1;
        }
        if (!restartRequested_) {
            std::cout << "the chain did not restart the step: stopping\n";
            return 1;
        }
        --i; // the chain asked for the step again
    }
    return 0;
}

bool BuildDriver::runStep(const DriverStep& step, int& exitStatus) const
{
    lfsw::CommandRunner::Options options;
    options.workdir = workspace_.buildRoot();
    options.environment = {{"LFS", workspace_.buildRoot().string()},
                           {"MAKEFLAGS", "-j" + std::to_string(limits_.jobs)}};
    const auto outcome =
        lfsw::CommandRunner().run(step.command, options, [&](std::string_view line) {
            std::cout << "  " << step.name << "| " << line << "\n";
        });
    exitStatus = outcome.started ? outcome.exitStatus : -1;
    return outcome.succeeded();
}

lfsw::Result BuildDriver::stopBuild(bool)
{
    // Steps run in the foreground: once recovery runs, nothing is left running.
    return lfsw::Result::done("no step is running");
}

lfsw::Result BuildDriver::restartStep()
{
    restartRequested_ = true;
    return lfsw::Result::done("the step runs again");
}

void BuildDriver::adjustLimits(const lfsw::StepLimits& limits, const std::string& reason)
{
    limits_ = limits;
    std::cout << "limits: " << limits.jobs << " jobs (" << reason << ")\n";
}

lfsw::Result BuildDriver::createCheckpoint(const std::string& name)
{
    return workspace_.checkpoint(name, false);
}

lfsw::Result BuildDriver::restoreCheckpoint(const std::string& selector)
{
    return workspace_.restore(selector);
}

lfsw::Result BuildDriver::cleanEnvironment(bool revert)
{
    return revert ? workspace_.restore("last-good")
                  : lfsw::Result::notApplicable("this driver keeps no scratch directories");
}

lfsw::Result BuildDriver::freeResources()
{
    return lfsw::Result::notApplicable("this driver has nothing to free");
}

lfsw::Result BuildDriver::repairFromBackup(const std::vector<std::string>&)
{
    return lfsw::Result::notApplicable("this driver keeps no backups");
}
