// SPDX-License-Identifier: MIT
#include "trim_cache.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <lfsw/units.h>

namespace site {

namespace {

struct CachedFile {
    std::filesystem::path path;
    std::uintmax_t size;
    std::filesystem::file_time_type modified;
};

} // namespace

std::vector<lfsw::ParamProblem> TrimCache::validate(const lfsw::Params& params) const
{
    auto problems = lfsw::unknownParams(params, {"path", "max_size"});
    auto path = params.get("path");
    if (!path || path->empty())
        problems.push_back({"path", "required: the cache directory to trim"});
    else if (!std::filesystem::path(*path).is_absolute())
        problems.push_back({"path", "expected an absolute path, found '" + *path + "'"});
    auto size = params.get("max_size");
    if (!size)
        problems.push_back({"max_size", "required: the size to trim to, such as 2G"});
    else if (!lfsw::parseSize(*size))
        problems.push_back(
            {"max_size", "expected a size such as 500M or 2G, found '" + *size + "'"});
    return problems;
}

std::string TrimCache::describe(const lfsw::Params& params) const
{
    return "trim " + params.getOr("path", "?") + " to " + params.getOr("max_size", "?") +
           ", oldest files first";
}

lfsw::Result TrimCache::run(lfsw::Context& context)
{
    const std::filesystem::path root = context.params().getOr("path", "");
    const auto limit = lfsw::parseSize(context.params().getOr("max_size", "")).value_or(0);
    std::error_code error;
    if (!std::filesystem::is_directory(root, error) || std::filesystem::is_symlink(root, error))
        return lfsw::Result::notApplicable(root.string() + " is not a cache directory");

    std::vector<CachedFile> files;
    std::uintmax_t total = 0;
    for (auto it = std::filesystem::recursive_directory_iterator(root, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
        if (!it->is_regular_file(error) || it->is_symlink(error))
            continue;
        CachedFile file{it->path(), it->file_size(error), it->last_write_time(error)};
        total += file.size;
        files.push_back(std::move(file));
    }
    if (total <= limit)
        return lfsw::Result::done(root.string() + " holds " + lfsw::formatBytes(total) +
                                  ", within " + lfsw::formatBytes(limit));
    std::sort(files.begin(), files.end(),
              [](const auto& a, const auto& b) { return a.modified < b.modified; });
    std::uintmax_t freed = 0;
    std::size_t removed = 0;
    for (const auto& file : files) {
        if (total - freed <= limit)
            break;
        if (std::filesystem::remove(file.path, error)) {
            freed += file.size;
            ++removed;
        }
    }
    const std::string message = "trimmed " + root.string() + ": removed " +
                                std::to_string(removed) + " files, " + lfsw::formatBytes(freed) +
                                " freed, " + lfsw::formatBytes(total - freed) + " left";
    context.log(lfsw::LogLevel::Info, message);
    return lfsw::Result::done(message);
}

} // namespace site
