// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include <sys/types.h>

namespace lfsw {

// Opens `relativePath` below `rootFd` without following any symlink, without
// leaving the tree and without crossing a mount point, a bind mount of the
// same file system included (openat2 with RESOLVE_BENEATH |
// RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV: EXDEV), or a component-by-component
// O_NOFOLLOW walk where openat2 is missing.
// Returns -1 with errno set on failure. An empty path opens the root itself.
int openBeneath(int rootFd, const std::string& relativePath, int flags, mode_t mode = 0);

// Opens the directory `relativePath` below `rootFd`, creating each missing
// component with `mode` on the way (mkdirat in the directory just opened,
// then openBeneath): a component that is a symlink, not a directory, or
// another file system is refused, so that nothing is created through a link
// planted in a tree others write. Returns -1 with errno set on failure.
int makeDirectoriesBeneath(int rootFd, const std::string& relativePath, mode_t mode);

// Whether makeDirectoriesBeneath would get past what exists of
// `relativePath`, making nothing: every existing directory on the way is a
// plain one (a missing one ends the look). False with errno set otherwise.
bool canMakeDirectoriesBeneath(int rootFd, const std::string& relativePath);

} // namespace lfsw
