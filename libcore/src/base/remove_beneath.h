// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lfsw {

// What removeBeneath() did.
struct Removal {
    std::uint64_t removed = 0; // paths removed, the named one included
    std::uint64_t bytes = 0;   // bytes those paths occupied on disk
    // Mount points met on the way (shown as `shownAs`/…): left in place, with
    // the directories that lead to them.
    std::vector<std::string> mountPoints;
    std::vector<std::string> errors; // "path: reason" for what could not go
};

// Removes `name` in the directory `dirFd` — a directory with everything in
// it, or a file, link or node — through descriptors only: a symlink is
// removed as a link, never followed, and a directory is entered only when
// openat2 can open it without crossing a mount point (RESOLVE_NO_XDEV, which
// also sees a bind mount of the same file system). With `keepTop`, only what
// is inside `name` goes. `shownAs` names `name` in the report.
Removal removeBeneath(int dirFd, const std::string& name, const std::string& shownAs,
                      bool keepTop = false);

} // namespace lfsw
