// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace lfsw {

// How a content-addressed store keeps its objects: the checkpoint store as
// plain copies (PlainCodec), the backup repository compressed (ZstdCodec).
// An object is always named by the SHA-256 of the content it holds.
class ObjectCodec
{
public:
    virtual ~ObjectCodec() = default;

    // Writes the object for the `size` bytes of `from` into the new, empty
    // file `to`; returns the SHA-256 of the content it stored.
    virtual std::string store(int from, std::uint64_t size, int to, char* buffer) = 0;
    // Writes the content of the object `from` into the new, empty file `to`.
    // Throws when the content is not `size` bytes hashing to `hash` (a
    // corrupt object) and the codec can tell.
    virtual void extract(int from, int to, std::uint64_t size, const std::string& hash,
                         char* buffer) = 0;
    // The SHA-256 of the content the object holds (its length in `bytes`);
    // throws when the object cannot be decoded.
    virtual std::string contentHash(int from, char* buffer, std::uint64_t* bytes) = 0;

    // The same for objects kept in memory (small ones, many to a pack file):
    // the stored form of `size` bytes of content, and the content of a
    // stored form, which must be `size` bytes long (else it throws).
    virtual std::string encode(const char* content, std::size_t size) = 0;
    virtual std::string decode(const char* stored, std::size_t length, std::uint64_t size) = 0;
    // A codec of the same kind with state of its own, for another thread.
    virtual std::unique_ptr<ObjectCodec> clone() const = 0;
};

} // namespace lfsw
