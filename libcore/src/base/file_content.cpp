// SPDX-License-Identifier: MIT
#include "base/file_content.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <stdexcept>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/sha256.h"
#include "base/system_error.h"
#include "base/unique_fd.h"
#include "base/write_error.h"

namespace lfsw {

namespace {

void syncOpened(const std::filesystem::path& path, int flags)
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | flags));
    const bool synced = fd.isValid() && ::fsync(fd.get()) == 0;
    fd.reset();
    if (!synced)
        throwErrno("cannot sync " + path.string());
}

} // namespace

std::string hashFile(int fd, char* buffer, std::uint64_t* bytesRead)
{
    Sha256 hash;
    std::uint64_t total = 0;
    off_t offset = 0;
    while (true) {
        ssize_t got = ::pread(fd, buffer, kFileBufferSize, offset);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            throwErrno("cannot read");
        }
        if (got == 0)
            break;
        hash.update(buffer, static_cast<std::size_t>(got));
        offset += got;
        total += static_cast<std::uint64_t>(got);
    }
    if (bytesRead)
        *bytesRead = total;
    return hash.hexDigest();
}

std::vector<std::pair<std::int64_t, std::int64_t>> dataSegments(int fd, std::int64_t size)
{
    std::vector<std::pair<std::int64_t, std::int64_t>> segments;
    std::int64_t position = 0;
    while (position < size) {
        off_t data = ::lseek(fd, position, SEEK_DATA);
        if (data < 0) {
            if (errno == ENXIO)
                break;       // only a hole is left
            data = position; // no SEEK_DATA here: the rest is data
        }
        off_t hole = ::lseek(fd, data, SEEK_HOLE);
        if (hole < 0 || hole > size)
            hole = static_cast<off_t>(size);
        segments.emplace_back(data, hole - data);
        position = hole;
    }
    return segments;
}

void copyFileContent(int from, int to, std::uint64_t size, char* buffer)
{
    if (::ioctl(to, FICLONE, from) == 0)
        return;
    const off_t end = static_cast<off_t>(size);
    for (const auto& [data, length] : dataSegments(from, static_cast<std::int64_t>(size))) {
        const off_t hole = static_cast<off_t>(data + length);
        off_t in = static_cast<off_t>(data);
        off_t out = static_cast<off_t>(data);
        while (in < hole) {
            ssize_t copied =
                ::copy_file_range(from, &in, to, &out, static_cast<std::size_t>(hole - in), 0);
            if (copied < 0 &&
                (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL)) {
                // Fall back to read and write.
                while (in < hole) {
                    ssize_t got = ::pread(
                        from, buffer,
                        std::min<std::size_t>(kFileBufferSize, static_cast<std::size_t>(hole - in)),
                        in);
                    if (got <= 0)
                        throwErrno("cannot read");
                    for (ssize_t written = 0; written < got;) {
                        ssize_t n =
                            ::pwrite(to, buffer + written, static_cast<std::size_t>(got - written),
                                     out + written);
                        if (n <= 0) {
                            if (n == 0)
                                errno = ENOSPC; // a short write is a full disk
                            throwWriteErrno("cannot write");
                        }
                        written += n;
                    }
                    in += got;
                    out += got;
                }
                break;
            }
            if (copied < 0)
                throwWriteErrno("cannot copy");
            if (copied == 0)
                break;
        }
    }
    if (::ftruncate(to, end) != 0)
        throwWriteErrno("cannot size");
}

std::size_t readAt(int fd, char* buffer, std::size_t size, std::int64_t offset)
{
    std::size_t total = 0;
    while (total < size) {
        ssize_t got = ::pread(fd, buffer + total, size - total,
                              static_cast<off_t>(offset) + static_cast<off_t>(total));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            throwErrno("cannot read");
        if (got == 0)
            break;
        total += static_cast<std::size_t>(got);
    }
    return total;
}

void writeAll(int fd, const char* data, std::size_t size, std::int64_t offset)
{
    for (std::size_t written = 0; written < size;) {
        ssize_t n = ::pwrite(fd, data + written, size - written,
                             static_cast<off_t>(offset) + static_cast<off_t>(written));
        if (n <= 0) {
            if (n == 0)
                errno = ENOSPC;
            if (errno == EINTR)
                continue;
            throwWriteErrno("cannot write");
        }
        written += static_cast<std::size_t>(n);
    }
}

void syncDirectory(const std::filesystem::path& directory)
{
    syncOpened(directory, O_DIRECTORY);
}

void syncFile(const std::filesystem::path& file)
{
    syncOpened(file, 0);
}

std::optional<std::string> readFileText(const std::filesystem::path& file)
{
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.isValid())
        return std::nullopt;
    // The size is only a hint: files of /proc and /sys say 0 or 4096
    // whatever they hold.
    struct stat info {
    };
    std::string text(::fstat(fd.get(), &info) == 0 && info.st_size > 0
                         ? static_cast<std::size_t>(info.st_size) + 1
                         : 4096,
                     '\0');
    std::size_t used = 0;
    for (;;) {
        if (used == text.size())
            text.resize(text.size() * 2);
        const ssize_t got = ::read(fd.get(), text.data() + used, text.size() - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return std::nullopt;
        if (got == 0)
            break;
        used += static_cast<std::size_t>(got);
    }
    text.resize(used);
    return text;
}

void writeFileDurably(const std::filesystem::path& file, const std::string& text, mode_t newMode)
{
    writeFileDurably(
        file, [&](int fd) { writeAll(fd, text.data(), text.size(), 0); }, newMode);
}

void writeFileDurably(const std::filesystem::path& file, const std::function<void(int fd)>& write,
                      mode_t newMode)
{
    const auto directory = std::filesystem::absolute(file).parent_path();
    // One temporary per process: two writers of the same file never write
    // or remove each other's.
    const auto temporary =
        directory / ("." + file.filename().string() + ".partial-" + std::to_string(::getpid()));
    struct stat old {
    };
    const mode_t mode = ::stat(file.c_str(), &old) == 0 ? (old.st_mode & 07777) : newMode;
    ::unlink(temporary.c_str()); // a leftover, or a planted link: removed, never followed
    UniqueFd fd(
        ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd.isValid())
        throwErrno("cannot write " + file.string());
    try {
        if (::fchmod(fd.get(), mode) != 0) // the umask took bits off
            throwErrno("cannot set the mode of " + file.string());
        try {
            write(fd.get());
        } catch (const std::exception& e) {
            throw std::runtime_error("cannot write " + file.string() + ": " + e.what());
        }
        if (::fsync(fd.get()) != 0)
            throwErrno("cannot sync " + file.string());
    } catch (...) {
        fd.reset();
        ::unlink(temporary.c_str());
        throw;
    }
    fd.reset();
    struct stat before {
    };
    const bool existed = ::lstat(file.c_str(), &before) == 0;
    if (::rename(temporary.c_str(), file.c_str()) != 0) {
        const int why = errno;
        ::unlink(temporary.c_str());
        errno = why;
        throwErrno("cannot rename into " + file.string());
    }
    try {
        syncDirectory(directory);
    } catch (...) {
        // Not known to be durable: a new file goes again, so that what is
        // there (a checkpoint listed) agrees with the error the caller gets.
        if (!existed)
            ::unlink(file.c_str());
        throw;
    }
}

std::vector<std::string> lastLines(const std::filesystem::path& file, std::size_t count)
{
    std::ifstream in(file);
    if (!in)
        return {};
    // Only the end of a large log is read.
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::streamoff>(in.tellg());
    const std::streamoff window = 64 * 1024;
    in.seekg(size > window ? size - window : 0);
    std::deque<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
        if (lines.size() > count)
            lines.pop_front();
    }
    return {lines.begin(), lines.end()};
}

} // namespace lfsw
