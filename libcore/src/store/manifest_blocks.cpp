// SPDX-License-Identifier: MIT
#include "store/manifest_blocks.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>

#include "base/sha256.h"
#include "store/tree_walker.h"

namespace lfsw {

namespace {

constexpr std::size_t kBlockHeader = ManifestBlocks::kBlockHeader;
constexpr unsigned char kHasHash = 1, kHasTarget = 2, kHasGroup = 4, kHasXattrs = 8;

void putFixed(std::string& out, std::uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out += static_cast<char>((value >> (8 * i)) & 0xff);
}

void putVarint(std::string& out, std::uint64_t value)
{
    while (value >= 0x80) {
        out += static_cast<char>((value & 0x7f) | 0x80);
        value >>= 7;
    }
    out += static_cast<char>(value);
}

void putBytes(std::string& out, std::string_view bytes)
{
    putVarint(out, bytes.size());
    out += bytes;
}

std::uint64_t zigzag(std::int64_t value)
{
    return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}

std::int64_t unzigzag(std::uint64_t value)
{
    return static_cast<std::int64_t>(value >> 1) ^ -static_cast<std::int64_t>(value & 1);
}

// The first 8 bytes of the SHA-256 of `payload`.
std::uint64_t checksumOf(std::string_view payload)
{
    Sha256 digest;
    digest.update(payload.data(), payload.size());
    const auto bytes = digest.digest();
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i)
        value |= static_cast<std::uint64_t>(bytes[static_cast<std::size_t>(i)]) << (8 * i);
    return value;
}

// Reads what putFixed/putVarint/putBytes wrote, from a bounded view; every
// read that would run past the end fails instead.
class Reader
{
public:
    explicit Reader(std::string_view data) : data_(data) {}

    bool fixed(std::uint64_t& value, int bytes)
    {
        if (data_.size() - at_ < static_cast<std::size_t>(bytes))
            return false;
        value = 0;
        for (int i = 0; i < bytes; ++i)
            value |= static_cast<std::uint64_t>(static_cast<unsigned char>(data_[at_++]))
                     << (8 * i);
        return true;
    }
    bool varint(std::uint64_t& value)
    {
        value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at_ >= data_.size())
                return false;
            const auto byte = static_cast<unsigned char>(data_[at_++]);
            value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
            if (!(byte & 0x80))
                return true;
        }
        return false;
    }
    template <typename Number> bool number(Number& value)
    {
        std::uint64_t raw = 0;
        if (!varint(raw) || raw > static_cast<std::uint64_t>(std::numeric_limits<Number>::max()))
            return false;
        value = static_cast<Number>(raw);
        return true;
    }
    bool bytes(std::string_view& value, std::size_t length)
    {
        if (data_.size() - at_ < length)
            return false;
        value = data_.substr(at_, length);
        at_ += length;
        return true;
    }
    bool text(std::string& value)
    {
        std::uint64_t length = 0;
        std::string_view view;
        if (!varint(length) || length > data_.size() || !bytes(view, length))
            return false;
        value.assign(view);
        return true;
    }
    std::size_t at() const { return at_; }
    bool done() const { return at_ == data_.size(); }

private:
    std::string_view data_;
    std::size_t at_ = 0;
};

void appendEntry(std::string& out, const ManifestEntry& e, std::string_view previous)
{
    const auto limit = std::min(previous.size(), e.path.size());
    std::size_t shared = 0;
    while (shared < limit && previous[shared] == e.path[shared])
        ++shared;
    putVarint(out, shared);
    putBytes(out, std::string_view(e.path).substr(shared));
    out += e.type;
    const auto digest = Sha256::fromHex(e.hash);
    const unsigned char flags = (digest ? kHasHash : 0) | (e.target.empty() ? 0 : kHasTarget) |
                                (e.linkGroup.empty() ? 0 : kHasGroup) |
                                (e.xattrs.empty() ? 0 : kHasXattrs);
    out += static_cast<char>(flags);
    putVarint(out, e.mode);
    putVarint(out, e.uid);
    putVarint(out, e.gid);
    putVarint(out, e.size);
    putVarint(out, zigzag(e.mtimeNs));
    putVarint(out, zigzag(e.ctimeNs));
    putVarint(out, e.inode);
    putVarint(out, e.device);
    if (digest)
        out.append(reinterpret_cast<const char*>(digest->data()), digest->size());
    if (flags & kHasTarget)
        putBytes(out, e.target);
    if (flags & kHasGroup)
        putBytes(out, e.linkGroup);
    if (flags & kHasXattrs) {
        putVarint(out, e.xattrs.size());
        for (const auto& [name, value] : e.xattrs) {
            putBytes(out, name);
            putBytes(out, value);
        }
    }
}

// One entry; `previous` is the path before it in the block. "" or what is wrong.
std::string readEntry(Reader& in, ManifestEntry& e, const std::string& previous)
{
    std::uint64_t shared = 0;
    std::string rest;
    if (!in.varint(shared) || shared > previous.size() || !in.text(rest))
        return "malformed path";
    e.path.assign(previous, 0, shared);
    e.path += rest;
    std::string_view type, flagByte;
    if (!in.bytes(type, 1) || !in.bytes(flagByte, 1))
        return "cut short";
    e.type = type[0];
    if (std::string_view("fdlpcb").find(e.type) == std::string_view::npos)
        return "unknown entry type '" + std::string(type) + "'";
    const auto flags = static_cast<unsigned char>(flagByte[0]);
    std::uint64_t mtime = 0, ctime = 0;
    if (!in.number(e.mode) || !in.number(e.uid) || !in.number(e.gid) || !in.number(e.size) ||
        !in.varint(mtime) || !in.varint(ctime) || !in.number(e.inode) || !in.number(e.device))
        return "malformed number";
    e.mtimeNs = unzigzag(mtime);
    e.ctimeNs = unzigzag(ctime);
    if (flags & kHasHash) {
        std::string_view raw;
        if (!in.bytes(raw, 32))
            return "cut short";
        Sha256::Digest digest{};
        std::memcpy(digest.data(), raw.data(), digest.size());
        e.hash = Sha256::toHex(digest);
    }
    if (e.type == 'f' && e.hash.empty())
        return "a regular file needs a SHA-256 hash";
    if (((flags & kHasTarget) && !in.text(e.target)) ||
        ((flags & kHasGroup) && !in.text(e.linkGroup)))
        return "malformed link";
    if (flags & kHasXattrs) {
        std::uint64_t count = 0;
        if (!in.varint(count))
            return "malformed xattr";
        for (std::uint64_t i = 0; i < count; ++i) {
            std::string name, value;
            if (!in.text(name) || !in.text(value))
                return "malformed xattr";
            e.xattrs[name] = std::move(value);
        }
    }
    if (!Manifest::safePath(e.path))
        return "refused path '" + e.path +
               "': manifest paths must be relative, without '.' or '..'";
    return "";
}

struct Block {
    std::size_t offset = 0; // of its 'B'
    std::uint64_t count = 0;
    std::string_view payload;
    bool intact = false; // its checksum holds
};

// The block at `at`, or nullopt when none starts there whole.
std::optional<Block> blockAt(std::string_view data, std::size_t at)
{
    if (at >= data.size() || data[at] != 'B')
        return std::nullopt;
    Reader in(data.substr(at + 1));
    std::uint64_t length = 0, count = 0, checksum = 0;
    std::string_view payload;
    if (!in.fixed(length, 4) || !in.fixed(count, 4) || !in.fixed(checksum, 8) ||
        !in.bytes(payload, length))
        return std::nullopt;
    return Block{at, count, payload, checksumOf(payload) == checksum};
}

// The entries of one intact block, appended to `entries`.
std::string readEntries(const Block& block, std::vector<ManifestEntry>& entries)
{
    Reader in(block.payload);
    std::string previous;
    for (std::uint64_t i = 0; i < block.count; ++i) {
        ManifestEntry e;
        if (auto problem = readEntry(in, e, previous); !problem.empty())
            return "entry " + std::to_string(entries.size() + 1) + ": " + problem;
        previous = e.path;
        entries.push_back(std::move(e));
    }
    return in.done() ? "" : "block at byte " + std::to_string(block.offset) + ": trailing bytes";
}

using IndexEntry = ManifestBlocks::IndexEntry;

std::optional<std::vector<IndexEntry>> readIndex(std::string_view data)
{
    if (data.size() < 8)
        return std::nullopt;
    std::uint64_t at = 0;
    Reader tail(data.substr(data.size() - 8));
    tail.fixed(at, 8);
    if (at >= data.size() - 8 || data[at] != 'I')
        return std::nullopt;
    Reader in(data.substr(at + 1, data.size() - 8 - at - 1));
    std::uint64_t count = 0;
    if (!in.fixed(count, 4) || count > data.size())
        return std::nullopt;
    std::vector<IndexEntry> index;
    for (std::uint64_t i = 0; i < count; ++i) {
        IndexEntry entry;
        if (!in.fixed(entry.offset, 8) || entry.offset >= at || !in.text(entry.first))
            return std::nullopt;
        index.push_back(std::move(entry));
    }
    if (!in.done())
        return std::nullopt;
    return index;
}

} // namespace

void ManifestBlocks::appendBlock(std::string& out, const ManifestEntry* entries, std::size_t count)
{
    std::string payload;
    std::string_view previous;
    for (std::size_t i = 0; i < count; ++i) {
        appendEntry(payload, entries[i], previous);
        previous = entries[i].path;
    }
    out += 'B';
    putFixed(out, payload.size(), 4);
    putFixed(out, count, 4);
    putFixed(out, checksumOf(payload), 8);
    out += payload;
}

void ManifestBlocks::appendIndex(std::string& out, const std::vector<IndexEntry>& index,
                                 std::uint64_t indexAt)
{
    out += 'I';
    putFixed(out, index.size(), 4);
    for (const auto& entry : index) {
        putFixed(out, entry.offset, 8);
        putBytes(out, entry.first);
    }
    putFixed(out, indexAt, 8);
}

void ManifestBlocks::append(std::string& out, const std::vector<ManifestEntry>& entries)
{
    const std::size_t base = out.size();
    std::vector<IndexEntry> index;
    for (std::size_t first = 0; first < entries.size(); first += kBlockEntries) {
        index.push_back({out.size() - base, entries[first].path});
        appendBlock(out, entries.data() + first, std::min(kBlockEntries, entries.size() - first));
    }
    appendIndex(out, index, out.size() - base);
}

std::optional<std::uint64_t> ManifestBlocks::payloadLength(std::string_view header)
{
    Reader in(header);
    std::uint64_t length = 0;
    std::string_view mark;
    if (!in.bytes(mark, 1) || mark[0] != 'B' || !in.fixed(length, 4))
        return std::nullopt;
    return length;
}

std::string ManifestBlocks::readBlock(std::string_view block, std::vector<ManifestEntry>& entries)
{
    auto found = blockAt(block, 0);
    if (!found || kBlockHeader + found->payload.size() != block.size())
        return "cut short";
    if (!found->intact)
        return "its checksum does not match";
    return readEntries(*found, entries);
}

std::string ManifestBlocks::parse(std::string_view data, std::size_t expected,
                                  std::vector<ManifestEntry>& entries)
{
    // Never sized by a number read from disk beyond what the data can hold:
    // an entry takes 12 bytes at least.
    if (expected > data.size() / 12 + 1)
        return "the manifest declares " + std::to_string(expected) + " entries, more than its " +
               std::to_string(data.size()) + " bytes can hold";
    entries.reserve(expected);
    auto index = readIndex(data);
    if (!index)
        return "the block index is damaged";
    std::size_t at = 0;
    for (std::size_t i = 0; i < index->size(); ++i) {
        auto block = blockAt(data, at);
        if (!block || block->offset != (*index)[i].offset)
            return "block " + std::to_string(i + 1) + " is cut short or out of place";
        if (!block->intact)
            return "block " + std::to_string(i + 1) + ": its checksum does not match";
        if (auto problem = readEntries(*block, entries); !problem.empty())
            return problem;
        at = block->offset + kBlockHeader + block->payload.size();
    }
    if (entries.size() != expected)
        return "the manifest holds " + std::to_string(entries.size()) + " entries, not " +
               std::to_string(expected);
    return "";
}

std::string ManifestBlocks::damage(std::string_view data)
{
    auto index = readIndex(data);
    std::size_t at = 0;
    for (std::size_t i = 0;; ++i) {
        if (at < data.size() && data[at] == 'I')
            return index ? "" : "the block index is damaged";
        auto block = blockAt(data, at);
        const std::string which =
            "block " + std::to_string(i + 1) +
            (index ? " of " + std::to_string(index->size()) : std::string()) + ", from byte " +
            std::to_string(at) + " of the entries" +
            (index && i < index->size() ? ", paths from " + (*index)[i].first : std::string());
        if (!block)
            return which + ", is cut short";
        if (!block->intact)
            return which + ", is damaged";
        at = block->offset + kBlockHeader + block->payload.size();
    }
}

std::string ManifestBlocks::find(std::string_view data, const std::vector<std::string>& paths,
                                 std::vector<ManifestEntry>& entries)
{
    auto index = readIndex(data);
    if (!index)
        return "the block index is damaged";
    std::size_t loaded = index->size(); // the block in `block`
    std::vector<ManifestEntry> block;
    for (const auto& path : paths) {
        // The last block whose first path is not after `path`.
        auto after = std::upper_bound(index->begin(), index->end(), path,
                                      [](const std::string& p, const IndexEntry& e) {
                                          return TreeWalker::walkOrder(p, e.first) < 0;
                                      });
        if (after == index->begin())
            continue;
        const auto number = static_cast<std::size_t>(after - index->begin()) - 1;
        if (number != loaded) {
            auto found = blockAt(data, (*index)[number].offset);
            if (!found)
                return "block " + std::to_string(number + 1) + " is cut short";
            if (!found->intact)
                return "block " + std::to_string(number + 1) + ": its checksum does not match";
            block.clear();
            if (auto problem = readEntries(*found, block); !problem.empty())
                return problem;
            loaded = number;
        }
        auto it = std::lower_bound(block.begin(), block.end(), path,
                                   [](const ManifestEntry& e, const std::string& p) {
                                       return TreeWalker::walkOrder(e.path, p) < 0;
                                   });
        if (it != block.end() && it->path == path)
            entries.push_back(*it);
    }
    return "";
}

} // namespace lfsw
