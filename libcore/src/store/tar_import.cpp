// SPDX-License-Identifier: MIT
#include "store/tar_import.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/file_content.h"
#include "base/sha256.h"
#include "base/system_error.h"
#include "base/unique_fd.h"

namespace lfsw {

namespace {

struct ArchiveDeleter {
    void operator()(archive* a) const { archive_read_free(a); }
};
using Archive = std::unique_ptr<archive, ArchiveDeleter>;

// The archive's name as a path relative to the root ("./usr/bin" and
// "usr/bin/" are "usr/bin"; "." is the root itself, ""); nothing for a name
// that is absolute or climbs with "..".
std::optional<std::string> relativeName(const std::string& name)
{
    if (name.empty() || name.front() == '/')
        return std::nullopt;
    std::string path;
    std::size_t start = 0;
    while (start <= name.size()) {
        const auto slash = name.find('/', start);
        const auto part =
            name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (part == "..")
            return std::nullopt;
        if (!part.empty() && part != ".")
            path += (path.empty() ? "" : "/") + part;
        if (slash == std::string::npos)
            break;
        start = slash + 1;
    }
    return path;
}

std::string parentOf(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// Whether a relative symlink target, followed from the link's directory,
// stays inside the root.
bool staysInside(const std::string& linkPath, const std::string& target)
{
    if (!target.empty() && target.front() == '/')
        return true; // resolved against the root the tree is, never followed here
    int depth = 0;
    for (char c : parentOf(linkPath))
        depth += c == '/' ? 1 : 0;
    depth += parentOf(linkPath).empty() ? 0 : 1;
    std::size_t start = 0;
    while (start <= target.size()) {
        const auto slash = target.find('/', start);
        const auto part =
            target.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (part == "..") {
            if (--depth < 0)
                return false;
        } else if (!part.empty() && part != ".") {
            ++depth;
        }
        if (slash == std::string::npos)
            break;
        start = slash + 1;
    }
    return true;
}

} // namespace

Manifest TarImport::read(CheckpointStore& store, const std::filesystem::path& file,
                         const std::string& name, const std::filesystem::path& root,
                         const ProgressCallback& progress)
{
    UniqueFd in(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in.isValid())
        throwErrno("cannot read " + file.string());
    struct stat info {
    };
    ::fstat(in.get(), &info);
    if (!S_ISREG(info.st_mode))
        throw std::runtime_error(file.string() + " is not a file");
    Archive a(archive_read_new());
    archive_read_support_format_tar(a.get());
    archive_read_support_filter_all(a.get());
    if (archive_read_open_fd(a.get(), in.get(), kFileBufferSize) != ARCHIVE_OK)
        throw std::runtime_error(file.string() + ": not a tar archive (" +
                                 archive_error_string(a.get()) + ")");
    auto refuse = [&](const std::string& entry, const std::string& why) {
        return std::runtime_error(file.string() + ": entry " + entry + ": " + why +
                                  "; nothing was imported");
    };
    return store.add(
        name, root, false, {"imported"},
        [&](std::vector<ManifestEntry>& entries, const CheckpointStore::StoreContent& storeContent,
            const CheckpointStore::StoreBytes& storeBytes) {
            std::map<std::string, ManifestEntry> byPath;
            // Which file (inode) each regular path is, numbered as the
            // archive makes them: a hardlink is the file its target was then.
            std::map<std::string, std::size_t> fileOf;
            std::size_t files = 0;
            StoreProgress done;
            done.totalBytes = static_cast<std::uint64_t>(info.st_size);
            archive_entry* header = nullptr;
            for (;;) {
                const int status = archive_read_next_header(a.get(), &header);
                if (status == ARCHIVE_EOF)
                    break;
                if (status < ARCHIVE_WARN)
                    throw std::runtime_error(
                        file.string() + ": " +
                        (done.files == 0 ? "not a tar archive (" : "cannot be read (") +
                        archive_error_string(a.get()) + "); nothing was imported");
                const std::string shown =
                    archive_entry_pathname(header) ? archive_entry_pathname(header) : "(no name)";
                const auto path = relativeName(shown);
                if (!path)
                    throw refuse(shown, "an absolute path or one with \"..\" would land outside "
                                        "the build root");
                if (path->empty())
                    continue; // "." : the root itself
                ManifestEntry entry;
                entry.path = *path;
                entry.mode = archive_entry_perm(header) & 07777;
                entry.uid = static_cast<std::uint32_t>(archive_entry_uid(header));
                entry.gid = static_cast<std::uint32_t>(archive_entry_gid(header));
                entry.mtimeNs =
                    static_cast<std::int64_t>(archive_entry_mtime(header)) * 1000000000 +
                    archive_entry_mtime_nsec(header);
                // ctime 0: "racily clean", so that the next checkpoint reads
                // every file of a tree restored from it.
                entry.ctimeNs = 0;
                const char* xattrName = nullptr;
                const void* value = nullptr;
                std::size_t size = 0;
                archive_entry_xattr_reset(header);
                while (archive_entry_xattr_next(header, &xattrName, &value, &size) == ARCHIVE_OK)
                    entry.xattrs[xattrName] = std::string(static_cast<const char*>(value), size);
                if (const char* link = archive_entry_hardlink(header)) {
                    const auto target = relativeName(link);
                    auto to = target ? byPath.find(*target) : byPath.end();
                    if (to == byPath.end() || to->second.type != 'f')
                        throw refuse(shown, std::string("a hardlink to ") + link +
                                                ", which is not a file earlier in the archive");
                    entry = to->second;
                    entry.path = *path;
                    fileOf[entry.path] = fileOf.at(*target);
                    byPath[entry.path] = entry;
                    ++done.files;
                    continue;
                }
                switch (archive_entry_filetype(header)) {
                case AE_IFDIR:
                    entry.type = 'd';
                    break;
                case AE_IFLNK: {
                    entry.type = 'l';
                    const char* target = archive_entry_symlink(header);
                    entry.target = target ? target : "";
                    if (!staysInside(entry.path, entry.target))
                        throw refuse(shown, "a symlink to " + entry.target +
                                                ", which climbs out of the build root");
                    break;
                }
                case AE_IFIFO:
                    entry.type = 'p';
                    break;
                case AE_IFCHR:
                case AE_IFBLK:
                    entry.type = archive_entry_filetype(header) == AE_IFCHR ? 'c' : 'b';
                    entry.device = archive_entry_rdev(header);
                    break;
                case AE_IFREG: {
                    entry.type = 'f';
                    entry.size = static_cast<std::uint64_t>(archive_entry_size(header));
                    // Each data block of the entry at its offset, checked to
                    // fit the size the header gave.
                    auto eachBlock = [&](const auto& take) {
                        const void* block = nullptr;
                        std::size_t length = 0;
                        la_int64_t offset = 0;
                        std::uint64_t position = 0;
                        for (;;) {
                            const int got =
                                archive_read_data_block(a.get(), &block, &length, &offset);
                            if (got == ARCHIVE_EOF)
                                break;
                            if (got < ARCHIVE_WARN)
                                throw std::runtime_error(
                                    file.string() + ": entry " + shown + " cannot be read (" +
                                    archive_error_string(a.get()) + "); nothing was imported");
                            const auto at = static_cast<std::uint64_t>(offset);
                            if (offset < 0 || at < position || at + length > entry.size)
                                throw refuse(shown, "its data does not fit its size");
                            take(static_cast<const char*>(block), length, at);
                            position = at + length;
                        }
                    };
                    if (entry.size <= CheckpointStore::kSmallContent &&
                        archive_entry_sparse_count(header) == 0) {
                        // Small and dense: whole in memory, into a pack.
                        std::string content(entry.size, '\0');
                        eachBlock([&](const char* block, std::size_t length, std::uint64_t at) {
                            std::memcpy(content.data() + at, block, length);
                        });
                        entry.hash = storeBytes(content);
                    } else {
                        // Block by block at their offsets: what the archive
                        // left out of a sparse file stays a hole. Hashed as it
                        // is written, holes as the zeros they read as.
                        entry.hash = storeContent([&](int to) {
                            Sha256 digest;
                            std::uint64_t position = 0;
                            auto zeroTo = [&](std::uint64_t end) {
                                if (position < end)
                                    digest.updateZeros(end - position);
                                position = std::max(position, end);
                            };
                            eachBlock([&](const char* block, std::size_t length, std::uint64_t at) {
                                zeroTo(at);
                                digest.update(block, length);
                                writeAll(to, block, length, static_cast<std::int64_t>(at));
                                position = at + length;
                            });
                            zeroTo(entry.size);
                            if (::ftruncate(to, static_cast<off_t>(entry.size)) != 0)
                                throwErrno("cannot write " + entry.path);
                            return digest.hexDigest();
                        });
                    }
                    done.bytes = static_cast<std::uint64_t>(archive_filter_bytes(a.get(), -1));
                    break;
                }
                default:
                    throw refuse(shown, "a socket or another type a build tree does not hold");
                }
                // A later entry of the same name replaces the earlier, as tar
                // extracts it.
                if (entry.type == 'f')
                    fileOf[entry.path] = files++;
                else
                    fileOf.erase(entry.path);
                byPath[entry.path] = std::move(entry);
                ++done.files;
                if (progress && done.files % 64 == 0)
                    progress(done);
            }
            // Every parent a directory: never a path beneath a symlink (or a
            // file) of the archive; a parent the archive leaves out is made.
            std::set<std::string> missing;
            for (const auto& [path, entry] : byPath)
                for (auto parent = parentOf(path); !parent.empty(); parent = parentOf(parent)) {
                    auto it = byPath.find(parent);
                    if (it == byPath.end()) {
                        missing.insert(parent);
                        continue;
                    }
                    if (it->second.type != 'd')
                        throw refuse(path,
                                     "it lies beneath " + parent + ", which the archive makes a " +
                                         (it->second.type == 'l' ? "symlink" : "non-directory"));
                    break;
                }
            for (const auto& parent : missing) {
                ManifestEntry directory;
                directory.type = 'd';
                directory.path = parent;
                directory.mode = 0755;
                byPath.emplace(parent, directory);
            }
            // Hardlink groups as the store keeps them: led by their first path
            // in path order, the other names pointing to it.
            std::map<std::size_t, std::string> leaders; // file → its first path
            for (auto& [path, entry] : byPath)
                if (entry.type == 'f') {
                    auto [leader, first] = leaders.emplace(fileOf.at(path), path);
                    entry.linkGroup = first ? std::string() : leader->second;
                }
            entries.reserve(byPath.size());
            for (auto& [path, entry] : byPath)
                entries.push_back(std::move(entry));
            if (progress)
                progress(done);
        });
}

} // namespace lfsw
