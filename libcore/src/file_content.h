// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace lfsw {

// The size of the buffers the functions below take: one is made per
// operation, not per file.
inline constexpr std::size_t kFileBufferSize = 1 << 20;

// SHA-256 of a file's whole content, read with pread from offset 0;
// `bytesRead` gets its length. Throws std::runtime_error with errno's text.
std::string hashFile(int fd, char* buffer, std::uint64_t* bytesRead = nullptr);

// Copies `size` bytes of `from` into the empty file `to`: a reflink where the
// file system can, else copy_file_range over the data segments only, so that
// holes stay holes; read and write where neither works.
void copyFileContent(int from, int to, std::uint64_t size, char* buffer);

// Writes all of `data` at `offset`; a short write is a full disk.
void writeAll(int fd, const char* data, std::size_t size, std::int64_t offset);

} // namespace lfsw
