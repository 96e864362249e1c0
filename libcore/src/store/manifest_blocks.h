// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "store/manifest.h"

namespace lfsw {

// The entries of a manifest of format 2, in binary: blocks of up to
// kBlockEntries entries in path order, each with its own checksum, then an
// index of the blocks (where each starts, its first path) and the index's
// offset. In a block, a path is stored as the length it shares with the one
// before it and the rest; numbers as LEB128 varints (times zigzag-encoded);
// a hash as its 32 bytes. About a third of the text format's size, and a
// damaged block is named, not just found.
//
//   block: 'B', u32 payload length, u32 entry count, the payload's SHA-256
//          (first 8 bytes), payload
//   index: 'I', u32 block count, per block u64 offset and the first path
//          (varint length, bytes); then u64 offset of the 'I'
//
// Offsets count from the start of the binary part; integers little-endian.
class ManifestBlocks
{
public:
    static constexpr std::size_t kBlockEntries = 512;

    // Appends the binary part for `entries` (sorted by path) to `out`.
    static void append(std::string& out, const std::vector<ManifestEntry>& entries);
    // Reads every entry of the binary part `data` into `entries`, refusing
    // one with an unsafe path; `expected`: the header's entry count. "" or
    // what is wrong ("block 3: entry 1500: refused path '../x': ...").
    static std::string parse(std::string_view data, std::size_t expected,
                             std::vector<ManifestEntry>& entries);
    // Which block of `data` is damaged or cut short, in words ("block 3 of
    // 12, from byte 40960 of the entries, paths from usr/lib"); "" when
    // every block's checksum holds.
    static std::string damage(std::string_view data);
    // The entries of `paths` (sorted, unique) found through the index, only
    // their blocks read; "" or what is wrong.
    static std::string find(std::string_view data, const std::vector<std::string>& paths,
                            std::vector<ManifestEntry>& entries);
};

} // namespace lfsw
