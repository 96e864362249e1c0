// SPDX-License-Identifier: MIT
#include "store/manifest.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string_view>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/checked_text.h"
#include "base/file_content.h"
#include "base/sha256.h"
#include "base/unique_fd.h"
#include "store/manifest_blocks.h"

namespace lfsw {

namespace {

constexpr const char* kMagic = "lfsw-manifest";

template <typename Number> bool parseNumber(std::string_view text, Number& value, int base = 10)
{
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

bool plainByte(unsigned char c)
{
    return !(c <= 0x20 || c == '%' || c == 0x7f || c == ',' || c == '=');
}

// Appends `text` escaped as escapeField() does, without a string of its own.
void appendEscaped(std::string& out, std::string_view text)
{
    static const char* hex = "0123456789ABCDEF";
    for (unsigned char c : text) {
        if (plainByte(c)) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
}

} // namespace

std::string escapeField(const std::string& text)
{
    if (std::all_of(text.begin(), text.end(), plainByte))
        return text;
    std::string out;
    appendEscaped(out, text);
    return out;
}

std::optional<std::string> unescapeField(const std::string& text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        unsigned value = 0;
        if (i + 2 >= text.size())
            return std::nullopt;
        if (!parseNumber(text.substr(i + 1, 2), value, 16))
            return std::nullopt;
        out += static_cast<char>(value);
        i += 2;
    }
    return out;
}

bool Manifest::safePath(const std::string& path)
{
    if (path.empty() || path.front() == '/' || path.find('\0') != std::string::npos)
        return false;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto slash = path.find('/', start);
        std::string part = path.substr(start, slash - start);
        if (part.empty() || part == "." || part == "..")
            return false;
        if (slash == std::string::npos)
            break;
        start = slash + 1;
    }
    return true;
}

std::uint64_t Manifest::totalBytes() const
{
    if (fileSize)
        return *fileSize;
    std::uint64_t total = 0;
    for (const auto& entry : entries)
        if (entry.type == 'f')
            total += entry.size;
    return total;
}

std::string Manifest::serialize() const
{
    std::string text = serializeHeader(entries.size());
    text.reserve(text.size() + entries.size() * 80 + 80);
    ManifestBlocks::append(text, entries);
    text += '\n';
    appendEndLine(text);
    return text;
}

std::string Manifest::serializeHeader(std::uint64_t count) const
{
    std::ostringstream out;
    out << kMagic << ' ' << kFormat << '\n'
        << "name " << escapeField(name) << '\n'
        << "id " << id << '\n'
        << "created " << created << '\n'
        << "parent " << (parent.empty() ? "-" : parent) << '\n'
        << "root " << escapeField(root) << '\n'
        << "good " << (good ? 1 : 0) << '\n'
        << "new_bytes " << newBytes << '\n';
    out << "tags";
    for (const auto& tag : tags)
        out << ' ' << escapeField(tag);
    out << '\n' << "entries " << count << '\n';
    return out.str();
}

namespace {

// The next line of `text` from `at` (without its newline); false at the end.
bool nextLine(std::string_view text, std::size_t& at, std::string_view& line)
{
    if (at >= text.size())
        return false;
    auto newline = text.find('\n', at);
    if (newline == std::string_view::npos)
        newline = text.size();
    line = text.substr(at, newline - at);
    at = newline + 1;
    return true;
}

std::optional<std::string> unescape(std::string_view text)
{
    if (text.find('%') == std::string_view::npos)
        return std::string(text);
    return unescapeField(std::string(text));
}

// The header lines of a manifest, from `at` on; "" or what is wrong.
std::string parseHeaderLines(std::string_view text, std::size_t& at, int& lineNumber,
                             Manifest& manifest, std::size_t& expected, int& format)
{
    std::string_view line;
    auto header = [&](std::string_view key) -> std::optional<std::string> {
        if (!nextLine(text, at, line))
            return std::nullopt;
        ++lineNumber;
        if (line == key)
            return std::string();
        if (line.size() <= key.size() || line.substr(0, key.size()) != key ||
            line[key.size()] != ' ')
            return std::nullopt;
        return std::string(line.substr(key.size() + 1));
    };
    auto formatField = header(kMagic);
    if (!formatField || (*formatField != "1" && *formatField != "2"))
        return std::string("line 1: not a manifest of format 1 or 2");
    format = *formatField == "1" ? 1 : 2;
    auto name = header("name");
    auto id = header("id");
    auto created = header("created");
    auto parent = header("parent");
    auto root = header("root");
    auto good = header("good");
    auto newBytes = header("new_bytes");
    auto tags = header("tags");
    auto count = header("entries");
    if (!name || !id || !created || !parent || !root || !good || !newBytes || !tags || !count ||
        !parseNumber(*newBytes, manifest.newBytes))
        return "line " + std::to_string(lineNumber) + ": malformed header";
    manifest.name = unescapeField(*name).value_or("");
    manifest.id = *id;
    manifest.created = *created;
    manifest.parent = *parent == "-" ? "" : *parent;
    manifest.root = unescapeField(*root).value_or("");
    manifest.good = *good == "1";
    std::istringstream tagWords(*tags);
    for (std::string tag; tagWords >> tag;)
        manifest.tags.push_back(unescapeField(tag).value_or(tag));
    if (!parseNumber(*count, expected))
        return "line " + std::to_string(lineNumber) + ": malformed entry count";
    manifest.entryCount = expected;
    return "";
}

// One entry line into `e`; "" or what is wrong with it.
std::string parseEntry(std::string_view line, ManifestEntry& e)
{
    std::array<std::string_view, 14> fields;
    std::size_t count = 0;
    for (std::size_t start = 0;; ++count) {
        const auto tab = line.find('\t', start);
        if (count < fields.size())
            fields[count] = line.substr(start, tab - start);
        if (tab == std::string_view::npos)
            break;
        start = tab + 1;
    }
    if (count + 1 != fields.size() || fields[0].size() != 1)
        return "expected 14 tab-separated fields";
    e.type = fields[0][0];
    if (std::string_view("fdlpcb").find(e.type) == std::string_view::npos)
        return "unknown entry type '" + std::string(fields[0]) + "'";
    if (!parseNumber(fields[1], e.mode, 8) || !parseNumber(fields[2], e.uid) ||
        !parseNumber(fields[3], e.gid) || !parseNumber(fields[4], e.size) ||
        !parseNumber(fields[5], e.mtimeNs) || !parseNumber(fields[6], e.ctimeNs) ||
        !parseNumber(fields[7], e.inode) || !parseNumber(fields[8], e.device))
        return "malformed number";
    if (fields[9] != "-")
        e.hash = fields[9];
    if (e.type == 'f' && !Sha256::isHexDigest(e.hash))
        return "a regular file needs a SHA-256 hash";
    auto target = unescape(fields[10]);
    auto group = unescape(fields[11]);
    auto path = unescape(fields[13]);
    if (!target || !group || !path)
        return "malformed escape";
    if (fields[10] != "-")
        e.target = std::move(*target);
    if (fields[11] != "-")
        e.linkGroup = std::move(*group);
    e.path = std::move(*path);
    if (!Manifest::safePath(e.path))
        return "refused path '" + e.path +
               "': manifest paths must be relative, without '.' or '..'";
    if (fields[12] != "-") {
        const std::string list(fields[12]);
        std::size_t start = 0;
        while (start <= list.size()) {
            auto comma = list.find(',', start);
            std::string pair = list.substr(start, comma - start);
            auto equals = pair.find('=');
            auto key = unescapeField(pair.substr(0, equals));
            auto value =
                equals == std::string::npos ? std::nullopt : unescapeField(pair.substr(equals + 1));
            if (!key || !value)
                return "malformed xattr";
            e.xattrs[*key] = *value;
            if (comma == std::string::npos)
                break;
            start = comma + 1;
        }
    }
    return "";
}

} // namespace

char entryTypeOf(mode_t mode)
{
    if (S_ISREG(mode))
        return 'f';
    if (S_ISDIR(mode))
        return 'd';
    if (S_ISLNK(mode))
        return 'l';
    if (S_ISFIFO(mode))
        return 'p';
    if (S_ISCHR(mode))
        return 'c';
    if (S_ISBLK(mode))
        return 'b';
    return '?'; // sockets are not kept
}

std::int64_t timeNanoseconds(const timespec& time)
{
    return static_cast<std::int64_t>(time.tv_sec) * 1000000000 + time.tv_nsec;
}

Expected<Manifest> Manifest::parse(const std::string& text)
{
    std::string_view body;
    switch (checkEndLine(text, body)) {
    case EndLine::kMissing:
        return Unexpected("the manifest is truncated (no end line)");
    case EndLine::kWrong: {
        // Format 2 says where: the first block whose own checksum fails.
        std::string where;
        Manifest header;
        std::size_t at = 0, expected = 0;
        int lineNumber = 0, format = 0;
        if (parseHeaderLines(text, at, lineNumber, header, expected, format).empty() && format == 2)
            where = ManifestBlocks::damage(
                std::string_view(text).substr(at, text.rfind("\nend ") - at));
        return Unexpected("the manifest's checksum does not match: it was truncated or edited" +
                          (where.empty() ? std::string() : " (" + where + ")"));
    }
    case EndLine::kGood:
        break;
    }

    Manifest manifest;
    std::size_t at = 0;
    int lineNumber = 0;
    std::size_t expected = 0;
    int format = 0;
    if (auto problem = parseHeaderLines(body, at, lineNumber, manifest, expected, format);
        !problem.empty())
        return Unexpected(problem);
    if (format == 2) {
        // The binary part, without the newline before the end line.
        if (body.size() < at + 1)
            return Unexpected("the manifest has no entries part");
        if (auto problem = ManifestBlocks::parse(body.substr(at, body.size() - at - 1), expected,
                                                 manifest.entries);
            !problem.empty())
            return Unexpected(problem);
        return manifest;
    }
    // Never sized by a number read from disk beyond what the file can hold:
    // an entry is a line of 14 fields, 13 tabs and a newline at least.
    const std::size_t possible = (body.size() - at) / 14 + 1;
    if (expected > possible)
        return Unexpected("line " + std::to_string(lineNumber) + ": the manifest declares " +
                          std::to_string(expected) + " entries, more than its " +
                          std::to_string(body.size()) + " bytes can hold");
    manifest.entries.reserve(expected);

    std::string_view line;
    while (nextLine(body, at, line)) {
        ++lineNumber;
        ManifestEntry e;
        if (auto problem = parseEntry(line, e); !problem.empty())
            return Unexpected("line " + std::to_string(lineNumber) + ": " + problem);
        manifest.entries.push_back(std::move(e));
    }
    if (manifest.entries.size() != expected)
        return Unexpected("the manifest holds " + std::to_string(manifest.entries.size()) +
                          " entries, not " + std::to_string(expected));
    return manifest;
}

Expected<Manifest> Manifest::readHeader(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return Unexpected("cannot read " + file.string());
    std::string text;
    std::string line;
    for (int lines = 0; lines < 10 && std::getline(in, line); ++lines)
        text += line + "\n";
    Manifest manifest;
    std::size_t at = 0;
    int lineNumber = 0;
    std::size_t expected = 0;
    int format = 0;
    if (auto problem = parseHeaderLines(text, at, lineNumber, manifest, expected, format);
        !problem.empty())
        return Unexpected(file.string() + ": " + problem);
    return manifest;
}

Expected<Manifest> Manifest::parseHeader(std::string_view text, int& format, std::size_t& entriesAt)
{
    Manifest manifest;
    entriesAt = 0;
    int lineNumber = 0;
    std::size_t expected = 0;
    if (auto problem = parseHeaderLines(text, entriesAt, lineNumber, manifest, expected, format);
        !problem.empty())
        return Unexpected(problem);
    return manifest;
}

Expected<Manifest> Manifest::readSome(const std::filesystem::path& file,
                                      const std::vector<std::string>& paths)
{
    // Mapped, not read: a lookup touches a few pages of a big manifest.
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat info {
    };
    if (!fd.isValid() || ::fstat(fd.get(), &info) != 0)
        return Unexpected("cannot read " + file.string());
    const auto length = static_cast<std::size_t>(info.st_size);
    void* mapped =
        length ? ::mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fd.get(), 0) : MAP_FAILED;
    if (mapped == MAP_FAILED)
        return Unexpected("cannot read " + file.string());
    struct Unmap {
        void* at;
        std::size_t length;
        ~Unmap() { ::munmap(at, length); }
    } unmap{mapped, length};
    const std::string_view all(static_cast<const char*>(mapped), length);
    // The end line is there (the file is whole), its checksum not checked.
    const auto last = all.size() > 1 ? all.rfind('\n', all.size() - 2) : std::string_view::npos;
    if (last == std::string_view::npos || all.compare(last + 1, 4, "end ") != 0)
        return Unexpected(file.string() + ": the manifest is truncated (no end line)");
    const std::string_view body = all.substr(0, last + 1);
    Manifest manifest;
    std::size_t first = 0;
    int lineNumber = 0;
    std::size_t expected = 0;
    int format = 0;
    if (auto problem = parseHeaderLines(body, first, lineNumber, manifest, expected, format);
        !problem.empty())
        return Unexpected(file.string() + ": " + problem);
    std::vector<std::string> wanted(paths);
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    if (format == 2) {
        if (body.size() < first + 1)
            return Unexpected(file.string() + ": the manifest has no entries part");
        if (auto problem = ManifestBlocks::find(body.substr(first, body.size() - first - 1), wanted,
                                                manifest.entries);
            !problem.empty())
            return Unexpected(file.string() + ": " + problem);
        return manifest;
    }
    auto pathOf = [&](std::size_t start, std::size_t end) {
        const auto tab = body.rfind('\t', end);
        return tab == std::string_view::npos || tab < start
                   ? std::optional<std::string>()
                   : unescape(body.substr(tab + 1, end - tab - 1));
    };
    for (const auto& path : wanted) {
        // Lines are sorted by path: the first whose path is not less.
        std::size_t lo = first, hi = body.size();
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            const std::size_t start = mid == lo ? lo : body.rfind('\n', mid - 1) + 1;
            const std::size_t end = body.find('\n', start);
            const auto found = pathOf(start, end);
            if (!found)
                return Unexpected(file.string() + ": malformed entry line");
            if (*found < path)
                lo = end + 1;
            else
                hi = start;
        }
        if (lo >= body.size())
            continue;
        const std::size_t end = body.find('\n', lo);
        if (pathOf(lo, end) != path)
            continue;
        ManifestEntry e;
        if (auto problem = parseEntry(body.substr(lo, end - lo), e); !problem.empty())
            return Unexpected(file.string() + ": " + problem);
        manifest.entries.push_back(std::move(e));
    }
    return manifest;
}

Expected<Manifest> Manifest::read(const std::filesystem::path& file)
{
    const auto text = readFileText(file);
    if (!text)
        return Unexpected("cannot read " + file.string());
    auto result = parse(*text);
    if (!result)
        return Unexpected(file.string() + ": " + result.error());
    return result;
}

} // namespace lfsw
