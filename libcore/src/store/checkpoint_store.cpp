// SPDX-License-Identifier: MIT
#include "store/checkpoint_store.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unordered_map>

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/file_content.h"
#include "base/open_beneath.h"
#include "base/path_rules.h"
#include "base/remove_beneath.h"
#include "base/sha256.h"
#include "base/system_error.h"
#include "base/time_text.h"
#include "base/unique_fd.h"
#include "base/write_error.h"
#include "store/manifest_reader.h"
#include "store/manifest_writer.h"
#include "store/plain_codec.h"

namespace lfsw {

namespace {

constexpr std::int64_t kRacySeconds = 3;

// A read buffer, made once per operation: a fresh zero-filled megabyte per
// file costs more than hashing small files does.
using Buffer = std::unique_ptr<char[]>;
Buffer makeBuffer()
{
    return Buffer(new char[kFileBufferSize]);
}

// The xattrs of `name` in the directory `dirFd`, read through
// /proc/self/fd/DIR/NAME: no open of the file itself, and no symlink followed
// (the directory is already resolved, the l* calls do not follow the last
// component).
std::map<std::string, std::string> readXattrs(int dirFd, const std::string& name, char type,
                                              int fileFd = -1)
{
    std::map<std::string, std::string> result;
    if (type != 'f' && type != 'd')
        return result; // user xattrs are not allowed on links and nodes
    // The file itself when it is open already (no path to resolve again).
    const std::string path =
        fileFd >= 0 ? std::string() : "/proc/self/fd/" + std::to_string(dirFd) + "/" + name;
    auto list = [&](char* names, std::size_t size) {
        return fileFd >= 0 ? ::flistxattr(fileFd, names, size)
                           : ::llistxattr(path.c_str(), names, size);
    };
    // Asked for the size first: most files have none, and the kernel
    // allocates as much as the buffer it is given.
    if (list(nullptr, 0) <= 0)
        return result;
    char names[65536];
    ssize_t length = list(names, sizeof names);
    for (ssize_t at = 0; at < length;) {
        std::string key(names + at);
        at += static_cast<ssize_t>(key.size()) + 1;
        char value[65536];
        ssize_t size = fileFd >= 0 ? ::fgetxattr(fileFd, key.c_str(), value, sizeof value)
                                   : ::lgetxattr(path.c_str(), key.c_str(), value, sizeof value);
        if (size >= 0)
            result[key] = std::string(value, static_cast<std::size_t>(size));
    }
    return result;
}

// Keeps the directory of the previous path open: the paths of a manifest are
// sorted, so most consecutive ones share it.
class ParentCache
{
public:
    explicit ParentCache(int rootFd) : rootFd_(rootFd) {}

    int open(const std::string& parent)
    {
        if (parent != parent_ || !fd_.isValid()) {
            fd_.reset(openBeneath(rootFd_, parent, O_RDONLY | O_DIRECTORY));
            parent_ = parent;
        }
        return fd_.get();
    }
    // The directory's contents changed under us in a way that may have
    // replaced it (a removal): open it again next time.
    void forget() { fd_.reset(); }

private:
    int rootFd_;
    UniqueFd fd_;
    std::string parent_ = "\x01";
};

std::string parentOf(const std::string& path)
{
    auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string nameOf(const std::string& path)
{
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Runs `work(lane, i)` for i in [0, count) on `lanes` threads (the calling
// one among them), in chunks of neighbours, which share a directory. The
// first exception stops the others and is rethrown.
// `chunk(lane, begin, end)`, when given, runs before the work of each chunk.
void inChunks(
    std::size_t count, unsigned lanes,
    const std::function<void(unsigned lane, std::size_t i)>& work,
    const std::function<void(unsigned lane, std::size_t begin, std::size_t end)>& chunk = nullptr)
{
    constexpr std::size_t kChunk = 64;
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::exception_ptr failure;
    std::mutex failureMutex;
    auto run = [&](unsigned lane) {
        try {
            for (std::size_t at; !stop && (at = next.fetch_add(kChunk)) < count;) {
                const std::size_t end = std::min(at + kChunk, count);
                if (chunk)
                    chunk(lane, at, end);
                for (std::size_t i = at; i < end && !stop; ++i)
                    work(lane, i);
            }
        } catch (...) {
            std::lock_guard guard(failureMutex);
            if (!failure)
                failure = std::current_exception();
            stop = true;
        }
    };
    std::vector<std::thread> threads;
    for (unsigned lane = 1; lane < lanes; ++lane)
        threads.emplace_back(run, lane);
    run(0);
    for (auto& thread : threads)
        thread.join();
    if (failure)
        std::rethrow_exception(failure);
}

// How many threads `count` pieces of file work are worth: two per CPU, so
// that while one waits for the disk (a tree not in the page cache) the
// other computes, at most eight.
unsigned lanesFor(std::size_t count)
{
    return count < 2000 ? 1 : std::clamp(2 * std::thread::hardware_concurrency(), 1u, 8u);
}

// What one thread of a scan or a restore works with.
struct Lane {
    Lane(int rootFd, const ObjectCodec* codec)
        : parents(rootFd), codec(codec ? codec->clone() : nullptr)
    {
    }
    Lane(const Lane&) = delete;
    Lane& operator=(const Lane&) = delete;
    ParentCache parents;
    Buffer buffer = makeBuffer();
    std::unique_ptr<ObjectCodec> codec;
    std::unordered_map<std::size_t, UniqueFd> opened; // files of the chunk, being read ahead
};

std::vector<std::unique_ptr<Lane>> makeLanes(unsigned count, int rootFd, const ObjectCodec* codec)
{
    std::vector<std::unique_ptr<Lane>> lanes;
    for (unsigned n = 0; n < count; ++n)
        lanes.push_back(std::make_unique<Lane>(rootFd, codec));
    return lanes;
}

// Adds what one thread of a restore did to the whole.
void absorb(RestoreReport& into, const RestoreReport& from)
{
    into.rewritten += from.rewritten;
    into.removed += from.removed;
    into.metadataFixed += from.metadataFixed;
    into.unchanged += from.unchanged;
    into.damaged.insert(into.damaged.end(), from.damaged.begin(), from.damaged.end());
}

// A window of a tree as walked: its entries in walk order, what stat said
// of each, and how much of each is known already (taken over from the
// parent manifest).
struct WalkedWindow {
    enum Known : char {
        kNothing,
        kMetadata, // xattrs and link target; the content is still to read
        kEverything,
    };
    std::vector<ManifestEntry> entries;
    std::vector<struct stat> infos;
    std::vector<Known> known;

    void clear()
    {
        entries.clear();
        infos.clear();
        known.clear();
    }
};

// How many entries a scan completes at a time: enough for every lane to
// have chunks to work on, few enough that the window's memory stays small.
constexpr std::size_t kScanWindow = 8192;

// The entry that stat says `info` is, without what must be read (hash,
// target, xattrs); '?' as its type for what manifests do not keep.
ManifestEntry entryOf(const std::string& path, const struct stat& info)
{
    ManifestEntry entry;
    entry.type = entryTypeOf(info.st_mode);
    entry.path = path;
    entry.mode = info.st_mode & 07777;
    entry.uid = info.st_uid;
    entry.gid = info.st_gid;
    entry.mtimeNs = timeNanoseconds(info.st_mtim);
    entry.ctimeNs = timeNanoseconds(info.st_ctim);
    entry.inode = info.st_ino;
    if (entry.type == 'c' || entry.type == 'b')
        entry.device = info.st_rdev;
    if (entry.type == 'f')
        entry.size = static_cast<std::uint64_t>(info.st_size);
    return entry;
}

// Takes over from the parent's entry of the same path what the live tree
// has not changed since it was taken: a path of the same type, inode and
// ctime (the kernel moves ctime on every change of content, owner, mode or
// xattrs, and nobody can set it back) keeps its xattrs and link target; a
// file whose size and mtime are the same too keeps its hash. Not after
// `racyFrom` (the racy window), where a change in the same clock tick would
// not show, nor what the parent recorded as racily clean (ctime 0).
WalkedWindow::Known takeOverUnchanged(ManifestEntry& live, const ManifestEntry& old,
                                      std::int64_t racyFrom)
{
    if (old.type != live.type || old.inode != live.inode || old.ctimeNs != live.ctimeNs ||
        live.ctimeNs > racyFrom)
        return WalkedWindow::kNothing;
    live.target = old.target;
    live.xattrs = old.xattrs;
    if (live.type != 'f')
        return WalkedWindow::kEverything;
    if (old.size == live.size && old.mtimeNs == live.mtimeNs && live.mtimeNs <= racyFrom &&
        !old.hash.empty()) {
        live.hash = old.hash;
        return WalkedWindow::kEverything;
    }
    return WalkedWindow::kMetadata;
}

// `fd` is the file opened for reading, or -1 (not opened, or it failed).
using FileHash = std::function<std::string(const std::string& path, int dirFd, int fd,
                                           const struct stat&, Lane&)>;

// How far a scan has come, shared by its lanes.
struct ScanProgress {
    const ProgressCallback& callback;
    std::uint64_t expectedEntries; // the parent's, as an estimate: the walk is not over yet
    std::atomic<std::uint64_t> entries{0}, bytes{0};
    std::chrono::steady_clock::time_point lastReport = std::chrono::steady_clock::now();

    void report(bool last)
    {
        auto now = std::chrono::steady_clock::now();
        if (!callback || (!last && now - lastReport < std::chrono::milliseconds(100)))
            return;
        lastReport = now;
        const std::uint64_t done = entries;
        callback(StoreProgress{done, last ? done : std::max(expectedEntries, done + 1), bytes, 0});
    }
};

// Completes the entries of a window: symlink targets, xattrs, and each
// regular file's hash as `fileHash` decides it (called from several lanes
// at once). What is known already is left be; hardlinks other than the
// first name are left to the caller.
void completeWindow(WalkedWindow& window, std::vector<std::unique_ptr<Lane>>& lanes,
                    const FileHash& fileHash, ScanProgress& progress, bool readAhead)
{
    auto& entries = window.entries;
    std::vector<std::size_t> todo; // indices of entries with something to find out
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (window.known[i] != WalkedWindow::kEverything) {
            todo.push_back(i);
        } else {
            ++progress.entries;
            progress.bytes += entries[i].size;
        }
    }
    inChunks(
        todo.size(), std::min(static_cast<unsigned>(lanes.size()), lanesFor(todo.size())),
        [&](unsigned number, std::size_t at) {
            auto& lane = *lanes[number];
            const std::size_t i = todo[at];
            auto& entry = entries[i];
            int dirFd = lane.parents.open(parentOf(entry.path));
            if (dirFd < 0)
                return;
            const std::string name = nameOf(entry.path);
            const bool metadataKnown = window.known[i] == WalkedWindow::kMetadata;
            if (entry.type == 'l') {
                char target[4096];
                ssize_t length = ::readlinkat(dirFd, name.c_str(), target, sizeof target);
                if (length >= 0)
                    entry.target.assign(target, static_cast<std::size_t>(length));
            }
            // A file to read is opened once, for its xattrs and its content
            // (or was, to read it ahead).
            UniqueFd file;
            if (auto it = lane.opened.find(i); it != lane.opened.end()) {
                file = std::move(it->second);
                lane.opened.erase(it);
            } else if (entry.type == 'f' && entry.linkGroup.empty()) {
                file.reset(::openat(dirFd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
            }
            if (!metadataKnown)
                entry.xattrs = readXattrs(dirFd, name, entry.type, file.get());
            if (entry.type == 'f' && entry.linkGroup.empty())
                entry.hash = fileHash(entry.path, dirFd, file.get(), window.infos[i], lane);
            ++progress.entries;
            progress.bytes += entry.size;
            if (number == 0)
                progress.report(false);
        },
        // The files of a chunk are asked for all at once, so that the disk
        // has many reads to do at a time while the lane hashes one.
        [&](unsigned number, std::size_t begin, std::size_t end) {
            if (!readAhead)
                return;
            auto& lane = *lanes[number];
            for (std::size_t at = begin; at < end; ++at) {
                const std::size_t i = todo[at];
                const auto& entry = entries[i];
                if (entry.type != 'f' || !entry.linkGroup.empty() || entry.size == 0)
                    continue;
                const int dirFd = lane.parents.open(parentOf(entry.path));
                UniqueFd file(dirFd < 0 ? -1
                                        : ::openat(dirFd, nameOf(entry.path).c_str(),
                                                   O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
                if (!file.isValid())
                    continue;
                ::posix_fadvise(file.get(), 0, 0, POSIX_FADV_WILLNEED);
                lane.opened.emplace(i, std::move(file));
            }
        });
}

// Walks the tree at `rootFd` and completes its entries a window at a time
// (completeWindow), handing each to `take` in walk order: the whole tree is
// never held. With `parent` (a manifest of the same root, read as a stream
// beside the walk: both are in walk order), what it knows unchanged is not
// read again.
void scanTree(int rootFd, const TreeWalker::Options& options, ManifestReader* parent,
              std::int64_t racyFrom, const FileHash& fileHash, const ProgressCallback& progress,
              const ObjectCodec* codec, bool readAhead,
              const std::function<void(ManifestEntry&)>& take)
{
    ScanProgress done{progress, parent ? parent->header().entryCount : 0};
    auto lanes = makeLanes(lanesFor(kScanWindow), rootFd, codec);
    // Hardlink groups: the first name of each (walked before the others),
    // and its hash once known.
    std::map<std::pair<dev_t, ino_t>, std::string> firstLink, groupHash;
    WalkedWindow window;
    auto flush = [&] {
        completeWindow(window, lanes, fileHash, done, readAhead);
        for (std::size_t i = 0; i < window.entries.size(); ++i) {
            auto& entry = window.entries[i];
            const auto& info = window.infos[i];
            if (entry.type == 'f' && info.st_nlink > 1) {
                const auto inode = std::make_pair(info.st_dev, info.st_ino);
                if (entry.linkGroup.empty())
                    groupHash[inode] = entry.hash;
                else
                    entry.hash = groupHash[inode];
            }
            take(entry);
        }
        window.clear();
    };
    TreeWalker walker(rootFd, options);
    walker.walk([&](const std::string& path, const struct stat& info) {
        ManifestEntry entry = entryOf(path, info);
        if (entry.type == '?')
            return;
        if (entry.type == 'f' && info.st_nlink > 1) {
            auto [it, inserted] = firstLink.emplace(std::make_pair(info.st_dev, info.st_ino), path);
            if (!inserted)
                entry.linkGroup = it->second;
        }
        auto known = WalkedWindow::kNothing;
        if (parent) {
            const ManifestEntry* old = nullptr;
            while ((old = parent->peek()) && TreeWalker::walkOrder(old->path, path) < 0)
                parent->next();
            if (old && old->path == path)
                known = takeOverUnchanged(entry, *old, racyFrom);
        }
        window.entries.push_back(std::move(entry));
        window.infos.push_back(info);
        window.known.push_back(known);
        if (window.entries.size() >= kScanWindow)
            flush();
    });
    flush();
    done.report(true);
}

int openRoot(const std::filesystem::path& root)
{
    int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        throwErrno("cannot open the build root " + root.string());
    return fd;
}

// The root to restore into, made when missing: one directory, in a parent
// that exists (mkdir never follows a symlink in the last component, and
// openRoot refuses one).
int openOrMakeRoot(const std::filesystem::path& root)
{
    if (::mkdir(root.c_str(), 0755) != 0 && errno != EEXIST)
        throwErrno("cannot create the build root " + root.string() +
                   (errno == ENOENT ? " (its parent directory does not exist)" : ""));
    return openRoot(root);
}

// The first part of a restore: removes what the checkpoint does not have
// (or has as another type), deepest first, never through a link and never
// on a mount point (reported instead); returns the paths untouched since the
// checkpoint was taken of them (same inode and ctime as recorded, and the
// same size, mode, owner and mtime), which need no look again.
std::set<std::string>
removeWhatDiffers(int rootFd, const TreeWalker::Options& walk,
                  const std::unordered_map<std::string, const ManifestEntry*>& wanted,
                  const std::set<std::string>& mountPoints, bool removeExtra, RestoreReport& report)
{
    std::vector<std::pair<std::string, bool>> doomed; // path, is a directory
    TreeWalker walker(rootFd, walk);
    std::set<std::string> doomedDirectories;
    std::set<std::string> untouched;
    walker.walk([&](const std::string& path, const struct stat& info) {
        if (onMountPoint(mountPoints, path))
            return;
        const std::string parent = parentOf(path);
        for (std::string p = parent; !p.empty(); p = parentOf(p))
            if (doomedDirectories.count(p))
                return; // goes with its directory
        auto it = wanted.find(path);
        if (it == wanted.end() && !removeExtra)
            return;
        if (it == wanted.end() || it->second->type != entryTypeOf(info.st_mode)) {
            doomed.push_back({path, S_ISDIR(info.st_mode)});
            if (S_ISDIR(info.st_mode))
                doomedDirectories.insert(path);
            return;
        }
        const auto& e = *it->second;
        if (e.type != 'd' && e.inode == info.st_ino && e.ctimeNs == timeNanoseconds(info.st_ctim) &&
            e.mtimeNs == timeNanoseconds(info.st_mtim) && (info.st_mode & 07777) == e.mode &&
            e.uid == info.st_uid && e.gid == info.st_gid &&
            (e.type != 'f' || e.size == static_cast<std::uint64_t>(info.st_size)))
            untouched.insert(path);
    });
    for (auto it = doomed.rbegin(); it != doomed.rend(); ++it) {
        UniqueFd parent(openBeneath(rootFd, parentOf(it->first), O_RDONLY | O_DIRECTORY));
        if (parent.get() < 0)
            continue;
        auto removal = removeBeneath(parent.get(), nameOf(it->first), it->first);
        if (!removal.errors.empty())
            throw std::runtime_error("cannot remove " + removal.errors.front());
        for (auto& mount : removal.mountPoints)
            report.mountPoints.push_back(std::move(mount));
        if (removal.removed > 0)
            ++report.removed;
    }
    return untouched;
}

// Where one entry of a restore is written: its directory (opened beneath
// the root), its name there, a temporary name beside it, and what is there
// now (`live`, when `exists`).
struct RestoreSite {
    int rootFd;
    int parentFd;
    std::string name;
    std::string temporary;
    bool exists;
    struct stat live;
};

// Puts `entry` in place where the new name is made first and renamed over
// the old one; `make` creates it under the temporary name (or under its own
// name when nothing is there and `direct`).
void replaceWith(const RestoreSite& site, const ManifestEntry& entry, const char* what,
                 const std::function<int(const std::string& as)>& make, bool direct)
{
    const bool inPlace = direct && !site.exists;
    const std::string& as = inPlace ? site.name : site.temporary;
    if (make(as) != 0 ||
        (!inPlace && ::renameat(site.parentFd, as.c_str(), site.parentFd, site.name.c_str()) != 0))
        throwErrno(std::string("cannot restore ") + what + entry.path);
}

// A directory: made when missing. Whether it was.
bool restoreDirectory(const RestoreSite& site, const ManifestEntry& entry)
{
    if (site.exists)
        return false;
    if (::mkdirat(site.parentFd, site.name.c_str(), 0700) != 0)
        throwErrno("cannot create directory " + entry.path);
    return true;
}

// Another name of a hardlinked file: linked to its first name (restored
// before it) unless it already is that inode. Whether it was linked.
bool restoreHardlink(const RestoreSite& site, const ManifestEntry& entry)
{
    UniqueFd groupParent(
        openBeneath(site.rootFd, parentOf(entry.linkGroup), O_RDONLY | O_DIRECTORY));
    struct stat group {
    };
    if (groupParent.get() < 0 ||
        ::fstatat(groupParent.get(), nameOf(entry.linkGroup).c_str(), &group,
                  AT_SYMLINK_NOFOLLOW) != 0 ||
        (site.exists && site.live.st_ino == group.st_ino && site.live.st_dev == group.st_dev))
        return false;
    replaceWith(
        site, entry, "hardlink ",
        [&](const std::string& as) {
            return ::linkat(groupParent.get(), nameOf(entry.linkGroup).c_str(), site.parentFd,
                            as.c_str(), 0);
        },
        false);
    return true;
}

// The content of a regular file, through `extract` (false: the store has
// no such object; an exception: it is damaged, or a WriteError). Where
// nothing is, the file is written under its own name (a crash leaves it
// with an mtime that is not the manifest's, so it is written again next
// time); else beside it, and renamed over it. Returns the new file, open,
// or nothing when the object is missing or damaged and `tolerateDamage`.
UniqueFd restoreContent(const RestoreSite& site, const ManifestEntry& entry, bool tolerateDamage,
                        const std::function<bool(int fd)>& extract)
{
    const std::string& writeAs = site.exists ? site.temporary : site.name;
    UniqueFd out(::openat(site.parentFd, writeAs.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out.isValid())
        throwErrno("cannot write " + entry.path);
    bool found = false;
    try {
        found = extract(out.get());
    } catch (const WriteError& e) {
        // The disk that is written to failed: not a damaged object.
        ::unlinkat(site.parentFd, writeAs.c_str(), 0);
        throw std::runtime_error(entry.path + ": " + e.what());
    } catch (const std::exception& e) {
        ::unlinkat(site.parentFd, writeAs.c_str(), 0);
        if (!tolerateDamage)
            throw std::runtime_error(entry.path + ": " + e.what());
        return UniqueFd();
    }
    if (!found) {
        ::unlinkat(site.parentFd, writeAs.c_str(), 0);
        if (tolerateDamage)
            return UniqueFd();
        errno = ENOENT;
        throwErrno("the store has no object for " + entry.path + " (" + entry.hash + ")");
    }
    if (site.exists &&
        ::renameat(site.parentFd, site.temporary.c_str(), site.parentFd, site.name.c_str()) != 0)
        throwErrno("cannot replace " + entry.path);
    return out;
}

// A symlink: made again when its target differs. Whether it was.
bool restoreSymlink(const RestoreSite& site, const ManifestEntry& entry)
{
    char target[4096];
    const ssize_t length =
        site.exists ? ::readlinkat(site.parentFd, site.name.c_str(), target, sizeof target) : -1;
    if (length >= 0 && std::string(target, static_cast<std::size_t>(length)) == entry.target)
        return false;
    replaceWith(
        site, entry, "symlink ",
        [&](const std::string& as) {
            return ::symlinkat(entry.target.c_str(), site.parentFd, as.c_str());
        },
        true);
    return true;
}

// A fifo or a device node: made again when its kind or number differs.
// Whether it was.
bool restoreNode(const RestoreSite& site, const ManifestEntry& entry)
{
    const mode_t kind = entry.type == 'p' ? S_IFIFO : entry.type == 'c' ? S_IFCHR : S_IFBLK;
    if (site.exists && (site.live.st_mode & S_IFMT) == kind && site.live.st_rdev == entry.device)
        return false;
    replaceWith(
        site, entry, "",
        [&](const std::string& as) {
            return ::mknodat(site.parentFd, as.c_str(), kind | 0600,
                             static_cast<dev_t>(entry.device));
        },
        false);
    return true;
}

// What restoreMetadata changed: owner, mode or xattrs, and the mtime.
struct MetadataFixed {
    bool attributes = false;
    bool mtime = false;
};

// Sets the owner (as root), mode, xattrs and mtime of `name` in `parentFd`
// to the entry's: owner before mode (chown clears setuid), then xattrs, then
// mtime. `writtenFd` is the file just written (or -1), `live` what was there
// before (when `exists`), `written` whether anything was written for it.
MetadataFixed restoreMetadata(const ManifestEntry& entry, int parentFd, const std::string& name,
                              int writtenFd, const struct stat& live, bool exists, bool written,
                              bool asRoot)
{
    // The inode the checkpoint read, its ctime not moved since: no owner,
    // mode or xattr of it changed (each moves the ctime), and its mtime
    // says the same. Nothing to set, nothing to open or list. (A racily
    // clean entry has ctime 0 and never matches.)
    if (exists && !written && writtenFd < 0 && entry.ctimeNs != 0 && live.st_ino == entry.inode &&
        timeNanoseconds(live.st_ctim) == entry.ctimeNs && entryTypeOf(live.st_mode) == entry.type &&
        (entry.type == 'd' || timeNanoseconds(live.st_mtim) == entry.mtimeNs))
        return {};
    // Set through a descriptor of what was written or is there now
    // (O_PATH, not following a link), never by a name that could have
    // been swapped for a symlink since: chmod through /proc/self/fd acts
    // on that inode. Symlinks themselves are set by name with
    // AT_SYMLINK_NOFOLLOW, which follows nothing.
    struct stat now = live;
    UniqueFd node;
    if (writtenFd < 0 && entry.type != 'l') {
        node.reset(::openat(parentFd, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (node.get() < 0 || ::fstat(node.get(), &now) != 0)
            throwErrno("cannot open " + entry.path);
        if (entryTypeOf(now.st_mode) != entry.type) {
            errno = EEXIST;
            throwErrno("refusing to set the metadata of " + entry.path +
                       ": it was replaced while being restored");
        }
    } else if ((written || !exists) && (writtenFd >= 0 ? ::fstat(writtenFd, &now)
                                                       : ::fstatat(parentFd, name.c_str(), &now,
                                                                   AT_SYMLINK_NOFOLLOW)) != 0) {
        throwErrno("cannot stat " + entry.path);
    }
    const std::string nodePath =
        node.get() >= 0 ? "/proc/self/fd/" + std::to_string(node.get()) : std::string();
    MetadataFixed fixed;
    if (asRoot && (now.st_uid != entry.uid || now.st_gid != entry.gid)) {
        if ((writtenFd >= 0    ? ::fchown(writtenFd, entry.uid, entry.gid)
             : node.get() >= 0 ? ::fchownat(node.get(), "", entry.uid, entry.gid, AT_EMPTY_PATH)
                               : ::fchownat(parentFd, name.c_str(), entry.uid, entry.gid,
                                            AT_SYMLINK_NOFOLLOW)) != 0)
            throwErrno("cannot chown " + entry.path);
        fixed.attributes = true;
    }
    if (entry.type != 'l' && ((now.st_mode & 07777) != entry.mode || fixed.attributes)) {
        if ((writtenFd >= 0 ? ::fchmod(writtenFd, entry.mode)
                            : ::chmod(nodePath.c_str(), entry.mode)) != 0)
            throwErrno("cannot chmod " + entry.path);
        fixed.attributes = true;
    }
    if (entry.type == 'f' || entry.type == 'd') {
        // A path made just now has none to compare.
        auto current = !exists && entry.xattrs.empty()
                           ? std::map<std::string, std::string>()
                           : readXattrs(parentFd, name, entry.type, writtenFd);
        if (current != entry.xattrs) {
            UniqueFd opened(writtenFd >= 0
                                ? -1
                                : ::openat(parentFd, name.c_str(),
                                           O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK |
                                               (entry.type == 'd' ? O_DIRECTORY : 0)));
            const int fd = writtenFd >= 0 ? writtenFd : opened.get();
            if (fd >= 0) {
                for (const auto& [key, value] : current)
                    if (!entry.xattrs.count(key))
                        ::fremovexattr(fd, key.c_str());
                for (const auto& [key, value] : entry.xattrs)
                    if (::fsetxattr(fd, key.c_str(), value.data(), value.size(), 0) != 0 &&
                        (asRoot || key.rfind("user.", 0) == 0))
                        throwErrno("cannot set xattr " + key + " on " + entry.path);
            }
            fixed.attributes = true;
        }
    }
    if (entry.type != 'd' && timeNanoseconds(now.st_mtim) != entry.mtimeNs) {
        timespec times[2] = {{0, UTIME_OMIT},
                             {static_cast<time_t>(entry.mtimeNs / 1000000000),
                              static_cast<long>(entry.mtimeNs % 1000000000)}};
        if ((writtenFd >= 0 ? ::futimens(writtenFd, times)
             : node.get() >= 0
                 ? ::utimensat(AT_FDCWD, nodePath.c_str(), times, 0)
                 : ::utimensat(parentFd, name.c_str(), times, AT_SYMLINK_NOFOLLOW)) != 0)
            throwErrno("cannot set the mtime of " + entry.path);
        fixed.mtime = true;
    }
    return fixed;
}

} // namespace

CheckpointStore::CheckpointStore(std::filesystem::path directory,
                                 std::shared_ptr<ObjectCodec> codec, bool packed)
    : directory_(std::move(directory)),
      codec_(codec ? std::move(codec) : std::make_shared<PlainCodec>())
{
    for (const char* sub : {"", "objects", "manifests", "tmp"}) {
        const auto path = directory_ / sub;
        if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
            throwErrno("cannot create " + path.string());
    }
    if (packed)
        packs_ = std::make_unique<PackFiles>(directory_ / "packs", directory_ / "tmp");
}

std::filesystem::path CheckpointStore::objectPath(const std::string& hash) const
{
    return directory_ / "objects" / hash.substr(0, 2) / hash;
}

bool CheckpointStore::hasObject(const std::string& hash) const
{
    struct stat info {
    };
    return (packs_ && packs_->contains(hash)) || ::stat(objectPath(hash).c_str(), &info) == 0;
}

bool CheckpointStore::extractObject(ObjectCodec& codec, const std::string& hash, std::uint64_t size,
                                    int to, char* buffer)
{
    if (auto content = packedContent(codec, hash, size)) {
        writeAll(to, content->data(), content->size(), 0);
        return true;
    }
    UniqueFd object(::open(objectPath(hash).c_str(), O_RDONLY | O_CLOEXEC));
    if (object.get() < 0)
        return false;
    codec.extract(object.get(), to, size, hash, buffer);
    return true;
}

int CheckpointStore::lock() const
{
    const auto file = directory_ / "lock";
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        throwErrno("cannot open " + file.string());
    if (::flock(fd, LOCK_EX) != 0)
        throwErrno("cannot lock the store");
    return fd;
}

std::string CheckpointStore::nextId() const
{
    long highest = 0;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(directory_ / "manifests", error)) {
        const auto name = entry.path().filename().string();
        if (entry.path().extension() == ".manifest" && name[0] != '.')
            highest = std::max(highest, std::strtol(name.c_str(), nullptr, 10));
    }
    char id[32];
    std::snprintf(id, sizeof id, "%06ld", highest + 1);
    return id;
}

void CheckpointStore::clearTemporary()
{
    // Leftovers of an interrupted create or import are garbage.
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(directory_ / "tmp", ignored))
        std::filesystem::remove(entry.path(), ignored);
}

void CheckpointStore::commitObjects(const std::map<std::string, std::string>& pending)
{
    // Objects: durable under their temporary names (one syncfs for all),
    // then renamed into place, then their directories synced.
    if (packs_)
        packs_->finish();
    UniqueFd storeFd(::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if ((!pending.empty() || (packs_ && packs_->writing())) && ::syncfs(storeFd.get()) != 0)
        throwErrno("cannot sync the store");
    if (packs_)
        packs_->commit();
    std::set<std::filesystem::path> directories;
    for (const auto& [hash, temporary] : pending) {
        const auto target = objectPath(hash);
        ::mkdir(target.parent_path().c_str(), 0700);
        if (::rename(temporary.c_str(), target.c_str()) != 0)
            throwErrno("cannot store object " + hash);
        directories.insert(target.parent_path());
    }
    for (const auto& directory : directories)
        syncDirectory(directory);
    if (!directories.empty())
        syncDirectory(directory_ / "objects");
}

Manifest CheckpointStore::headerOf(const std::string& name, const std::filesystem::path& root,
                                   bool good, const std::vector<std::string>& tags)
{
    Manifest manifest;
    manifest.name = name;
    manifest.root = root.string();
    manifest.good = good;
    manifest.tags = tags;
    return manifest;
}

void CheckpointStore::abandon(const std::map<std::string, std::string>& pending)
{
    std::error_code ignored;
    for (const auto& [hash, temporary] : pending)
        std::filesystem::remove(temporary, ignored);
    if (packs_)
        packs_->abandon();
    clearTemporary(); // and what was being written when it failed
}

void CheckpointStore::commit(Manifest& manifest, const std::map<std::string, std::string>& pending,
                             const std::function<void(const std::filesystem::path&)>& write)
{
    commitObjects(pending);
    // Last: the checkpoint exists once its manifest does.
    manifest.id = nextId();
    manifest.created = isoUtcNow();
    const auto file = directory_ / "manifests" / (manifest.id + ".manifest");
    if (write)
        write(file);
    else
        writeFileDurably(file, manifest.serialize());
}

Manifest CheckpointStore::add(const std::string& name, const std::filesystem::path& root, bool good,
                              const std::vector<std::string>& tags, const MakeEntries& make)
{
    UniqueFd storeLock(lock());
    clearTemporary();
    std::map<std::string, std::string> pending; // hash -> temporary object
    std::uint64_t newBytes = 0;
    int counter = 0;
    Buffer buffer = makeBuffer();
    const bool plain = dynamic_cast<PlainCodec*>(codec_.get()) != nullptr;
    auto temporaryFile = [&](std::filesystem::path& path) {
        path =
            directory_ / "tmp" / (std::to_string(::getpid()) + "-add-" + std::to_string(++counter));
        UniqueFd file(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!file.isValid())
            throwErrno("cannot write " + path.string());
        return file;
    };
    std::error_code ignored;
    const StoreContent store = [&](const std::function<std::string(int)>& write) -> std::string {
        std::filesystem::path contentPath;
        UniqueFd content = temporaryFile(contentPath);
        std::string hash = write(content.get());
        struct stat written {
        };
        ::fstat(content.get(), &written);
        const auto size = static_cast<std::uint64_t>(written.st_size);
        if (pending.count(hash) || hasObject(hash)) {
            std::filesystem::remove(contentPath, ignored);
            return hash;
        }
        if (!plain) {
            // The object is the codec's form of the content.
            std::filesystem::path objectFile;
            UniqueFd object = temporaryFile(objectFile);
            codec_->store(content.get(), size, object.get(), buffer.get());
            std::filesystem::remove(contentPath, ignored);
            contentPath = objectFile;
            content = std::move(object);
        }
        struct stat stored {
        };
        ::fstat(content.get(), &stored);
        newBytes += static_cast<std::uint64_t>(stored.st_blocks) * 512;
        pending[hash] = contentPath.string();
        return hash;
    };
    const StoreBytes storeBytes = [&](const std::string& content) -> std::string {
        std::string hash = Sha256::ofText(content);
        if (pending.count(hash) || hasObject(hash))
            return hash;
        if (packs_ && content.size() <= PackFiles::kPackLimit) {
            newBytes += packs_->add(hash, codec_->encode(content.data(), content.size()));
            return hash;
        }
        return store([&](int fd) {
            writeAll(fd, content.data(), content.size(), 0);
            return hash;
        });
    };
    Manifest manifest = headerOf(name, root, good, tags);
    try {
        make(manifest.entries, store, storeBytes);
        manifest.entryCount = manifest.entries.size();
        manifest.newBytes = newBytes;
        commit(manifest, pending);
    } catch (...) {
        abandon(pending);
        throw;
    }
    return manifest;
}

std::optional<std::string> CheckpointStore::packedContent(const std::string& hash,
                                                          std::uint64_t size)
{
    return packedContent(*codec_, hash, size);
}

std::optional<std::string> CheckpointStore::packedContent(ObjectCodec& codec,
                                                          const std::string& hash,
                                                          std::uint64_t size) const
{
    if (!packs_)
        return std::nullopt;
    auto stored = packs_->read(hash);
    if (!stored)
        return std::nullopt;
    auto content = codec.decode(stored->data(), stored->size(), size);
    if (Sha256::ofText(content) != hash)
        throw std::runtime_error("corrupt object: its content does not match its hash");
    return content;
}

UniqueFd CheckpointStore::openObject(const std::string& hash, std::uint64_t size)
{
    if (dynamic_cast<PlainCodec*>(codec_.get()) && !(packs_ && packs_->contains(hash))) {
        UniqueFd object(::open(objectPath(hash).c_str(), O_RDONLY | O_CLOEXEC));
        if (!object.isValid())
            throw std::runtime_error("missing object " + hash);
        return object;
    }
    // Packed or encoded: its content, decoded into memory.
    UniqueFd content(::memfd_create("lfsw-object", MFD_CLOEXEC));
    if (!content.isValid())
        throwErrno("cannot make a memory file");
    Buffer buffer = makeBuffer();
    if (!extractObject(*codec_, hash, size, content.get(), buffer.get()))
        throw std::runtime_error("missing object " + hash);
    return content;
}

Manifest CheckpointStore::create(const std::string& name, const std::filesystem::path& root,
                                 const TreeWalker::Options& walk, bool good,
                                 const std::vector<std::string>& tags,
                                 const ProgressCallback& progress)
{
    UniqueFd storeLock(lock());
    clearTemporary();
    std::error_code ignored;

    // A path whose mtime or ctime is after this is racy: changed within
    // kRacySeconds of the start (a whole second, for coarse file systems).
    const std::int64_t racyFrom =
        timeNanoseconds(
            timespec{static_cast<time_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count()),
                     0}) -
        kRacySeconds * 1000000000;
    // The newest readable checkpoint of the same root is the parent of the
    // incremental one, read as a stream beside the walk.
    std::unique_ptr<ManifestReader> parent;
    {
        auto files = manifestFiles();
        for (auto file = files.rbegin(); file != files.rend() && !parent; ++file) {
            auto header = Manifest::readHeader(*file);
            if (!header || header->root != root.string())
                continue;
            try {
                parent = std::make_unique<ManifestReader>(*file);
            } catch (const std::exception&) {
                // Damaged: the one before it is the parent (verify system reports it).
            }
        }
    }
    UniqueFd rootFd(openRoot(root));
    // Written by the scan's threads: the loose objects made, under the mutex.
    std::mutex pendingMutex;
    std::map<std::string, std::string> pending; // hash -> temporary object
    std::atomic<std::uint64_t> newBytes{0};
    std::atomic<int> counter{0};
    auto fileHash = [&](const std::string& path, int dirFd, int fd, const struct stat& info,
                        Lane& lane) -> std::string {
        UniqueFd opened(
            fd >= 0 ? -1
                    : ::openat(dirFd, nameOf(path).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        const int fileFd = fd >= 0 ? fd : opened.get();
        if (fileFd < 0)
            throwErrno("cannot read " + (root / path).string());
        // A sparse file stays a file of its own, whose copy keeps its holes.
        const bool sparse = info.st_size > 4096 && info.st_blocks * 512 < info.st_size;
        if (packs_ && !sparse &&
            static_cast<std::uint64_t>(info.st_size) <= PackFiles::kPackLimit) {
            // Small: read whole, hashed once, compressed only when new.
            char* content = lane.buffer.get();
            const std::size_t got = readAt(fileFd, content, PackFiles::kPackLimit + 1, 0);
            if (got != static_cast<std::uint64_t>(info.st_size))
                throw std::runtime_error((root / path).string() + " changed while it was read");
            Sha256 digest;
            digest.update(content, got);
            std::string hash = digest.hexDigest();
            if (!hasObject(hash))
                newBytes += packs_->add(hash, lane.codec->encode(content, got));
            return hash;
        }
        // The codec writes the object and hashes what it wrote, so a file
        // changed meanwhile can never make an object whose name is not its
        // content's hash. Content the store has already is dropped again.
        const auto temporary =
            directory_ / "tmp" / (std::to_string(::getpid()) + "-" + std::to_string(++counter));
        UniqueFd copy(::open(temporary.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (copy.get() < 0)
            throwErrno("cannot write " + temporary.string());
        struct stat now {
        };
        ::fstat(fileFd, &now);
        std::string copied = lane.codec->store(fileFd, static_cast<std::uint64_t>(now.st_size),
                                               copy.get(), lane.buffer.get());
        ::sync_file_range(copy.get(), 0, 0, SYNC_FILE_RANGE_WRITE); // on its way to disk already
        std::lock_guard guard(pendingMutex);
        if (pending.count(copied) || std::filesystem::exists(objectPath(copied))) {
            std::filesystem::remove(temporary, ignored);
        } else {
            pending[copied] = temporary.string();
            struct stat stored {
            };
            ::fstat(copy.get(), &stored);
            newBytes += static_cast<std::uint64_t>(stored.st_size);
        }
        return copied;
    };

    Manifest manifest = headerOf(name, root, good, tags);
    try {
        ManifestWriter writer(directory_ / "tmp");
        // Packed objects are read through this process: read ahead. (Plain
        // copies may be reflinks that never read the data.)
        scanTree(rootFd.get(), walk, parent.get(), racyFrom, fileHash, progress, codec_.get(),
                 packs_ != nullptr, [&](ManifestEntry& entry) {
                     // Racily clean, as git calls it: a path that changed so
                     // shortly before it was read that another change in the
                     // same clock tick, after the read, would leave its ctime
                     // as it is. Its ctime is recorded as 0, so that the next
                     // checkpoint reads it again instead of trusting what was
                     // read here.
                     if (entry.ctimeNs > racyFrom)
                         entry.ctimeNs = 0;
                     writer.add(std::move(entry));
                 });
        // A parent damaged half-way would have thrown: it was read whole.
        manifest.parent = parent ? parent->header().id : "";
        manifest.newBytes = newBytes;
        manifest.entryCount = writer.count();
        manifest.fileSize = writer.fileBytes();
        commit(manifest, pending,
               [&](const std::filesystem::path& file) { writer.finish(manifest, file); });
    } catch (...) {
        abandon(pending);
        throw;
    }
    return manifest;
}

std::vector<std::filesystem::path> CheckpointStore::manifestFiles() const
{
    std::vector<std::filesystem::path> files;
    std::error_code error;
    const auto directory = directory_ / "manifests";
    if (!std::filesystem::exists(directory, error) && !error)
        return files; // no checkpoint yet
    // A listing that fails is not an empty store: gc would take every object
    // for garbage.
    for (std::filesystem::directory_iterator it(directory, error), end; !error && it != end;
         it.increment(error))
        if (it->path().extension() == ".manifest" && it->path().filename().string()[0] != '.')
            files.push_back(it->path());
    if (error)
        throw std::runtime_error("cannot list the checkpoints in " + directory.string() + ": " +
                                 error.message());
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<Manifest> CheckpointStore::list(std::vector<std::string>* problems) const
{
    return readEach(Manifest::read, problems);
}

std::vector<Manifest> CheckpointStore::headers(std::vector<std::string>* problems) const
{
    return readEach(Manifest::readHeader, problems);
}

std::vector<Manifest> CheckpointStore::listSome(const std::vector<std::string>& paths,
                                                std::vector<std::string>* problems) const
{
    return readEach(
        [&](const std::filesystem::path& file) { return Manifest::readSome(file, paths); },
        problems);
}

std::vector<Manifest> CheckpointStore::readEach(
    const std::function<Expected<Manifest>(const std::filesystem::path&)>& read,
    std::vector<std::string>* problems) const
{
    std::vector<Manifest> manifests;
    for (const auto& file : manifestFiles()) {
        auto result = read(file);
        if (result)
            manifests.push_back(std::move(*result));
        else if (problems)
            problems->push_back(result.error());
    }
    return manifests;
}

std::optional<Manifest> CheckpointStore::find(const std::string& selector,
                                              std::vector<std::string>* problems) const
{
    // Newest first, and no further than the first match: manifests of big
    // trees are worth not parsing.
    auto files = manifestFiles();
    for (auto file = files.rbegin(); file != files.rend(); ++file) {
        auto head = Manifest::readHeader(*file);
        if (!head)
            continue;
        const bool tagged =
            std::find(head->tags.begin(), head->tags.end(), selector) != head->tags.end();
        if (!(head->id == selector || head->name == selector || tagged ||
              (selector == "last-good" && head->good)))
            continue;
        auto result = Manifest::read(*file);
        if (result)
            return std::move(*result);
        if (problems)
            problems->push_back(result.error());
    }
    return std::nullopt;
}

std::optional<Manifest> CheckpointStore::byId(const std::string& id,
                                              std::vector<std::string>* problems) const
{
    // An id is a file name of the store's (an edited header could say otherwise).
    auto result = id.empty() || id.find('/') != std::string::npos
                      ? Expected<Manifest>(Unexpected("'" + id + "' is not a manifest id"))
                      : Manifest::read(directory_ / "manifests" / (id + ".manifest"));
    if (result)
        return std::move(*result);
    if (problems)
        problems->push_back(result.error());
    return std::nullopt;
}

Manifest CheckpointStore::scan(const std::filesystem::path& root, const TreeWalker::Options& walk,
                               bool hashContent, const ProgressCallback& progress)
{
    UniqueFd rootFd(openRoot(root));
    Manifest manifest;
    manifest.root = root.string();
    scanTree(
        rootFd.get(), walk, nullptr, 0,
        [&](const std::string&, int, int fd, const struct stat&, Lane& lane) -> std::string {
            if (!hashContent)
                return std::string();
            return fd < 0 ? std::string() : hashFile(fd, lane.buffer.get());
        },
        progress, nullptr, hashContent,
        [&](ManifestEntry& entry) { manifest.entries.push_back(std::move(entry)); });
    manifest.entryCount = manifest.entries.size();
    return manifest;
}

std::string CheckpointStore::differenceOf(const ManifestEntry& old, const ManifestEntry& now,
                                          bool compareContent)
{
    std::vector<std::string> what;
    if (old.type != now.type)
        what.push_back("type");
    if (old.mode != now.mode)
        what.push_back("mode");
    if (old.uid != now.uid || old.gid != now.gid)
        what.push_back("owner");
    if (old.type == 'f' && old.size != now.size)
        what.push_back("size");
    if (old.type == 'f' && compareContent && !old.hash.empty() && !now.hash.empty() &&
        old.hash != now.hash)
        what.push_back("content");
    if (old.type != 'd' && old.mtimeNs != now.mtimeNs)
        what.push_back("mtime");
    if (old.target != now.target)
        what.push_back("target");
    if (old.linkGroup != now.linkGroup)
        what.push_back("hardlink");
    if (old.xattrs != now.xattrs)
        what.push_back("xattrs");
    if (old.device != now.device)
        what.push_back("device");
    std::string text;
    for (const auto& w : what)
        text += (text.empty() ? "" : ", ") + w;
    return text;
}

std::vector<TreeDifference> CheckpointStore::diff(const Manifest& from, const Manifest& to,
                                                  bool compareContent)
{
    std::map<std::string, const ManifestEntry*> before, after;
    for (const auto& e : from.entries)
        before[e.path] = &e;
    for (const auto& e : to.entries)
        after[e.path] = &e;
    std::vector<TreeDifference> differences;
    for (const auto& [path, old] : before) {
        auto it = after.find(path);
        if (it == after.end()) {
            differences.push_back({'-', path, ""});
            continue;
        }
        if (auto what = differenceOf(*old, *it->second, compareContent); !what.empty())
            differences.push_back({'M', path, what});
    }
    for (const auto& [path, now] : after)
        if (!before.count(path))
            differences.push_back({'+', path, ""});
    std::sort(differences.begin(), differences.end(),
              [](const auto& a, const auto& b) { return a.path < b.path; });
    return differences;
}

RestoreReport CheckpointStore::restore(const Manifest& manifest, const std::filesystem::path& root,
                                       const TreeWalker::Options& walk,
                                       const ProgressCallback& progress,
                                       const RestoreOptions& options)
{
    const auto normalRoot = std::filesystem::absolute(root).lexically_normal();
    if (normalRoot == "/" || normalRoot.empty())
        throw std::runtime_error(
            "refusing to restore into / : the build root must be a directory of its own");
    for (const auto& entry : manifest.entries)
        if (!Manifest::safePath(entry.path))
            throw std::runtime_error("refusing manifest path '" + entry.path + "'");
    UniqueFd storeLock(lock());
    UniqueFd rootFd(options.rootFd >= 0 ? ::fcntl(options.rootFd, F_DUPFD_CLOEXEC, 0)
                                        : openOrMakeRoot(normalRoot));
    if (rootFd.get() < 0)
        throwErrno("cannot open the build root " + normalRoot.string());
    const bool asRoot = ::geteuid() == 0;
    Buffer buffer = makeBuffer();
    RestoreReport report;

    std::unordered_map<std::string, const ManifestEntry*> wanted;
    for (const auto& entry : manifest.entries)
        wanted[entry.path] = &entry;
    // What is mounted inside the root is another file system: nothing on it
    // is removed or written, and the caller says so.
    const auto mountPoints = mountPointsBelow(normalRoot);
    report.mountPoints.assign(mountPoints.begin(), mountPoints.end());

    // 1. Remove what the checkpoint does not have (or has as another type),
    // deepest first; learn what is untouched since it was taken.
    const auto untouched =
        removeWhatDiffers(rootFd.get(), walk, wanted, mountPoints, options.removeExtra, report);

    // 2. Create and rewrite: directories first (the manifest is sorted by
    // path, so parents come before their contents), then files, links and
    // nodes on a few threads (creating files costs the kernel more than
    // anything here, and it does that on several CPUs at once), then the
    // other names of hardlinks, whose first name must be there.
    std::atomic<std::uint64_t> filesDone{0}, bytesDone{0};
    const std::uint64_t totalBytes = manifest.totalBytes();
    std::vector<const ManifestEntry*> directories;
    struct RestoreLane : Lane {
        RestoreLane(int n, int rootFd, const ObjectCodec* codec) : Lane(rootFd, codec), number(n) {}
        int number;
        RestoreReport report;
        int counter = 0;
    };
    // Writes one entry, and its metadata, on a lane.
    auto restoreOne = [&](const ManifestEntry& entry, RestoreLane& lane) {
        RestoreSite site{rootFd.get(),
                         lane.parents.open(parentOf(entry.path)),
                         nameOf(entry.path),
                         ".lfsw-restore." + std::to_string(::getpid()) + "." +
                             std::to_string(lane.number) + "." + std::to_string(++lane.counter),
                         false,
                         {}};
        // Borrowed from the lane's cache, which closes it.
        if (site.parentFd < 0)
            throwErrno("cannot open the directory of " + entry.path +
                       " without following a symlink");
        site.exists =
            ::fstatat(site.parentFd, site.name.c_str(), &site.live, AT_SYMLINK_NOFOLLOW) == 0;
        bool written = false;
        bool rewrite = false;
        // A file written here stays open for its metadata: set through the
        // descriptor, not looked up by name four times more.
        UniqueFd out;
        switch (entry.type) {
        case 'd':
            written = restoreDirectory(site, entry);
            break;
        case 'f':
            if (!entry.linkGroup.empty() &&
                std::find(lane.report.damaged.begin(), lane.report.damaged.end(),
                          entry.linkGroup) != lane.report.damaged.end()) {
                lane.report.damaged.push_back(entry.path); // its content is the damaged one
                return;
            }
            if (!entry.linkGroup.empty()) {
                written = restoreHardlink(site, entry);
                break;
            }
            rewrite = !site.exists || static_cast<std::uint64_t>(site.live.st_size) != entry.size ||
                      timeNanoseconds(site.live.st_mtim) != entry.mtimeNs;
            if (rewrite) {
                out = restoreContent(site, entry, options.tolerateDamage, [&](int fd) {
                    return extractObject(*lane.codec, entry.hash, entry.size, fd,
                                         lane.buffer.get());
                });
                if (!out.isValid()) {
                    lane.report.damaged.push_back(entry.path);
                    return;
                }
                written = true;
            }
            bytesDone += entry.size;
            break;
        case 'l':
            written = restoreSymlink(site, entry);
            break;
        default: // fifo, character or block device
            written = restoreNode(site, entry);
            break;
        }
        if (written)
            ++lane.report.rewritten;
        const auto fixed = restoreMetadata(entry, site.parentFd, site.name, out.get(), site.live,
                                           site.exists, written, asRoot);
        if (!rewrite)
            ++(fixed.attributes || fixed.mtime ? lane.report.metadataFixed : lane.report.unchanged);
    };
    std::vector<const ManifestEntry*> plain, links;
    std::vector<std::unique_ptr<RestoreLane>> lanes;
    for (unsigned n = 0; n < std::max(1u, lanesFor(manifest.entries.size())); ++n)
        lanes.push_back(
            std::make_unique<RestoreLane>(static_cast<int>(n), rootFd.get(), codec_.get()));
    auto& mainLane = lanes.front();
    auto lastReport = std::chrono::steady_clock::now();
    auto tick = [&] {
        auto now = std::chrono::steady_clock::now();
        if (progress && now - lastReport > std::chrono::milliseconds(100)) {
            StoreProgress done{filesDone, manifest.entries.size(), bytesDone, totalBytes};
            progress(done);
            lastReport = now;
        }
    };
    std::vector<std::vector<const ManifestEntry*>> levels; // directories by depth
    for (const auto& entry : manifest.entries) {
        if (onMountPoint(mountPoints, entry.path)) {
            ++report.skipped;
            ++filesDone;
        } else if (untouched.count(entry.path) && entry.linkGroup.empty()) {
            ++mainLane->report.unchanged;
            ++filesDone;
            bytesDone += entry.type == 'f' ? entry.size : 0;
        } else if (entry.type == 'd') {
            const auto depth =
                static_cast<std::size_t>(std::count(entry.path.begin(), entry.path.end(), '/'));
            if (levels.size() <= depth)
                levels.resize(depth + 1);
            levels[depth].push_back(&entry);
            directories.push_back(&entry);
        } else {
            (entry.linkGroup.empty() ? plain : links).push_back(&entry);
        }
    }
    auto restoreAll = [&](const std::vector<const ManifestEntry*>& some) {
        inChunks(some.size(), static_cast<unsigned>(lanes.size()),
                 [&](unsigned number, std::size_t i) {
                     restoreOne(*some[i], *lanes[number]);
                     ++filesDone;
                     if (number == 0)
                         tick();
                 });
    };
    // A directory's parent is one level up, made before it.
    for (const auto& level : levels)
        restoreAll(level);
    restoreAll(plain);
    // The other names of hardlinks, knowing which first names were damaged.
    for (std::size_t n = 1; n < lanes.size(); ++n)
        absorb(mainLane->report, lanes[n]->report);
    for (const auto* entry : links) {
        restoreOne(*entry, *mainLane);
        ++filesDone;
        tick();
    }
    absorb(report, mainLane->report);
    std::sort(report.damaged.begin(), report.damaged.end());
    std::sort(report.mountPoints.begin(), report.mountPoints.end());
    report.mountPoints.erase(std::unique(report.mountPoints.begin(), report.mountPoints.end()),
                             report.mountPoints.end());
    // 3. Directory mtimes last: writing inside a directory changes its mtime.
    for (auto it = directories.rbegin(); it != directories.rend(); ++it) {
        const auto& entry = **it;
        const int parent = mainLane->parents.open(parentOf(entry.path));
        timespec times[2] = {{0, UTIME_OMIT},
                             {static_cast<time_t>(entry.mtimeNs / 1000000000),
                              static_cast<long>(entry.mtimeNs % 1000000000)}};
        if (parent >= 0)
            ::utimensat(parent, nameOf(entry.path).c_str(), times, AT_SYMLINK_NOFOLLOW);
    }
    // After a failed sync the data is not known to be on disk (the kernel
    // may have dropped the dirty pages): the restore failed.
    if (::syncfs(rootFd.get()) != 0)
        throwErrno("cannot sync the restored tree to disk");
    if (progress)
        progress(StoreProgress{filesDone, manifest.entries.size(), bytesDone, totalBytes});
    return report;
}

std::vector<StoreProblem> CheckpointStore::verify(const ProgressCallback& progress) const
{
    std::vector<std::string> unreadable;
    const auto manifests = list(&unreadable);
    auto problems = verify(manifests, progress);
    for (const auto& message : unreadable)
        problems.insert(problems.begin(), StoreProblem{"", message, {}});
    return problems;
}

std::vector<StoreProblem> CheckpointStore::verify(const std::vector<Manifest>& manifests,
                                                  const ProgressCallback& progress) const
{
    std::vector<StoreProblem> problems;
    if (packs_)
        for (const auto& message : packs_->problems())
            problems.push_back({"", message, {}});
    struct Users {
        std::uint64_t size = 0;
        std::vector<std::string> paths; // "checkpoint NAME (ID): path"
    };
    std::map<std::string, Users> users; // by hash
    for (const auto& manifest : manifests)
        for (const auto& entry : manifest.entries)
            if (entry.type == 'f' && entry.linkGroup.empty()) {
                auto& user = users[entry.hash];
                user.size = entry.size;
                user.paths.push_back("checkpoint " + manifest.name + " (" + manifest.id +
                                     "): " + entry.path);
            }
    Buffer buffer = makeBuffer();
    StoreProgress done;
    done.totalFiles = users.size();
    auto lastReport = std::chrono::steady_clock::now();
    const std::string corrupt = "corrupt object: its content does not match its hash";
    for (const auto& [hash, user] : users) {
        const auto& paths = user.paths;
        if (packs_ && packs_->contains(hash)) {
            bool good = false, missing = false;
            try {
                const auto stored = packs_->read(hash);
                missing = !stored;
                good = stored && Sha256::ofText(codec_->decode(stored->data(), stored->size(),
                                                               user.size)) == hash;
            } catch (const std::exception&) {
                good = false; // cannot be read or decoded: corrupt
            }
            if (!good)
                problems.push_back(
                    {packs_->describe(hash), missing ? "missing object" : corrupt, paths});
            done.bytes += user.size;
        } else if (UniqueFd fd(::open(objectPath(hash).c_str(), O_RDONLY | O_CLOEXEC));
                   fd.get() < 0) {
            problems.push_back({objectPath(hash).string(), "missing object", paths});
        } else {
            std::uint64_t bytes = 0;
            std::string content;
            try {
                content = codec_->contentHash(fd.get(), buffer.get(), &bytes);
            } catch (const std::exception&) {
                content.clear(); // cannot be decoded: corrupt
            }
            if (content != hash)
                problems.push_back({objectPath(hash).string(), corrupt, paths});
            done.bytes += bytes;
        }
        done.files++;
        auto tick = std::chrono::steady_clock::now();
        if (progress && tick - lastReport > std::chrono::milliseconds(100)) {
            progress(done);
            lastReport = tick;
        }
    }
    if (progress)
        progress(done);
    return problems;
}

std::uint64_t CheckpointStore::gc(const ProgressCallback& progress)
{
    UniqueFd storeLock(lock());
    std::vector<std::string> unreadable;
    const auto manifests = list(&unreadable);
    if (!unreadable.empty())
        throw std::runtime_error("gc refused: a manifest cannot be read, so what it references "
                                 "is unknown (" +
                                 unreadable.front() + ")");
    std::set<std::string> referenced;
    for (const auto& manifest : manifests)
        for (const auto& entry : manifest.entries)
            if (entry.type == 'f')
                referenced.insert(entry.hash);
    std::uint64_t freed = 0;
    StoreProgress done;
    std::error_code ignored;
    for (const auto& prefix :
         std::filesystem::directory_iterator(directory_ / "objects", ignored)) {
        for (const auto& object : std::filesystem::directory_iterator(prefix.path(), ignored)) {
            done.files++;
            if (referenced.count(object.path().filename().string()))
                continue;
            freed += std::filesystem::file_size(object.path(), ignored);
            std::filesystem::remove(object.path(), ignored);
        }
        if (progress)
            progress(done);
    }
    for (const auto& entry : std::filesystem::directory_iterator(directory_ / "tmp", ignored))
        std::filesystem::remove(entry.path(), ignored);
    if (packs_)
        freed += packs_->collect(referenced);
    return freed;
}

void CheckpointStore::remove(const Manifest& manifest)
{
    UniqueFd storeLock(lock());
    const auto file = directory_ / "manifests" / (manifest.id + ".manifest");
    if (::unlink(file.c_str()) != 0)
        throwErrno("cannot delete " + file.string());
    syncDirectory(file.parent_path());
}

} // namespace lfsw
