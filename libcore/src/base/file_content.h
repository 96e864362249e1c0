// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lfsw {

// The size of the buffers the functions below take: one is made per
// operation, not per file.
inline constexpr std::size_t kFileBufferSize = 1 << 20;

// SHA-256 of a file's whole content, read with pread from offset 0;
// `bytesRead` gets its length. Throws std::runtime_error with errno's text.
std::string hashFile(int fd, char* buffer, std::uint64_t* bytesRead = nullptr);

// The data segments (offset, length) of the first `size` bytes of a file,
// from SEEK_DATA and SEEK_HOLE: what is not in one is a hole. Where the file
// system cannot tell, the rest of the file is one segment.
std::vector<std::pair<std::int64_t, std::int64_t>> dataSegments(int fd, std::int64_t size);
// Copies `size` bytes of `from` into the empty file `to`: a reflink where the
// file system can, else copy_file_range over the data segments only, so that
// holes stay holes; read and write where neither works.
void copyFileContent(int from, int to, std::uint64_t size, char* buffer);

// Reads up to `size` bytes at `offset`, fewer only at the end of the file;
// returns how many. Retries on EINTR, throws on errors.
std::size_t readAt(int fd, char* buffer, std::size_t size, std::int64_t offset);

// Writes all of `data` at `offset`; a short write is a full disk.
void writeAll(int fd, const char* data, std::size_t size, std::int64_t offset);

// fsync of a directory, so that what was renamed or removed in it stays so.
void syncDirectory(const std::filesystem::path& directory);
// fsync of a file written and closed earlier.
void syncFile(const std::filesystem::path& file);

// The whole content of `file`, or nullopt (errno says why) when it cannot
// be read.
std::optional<std::string> readFileText(const std::filesystem::path& file);

// Writes `text` durably to `file`: a temporary name beside it (made afresh,
// never through a link planted there), fsync, rename, fsync of the
// directory. A reader never sees half a file, and a failure leaves nothing
// behind. An existing file keeps its mode; a new one gets `newMode`. After a
// failed sync the old file stays. Throws std::runtime_error naming `file`
// with errno's text ("cannot write report.html: No space left on device").
void writeFileDurably(const std::filesystem::path& file, const std::string& text,
                      mode_t newMode = 0600);
// The same with the content that `write(fd)` writes, from offset 0, for
// content too big to hold in memory at once.
void writeFileDurably(const std::filesystem::path& file, const std::function<void(int fd)>& write,
                      mode_t newMode = 0600);

// The last `count` lines of a text file (a step's log), read from its last
// 64 KiB only; empty when it cannot be read.
std::vector<std::string> lastLines(const std::filesystem::path& file, std::size_t count);

} // namespace lfsw
