// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "store/manifest.h"
#include "store/manifest_blocks.h"

namespace lfsw {

// Writes a manifest of format 2 from entries given one at a time, in walk
// order, holding one block of them: each full block goes to an unnamed
// temporary file (O_TMPFILE, gone with the process), and finish() writes
// the header, the blocks, the index and the end line to the manifest's own
// file, durably. Memory stays the same whatever the tree's size.
class ManifestWriter
{
public:
    // The temporary file is made in `temporaryDirectory` (the store's tmp/).
    explicit ManifestWriter(const std::filesystem::path& temporaryDirectory);

    void add(ManifestEntry entry);
    std::uint64_t count() const { return count_; }
    // Bytes of the regular files added.
    std::uint64_t fileBytes() const { return fileBytes_; }

    // Writes `header` (its entries are not looked at) and every entry added
    // to `file`, durably (writeFileDurably). Once only.
    void finish(const Manifest& header, const std::filesystem::path& file);

private:
    void flush();

    UniqueFd blocks_;
    std::uint64_t written_ = 0; // bytes in blocks_
    std::vector<ManifestEntry> block_;
    std::vector<ManifestBlocks::IndexEntry> index_;
    std::uint64_t count_ = 0;
    std::uint64_t fileBytes_ = 0;
    std::string encoded_;
};

} // namespace lfsw
