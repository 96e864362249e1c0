// SPDX-License-Identifier: MIT
#include "base/sha256.h"

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

std::string Sha256::hexDigest()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context_, digest, &length);
    EVP_DigestInit_ex(context_, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string text;
    for (unsigned int i = 0; i < length; ++i) {
        text += hex[digest[i] >> 4];
        text += hex[digest[i] & 15];
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
