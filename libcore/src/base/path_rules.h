// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <set>
#include <string>

#include <sys/types.h>

namespace lfsw {

// Whether `inner` is `outer` or below it, by the paths' text (lexically:
// symlinks are not resolved, so callers that must not follow one check
// for links themselves).
bool isWithin(const std::filesystem::path& inner, const std::filesystem::path& outer);

// The mount points strictly below `root` in this process's mount namespace
// (from /proc/self/mountinfo), relative to it: "mnt/data". A build tree holds
// none unless someone mounted something there; what works on the tree leaves
// them, and everything on them, alone.
std::set<std::string> mountPointsBelow(const std::filesystem::path& root);

// Why `path` cannot be trusted to hold code or commands this process runs,
// or "" when it can. Like sshd's StrictModes: the file and every directory
// above it must be owned by root or by `user`, and writable by no one else
// (a root-owned sticky directory such as /tmp may be, as no one else can
// replace what is in it). Anyone else who could write there could run code
// as this process.
std::string whyUntrusted(const std::filesystem::path& path, uid_t user);

// Whether `relativePath` is one of `mountPoints` or below one.
bool onMountPoint(const std::set<std::string>& mountPoints, const std::string& relativePath);

} // namespace lfsw
