// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lfsw {

// The virtual file systems a chroot step needs inside the build root, as the
// LFS book mounts them before entering the chroot: /dev (bind), /proc, /sys
// and /run (tmpfs). Mounted by the constructor, unmounted by the destructor
// however the step ended; a supervisor killed meanwhile leaves them, and
// cleanUp() removes such leftovers before the next step.
class ChrootMounts
{
public:
    explicit ChrootMounts(std::filesystem::path root);
    ~ChrootMounts();
    ChrootMounts(const ChrootMounts&) = delete;
    ChrootMounts& operator=(const ChrootMounts&) = delete;

    // Unmounts whatever is mounted at or below root/{dev,proc,sys,run}.
    // Returns the mount points it unmounted.
    static std::vector<std::string> cleanUp(const std::filesystem::path& root);
    // The mount points currently below `root`, from /proc/self/mountinfo.
    static std::vector<std::string> mountedBelow(const std::filesystem::path& root);

private:
    std::filesystem::path root_;
    std::vector<std::string> mounted_;
};

} // namespace lfsw
