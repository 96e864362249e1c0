// SPDX-License-Identifier: MIT
#include "store/manifest_writer.h"

#include <algorithm>
#include <memory>

#include <fcntl.h>

#include "base/file_content.h"
#include "base/sha256.h"
#include "base/system_error.h"

namespace lfsw {

ManifestWriter::ManifestWriter(const std::filesystem::path& temporaryDirectory)
    : blocks_(::open(temporaryDirectory.c_str(), O_RDWR | O_TMPFILE | O_CLOEXEC, 0600))
{
    if (!blocks_.isValid())
        throwErrno("cannot make a temporary file in " + temporaryDirectory.string());
    block_.reserve(ManifestBlocks::kBlockEntries);
}

void ManifestWriter::add(ManifestEntry entry)
{
    if (entry.type == 'f')
        fileBytes_ += entry.size;
    ++count_;
    block_.push_back(std::move(entry));
    if (block_.size() == ManifestBlocks::kBlockEntries)
        flush();
}

void ManifestWriter::flush()
{
    if (block_.empty())
        return;
    index_.push_back({written_, block_.front().path});
    encoded_.clear();
    ManifestBlocks::appendBlock(encoded_, block_.data(), block_.size());
    writeAll(blocks_.get(), encoded_.data(), encoded_.size(), static_cast<std::int64_t>(written_));
    written_ += encoded_.size();
    block_.clear();
}

void ManifestWriter::finish(const Manifest& header, const std::filesystem::path& file)
{
    flush();
    writeFileDurably(file, [&](int fd) {
        // Everything before the end line is hashed as it is written.
        Sha256 digest;
        std::int64_t at = 0;
        auto put = [&](const std::string& text) {
            writeAll(fd, text.data(), text.size(), at);
            digest.update(text.data(), text.size());
            at += static_cast<std::int64_t>(text.size());
        };
        put(header.serializeHeader(count_));
        auto buffer = std::make_unique<char[]>(kFileBufferSize);
        for (std::uint64_t from = 0; from < written_;) {
            const auto want =
                static_cast<std::size_t>(std::min<std::uint64_t>(kFileBufferSize, written_ - from));
            const auto got =
                readAt(blocks_.get(), buffer.get(), want, static_cast<std::int64_t>(from));
            if (got != want)
                throw std::runtime_error("the manifest's temporary file was cut short");
            writeAll(fd, buffer.get(), got, at);
            digest.update(buffer.get(), got);
            at += static_cast<std::int64_t>(got);
            from += got;
        }
        std::string tail;
        ManifestBlocks::appendIndex(tail, index_, written_);
        tail += '\n';
        put(tail);
        const std::string end = "end " + digest.hexDigest() + "\n";
        writeAll(fd, end.data(), end.size(), at);
    });
}

} // namespace lfsw
