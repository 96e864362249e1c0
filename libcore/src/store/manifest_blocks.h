// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
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
    static constexpr std::size_t kBlockHeader = 1 + 4 + 4 + 8; // 'B', length, count, checksum

    struct IndexEntry {
        std::uint64_t offset; // of the block's 'B'
        std::string first;    // its first path
    };

    // Appends the binary part for `entries` (sorted by path) to `out`.
    static void append(std::string& out, const std::vector<ManifestEntry>& entries);
    // The parts of append(), for a writer that streams: one block of
    // `count` entries (at most kBlockEntries), and the index once every
    // block is written, `indexAt` bytes from the first.
    static void appendBlock(std::string& out, const ManifestEntry* entries, std::size_t count);
    static void appendIndex(std::string& out, const std::vector<IndexEntry>& index,
                            std::uint64_t indexAt);
    // For a reader that streams: the payload length a block's first
    // kBlockHeader bytes give (nullopt when no block starts there), and the
    // entries of one whole block appended to `entries` ("" or what is
    // wrong: "cut short", "its checksum does not match", "entry 3: ...").
    static std::optional<std::uint64_t> payloadLength(std::string_view header);
    static std::string readBlock(std::string_view block, std::vector<ManifestEntry>& entries);
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
