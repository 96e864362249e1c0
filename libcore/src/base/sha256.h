// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace lfsw {

// SHA-256 through OpenSSL's EVP interface (which uses SHA-NI where the CPU has it).
class Sha256
{
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, std::size_t size);
    // As update() with `count` zero bytes: the holes of a sparse file, as
    // they read.
    void updateZeros(std::uint64_t count);
    // The digest as 64 lowercase hex digits; the object is reset afterwards.
    std::string hexDigest();

    using Digest = std::array<unsigned char, 32>;
    // The digest in binary; the object is reset afterwards.
    Digest digest();

    static std::string ofText(const std::string& text);
    // Whether `text` is a digest as hexDigest() writes it.
    static bool isHexDigest(std::string_view text);
    // A hex digest in binary and back; nullopt for what isHexDigest refuses.
    static std::optional<Digest> fromHex(std::string_view hex);
    static std::string toHex(const Digest& digest);

private:
    evp_md_ctx_st* context_;
};

} // namespace lfsw
