// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/unique_fd.h"

namespace lfsw {

// The small objects of a content-addressed store, many to a file: creating a
// file costs more than compressing a few kilobytes does, so objects of up to
// kPackLimit bytes of content go into pack files of about kPackSize bytes,
// each with an index beside it (DIR/ID.pack, DIR/ID.index) naming where each
// object starts. The stored form of an object is the same as when it is a
// file of its own (its codec's); its name is the SHA-256 of its content.
//
// Written like loose objects: temporaries first, made durable by the caller
// (one syncfs), then each pack and after it its index renamed into place. An
// index never names a pack that is not there; a pack without an index is
// what a crash left, and collect() removes it.
class PackFiles
{
public:
    static constexpr std::uint64_t kPackLimit = 512 * 1024;
    static constexpr std::uint64_t kPackSize = 16 << 20;

    // `directory` holds the packs; temporaries are written in `temporaries`.
    PackFiles(std::filesystem::path directory, std::filesystem::path temporaries);
    ~PackFiles();
    PackFiles(const PackFiles&) = delete;
    PackFiles& operator=(const PackFiles&) = delete;

    // Whether a pack in place (its pack file there, not only its index), or
    // one being written, has the object.
    bool contains(const std::string& hash) const;
    // The stored form of the object; nullopt when no pack in place has it
    // (or its pack is gone). Throws when its pack cannot be read or is
    // shorter than its index says.
    std::optional<std::string> read(const std::string& hash) const;
    // Where the object is, for messages: "DIR/ID.pack at byte N".
    std::string describe(const std::string& hash) const;
    // The indexes that cannot be read (the objects they name count as
    // missing), one message each.
    std::vector<std::string> problems() const;

    // Writing, under the store's lock, from any number of threads: adds the
    // object unless a pack has it already; returns its stored size, or 0
    // when it was there.
    std::uint64_t add(const std::string& hash, const std::string& stored);
    // Whether anything was added since the last commit.
    bool writing() const;
    // Ends the pack being written: its index is written beside it. The
    // caller then makes the temporaries durable (syncfs) and commits.
    void finish();
    // Moves each pack written, then its index, into place, and syncs the
    // directory. finish() comes first.
    void commit();
    // Deletes the temporaries of a write that is given up.
    void abandon();

    // Keeps the objects in `referenced` and drops the others: a pack with
    // none left goes (index first), a pack more than half garbage is written
    // anew with what it still holds before the old one goes, a pack without
    // an index goes. Indexes that cannot be read are left alone. Returns the
    // bytes freed.
    std::uint64_t collect(const std::set<std::string>& referenced);

private:
    // 32 bits are enough: a pack ends once it holds kPackSize bytes, and
    // an object is at most kPackLimit bytes plus its codec's overhead.
    struct Location {
        std::uint32_t pack;
        std::uint32_t offset;
        std::uint32_t length;
    };
    // An object's place, under its SHA-256 in binary: tens of thousands of
    // them, kept sorted, are smaller and quicker to load than a hash map.
    struct Slot {
        std::array<unsigned char, 32> hash;
        Location where;
        bool operator<(const Slot& other) const { return hash < other.hash; }
    };
    struct Writing {
        std::filesystem::path pack;
        UniqueFd fd;
        std::uint64_t size = 0;
        std::vector<Slot> entries; // what its index will say (`pack` not set yet)
        std::unordered_set<std::string> hashes;
    };
    // A pack written and not yet in place; its objects sorted by hash, so
    // that a first checkpoint of many files holds 44 bytes for each.
    struct Written {
        std::string id;
        std::filesystem::path pack;
        std::filesystem::path index;
        std::vector<Slot> entries;
    };

    void load() const;
    // Whether the write under way has the object already (the mutex held).
    bool adding(const std::string& hash) const;
    std::optional<Location> locate(const std::string& hash) const;
    int packFd(std::uint32_t pack) const;
    void finishPack(); // finish() with the mutex held
    void forget(std::uint32_t pack);
    // Writes the object into the pack being written (the mutex held).
    void append(const std::string& hash, const std::string& stored);

    std::filesystem::path directory_;
    std::filesystem::path temporaries_;
    mutable std::mutex mutex_;
    mutable bool loaded_ = false;
    mutable std::vector<std::string> packs_; // ids; a Location's `pack` indexes this
    mutable std::vector<Slot> objects_;      // sorted
    mutable std::vector<std::string> problems_;
    mutable std::unordered_map<std::uint32_t, UniqueFd> fds_;
    std::optional<Writing> writing_;
    std::vector<Written> written_;
    int counter_ = 0;
};

} // namespace lfsw
