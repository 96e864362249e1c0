// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "store/manifest.h"

namespace lfsw {

// Reads a manifest's entries one at a time, in walk order, holding one
// block of them (format 2): for trees too big to hold a manifest of whole.
// The file's end line is checked when it is opened (one pass over the file,
// nothing kept), so a truncated or edited manifest is refused before the
// first entry is acted on; each block's own checksum is checked again as it
// is read. A manifest of format 1 (text, from earlier versions) is read
// whole and handed out from memory.
class ManifestReader
{
public:
    // Throws std::runtime_error naming the file and what is wrong.
    explicit ManifestReader(const std::filesystem::path& file);

    // The header: the manifest without its entries, entryCount set.
    const Manifest& header() const { return header_; }
    // The next entry, or nullptr after the last. Valid until the next call.
    // Throws when a block is damaged.
    const ManifestEntry* next();
    // The same entry as next() returns next, without moving on.
    const ManifestEntry* peek();

private:
    bool load();
    [[noreturn]] void fail(const std::string& problem) const;

    std::filesystem::path file_;
    UniqueFd fd_;
    Manifest header_;
    std::uint64_t at_ = 0;        // of the next block, in the file
    std::uint64_t blocksEnd_ = 0; // where the index begins, in the file
    std::uint64_t delivered_ = 0;
    std::vector<ManifestEntry> block_;
    std::size_t next_ = 0; // in block_
    std::string buffer_;
};

} // namespace lfsw
