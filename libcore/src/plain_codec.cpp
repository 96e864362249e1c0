// SPDX-License-Identifier: MIT
#include "plain_codec.h"

#include "file_content.h"

namespace lfsw {

std::string PlainCodec::store(int from, std::uint64_t size, int to, char* buffer)
{
    // Copy first (in the kernel), then hash the copy: the file is read once,
    // and a file changed meanwhile can never make an object whose name is not
    // its content's hash.
    copyFileContent(from, to, size, buffer);
    return hashFile(to, buffer);
}

void PlainCodec::extract(int from, int to, std::uint64_t size, const std::string&, char* buffer)
{
    copyFileContent(from, to, size, buffer);
}

std::string PlainCodec::contentHash(int from, char* buffer, std::uint64_t* bytes)
{
    return hashFile(from, buffer, bytes);
}

} // namespace lfsw
