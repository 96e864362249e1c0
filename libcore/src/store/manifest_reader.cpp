// SPDX-License-Identifier: MIT
#include "store/manifest_reader.h"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>

#include "base/file_content.h"
#include "base/sha256.h"
#include "store/manifest_blocks.h"

namespace lfsw {

namespace {

// "end " + 64 hex digits + '\n'
constexpr std::size_t kEndLine = 4 + 64 + 1;
constexpr std::size_t kMostHeader = 1 << 20;

} // namespace

ManifestReader::ManifestReader(const std::filesystem::path& file)
    : file_(file), fd_(::open(file.c_str(), O_RDONLY | O_CLOEXEC))
{
    struct stat info {
    };
    if (!fd_.isValid() || ::fstat(fd_.get(), &info) != 0)
        fail("cannot be read");
    const auto size = static_cast<std::uint64_t>(info.st_size);
    // The end line covers everything before it.
    std::string end(kEndLine + 1, '\0');
    if (size < end.size() ||
        readAt(fd_.get(), end.data(), end.size(), static_cast<std::int64_t>(size - end.size())) !=
            end.size() ||
        end.compare(0, 5, "\nend ") != 0 || end.back() != '\n')
        fail("the manifest is truncated (no end line)");
    const std::uint64_t body = size - kEndLine;
    Sha256 digest;
    auto buffer = std::make_unique<char[]>(kFileBufferSize);
    std::string head; // the first bytes, for the header
    for (std::uint64_t from = 0; from < body;) {
        const auto want =
            static_cast<std::size_t>(std::min<std::uint64_t>(kFileBufferSize, body - from));
        const auto got = readAt(fd_.get(), buffer.get(), want, static_cast<std::int64_t>(from));
        if (got != want)
            fail("the manifest is truncated");
        digest.update(buffer.get(), got);
        if (head.size() < kMostHeader)
            head.append(buffer.get(), std::min(got, kMostHeader - head.size()));
        from += got;
    }
    if (digest.hexDigest() != end.substr(5, 64)) {
        // Manifest::read names the damaged block.
        auto whole = Manifest::read(file);
        fail(whole ? "the manifest's checksum does not match" : whole.error());
    }
    int format = 0;
    std::size_t entriesAt = 0;
    auto header = Manifest::parseHeader(head, format, entriesAt);
    if (!header)
        fail(header.error());
    header_ = std::move(*header);
    if (format == 1) {
        auto whole = Manifest::read(file);
        if (!whole)
            fail(whole.error());
        block_ = std::move(whole->entries);
        return;
    }
    // The binary part: the blocks, the index, its offset; then '\n'.
    const std::uint64_t binaryEnd = body - 1;
    std::string tail(8, '\0');
    std::uint64_t indexAt = 0;
    if (binaryEnd < entriesAt + 8 ||
        readAt(fd_.get(), tail.data(), 8, static_cast<std::int64_t>(binaryEnd - 8)) != 8)
        fail("the manifest has no entries part");
    for (int i = 7; i >= 0; --i)
        indexAt = (indexAt << 8) | static_cast<unsigned char>(tail[static_cast<std::size_t>(i)]);
    if (indexAt > binaryEnd - 8 - entriesAt)
        fail("the block index is damaged");
    at_ = entriesAt;
    blocksEnd_ = entriesAt + indexAt;
}

void ManifestReader::fail(const std::string& problem) const
{
    throw std::runtime_error(file_.string() + ": " + problem);
}

bool ManifestReader::load()
{
    if (at_ >= blocksEnd_) {
        if (delivered_ + block_.size() - next_ != header_.entryCount && fd_.isValid())
            fail("the manifest holds " + std::to_string(delivered_) + " entries, not " +
                 std::to_string(header_.entryCount));
        return false;
    }
    const std::string which = "block at byte " + std::to_string(at_);
    std::string head(ManifestBlocks::kBlockHeader, '\0');
    std::optional<std::uint64_t> length;
    if (readAt(fd_.get(), head.data(), head.size(), static_cast<std::int64_t>(at_)) !=
            head.size() ||
        !(length = ManifestBlocks::payloadLength(head)) ||
        *length > blocksEnd_ - at_ - ManifestBlocks::kBlockHeader)
        fail(which + " is cut short or out of place");
    buffer_.resize(ManifestBlocks::kBlockHeader + *length);
    if (readAt(fd_.get(), buffer_.data(), buffer_.size(), static_cast<std::int64_t>(at_)) !=
        buffer_.size())
        fail(which + " is cut short");
    block_.clear();
    next_ = 0;
    if (auto problem = ManifestBlocks::readBlock(buffer_, block_); !problem.empty())
        fail(which + ": " + problem);
    at_ += buffer_.size();
    return true;
}

const ManifestEntry* ManifestReader::peek()
{
    while (next_ >= block_.size())
        if (!fd_.isValid() || !load())
            return nullptr;
    return &block_[next_];
}

const ManifestEntry* ManifestReader::next()
{
    const ManifestEntry* entry = peek();
    if (entry) {
        ++next_;
        ++delivered_;
    }
    return entry;
}

} // namespace lfsw
