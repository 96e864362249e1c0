// SPDX-License-Identifier: MIT
#include "build/remote_build_control.h"

#include <csignal>
#include <thread>

#include <unistd.h>

#include <lfsw/units.h>

#include "base/counted.h"
#include "base/pid_lock.h"
#include "base/process_table.h"
#include "build/build_journal.h"
#include "build/build_tree.h"
#include "build/reclaimer.h"
#include "build/supervisor.h"
#include "config/config.h"
#include "store/backup_repository.h"

namespace lfsw {

RemoteBuildControl::RemoteBuildControl(const Config& config, BuildJournal& journal,
                                       std::filesystem::path stateDirectory)
    : config_(config), journal_(journal), stateDirectory_(std::move(stateDirectory))
{
}

bool RemoteBuildControl::buildRunning() const
{
    auto run = journal_.latestRun();
    return run && run->state == "running" && supervisorAlive(run->supervisorPid);
}

bool RemoteBuildControl::supervisorAlive(pid_t pid) const
{
    return PidLock::heldBy(stateDirectory_ / Supervisor::kLockFileName, pid);
}

Result RemoteBuildControl::createCheckpoint(const std::string& name)
{
    BuildTree tree(config_, stateDirectory_);
    return tree.createCheckpoint(name, false, nullptr);
}

Result RemoteBuildControl::restoreCheckpoint(const std::string& selector)
{
    if (buildRunning())
        return Result::failed("a build is running; stop it first (lfs-wrapper build stop)");
    BuildTree tree(config_, stateDirectory_);
    return tree.restore(selector, nullptr);
}

Result RemoteBuildControl::repairFromBackup(const std::vector<std::string>& paths)
{
    if (paths.empty())
        return Result::notApplicable("the event names no damaged paths");
    try {
        BackupRepository repository(config_, stateDirectory_);
        return Result::done(repository.repair(paths, journal_.database()));
    } catch (const std::exception& e) {
        return Result::failed(e.what());
    }
}

Result RemoteBuildControl::freeResources()
{
    Reclaimer reclaimer(config_, stateDirectory_);
    auto items = reclaimer.caches();
    std::string kept;
    // The store and the logs belong to a running build; the scratch
    // directories (unpacked sources) also to one that can be resumed.
    if (!buildRunning()) {
        BuildTree tree(config_, stateDirectory_);
        auto run = journal_.latestRun();
        const bool resumable = run && run->state != "done";
        for (auto more : {resumable ? std::vector<ReclaimedItem>() : reclaimer.scratch(tree),
                          reclaimer.oldStepLogs(journal_), reclaimer.temporaryFiles(),
                          reclaimer.storeObjects(tree)})
            items.insert(items.end(), more.begin(), more.end());
        if (resumable)
            kept = "; build " + std::to_string(run->id) + " can be resumed (" + run->state +
                   "): its scratch directories stay";
    }
    if (Reclaimer::total(items) == 0)
        return Result::notApplicable(Reclaimer::describe(items) + kept);
    return Result::done(Reclaimer::describe(items) + kept);
}

Result RemoteBuildControl::cleanEnvironment(bool revert)
{
    if (buildRunning())
        return Result::failed("a build is running; stop it first (lfs-wrapper build stop)");
    BuildTree tree(config_, stateDirectory_);
    auto scratch = tree.cleanScratch();
    if (!revert)
        return scratch;
    auto restored = tree.restore("last-good", nullptr);
    if (!restored.ok())
        return restored;
    return Result::done(scratch.message() + "; " + restored.message());
}

StepLimits RemoteBuildControl::configuredLimits(const Config& config)
{
    StepLimits limits;
    limits.jobs = static_cast<int>(config.integer("resources.limits.jobs"));
    if (limits.jobs <= 0)
        limits.jobs = std::max(1, static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN)));
    limits.memoryBytes = parseSize(config.string("resources.limits.memory")).value_or(0);
    return limits;
}

Result RemoteBuildControl::stopBuild(bool force)
{
    auto run = journal_.latestRun();
    if (!run || run->state != "running")
        return Result::notApplicable("no build is running");
    const auto grace = *parseDuration(config_.string("build.stop_grace"));
    if (supervisorAlive(run->supervisorPid)) {
        journal_.requestStop(run->id, force ? "force" : "graceful");
        if (!PidLock::signalHolder(stateDirectory_ / Supervisor::kLockFileName, run->supervisorPid,
                                   SIGUSR1))
            return Result::failed("the supervisor (pid " + std::to_string(run->supervisorPid) +
                                  ") ended before it could be asked to stop");
        // The supervisor records the step as stopped and the run as ended.
        const auto deadline = std::chrono::steady_clock::now() + grace + std::chrono::seconds(15);
        while (std::chrono::steady_clock::now() < deadline) {
            auto now = journal_.latestRun();
            if (!now || now->id != run->id || now->state != "running")
                return Result::done("build " + std::to_string(run->id) + " stopped");
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return Result::failed("the supervisor (pid " + std::to_string(run->supervisorPid) +
                              ") did not stop the build within " +
                              formatDuration(grace + std::chrono::seconds(15)));
    }
    // The supervisor is gone: end what its step left behind, and say so.
    int ended = 0;
    for (const auto& step : journal_.steps(run->id))
        if (step.state == "running" && step.pgid > 0)
            ended +=
                ProcessTable::terminate(0, step.pgid, force ? std::chrono::milliseconds(0) : grace);
    journal_.resumeRun(run->id, 0);
    journal_.setRunState(run->id, "interrupted",
                         "its supervisor had died; " +
                             counted(ended, "leftover process", "leftover processes") +
                             " ended by build stop");
    return Result::done("the supervisor had died; ended " +
                        counted(ended, "leftover process", "leftover processes"));
}

Result RemoteBuildControl::restartStep()
{
    return Result::notApplicable("no build is being supervised here; restart it with "
                                 "lfs-wrapper build resume");
}

StepLimits RemoteBuildControl::limits() const
{
    return journal_.adjustedLimits().value_or(configuredLimits(config_));
}

void RemoteBuildControl::adjustLimits(const StepLimits& limits, const std::string& reason)
{
    journal_.recordLimits(limits, reason);
}

} // namespace lfsw
