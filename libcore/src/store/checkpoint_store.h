// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "store/manifest.h"
#include "store/object_codec.h"
#include "store/pack_files.h"
#include "store/tree_walker.h"

namespace lfsw {

// How far a long operation has come, for progress bars.
struct StoreProgress {
    std::uint64_t files = 0;
    std::uint64_t totalFiles = 0;
    std::uint64_t bytes = 0;
    std::uint64_t totalBytes = 0;
};
using ProgressCallback = std::function<void(const StoreProgress&)>;

// What a restore changed.
struct RestoreReport {
    std::uint64_t rewritten = 0; // files, links and nodes written anew
    std::uint64_t removed = 0;   // paths the checkpoint does not have
    std::uint64_t metadataFixed = 0;
    std::uint64_t unchanged = 0;
    std::vector<std::string> damaged; // paths whose object is missing or corrupt (tolerant mode)
    // Mount points inside the root (relative paths): left alone with
    // everything on them, neither removed nor written; the restore is not
    // complete while there are any.
    std::vector<std::string> mountPoints;
    std::uint64_t skipped = 0; // manifest entries on a mount point, not restored
};

// How a restore treats what it finds.
struct RestoreOptions {
    // Remove live paths the manifest does not have (a revert). Off for a
    // selective restore of some paths into a tree that keeps the rest.
    bool removeExtra = true;
    // A missing or corrupt object skips its path (listed in
    // RestoreReport::damaged) instead of ending the restore.
    bool tolerateDamage = false;
    // An open descriptor of the root, used instead of opening it by name:
    // for a root made beneath a directory that others may write, where the
    // name could be swapped for a link between making and opening.
    int rootFd = -1;
};

// One difference between two trees (checkpoints or the live tree).
struct TreeDifference {
    char kind; // '+' only in the second, '-' only in the first, 'M' changed
    std::string path;
    std::string what; // "content, mode, mtime" for 'M'
};

// A problem `verify system` found.
struct StoreProblem {
    std::string object; // the object's path in the store, or ""
    std::string message;
    std::vector<std::string> affected; // "checkpoint NAME: path" that use it
};

// The checkpoint store in STATE_DIR/store: content-addressed objects
// (SHA-256), one manifest per checkpoint. Objects are written to temporary
// names, made durable (syncfs), renamed into place, and their directories
// fsynced; then the manifest is written the same way. A checkpoint exists
// only once its manifest does, so a crash at any point leaves either the old
// set of checkpoints or the new one, plus garbage that gc() removes.
class CheckpointStore
{
public:
    // Objects are plain copies unless another codec is given (the backup
    // repository compresses them). With `packed`, small objects are kept
    // many to a file (PackFiles) instead of one file each.
    explicit CheckpointStore(std::filesystem::path directory,
                             std::shared_ptr<ObjectCodec> codec = nullptr, bool packed = false);

    // Takes a checkpoint of `root`, walked and written as a stream: the
    // manifest returned is its header (entryCount and fileSize set, no
    // entries). Files whose (inode, size, mtime, ctime)
    // match the newest checkpoint of the same root are not read again, unless
    // their mtime or ctime is within a few seconds of now (racy timestamps).
    // Paths that were so when read are recorded with ctime 0 ("racily
    // clean"): the next checkpoint reads them again.
    Manifest create(const std::string& name, const std::filesystem::path& root,
                    const TreeWalker::Options& walk, bool good,
                    const std::vector<std::string>& tags, const ProgressCallback& progress);

    // Stores the content that `write(fd)` writes into a new, empty file of
    // the store's own (holes stay holes); `write` returns the SHA-256 of what
    // it wrote, so that the content is not read again. Returns that hash.
    using StoreContent =
        std::function<std::string(const std::function<std::string(int fd)>& write)>;
    // Stores a small file's whole content, given in memory (into a pack, no
    // file of its own); returns its SHA-256. For content without holes of
    // up to kSmallContent bytes.
    using StoreBytes = std::function<std::string(const std::string& content)>;
    static constexpr std::uint64_t kSmallContent = PackFiles::kPackLimit;
    // A checkpoint made otherwise than by walking a tree (checkpoint import):
    // under the store's lock, `make` fills the entries (sorted by path),
    // storing each file's content through the StoreContent or StoreBytes it
    // is given. The objects are made durable, then the manifest is written:
    // when `make` throws, nothing is added to the store's list.
    using MakeEntries =
        std::function<void(std::vector<ManifestEntry>&, const StoreContent&, const StoreBytes&)>;
    Manifest add(const std::string& name, const std::filesystem::path& root, bool good,
                 const std::vector<std::string>& tags, const MakeEntries& make);
    // A descriptor to read the content of object `hash` (`size` bytes) from:
    // the object itself, or a memory file of its decoded content. Throws
    // when the store has no such object.
    UniqueFd openObject(const std::string& hash, std::uint64_t size);
    // The content of object `hash` when a pack holds it (small objects),
    // checked against its hash; nullopt when it is a file of its own (read
    // it through openObject). Throws when it is corrupt.
    std::optional<std::string> packedContent(const std::string& hash, std::uint64_t size);

    // Every checkpoint, oldest first; manifests that do not parse are
    // reported through `problems` and left out.
    std::vector<Manifest> list(std::vector<std::string>* problems = nullptr) const;
    // The same with the entries of `paths` only (Manifest::readSome).
    std::vector<Manifest> listSome(const std::vector<std::string>& paths,
                                   std::vector<std::string>* problems = nullptr) const;
    // Every checkpoint's header (no entries, checksum not checked), oldest
    // first: enough to choose by id, name, tag or root without reading every
    // manifest whole. Headers that do not parse go to `problems`.
    std::vector<Manifest> headers(std::vector<std::string>* problems = nullptr) const;
    // By id, by name (the newest of that name), by tag, or "last-good" (the
    // newest good checkpoint). A manifest that matches but does not parse is
    // passed over, and reported through `problems`.
    std::optional<Manifest> find(const std::string& selector,
                                 std::vector<std::string>* problems = nullptr) const;
    // The checkpoint with this id (as headers() gives it), read whole; when it
    // does not parse, nullopt and the reason in `problems`.
    std::optional<Manifest> byId(const std::string& id,
                                 std::vector<std::string>* problems = nullptr) const;

    // Reverts `root` in place to `manifest`: rewrites only what differs,
    // removes what the checkpoint does not have, fixes metadata, directory
    // mtimes last. Never follows a symlink of the live tree.
    RestoreReport restore(const Manifest& manifest, const std::filesystem::path& root,
                          const TreeWalker::Options& walk, const ProgressCallback& progress,
                          const RestoreOptions& options = {});

    // The live tree as a manifest (content hashes only with `hashContent`).
    static Manifest scan(const std::filesystem::path& root, const TreeWalker::Options& walk,
                         bool hashContent, const ProgressCallback& progress);
    static std::vector<TreeDifference> diff(const Manifest& from, const Manifest& to,
                                            bool compareContent);
    // What differs between two entries of one path, as diff's `what`
    // ("content, mode, mtime"); empty when nothing does.
    static std::string differenceOf(const ManifestEntry& old, const ManifestEntry& now,
                                    bool compareContent);

    // Re-hashes every object and checks every manifest's references.
    std::vector<StoreProblem> verify(const ProgressCallback& progress) const;
    // The same for the objects of these manifests only.
    std::vector<StoreProblem> verify(const std::vector<Manifest>& manifests,
                                     const ProgressCallback& progress) const;
    // Removes objects no manifest references; returns how many bytes it freed.
    std::uint64_t gc(const ProgressCallback& progress);
    void remove(const Manifest& manifest);

    // Where a loose object (one file of its own) is kept.
    std::filesystem::path objectPath(const std::string& hash) const;
    // Whether the store has the object, loose or packed.
    bool hasObject(const std::string& hash) const;
    const std::filesystem::path& directory() const { return directory_; }

private:
    int lock() const;
    void clearTemporary();
    // Makes the temporary objects (hash → file in tmp/) durable and renames
    // them into place.
    void commitObjects(const std::map<std::string, std::string>& pending);
    static Manifest headerOf(const std::string& name, const std::filesystem::path& root, bool good,
                             const std::vector<std::string>& tags);
    // commitObjects, then gives `manifest` its id and time and writes it,
    // durably (through `write` when given, for a manifest whose entries are
    // not in memory): the checkpoint exists from then on.
    void commit(Manifest& manifest, const std::map<std::string, std::string>& pending,
                const std::function<void(const std::filesystem::path&)>& write = nullptr);
    // Removes the temporary objects of a create or add that failed.
    void abandon(const std::map<std::string, std::string>& pending);
    std::vector<std::filesystem::path> manifestFiles() const;
    // Each manifest file through `read` (whole, or its header), oldest first.
    std::vector<Manifest>
    readEach(const std::function<Expected<Manifest>(const std::filesystem::path&)>& read,
             std::vector<std::string>* problems) const;
    std::string nextId() const;
    // packedContent() through a codec of the caller's (one per thread).
    std::optional<std::string> packedContent(ObjectCodec& codec, const std::string& hash,
                                             std::uint64_t size) const;
    // Writes the content of the object `hash` into the new, empty file `to`:
    // false when the store has no such object; throws when it is corrupt.
    bool extractObject(ObjectCodec& codec, const std::string& hash, std::uint64_t size, int to,
                       char* buffer);

    std::filesystem::path directory_;
    std::shared_ptr<ObjectCodec> codec_;
    std::unique_ptr<PackFiles> packs_;
};

} // namespace lfsw
