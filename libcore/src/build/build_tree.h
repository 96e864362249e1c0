// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>

#include <lfsw/result.h>

#include "store/checkpoint_store.h"
#include "store/file_history.h"

namespace lfsw {

class Config;

// The build tree as checkpoints see it: the configured root, what is left
// out (checkpoint.exclude, the state directory), its store, its scratch
// directories. Supervisor and RemoteBuildControl both act through it.
class BuildTree
{
public:
    BuildTree(const Config& config, const std::filesystem::path& stateDirectory);

    const std::filesystem::path& root() const { return root_; }
    const TreeWalker::Options& walkOptions() const { return walk_; }
    CheckpointStore& store() { return store_; }
    // The checkpoints of this root, oldest first, as a history of its paths
    // (files owner, step files, step undo).
    FileHistory history();
    // The same with the entries of `paths` only: enough to answer for those
    // paths, without reading every manifest whole (files owner).
    FileHistory history(const std::vector<std::string>& paths);
    // The headers of this root's checkpoints, oldest first (no entries).
    std::vector<Manifest> headers();

    Result createCheckpoint(const std::string& name, bool good, const ProgressCallback& progress,
                            const std::vector<std::string>& tags = {});
    Result restore(const std::string& selector, const ProgressCallback& progress);
    // Removes the scratch directories (never through a symlink, never across
    // a mount point); returns a description of what went and adds the bytes
    // they took to `freed` when given. Failed when a mount point was left.
    Result cleanScratch(std::uint64_t* freed = nullptr);
    // "left alone 1 mount point inside the build root …: ROOT/mnt; …".
    std::string describeMountPoints(const std::vector<std::string>& mountPoints) const;

private:
    std::filesystem::path root_;
    TreeWalker::Options walk_;
    std::vector<std::string> scratch_;
    CheckpointStore store_;
};

} // namespace lfsw
