// SPDX-License-Identifier: MIT
#include "store/content_reader.h"

#include <algorithm>
#include <stdexcept>

#include "base/file_content.h"
#include "base/sha256.h"
#include "base/unique_fd.h"
#include "store/checkpoint_store.h"

namespace lfsw {

ContentReader::ContentReader(CheckpointStore& store, const std::vector<ManifestEntry>& entries,
                             std::size_t window)
    : store_(store), entries_(entries), window_(window), thread_([this] { run(); })
{
}

ContentReader::~ContentReader()
{
    {
        std::lock_guard guard(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

std::optional<ContentReader::Chunk> ContentReader::next()
{
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !queue_.empty() || finished_; });
    if (queue_.empty()) {
        if (error_)
            std::rethrow_exception(error_);
        return std::nullopt;
    }
    Chunk chunk = std::move(queue_.front());
    queue_.pop_front();
    queued_ -= chunk.bytes.size();
    lock.unlock();
    changed_.notify_all();
    return chunk;
}

bool ContentReader::put(Chunk chunk)
{
    std::unique_lock lock(mutex_);
    // One chunk always fits, however big: a window smaller than a chunk
    // must not stop the reader for good.
    changed_.wait(lock, [&] {
        return stopping_ || queue_.empty() || queued_ + chunk.bytes.size() <= window_;
    });
    if (stopping_)
        return false;
    queued_ += chunk.bytes.size();
    queue_.push_back(std::move(chunk));
    lock.unlock();
    changed_.notify_all();
    return true;
}

void ContentReader::run()
{
    try {
        for (std::size_t index = 0; index < entries_.size(); ++index) {
            const auto& entry = entries_[index];
            if (entry.type != 'f' || !entry.linkGroup.empty())
                continue;
            {
                std::lock_guard guard(mutex_);
                if (stopping_)
                    break;
            }
            readFile(index);
        }
    } catch (...) {
        std::lock_guard guard(mutex_);
        error_ = std::current_exception();
    }
    {
        std::lock_guard guard(mutex_);
        finished_ = true;
    }
    changed_.notify_all();
}

void ContentReader::readFile(std::size_t index)
{
    const auto& entry = entries_[index];
    const auto size = static_cast<std::int64_t>(entry.size);
    auto corrupt = [&](const std::string& why) {
        return std::runtime_error(entry.path + ": corrupt object: " + why);
    };
    // A small object: whole out of its pack, checked there.
    std::optional<std::string> packed;
    try {
        packed = store_.packedContent(entry.hash, entry.size);
    } catch (const std::exception& e) {
        throw std::runtime_error(entry.path + ": " + e.what());
    }
    if (packed) {
        if (packed->size() != entry.size)
            throw corrupt("its size is not the manifest's");
        Chunk chunk{index, true, true, {{0, size}}, 0, std::move(*packed)};
        put(std::move(chunk));
        return;
    }
    UniqueFd object = store_.openObject(entry.hash, entry.size);
    Segments segments = dataSegments(object.get(), size);
    Sha256 digest;
    std::int64_t hashed = 0; // how far the digest has come, holes as zeros
    auto hashZerosTo = [&](std::int64_t end) {
        if (hashed < end)
            digest.updateZeros(static_cast<std::uint64_t>(end - hashed));
        hashed = std::max(hashed, end);
    };
    bool first = true;
    // A file without data (empty, or all hole) still has its one chunk.
    if (segments.empty()) {
        hashZerosTo(size);
        if (digest.hexDigest() != entry.hash)
            throw corrupt("its content does not match its hash");
        put(Chunk{index, true, true, {}, 0, {}});
        return;
    }
    for (std::size_t s = 0; s < segments.size(); ++s) {
        const auto [offset, length] = segments[s];
        hashZerosTo(offset);
        for (std::int64_t position = offset; position < offset + length;) {
            std::string bytes(static_cast<std::size_t>(std::min<std::int64_t>(
                                  offset + length - position, kFileBufferSize)),
                              '\0');
            const auto got = readAt(object.get(), bytes.data(), bytes.size(), position);
            if (got == 0)
                throw corrupt("shorter than its size");
            bytes.resize(got);
            digest.update(bytes.data(), got);
            hashed = position + static_cast<std::int64_t>(got);
            Chunk chunk{index, first, false, {}, position, std::move(bytes)};
            position += static_cast<std::int64_t>(got);
            const bool end = s + 1 == segments.size() && position >= offset + length;
            if (first)
                chunk.segments = segments;
            if (end) {
                // The last piece goes out only once the whole file matched.
                hashZerosTo(size);
                if (digest.hexDigest() != entry.hash)
                    throw corrupt("its content does not match its hash");
                chunk.last = true;
            }
            first = false;
            if (!put(std::move(chunk)))
                return;
        }
    }
}

} // namespace lfsw
