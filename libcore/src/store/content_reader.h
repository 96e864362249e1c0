// SPDX-License-Identifier: MIT
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/manifest.h"

namespace lfsw {

class CheckpointStore;

// Reads the content of a manifest's files out of the store on a thread of
// its own, in manifest order, and checks each against its hash: while the
// caller writes one file into an archive and compresses it, the next ones
// are read and hashed (SHA-256 costs about what compressing does). At most
// `window` bytes wait to be taken. A file whose content does not match its
// hash, or an object that cannot be read, is thrown from next() where its
// chunks would have come, after every chunk of the files before it.
class ContentReader
{
public:
    using Segments = std::vector<std::pair<std::int64_t, std::int64_t>>; // offset, length

    // A piece of one file's content. The first piece of a file carries its
    // data segments (where it is not a hole); pieces of a file come in
    // order, holes left out; the last one says so.
    struct Chunk {
        std::size_t entry = 0; // index into the manifest's entries
        bool first = false;
        bool last = false;
        Segments segments; // the first chunk only
        std::int64_t offset = 0;
        std::string bytes;
    };

    // Reads the regular files of `entries` that have content of their own
    // (hardlinks to an earlier path have none); `entries` and `store` must
    // outlive the reader.
    ContentReader(CheckpointStore& store, const std::vector<ManifestEntry>& entries,
                  std::size_t window = 64u << 20);
    ~ContentReader();
    ContentReader(const ContentReader&) = delete;
    ContentReader& operator=(const ContentReader&) = delete;

    // The next chunk; nullopt once every file was read.
    std::optional<Chunk> next();

private:
    void run();
    void readFile(std::size_t index);
    // Waits for room, then queues the chunk; false once the reader is told to stop.
    bool put(Chunk chunk);

    CheckpointStore& store_;
    const std::vector<ManifestEntry>& entries_;
    const std::size_t window_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Chunk> queue_;
    std::size_t queued_ = 0; // bytes in queue_
    bool stopping_ = false;
    bool finished_ = false;
    std::exception_ptr error_;
    std::thread thread_;
};

} // namespace lfsw
