// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>

#include "store/checkpoint_store.h"
#include "store/manifest.h"

namespace lfsw {

// A checkpoint as a standard tar (libarchive's POSIX pax writer), for
// another machine or for the book's "back up the temporary tools": numeric
// owners, nanosecond mtimes, xattrs (security.capability too), hardlinks,
// symlinks, devices, FIFOs, sparse files kept sparse. Content is streamed
// from the store's objects, each checked against its hash on the way; GNU
// tar --xattrs -xpf gives the tree back.
class TarExport
{
public:
    // Compression from the name: .tar, .tar.zst/.tzst, .tar.xz/.txz,
    // .tar.gz/.tgz; empty when the name says none of these.
    static std::optional<std::string> compressionOf(const std::filesystem::path& file);

    // Writes `manifest` to `file` atomically: a temporary name beside it,
    // fsync, rename. On any error the temporary file goes and `file` is as
    // it was. Returns the size of the file written.
    static std::uint64_t write(CheckpointStore& store, const Manifest& manifest,
                               const std::filesystem::path& file, const ProgressCallback& progress);
};

} // namespace lfsw
