// SPDX-License-Identifier: MIT
#include "base/open_beneath.h"

#include <cerrno>
#include <cstdint>
#include <filesystem>

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/unique_fd.h"

namespace lfsw {

int openBeneath(int rootFd, const std::string& relativePath, int flags, mode_t mode)
{
    if (relativePath.empty())
        return ::openat(rootFd, ".", flags | O_CLOEXEC, mode);
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    long fd = ::syscall(SYS_openat2, rootFd, relativePath.c_str(), &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS)
        return static_cast<int>(fd);
    // No openat2: walk the components, refusing symlinks at every step.
    UniqueFd current(::fcntl(rootFd, F_DUPFD_CLOEXEC, 0));
    std::size_t start = 0;
    while (current.isValid()) {
        auto slash = relativePath.find('/', start);
        const std::string part = relativePath.substr(start, slash - start);
        if (part.empty() || part == "." || part == "..") {
            errno = EXDEV;
            return -1;
        }
        const bool last = slash == std::string::npos;
        UniqueFd next(::openat(current.get(), part.c_str(),
                               last ? (flags | O_NOFOLLOW | O_CLOEXEC)
                                    : (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC),
                               mode));
        if (last)
            return next.release();
        current = std::move(next);
        start = slash + 1;
    }
    return -1;
}

namespace {

// Opens each directory of `relativePath` below `rootFd` in turn with
// openBeneath, making a missing one first when `make`; without `make`, a
// missing one ends the walk (-1, errno ENOENT).
int walkDirectoriesBeneath(int rootFd, const std::string& relativePath, bool make, mode_t mode)
{
    UniqueFd current(::fcntl(rootFd, F_DUPFD_CLOEXEC, 0));
    for (const auto& part : std::filesystem::path(relativePath)) {
        if (!current.isValid())
            break;
        const std::string name = part.string();
        if (name.empty() || name == ".")
            continue;
        if (name == "..") {
            errno = EXDEV;
            return -1;
        }
        if (make && ::mkdirat(current.get(), name.c_str(), mode) != 0 && errno != EEXIST)
            return -1;
        current.reset(openBeneath(current.get(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    }
    return current.release();
}

} // namespace

int makeDirectoriesBeneath(int rootFd, const std::string& relativePath, mode_t mode)
{
    return walkDirectoriesBeneath(rootFd, relativePath, true, mode);
}

bool canMakeDirectoriesBeneath(int rootFd, const std::string& relativePath)
{
    UniqueFd deepest(walkDirectoriesBeneath(rootFd, relativePath, false, 0));
    return deepest.isValid() || errno == ENOENT;
}

} // namespace lfsw
