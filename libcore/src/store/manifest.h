// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/stat.h>
#include <time.h>

#include "base/expected.h"

namespace lfsw {

// One path of a checkpoint.
struct ManifestEntry {
    char type = 'f';        // f regular, d directory, l symlink, p fifo, c/b device
    std::string path;       // relative to the build root, never absolute, no ".."
    std::uint32_t mode = 0; // permission bits with setuid/setgid/sticky
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::uint64_t size = 0;
    std::int64_t mtimeNs = 0;
    std::int64_t ctimeNs = 0; // for incremental checkpoints
    std::uint64_t inode = 0;  // for incremental checkpoints
    std::uint64_t device = 0; // rdev of device nodes
    std::string hash;         // content SHA-256 of regular files
    std::string target;       // symlink target
    std::string linkGroup;    // the first path of its hardlink group, or ""
    std::map<std::string, std::string> xattrs;
};

// The entry type of a file mode: f, d, l, p, c or b; '?' for a socket,
// which manifests do not keep.
char entryTypeOf(mode_t mode);
// A stat time as ManifestEntry::mtimeNs holds it.
std::int64_t timeNanoseconds(const timespec& time);

// A checkpoint's manifest: a header of text lines, then its paths sorted by
// path so that parents come before their contents — in binary blocks with a
// checksum each (format 2, ManifestBlocks), or one text line per path
// (format 1, what earlier versions wrote; still read). It ends with a line
// holding the SHA-256 of everything before it, so a truncated or edited
// manifest is refused instead of restoring half a tree.
class Manifest
{
public:
    static constexpr int kFormat = 2; // written; 1 is read too

    std::string name;
    std::string id;             // "000012": the order checkpoints were taken in
    std::string created;        // UTC ISO-8601
    std::string parent;         // id of the checkpoint it was made against, or ""
    std::string root;           // the build root it was taken of
    bool good = false;          // taken after a successful step: a "last-good" candidate
    std::uint64_t newBytes = 0; // bytes this checkpoint added to the store
    std::vector<std::string> tags;
    std::vector<ManifestEntry> entries;    // empty when only the header was read
    std::uint64_t entryCount = 0;          // how many entries the header declares
    std::optional<std::uint64_t> fileSize; // bytes of regular files, when counted

    std::string serialize() const;
    // The header lines, declaring `count` entries: what serialize() begins with.
    std::string serializeHeader(std::uint64_t count) const;
    // The manifest, or a message naming the line that is wrong.
    static Expected<Manifest> parse(const std::string& text);
    static Expected<Manifest> read(const std::filesystem::path& file);
    // The header only (no entries, checksum not checked): enough to find a
    // manifest by id, name, tag or root without reading all of it.
    static Expected<Manifest> readHeader(const std::filesystem::path& file);
    // The header lines at the start of `text` (no entries); `format` and
    // `entriesAt`, where the entries begin, are set. Or what is wrong, with
    // its line.
    static Expected<Manifest> parseHeader(std::string_view text, int& format,
                                          std::size_t& entriesAt);
    // The header and the entries of `paths` only, found by binary search
    // over the sorted lines, without parsing the others: for questions about
    // a few paths across many checkpoints (files owner). The file must end
    // with its end line; its checksum is not checked (verify system does).
    static Expected<Manifest> readSome(const std::filesystem::path& file,
                                       const std::vector<std::string>& paths);

    // Whether `path` is acceptable: relative, no "." or ".." or empty parts.
    static bool safePath(const std::string& path);

    // Bytes of regular files: fileSize, or counted over the entries.
    std::uint64_t totalBytes() const;
};

// Percent-escapes what a manifest field cannot hold (whitespace, '%',
// control bytes, ',' and '='); unescape() reverses it.
std::string escapeField(const std::string& text);
std::optional<std::string> unescapeField(const std::string& text);

} // namespace lfsw
