// SPDX-License-Identifier: MIT
#include "checkpoint_access.h"

#include <iostream>

#include "base/suggest.h"
#include "build/build_tree.h"
#include "command.h"
#include "progress_bar.h"
#include "session.h"

namespace lfsw::host {

namespace {

// Restores `selector` into the configured root, with the checks every
// restoring command shares.
int restoreTree(Session& session, BuildTree& tree, const std::string& selector,
                const std::string& command, std::optional<Manifest>& restored)
{
    if (session.buildRunning())
        return refuseWhileRunning(command);
    auto manifest = findCheckpointOrSay(tree, selector);
    if (!manifest)
        return kExitFailed;
    const auto configured = tree.root().lexically_normal();
    if (std::filesystem::path(manifest->root).lexically_normal() != configured) {
        std::cerr << "lfs-wrapper: " << command << ": checkpoint " << manifest->name
                  << " was taken of " << manifest->root << ", not of the configured build root "
                  << configured.string() << "; refusing to restore it there\n";
        return kExitFailed;
    }
    ProgressBar bar("restore " + manifest->name);
    auto report = tree.store().restore(*manifest, configured, tree.walkOptions(), bar.callback());
    std::cout << "restored " << manifest->name << " (" << manifest->id << ") into "
              << configured.string() << ": " << report.rewritten << " written, " << report.removed
              << " removed, " << report.metadataFixed << " metadata fixed, " << report.unchanged
              << " unchanged\n";
    if (!report.mountPoints.empty()) {
        std::cerr << "lfs-wrapper: " << command << ": "
                  << tree.describeMountPoints(report.mountPoints) << "\n";
        return kExitFailed;
    }
    restored = std::move(manifest);
    return kExitOk;
}

} // namespace

// Commands that read the store say so plainly when there is no state yet,
// instead of creating it.
bool haveStore(Session& session)
{
    if (std::filesystem::is_directory(session.stateDirectory() / "store"))
        return true;
    std::cerr << "lfs-wrapper: no checkpoints yet ("
              << (session.stateDirectory() / "store").string()
              << " does not exist); take one with lfs-wrapper checkpoint create NAME\n";
    return false;
}

int refuseWhileRunning(const std::string& command)
{
    std::cerr << "lfs-wrapper: " << command
              << ": a build is running; stop it first (lfs-wrapper build stop)\n";
    return kExitFailed;
}

std::optional<Manifest> findCheckpointOrSay(BuildTree& tree, const std::string& selector)
{
    auto manifest = tree.store().find(selector);
    if (!manifest) {
        // A manifest that cannot be read may be the one asked for: say why.
        std::vector<std::string> problems;
        tree.store().list(&problems);
        for (const auto& problem : problems)
            std::cerr << "error: " << problem << "\n";
        std::vector<std::string> names;
        for (const auto& header : tree.store().headers())
            names.push_back(header.name);
        std::cerr << "lfs-wrapper: no checkpoint '" << selector << "'"
                  << didYouMean(selector, names) << " (see lfs-wrapper checkpoint list)\n";
    }
    return manifest;
}

void printDifferences(const std::vector<TreeDifference>& differences)
{
    for (const auto& d : differences)
        std::cout << d.kind << " " << d.path << (d.what.empty() ? "" : " (" + d.what + ")") << "\n";
}

// Restores a checkpoint and sets the last run's progress back to the step
// it was taken after.
int rewind(Session& session, const std::string& selector, const std::string& command)
{
    if (!haveStore(session))
        return kExitFailed;
    BuildTree tree(session.config(), session.stateDirectory());
    std::optional<Manifest> restored;
    int status = restoreTree(session, tree, selector, command, restored);
    if (status != kExitOk)
        return status;
    auto run = session.journal().latestRun();
    if (!run)
        return kExitOk;
    if (auto undone = session.journal().takeBackUndo(run->id, restored->id)) {
        std::cout << "build " << run->id << ": the undo of step " << *undone
                  << " is taken back; the step counts as done again\n";
        return kExitOk;
    }
    for (const auto& step : session.journal().steps(run->id))
        if (step.name == restored->name) {
            session.journal().rewindTo(run->id, step.position,
                                       "restored to checkpoint " + restored->name + " (" +
                                           restored->id +
                                           "); continue with lfs-wrapper build resume");
            std::cout << "build " << run->id << ": progress set back to after step " << step.name
                      << "; lfs-wrapper build resume continues from step " << step.position + 1
                      << "\n";
            return kExitOk;
        }
    std::cout << "build " << run->id << " has no step named " << restored->name
              << ": its progress is unchanged\n";
    return kExitOk;
}

std::vector<std::optional<std::int64_t>> runsOf(Session& session,
                                                const std::vector<Manifest>& checkpoints)
{
    std::vector<std::optional<std::int64_t>> runs(checkpoints.size());
    if (!session.stateDirectoryExists())
        return runs;
    for (const auto& run : session.journal().runs())
        for (const auto& step : session.journal().steps(run.id))
            for (std::size_t i = 0; i < checkpoints.size(); ++i)
                if (step.name == checkpoints[i].name && !step.startedAt.empty() &&
                    step.startedAt <= checkpoints[i].created)
                    runs[i] = run.id;
    return runs;
}

} // namespace lfsw::host
