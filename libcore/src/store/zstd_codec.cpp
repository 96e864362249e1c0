// SPDX-License-Identifier: MIT
#include "store/zstd_codec.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <unistd.h>
#include <zstd.h>

#include "base/file_content.h"
#include "base/sha256.h"
#include "base/write_error.h"

namespace lfsw {

namespace {

void check(std::size_t code, const char* what)
{
    if (ZSTD_isError(code))
        throw std::runtime_error(std::string(what) + ": " + ZSTD_getErrorName(code));
}

} // namespace

ZstdCodec::ZstdCodec(int level)
    : level_(level), compress_(ZSTD_createCCtx()), decompress_(ZSTD_createDCtx())
{
    if (!compress_ || !decompress_)
        throw std::runtime_error("zstd: out of memory");
    check(ZSTD_CCtx_setParameter(compress_, ZSTD_c_compressionLevel, level), "zstd level");
    check(ZSTD_CCtx_setParameter(compress_, ZSTD_c_checksumFlag, 0), "zstd checksum");
}

ZstdCodec::~ZstdCodec()
{
    ZSTD_freeCCtx(compress_);
    ZSTD_freeDCtx(decompress_);
}

std::string ZstdCodec::store(int from, std::uint64_t size, int to, char* buffer)
{
    Sha256 hash;
    check(ZSTD_CCtx_reset(compress_, ZSTD_reset_session_only), "zstd reset");
    check(ZSTD_CCtx_setPledgedSrcSize(compress_, size), "zstd size");
    // The input half of the buffer, and the output half.
    const std::size_t half = kFileBufferSize / 2;
    char* output = buffer + half;
    std::int64_t inOffset = 0;
    std::int64_t outOffset = 0;
    std::uint64_t total = 0;
    for (;;) {
        const std::size_t got = readAt(from, buffer, half, inOffset);
        inOffset += static_cast<std::int64_t>(got);
        total += got;
        if (total > size)
            throw std::runtime_error("the file grew while it was read");
        hash.update(buffer, got);
        const bool last = got == 0;
        ZSTD_inBuffer in{buffer, got, 0};
        for (;;) {
            ZSTD_outBuffer out{output, half, 0};
            const std::size_t left =
                ZSTD_compressStream2(compress_, &out, &in, last ? ZSTD_e_end : ZSTD_e_continue);
            check(left, "zstd compress");
            writeAll(to, output, out.pos, outOffset);
            outOffset += static_cast<std::int64_t>(out.pos);
            if (last ? left == 0 : in.pos == in.size)
                break;
        }
        if (last)
            break;
    }
    if (total != size)
        throw std::runtime_error("the file shrank while it was read");
    return hash.hexDigest();
}

template <typename Sink> void ZstdCodec::decompress(int from, char* buffer, Sink&& sink)
{
    check(ZSTD_DCtx_reset(decompress_, ZSTD_reset_session_only), "zstd reset");
    const std::size_t half = kFileBufferSize / 2;
    char* output = buffer + half;
    std::int64_t offset = 0;
    std::size_t left = 1;
    for (;;) {
        const std::size_t got = readAt(from, buffer, half, offset);
        offset += static_cast<std::int64_t>(got);
        if (got == 0)
            break;
        ZSTD_inBuffer in{buffer, got, 0};
        while (in.pos < in.size) {
            ZSTD_outBuffer out{output, half, 0};
            left = ZSTD_decompressStream(decompress_, &out, &in);
            check(left, "zstd decompress");
            sink(output, out.pos);
        }
    }
    // The input is used up; what the frame still holds comes out now.
    while (left != 0) {
        ZSTD_inBuffer in{buffer, 0, 0};
        ZSTD_outBuffer out{output, half, 0};
        left = ZSTD_decompressStream(decompress_, &out, &in);
        check(left, "zstd decompress");
        if (out.pos == 0 && left != 0)
            throw std::runtime_error("zstd: the object is truncated");
        sink(output, out.pos);
    }
}

void ZstdCodec::extract(int from, int to, std::uint64_t size, const std::string& hash, char* buffer)
{
    Sha256 digest;
    std::int64_t offset = 0;
    decompress(from, buffer, [&](const char* data, std::size_t length) {
        digest.update(data, length);
        // Runs of zeros stay holes: sparse files stay sparse.
        bool zero = length >= 4096;
        for (std::size_t i = 0; zero && i < length; ++i)
            zero = data[i] == 0;
        if (!zero)
            writeAll(to, data, length, offset);
        offset += static_cast<std::int64_t>(length);
    });
    if (static_cast<std::uint64_t>(offset) != size || digest.hexDigest() != hash)
        throw std::runtime_error("corrupt object: its content does not match its hash");
    if (::ftruncate(to, offset) != 0)
        throw WriteError(std::string("cannot size: ") + std::strerror(errno));
}

std::string ZstdCodec::contentHash(int from, char* buffer, std::uint64_t* bytes)
{
    Sha256 digest;
    std::uint64_t total = 0;
    decompress(from, buffer, [&](const char* data, std::size_t length) {
        digest.update(data, length);
        total += length;
    });
    if (bytes)
        *bytes = total;
    return digest.hexDigest();
}

std::string ZstdCodec::encode(const char* content, std::size_t size)
{
    check(ZSTD_CCtx_reset(compress_, ZSTD_reset_session_only), "zstd reset");
    std::string stored(ZSTD_compressBound(size), '\0');
    const std::size_t length =
        ZSTD_compress2(compress_, stored.data(), stored.size(), content, size);
    check(length, "zstd compress");
    stored.resize(length);
    return stored;
}

std::string ZstdCodec::decode(const char* stored, std::size_t length, std::uint64_t size)
{
    // The frame records its content size (compress2 knows it): a frame that
    // says otherwise is not the object it is filed as.
    if (ZSTD_getFrameContentSize(stored, length) != size)
        throw std::runtime_error("corrupt object: its content does not match its hash");
    // Both sizes are read from disk: never allocate more than a frame of
    // this length can decompress to (a block of 128 KiB takes 4 bytes at
    // least, an RLE block).
    if (size / 32768 > length + 1)
        throw std::runtime_error("corrupt object: " + std::to_string(length) +
                                 " stored bytes cannot hold the " + std::to_string(size) +
                                 " bytes it claims");
    std::string content(size, '\0');
    const std::size_t got =
        ZSTD_decompressDCtx(decompress_, content.data(), content.size(), stored, length);
    if (ZSTD_isError(got) || got != size)
        throw std::runtime_error("corrupt object: its content does not match its hash");
    return content;
}

std::unique_ptr<ObjectCodec> ZstdCodec::clone() const
{
    return std::make_unique<ZstdCodec>(level_);
}

} // namespace lfsw
