// SPDX-License-Identifier: MIT
#include "tree_walker.h"

#include <algorithm>
#include <cerrno>

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace lfsw {

TreeWalker::TreeWalker(int rootFd, const Options& options) : rootFd_(rootFd), options_(options)
{
    struct stat root {
    };
    if (::fstat(rootFd_, &root) == 0)
        rootDevice_ = root.st_dev;
    for (const auto& path : options_.skip) {
        struct stat info {
        };
        if (::stat(path.c_str(), &info) == 0)
            skip_.insert({info.st_dev, info.st_ino});
    }
}

bool TreeWalker::excluded(const std::string& relativePath) const
{
    const auto slash = relativePath.rfind('/');
    const std::string name =
        slash == std::string::npos ? relativePath : relativePath.substr(slash + 1);
    for (const auto& pattern : options_.excludes) {
        if (::fnmatch(pattern.c_str(), relativePath.c_str(), FNM_PATHNAME) == 0)
            return true;
        if (pattern.find('/') == std::string::npos &&
            ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0)
            return true;
    }
    return false;
}

void TreeWalker::walk(const std::function<void(const std::string&, const struct stat&)>& visit)
{
    walkDirectory(rootFd_, "", visit);
}

void TreeWalker::walkDirectory(
    int directoryFd, const std::string& prefix,
    const std::function<void(const std::string&, const struct stat&)>& visit)
{
    int listFd = ::openat(directoryFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (listFd < 0)
        return;
    DIR* directory = ::fdopendir(listFd);
    if (!directory) {
        ::close(listFd);
        return;
    }
    std::vector<std::string> names;
    while (dirent* entry = ::readdir(directory)) {
        std::string name = entry->d_name;
        if (name != "." && name != "..")
            names.push_back(std::move(name));
    }
    ::closedir(directory);
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
        const std::string path = prefix.empty() ? name : prefix + "/" + name;
        struct stat info {
        };
        if (::fstatat(directoryFd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0)
            continue; // gone meanwhile
        if (excluded(path) || skip_.count({info.st_dev, info.st_ino}))
            continue;
        visit(path, info);
        if (!S_ISDIR(info.st_mode) || info.st_dev != rootDevice_)
            continue; // another file system is never entered
        int child =
            ::openat(directoryFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (child < 0)
            continue;
        walkDirectory(child, path, visit);
        ::close(child);
    }
}

int openBeneath(int rootFd, const std::string& relativePath, int flags, mode_t mode)
{
    if (relativePath.empty())
        return ::openat(rootFd, ".", flags | O_CLOEXEC, mode);
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd = ::syscall(SYS_openat2, rootFd, relativePath.c_str(), &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS)
        return static_cast<int>(fd);
    // No openat2: walk the components, refusing symlinks at every step.
    int current = ::dup(rootFd);
    std::size_t start = 0;
    while (current >= 0) {
        auto slash = relativePath.find('/', start);
        const std::string part = relativePath.substr(start, slash - start);
        if (part.empty() || part == "." || part == "..") {
            ::close(current);
            errno = EXDEV;
            return -1;
        }
        const bool last = slash == std::string::npos;
        int next = ::openat(current, part.c_str(),
                            last ? (flags | O_NOFOLLOW | O_CLOEXEC)
                                 : (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC),
                            mode);
        int saved = errno;
        ::close(current);
        errno = saved;
        if (last)
            return next;
        current = next;
        start = slash + 1;
    }
    return -1;
}

} // namespace lfsw
