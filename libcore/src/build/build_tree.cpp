// SPDX-License-Identifier: MIT
#include "build/build_tree.h"

#include <fcntl.h>
#include <glob.h>
#include <unistd.h>

#include "base/counted.h"
#include "base/open_beneath.h"
#include "base/path_rules.h"
#include "base/remove_beneath.h"
#include "base/unique_fd.h"
#include "config/config.h"
#include "store/tree_walker.h"

namespace lfsw {

BuildTree::BuildTree(const Config& config, const std::filesystem::path& stateDirectory)
    : root_(config.buildRoot()), scratch_(config.list("build.scratch")),
      // Small objects in packs: tens of thousands of file creations cost more
      // than the copies do. A store of loose objects only, as earlier versions wrote it, is
      // read as it is; what is added goes to packs.
      store_(stateDirectory / "store", nullptr, true)
{
    walk_.excludes = config.list("checkpoint.exclude");
    walk_.skip.push_back(stateDirectory);
}

Result BuildTree::createCheckpoint(const std::string& name, bool good,
                                   const ProgressCallback& progress,
                                   const std::vector<std::string>& tags)
{
    auto manifest = store_.create(name, root_, walk_, good, tags, progress);
    return Result::done("checkpoint " + manifest.name + " (" + manifest.id + ")" +
                        (tags.empty() ? "" : " tagged " + tags.front()) + ": " +
                        counted(manifest.entryCount, "path") + ", " +
                        std::to_string(manifest.newBytes) + " bytes new to the store");
}

namespace {

std::vector<Manifest> ofRoot(std::vector<Manifest> all, const std::filesystem::path& root)
{
    std::vector<Manifest> manifests;
    const auto normal = root.lexically_normal().string();
    for (auto& manifest : all)
        if (std::filesystem::path(manifest.root).lexically_normal().string() == normal)
            manifests.push_back(std::move(manifest));
    return manifests;
}

} // namespace

FileHistory BuildTree::history()
{
    return FileHistory(ofRoot(store_.list(), root_));
}

FileHistory BuildTree::history(const std::vector<std::string>& paths)
{
    return FileHistory(ofRoot(store_.listSome(paths), root_));
}

std::vector<Manifest> BuildTree::headers()
{
    return ofRoot(store_.headers(), root_);
}

Result BuildTree::restore(const std::string& selector, const ProgressCallback& progress)
{
    auto manifest = store_.find(selector);
    if (!manifest)
        return Result::failed("no checkpoint '" + selector + "' (see lfs-wrapper checkpoint list)");
    auto report = store_.restore(*manifest, root_, walk_, progress);
    std::string message = "restored " + manifest->name + " (" + manifest->id +
                          "): " + std::to_string(report.rewritten) + " written, " +
                          std::to_string(report.removed) + " removed, " +
                          std::to_string(report.metadataFixed) + " metadata fixed, " +
                          std::to_string(report.unchanged) + " unchanged";
    if (!report.mountPoints.empty())
        return Result::failed(message + "; " + describeMountPoints(report.mountPoints));
    return Result::done(message);
}

std::string BuildTree::describeMountPoints(const std::vector<std::string>& mountPoints) const
{
    std::string list;
    for (const auto& mount : mountPoints)
        list += (list.empty() ? "" : ", ") + (root_ / mount).string();
    return "left alone " + counted(mountPoints.size(), "mount point") +
           " inside the build root, and what is on " + (mountPoints.size() == 1 ? "it" : "them") +
           ": " + list + "; unmount, then run it again";
}

Result BuildTree::cleanScratch(std::uint64_t* freed)
{
    if (scratch_.empty())
        return Result::notApplicable("build.scratch names no scratch directories");
    UniqueFd rootFd(::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!rootFd.isValid())
        return Result::done("removed 0 scratch paths (no build root " + root_.string() + ")");
    int removed = 0;
    std::vector<std::string> mountPoints, errors;
    for (const auto& pattern : scratch_) {
        glob_t matches{};
        const std::string full = (root_ / pattern).string();
        if (::glob(full.c_str(), GLOB_NOSORT, nullptr, &matches) == 0) {
            for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
                std::filesystem::path match =
                    std::filesystem::path(matches.gl_pathv[i]).lexically_normal();
                if (!isWithin(match, root_) || match == root_)
                    continue;
                // What glob found is only a name: it is removed through the
                // directory it is in, opened beneath the root without a
                // symlink or a mount point on the way.
                const auto relative = match.lexically_relative(root_);
                UniqueFd parent(openBeneath(rootFd.get(), relative.parent_path().string(),
                                            O_RDONLY | O_DIRECTORY));
                if (!parent.isValid())
                    continue;
                auto removal =
                    removeBeneath(parent.get(), relative.filename().string(), match.string());
                if (freed)
                    *freed += removal.bytes;
                removed += removal.removed > 0 ? 1 : 0;
                mountPoints.insert(mountPoints.end(), removal.mountPoints.begin(),
                                   removal.mountPoints.end());
                errors.insert(errors.end(), removal.errors.begin(), removal.errors.end());
            }
        }
        ::globfree(&matches);
    }
    rootFd.reset();
    std::string message = "removed " + counted(static_cast<std::uint64_t>(removed), "scratch path");
    if (!errors.empty())
        return Result::failed(
            message + "; could not remove " + errors.front() +
            (errors.size() > 1 ? " and " + std::to_string(errors.size() - 1) + " more" : ""));
    if (!mountPoints.empty()) {
        // Said as a restore says it: relative to the root, which it names.
        for (auto& mount : mountPoints)
            mount = std::filesystem::path(mount).lexically_relative(root_).string();
        return Result::failed(message + "; " + describeMountPoints(mountPoints));
    }
    return Result::done(message);
}

} // namespace lfsw
