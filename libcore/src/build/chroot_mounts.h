// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>

namespace lfsw {

// The virtual file systems a chroot step needs inside the build root, as the
// LFS book's kernfs page mounts them before entering the chroot: /dev (bound,
// not recursively), /dev/pts (a devpts of its own, gid=5,mode=0620), /proc,
// /sys, /run and /dev/shm (tmpfs).
//
// They are mounted in a mount namespace of the step's own, made a slave of
// the host's first: nothing mounted or unmounted there propagates back (on a
// host whose / is shared, a bind of /dev unmounted again would take the
// host's /dev/pts and /dev/shm with it), nothing is left behind when the
// step's last process ends, and a checkpoint, which runs in the
// supervisor's namespace, never sees them.
//
// The constructor runs in the supervisor: it creates the mount points beneath
// the root without following links and refuses one that is a symlink or not
// a directory. enter() runs in the forked child, before chroot.
class ChrootMounts
{
public:
    // Throws std::runtime_error naming the mount point it refuses.
    explicit ChrootMounts(const std::filesystem::path& root);

    // In the child after fork (async-signal-safe: system calls only): a new
    // mount namespace, / made a slave recursively, then each file system
    // mounted on the mount point as reopened beneath the root without
    // following links. Returns nullptr, or what failed (errno is set).
    const char* enter() const noexcept;

private:
    std::string root_;
};

} // namespace lfsw
