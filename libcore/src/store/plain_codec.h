// SPDX-License-Identifier: MIT
#pragma once

#include "store/object_codec.h"

namespace lfsw {

// Objects are byte-for-byte copies (reflinks where the file system can), so a
// restore is a copy_file_range: the checkpoint store, built for speed.
class PlainCodec final : public ObjectCodec
{
public:
    std::string store(int from, std::uint64_t size, int to, char* buffer) override;
    void extract(int from, int to, std::uint64_t size, const std::string& hash,
                 char* buffer) override;
    std::string contentHash(int from, char* buffer, std::uint64_t* bytes) override;
    std::string encode(const char* content, std::size_t size) override;
    std::string decode(const char* stored, std::size_t length, std::uint64_t size) override;
    std::unique_ptr<ObjectCodec> clone() const override;
};

} // namespace lfsw
