// SPDX-License-Identifier: MIT
#include "store/tar_export.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/file_content.h"
#include "base/system_error.h"
#include "base/unique_fd.h"
#include "store/content_reader.h"

namespace lfsw {

namespace {

struct ArchiveDeleter {
    void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
    void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using Archive = std::unique_ptr<archive, ArchiveDeleter>;
using Entry = std::unique_ptr<archive_entry, EntryDeleter>;

mode_t fileType(char type)
{
    switch (type) {
    case 'd':
        return AE_IFDIR;
    case 'l':
        return AE_IFLNK;
    case 'p':
        return AE_IFIFO;
    case 'c':
        return AE_IFCHR;
    case 'b':
        return AE_IFBLK;
    default:
        return AE_IFREG;
    }
}

void check(archive* a, int status, const std::string& what)
{
    if (status < ARCHIVE_WARN)
        throw std::runtime_error(what + ": " + archive_error_string(a));
}

} // namespace

std::optional<std::string> TarExport::compressionOf(const std::filesystem::path& file)
{
    const auto name = file.filename().string();
    if (name.ends_with(".tar"))
        return std::string("none");
    if (name.ends_with(".tar.zst") || name.ends_with(".tzst"))
        return std::string("zstd");
    if (name.ends_with(".tar.xz") || name.ends_with(".txz"))
        return std::string("xz");
    if (name.ends_with(".tar.gz") || name.ends_with(".tgz"))
        return std::string("gzip");
    return std::nullopt;
}

std::uint64_t TarExport::write(CheckpointStore& store, const Manifest& manifest,
                               const std::filesystem::path& file, const ProgressCallback& progress)
{
    const auto compression = compressionOf(file);
    if (!compression)
        throw std::runtime_error(file.string() +
                                 ": the name must end in .tar, .tar.zst, .tar.xz or .tar.gz");
    const auto directory =
        file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
    const auto temporary =
        directory / ("." + file.filename().string() + ".partial-" + std::to_string(::getpid()));
    UniqueFd out(
        ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!out.isValid())
        throwErrno("cannot write " + temporary.string());
    try {
        Archive a(archive_write_new());
        check(a.get(), archive_write_set_format_pax(a.get()), "tar");
        // xattrs as SCHILY.xattr, the records GNU tar and star read (the
        // LIBARCHIVE.xattr copy would make GNU tar warn about each one).
        check(a.get(), archive_write_set_format_option(a.get(), "pax", "xattrheader", "SCHILY"),
              "tar");
        if (*compression == "zstd")
            check(a.get(), archive_write_add_filter_zstd(a.get()), "zstd");
        else if (*compression == "xz")
            check(a.get(), archive_write_add_filter_xz(a.get()), "xz");
        else if (*compression == "gzip")
            check(a.get(), archive_write_add_filter_gzip(a.get()), "gzip");
        // Fast enough to keep up with the disk, as zstd -1 does, and on
        // threads of its own: compressing goes on while the store is read
        // and hashed, as it does in `tar | zstd`.
        const auto threads = std::to_string(std::max(1u, std::thread::hardware_concurrency()));
        if (*compression == "zstd") {
            check(a.get(),
                  archive_write_set_filter_option(a.get(), "zstd", "compression-level", "1"),
                  "zstd");
            check(a.get(),
                  archive_write_set_filter_option(a.get(), "zstd", "threads", threads.c_str()),
                  "zstd");
        } else if (*compression == "xz") {
            check(a.get(),
                  archive_write_set_filter_option(a.get(), "xz", "threads", threads.c_str()), "xz");
        }
        // Written in 1 MiB blocks rather than tar's 10 KiB records: a
        // hundred times fewer writes. (The last block is not padded: the
        // output is a regular file.)
        check(a.get(), archive_write_set_bytes_per_block(a.get(), 1 << 20), "tar");
        check(a.get(), archive_write_open_fd(a.get(), out.get()), temporary.string());

        std::unique_ptr<char[]> zeros(new char[kFileBufferSize]());
        StoreProgress done;
        done.totalFiles = manifest.entries.size();
        done.totalBytes = manifest.totalBytes();
        // The files' content, read and checked against their hashes ahead
        // of the archive on a thread of its own; a corrupt object ends the
        // export.
        ContentReader reader(store, manifest.entries);
        for (std::size_t index = 0; index < manifest.entries.size(); ++index) {
            const auto& e = manifest.entries[index];
            Entry entry(archive_entry_new());
            archive_entry_set_pathname(entry.get(), e.path.c_str());
            archive_entry_set_uid(entry.get(), e.uid);
            archive_entry_set_gid(entry.get(), e.gid);
            archive_entry_set_mtime(entry.get(), static_cast<time_t>(e.mtimeNs / 1000000000),
                                    static_cast<long>(e.mtimeNs % 1000000000));
            archive_entry_set_filetype(entry.get(), fileType(e.type));
            if (e.type == 'l')
                archive_entry_set_symlink(entry.get(), e.target.c_str());
            if (e.type == 'c' || e.type == 'b')
                archive_entry_set_rdev(entry.get(), static_cast<dev_t>(e.device));
            archive_entry_set_perm(entry.get(), e.mode & 07777);
            for (const auto& [name, value] : e.xattrs)
                archive_entry_xattr_add_entry(entry.get(), name.c_str(), value.data(),
                                              value.size());
            const bool content = e.type == 'f' && e.linkGroup.empty();
            std::optional<ContentReader::Chunk> chunk;
            if (e.type == 'f' && !e.linkGroup.empty()) {
                archive_entry_set_hardlink(entry.get(), e.linkGroup.c_str());
                archive_entry_set_size(entry.get(), 0);
            } else if (content) {
                chunk = reader.next();
                if (!chunk || chunk->entry != index || !chunk->first)
                    throw std::logic_error("export: the content reader lost its place at " +
                                           e.path);
                const auto size = static_cast<std::int64_t>(e.size);
                archive_entry_set_size(entry.get(), size);
                std::int64_t data = 0;
                for (const auto& segment : chunk->segments)
                    data += segment.second;
                // Sparse: the map names the data, the writer leaves the
                // holes out of the archive.
                if (data < size)
                    for (const auto& [offset, length] : chunk->segments)
                        archive_entry_sparse_add_entry(entry.get(), offset, length);
            }
            check(a.get(), archive_write_header(a.get(), entry.get()), e.path);
            if (content) {
                // The whole content, holes as zeros (the pax writer drops them).
                std::int64_t position = 0;
                auto put = [&](const char* bytes, std::size_t length) {
                    if (archive_write_data(a.get(), bytes, length) !=
                        static_cast<la_ssize_t>(length))
                        throw std::runtime_error(e.path + ": " + archive_error_string(a.get()));
                    position += static_cast<std::int64_t>(length);
                };
                auto zeroTo = [&](std::int64_t end) {
                    while (position < end)
                        put(zeros.get(), static_cast<std::size_t>(std::min<std::int64_t>(
                                             end - position, kFileBufferSize)));
                };
                for (;;) {
                    zeroTo(chunk->offset);
                    put(chunk->bytes.data(), chunk->bytes.size());
                    if (chunk->last)
                        break;
                    chunk = reader.next();
                    if (!chunk || chunk->entry != index)
                        throw std::logic_error("export: the content reader lost its place at " +
                                               e.path);
                }
                zeroTo(static_cast<std::int64_t>(e.size));
                done.bytes += e.size;
            }
            ++done.files;
            if (progress && (done.files % 256 == 0 || content))
                progress(done);
        }
        check(a.get(), archive_write_close(a.get()), temporary.string());
        if (::fsync(out.get()) != 0)
            throwErrno("cannot sync " + temporary.string());
        struct stat written {
        };
        ::fstat(out.get(), &written);
        out.reset();
        if (::rename(temporary.c_str(), file.c_str()) != 0)
            throwErrno("cannot rename " + temporary.string() + " to " + file.string());
        syncDirectory(directory);
        if (progress)
            progress(done);
        return static_cast<std::uint64_t>(written.st_size);
    } catch (...) {
        out.reset();
        ::unlink(temporary.c_str());
        throw;
    }
}

} // namespace lfsw
