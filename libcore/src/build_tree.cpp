// SPDX-License-Identifier: MIT
#include "build_tree.h"

#include <glob.h>

#include "config.h"
#include "path_rules.h"
#include "reclaimer.h"

namespace lfsw {

BuildTree::BuildTree(const Config& config, const std::filesystem::path& stateDirectory)
    : root_(config.buildRoot()), scratch_(config.list("build.scratch")),
      store_(stateDirectory / "store")
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
                        std::to_string(manifest.entries.size()) + " paths, " +
                        std::to_string(manifest.newBytes) + " bytes new to the store");
}

Result BuildTree::restore(const std::string& selector, const ProgressCallback& progress)
{
    auto manifest = store_.find(selector);
    if (!manifest)
        return Result::failed("no checkpoint '" + selector + "' (see lfs-wrapper checkpoint list)");
    auto report = store_.restore(*manifest, root_, walk_, progress);
    return Result::done("restored " + manifest->name + " (" + manifest->id +
                        "): " + std::to_string(report.rewritten) + " written, " +
                        std::to_string(report.removed) + " removed, " +
                        std::to_string(report.metadataFixed) + " metadata fixed, " +
                        std::to_string(report.unchanged) + " unchanged");
}

Result BuildTree::cleanScratch(std::uint64_t* freed)
{
    int removed = 0;
    std::error_code error;
    for (const auto& pattern : scratch_) {
        glob_t matches{};
        const std::string full = (root_ / pattern).string();
        if (::glob(full.c_str(), GLOB_NOSORT, nullptr, &matches) == 0) {
            for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
                std::filesystem::path match =
                    std::filesystem::path(matches.gl_pathv[i]).lexically_normal();
                // Only below the build root, and never through a symlink.
                if (!isWithin(match, root_) || match == root_)
                    continue;
                const auto relative = match.lexically_relative(root_);
                bool throughLink = false;
                std::filesystem::path prefix = root_;
                for (auto it = relative.begin();
                     it != relative.end() && std::next(it) != relative.end(); ++it) {
                    prefix /= *it;
                    throughLink = throughLink || std::filesystem::is_symlink(prefix);
                }
                if (throughLink)
                    continue;
                if (freed)
                    *freed += allocatedBytes(match);
                if (std::filesystem::is_symlink(match))
                    std::filesystem::remove(match, error);
                else
                    std::filesystem::remove_all(match, error);
                ++removed;
            }
        }
        ::globfree(&matches);
    }
    if (scratch_.empty())
        return Result::notApplicable("build.scratch names no scratch directories");
    return Result::done("removed " + std::to_string(removed) + " scratch paths");
}

} // namespace lfsw
