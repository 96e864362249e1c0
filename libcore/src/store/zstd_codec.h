// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include "store/object_codec.h"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace lfsw {

// Objects compressed with zstd (one frame each), hashed while they are read,
// and checked against their name when they are extracted: the backup
// repository, built for size and for catching bit rot. Keeps one compression
// and one decompression context, so it is not shared between threads.
class ZstdCodec final : public ObjectCodec
{
public:
    explicit ZstdCodec(int level = 3);
    ~ZstdCodec() override;

    std::string store(int from, std::uint64_t size, int to, char* buffer) override;
    void extract(int from, int to, std::uint64_t size, const std::string& hash,
                 char* buffer) override;
    std::string contentHash(int from, char* buffer, std::uint64_t* bytes) override;
    std::string encode(const char* content, std::size_t size) override;
    std::string decode(const char* stored, std::size_t length, std::uint64_t size) override;
    std::unique_ptr<ObjectCodec> clone() const override;

private:
    // Decompresses `from`, handing each piece of content to `sink`.
    template <typename Sink> void decompress(int from, char* buffer, Sink&& sink);

    int level_;
    ZSTD_CCtx_s* compress_;
    ZSTD_DCtx_s* decompress_;
};

} // namespace lfsw
