// SPDX-License-Identifier: MIT
#include "store/plain_codec.h"

#include <stdexcept>

#include "base/file_content.h"

namespace lfsw {

std::string PlainCodec::store(int from, std::uint64_t size, int to, char* buffer)
{
    // Copy first (in the kernel), then hash the copy: the file is read once,
    // and a file changed meanwhile can never make an object whose name is not
    // its content's hash.
    copyFileContent(from, to, size, buffer);
    return hashFile(to, buffer);
}

void PlainCodec::extract(int from, int to, std::uint64_t size, const std::string& hash,
                         char* buffer)
{
    // The copy may never pass through this process (a reflink,
    // copy_file_range): the object is read once more to check it, so that a
    // corrupt object is reported, never written into the tree.
    std::uint64_t bytes = 0;
    if (hashFile(from, buffer, &bytes) != hash || bytes != size)
        throw std::runtime_error("corrupt object: its content does not match its hash");
    copyFileContent(from, to, size, buffer);
}

std::string PlainCodec::contentHash(int from, char* buffer, std::uint64_t* bytes)
{
    return hashFile(from, buffer, bytes);
}

std::string PlainCodec::encode(const char* content, std::size_t size)
{
    return std::string(content, size);
}

std::string PlainCodec::decode(const char* stored, std::size_t length, std::uint64_t size)
{
    if (length != size)
        throw std::runtime_error("corrupt object: its content does not match its hash");
    return std::string(stored, length);
}

std::unique_ptr<ObjectCodec> PlainCodec::clone() const
{
    return std::make_unique<PlainCodec>();
}

} // namespace lfsw
