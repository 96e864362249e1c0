// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>

#include "store/checkpoint_store.h"
#include "store/manifest.h"

namespace lfsw {

// A tar (checkpoint export's, or the book's own `tar -cJpf` backup of $LFS)
// into the store as a checkpoint of a build root, compressed or not. It is
// refused whole, with one error naming the entry, for an entry with an
// absolute path or "..", a hardlink to what the archive does not hold, a
// symlink that climbs out of the root, a path beneath a symlink of the
// archive, a type a tree does not hold, or anything that is not a tar or is
// cut short; then nothing is added to the store's list.
class TarImport
{
public:
    // Owners are the archive's numbers; names are not looked up. Absolute
    // symlink targets are kept: the tree is a root of its own, where they
    // point inside it, and the store never follows a link.
    static Manifest read(CheckpointStore& store, const std::filesystem::path& file,
                         const std::string& name, const std::filesystem::path& root,
                         const ProgressCallback& progress);
};

} // namespace lfsw
