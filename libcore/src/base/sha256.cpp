// SPDX-License-Identifier: MIT
#include "base/sha256.h"

#include <algorithm>
#include <stdexcept>

#include <openssl/evp.h>

namespace lfsw {

Sha256::Sha256() : context_(EVP_MD_CTX_new())
{
    if (!context_ || EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL cannot initialise SHA-256");
}

Sha256::~Sha256()
{
    EVP_MD_CTX_free(context_);
}

void Sha256::update(const void* data, std::size_t size)
{
    EVP_DigestUpdate(context_, data, size);
}

void Sha256::updateZeros(std::uint64_t count)
{
    static const char kZeros[64 * 1024] = {};
    while (count > 0) {
        const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(count, sizeof kZeros));
        update(kZeros, length);
        count -= length;
    }
}

Sha256::Digest Sha256::digest()
{
    Digest digest{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(context_, digest.data(), &length);
    EVP_DigestInit_ex(context_, EVP_sha256(), nullptr);
    return digest;
}

std::string Sha256::hexDigest()
{
    return toHex(digest());
}

std::optional<Sha256::Digest> Sha256::fromHex(std::string_view hex)
{
    if (!isHexDigest(hex))
        return std::nullopt;
    Digest digest{};
    auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    for (std::size_t i = 0; i < digest.size(); ++i)
        digest[i] = static_cast<unsigned char>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
    return digest;
}

std::string Sha256::toHex(const Digest& digest)
{
    static const char* hex = "0123456789abcdef";
    std::string text(64, '0');
    for (std::size_t i = 0; i < digest.size(); ++i) {
        text[2 * i] = hex[digest[i] >> 4];
        text[2 * i + 1] = hex[digest[i] & 15];
    }
    return text;
}

bool Sha256::isHexDigest(std::string_view text)
{
    return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string Sha256::ofText(const std::string& text)
{
    Sha256 hash;
    hash.update(text.data(), text.size());
    return hash.hexDigest();
}

} // namespace lfsw
