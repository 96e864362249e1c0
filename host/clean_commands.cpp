// SPDX-License-Identifier: MIT
// clean build | cache | system
#include <iostream>

#include <lfsw/units.h>

#include "build/build_tree.h"
#include "build/reclaimer.h"
#include "checkpoint_access.h"
#include "command.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

int cleanBuild(Session& session, const po::variables_map&)
{
    if (session.buildRunning())
        return refuseWhileRunning("clean build");
    BuildTree tree(session.config(), session.stateDirectory());
    auto result = tree.cleanScratch();
    std::cout << result.message() << "\n";
    std::cout << "checkpoints kept: " << tree.store().list().size() << "\n";
    return !result.ok() ? kExitFailed : kExitOk;
}

void printReclaimed(const std::vector<ReclaimedItem>& items)
{
    for (const auto& item : items)
        std::cout << "  " << item.what << " " << item.path << ": "
                  << (item.problem.empty() ? formatBytes(item.bytes) : item.problem) << "\n";
    std::cout << "freed " << formatBytes(Reclaimer::total(items)) << "\n";
}

int failedIfRefused(const std::vector<ReclaimedItem>& items)
{
    for (const auto& item : items)
        if (item.problem.rfind("refused", 0) == 0)
            return kExitFailed;
    return kExitOk;
}

int cleanCache(Session& session, const po::variables_map& values)
{
    Reclaimer reclaimer(session.config(), session.stateDirectory());
    auto items = reclaimer.caches();
    if (values.count("all")) {
        if (session.buildRunning())
            return refuseWhileRunning("clean cache --all");
        BuildTree tree(session.config(), session.stateDirectory());
        auto scratch = reclaimer.scratch(tree);
        items.insert(items.end(), scratch.begin(), scratch.end());
        if (session.stateDirectoryExists()) {
            auto logs = reclaimer.oldStepLogs(session.journal());
            items.insert(items.end(), logs.begin(), logs.end());
        }
    }
    if (items.empty())
        std::cout << "nothing to clean: resources.reclaim lists no paths"
                  << (values.count("all") ? " and build.scratch none" : "") << "\n";
    printReclaimed(items);
    return failedIfRefused(items);
}

int cleanSystem(Session& session, const po::variables_map& values)
{
    if (!session.stateDirectoryExists()) {
        std::cout << "nothing to clean: no state directory at " << session.stateDirectory() << "\n";
        return kExitOk;
    }
    const bool deep = values.count("deep") != 0;
    if (deep && session.buildRunning())
        return refuseWhileRunning("clean system --deep");
    Reclaimer reclaimer(session.config(), session.stateDirectory());
    std::vector<ReclaimedItem> items = reclaimer.temporaryFiles();
    auto logs =
        deep ? reclaimer.oldRuns(session.journal()) : reclaimer.oldStepLogs(session.journal());
    items.insert(items.end(), logs.begin(), logs.end());
    if (deep) {
        BuildTree tree(session.config(), session.stateDirectory());
        auto objects = reclaimer.storeObjects(tree);
        items.insert(items.end(), objects.begin(), objects.end());
        std::cout << "checkpoints kept: " << tree.store().list().size() << "\n";
    }
    printReclaimed(items);
    return kExitOk;
}

} // namespace

void addCleanCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"clean build", "[--preserve-checkpoint]",
         "Remove the build's scratch directories; keep the store",
         "Removes what build.scratch names (relative to the build root, never through\n"
         "a symlink) and chroot mounts left by a killed supervisor. The checkpoint\n"
         "store is always kept; --preserve-checkpoint is the seed's spelling of that.",
         ConfigNeed::Structural,
         flagOption("preserve-checkpoint", "keep the checkpoint store (always)"), cleanBuild});
    commands.push_back(
        {"clean cache", "[--all]",
         "Empty the caches resources.reclaim names; --all: scratch and old logs too",
         "Empties each path of resources.reclaim (ccache, download caches): its\n"
         "contents go, the directory stays. A path that is /, a symlink, or holds the\n"
         "build root or the state directory is refused (exit status 1). --all also\n"
         "removes the build's scratch directories and step logs of earlier runs older\n"
         "than resources.log_retention. Prints the bytes each item gave back.",
         ConfigNeed::Structural, flagOption("all", "also scratch directories and old step logs"),
         cleanCache});
    commands.push_back(
        {"clean system", "[--deep]", "Remove the state directory's temporary files and old logs",
         "Removes temporary files of interrupted writes and step logs of earlier runs\n"
         "older than resources.log_retention. --deep also forgets every run but the\n"
         "latest (rows and logs) and removes store objects no checkpoint uses. It\n"
         "never deletes a checkpoint and never touches the build root.",
         ConfigNeed::Structural, flagOption("deep", "also old runs and unreferenced store objects"),
         cleanSystem});
}

} // namespace lfsw::host
