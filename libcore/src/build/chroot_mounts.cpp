// SPDX-License-Identifier: MIT
#include "build/chroot_mounts.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/unique_fd.h"

namespace lfsw {

namespace {

struct VirtualMount {
    const char* target; // below the build root
    const char* source;
    const char* type;
    unsigned long flags;
    const char* options;
    bool onDev; // a directory of the /dev bound before it, not of the build root
};

// The LFS book's kernfs page (chapter 7.3), in its order: /dev bound (not
// recursively: the host's /dev/pts and /dev/shm stay out), a devpts of the
// chroot's own with the tty group and mode, /proc, /sys, /run as tmpfs, and
// /dev/shm as tmpfs (the book makes /run/shm instead where /dev/shm is a
// symlink).
constexpr VirtualMount kMounts[] = {
    {"dev", "/dev", nullptr, MS_BIND, nullptr, false},
    {"dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=0620", true},
    {"proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr, false},
    {"sys", "sysfs", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr, false},
    {"run", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, nullptr, false},
    {"dev/shm", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, nullptr, true},
};

// "/proc/self/fd/N" without the allocator: the child may not use it.
void procFdPath(int fd, char (&path)[32])
{
    char digits[12];
    int count = 0;
    do {
        digits[count++] = static_cast<char>('0' + fd % 10);
        fd /= 10;
    } while (fd > 0 && count < 11);
    const char prefix[] = "/proc/self/fd/";
    std::size_t at = 0;
    for (; prefix[at]; ++at)
        path[at] = prefix[at];
    while (count > 0)
        path[at++] = digits[--count];
    path[at] = '\0';
}

} // namespace

ChrootMounts::ChrootMounts(const std::filesystem::path& root) : root_(root.string())
{
    UniqueFd rootFd(::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!rootFd.isValid())
        throw std::runtime_error("cannot open the build root " + root_ + ": " +
                                 std::strerror(errno));
    for (const auto& mount : kMounts) {
        if (mount.onDev)
            continue;
        const std::string where = root_ + "/" + mount.target;
        if (::mkdirat(rootFd.get(), mount.target, 0755) != 0 && errno != EEXIST) {
            const std::string error = std::strerror(errno);
            throw std::runtime_error("cannot create the mount point " + where + ": " + error);
        }
        struct stat info {
        };
        const bool plain = ::fstatat(rootFd.get(), mount.target, &info, AT_SYMLINK_NOFOLLOW) == 0 &&
                           S_ISDIR(info.st_mode);
        if (!plain) {
            throw std::runtime_error("refusing to mount over " + where +
                                     ": it is not a plain directory (a symlink, left by an "
                                     "earlier step?); remove it, then resume");
        }
    }
}

const char* ChrootMounts::enter() const noexcept
{
    if (::unshare(CLONE_NEWNS) != 0)
        return "cannot make a mount namespace for the chroot";
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
        return "cannot keep the chroot's mounts from the host (make / a slave)";
    // Opened again here: a descriptor from before unshare names the host's
    // mount, which cannot be mounted on from this namespace.
    UniqueFd rootFd(::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!rootFd.isValid())
        return "cannot open the build root";
    for (const auto& mount : kMounts) {
        open_how how{};
        how.flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
        how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
        UniqueFd target(
            static_cast<int>(::syscall(SYS_openat2, rootFd.get(), mount.target, &how, sizeof how)));
        if (!target.isValid() && mount.onDev && errno == ELOOP &&
            std::strcmp(mount.target, "dev/shm") == 0) {
            // The host's /dev/shm is a symlink (to /run/shm): what it points to.
            if (::mkdirat(rootFd.get(), "run/shm", 01777) != 0 && errno != EEXIST)
                return "cannot create /run/shm for the chroot's /dev/shm";
            continue;
        }
        if (!target.isValid())
            return "a chroot mount point is not a plain directory beneath the build root";
        char path[32];
        procFdPath(target.get(), path);
        if (::mount(mount.source, path, mount.type, mount.flags, mount.options) != 0)
            return "cannot mount the chroot's /dev, /dev/pts, /proc, /sys, /run or /dev/shm";
    }
    return nullptr;
}

} // namespace lfsw
