// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/stat.h>

namespace lfsw {

// Walks a build tree without ever following a symlink or leaving its file
// system: entries on another file system (a mounted /proc or /dev inside a
// chroot root) are reported as directories but not entered. Paths matching
// an exclude glob, and the directories in `skip` (the state directory, the
// backup repository), are left out with everything below them.
//
// Directories are listed and their entries stat'ed on several threads (one
// more for every directory waiting, up to two per CPU, at most eight): on a
// tree of thousands of directories that is most of the time of a walk that
// finds nothing changed. `visit` still runs on the calling thread, in order.
// The walk holds a window of the tree (about kWindow entries listed ahead,
// and the directories on the way down), not the whole of it.
class TreeWalker
{
public:
    struct Options {
        std::vector<std::string> excludes; // fnmatch globs on the relative path or the name
        std::vector<std::filesystem::path> skip;
    };

    static constexpr std::size_t kWindow = 16384;

    // `visit(relativePath, stat)` is called for every entry, parents before
    // their contents, in sorted order within a directory (byte order of the
    // paths with '/' below every other byte: see walkOrder()). A directory
    // is listed (and its entries stat'ed) before the first of them is
    // visited, while visits go on elsewhere in the tree.
    TreeWalker(int rootFd, const Options& options);
    void walk(const std::function<void(const std::string&, const struct stat&)>& visit);

    bool excluded(const std::string& relativePath) const;

    // <0, 0 or >0 as `a` is visited before, is, or is visited after `b`.
    static int walkOrder(std::string_view a, std::string_view b);

private:
    struct Listing;
    // Lists the directory `listing` names and stats its entries.
    void list(Listing& listing) const;

    int rootFd_;
    dev_t rootDevice_ = 0;
    Options options_;
    std::set<std::pair<dev_t, ino_t>> skip_;
};

} // namespace lfsw
