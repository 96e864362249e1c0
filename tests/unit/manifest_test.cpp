// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "base/checked_text.h"
#include "base/file_content.h"
#include "base/sha256.h"
#include "store/manifest.h"
#include "store/manifest_reader.h"
#include "store/manifest_writer.h"

using lfsw::Manifest;
using lfsw::ManifestEntry;

namespace {

Manifest sample()
{
    Manifest m;
    m.name = "gcc pass1";
    m.id = "000007";
    m.created = "2026-11-25T18:00:00.000Z";
    m.root = "/mnt/lfs";
    m.good = true;
    m.tags = {"baseline"};
    ManifestEntry dir;
    dir.type = 'd';
    dir.path = "usr";
    dir.mode = 0755;
    ManifestEntry file;
    file.type = 'f';
    file.path = "usr/bin/odd name\twith,tab=and%percent";
    file.mode = 04755;
    file.size = 12;
    file.mtimeNs = 1764000000123456789;
    file.hash = std::string(64, 'a');
    file.xattrs = {{"security.capability", std::string("\x01\x00\x00\x02", 4)},
                   {"user.x", "a=b,c"}};
    ManifestEntry link;
    link.type = 'l';
    link.path = "usr/lib/libz.so";
    link.target = "libz.so.1";
    m.entries = {dir, file, link};
    return m;
}

} // namespace

TEST_CASE("a manifest survives serialization, odd names and binary xattrs included")
{
    const Manifest original = sample();
    auto parsed = Manifest::parse(original.serialize());
    REQUIRE(parsed.ok());
    const auto& m = *parsed;
    CHECK(m.name == "gcc pass1");
    CHECK(m.good);
    CHECK(m.tags == std::vector<std::string>{"baseline"});
    REQUIRE(m.entries.size() == 3);
    CHECK(m.entries[1].path == original.entries[1].path);
    CHECK(m.entries[1].mode == 04755);
    CHECK(m.entries[1].mtimeNs == 1764000000123456789);
    CHECK(m.entries[1].xattrs == original.entries[1].xattrs);
    CHECK(m.entries[2].target == "libz.so.1");
}

TEST_CASE("a truncated or edited manifest is refused")
{
    const std::string text = sample().serialize();
    auto truncated = Manifest::parse(text.substr(0, text.size() / 2));
    REQUIRE(!truncated.ok());
    CHECK(truncated.error().find("truncated") != std::string::npos);

    // One bit of the first block's payload flipped: found, and located.
    std::string edited = text;
    const auto blocks = edited.find("entries 3\n") + std::string("entries 3\n").size();
    REQUIRE(edited[blocks] == 'B');
    edited[blocks + 17 + 2] ^= 1;
    auto result = Manifest::parse(edited);
    REQUIRE(!result.ok());
    CHECK(result.error().find("checksum does not match") != std::string::npos);
    CHECK(result.error().find("block 1 of 1, from byte 0 of the entries, paths from usr, is "
                              "damaged") != std::string::npos);
}

TEST_CASE("thousands of entries span blocks and come back exactly, in order")
{
    Manifest m = sample();
    m.entries.clear();
    for (int i = 0; i < 2000; ++i) {
        ManifestEntry e;
        e.type = i % 3 ? 'f' : 'd';
        e.path = "usr/share/locale/l" + std::to_string(10000 + i);
        e.mode = i % 3 ? 0644 : 0755;
        e.uid = static_cast<std::uint32_t>(i);
        e.size = static_cast<std::uint64_t>(i) * 4097;
        e.mtimeNs = i == 7 ? -1234567890123 : 1764000000000000000 + i; // before 1970 too
        e.inode = 1u << 31 | static_cast<std::uint64_t>(i);
        if (e.type == 'f')
            e.hash = lfsw::Sha256::ofText(e.path);
        if (i == 5)
            e.linkGroup = "usr/share/locale/l10004";
        m.entries.push_back(e);
    }
    const auto text = m.serialize();
    CHECK(text.size() < m.entries.size() * 80); // the text format took over 160 per path
    auto parsed = Manifest::parse(text);
    REQUIRE(parsed.ok());
    REQUIRE(parsed->entries.size() == m.entries.size());
    for (std::size_t i = 0; i < m.entries.size(); ++i) {
        const auto& a = m.entries[i];
        const auto& b = parsed->entries[i];
        REQUIRE(a.path == b.path);
        CHECK((a.type == b.type && a.mode == b.mode && a.uid == b.uid && a.size == b.size &&
               a.mtimeNs == b.mtimeNs && a.inode == b.inode && a.hash == b.hash &&
               a.linkGroup == b.linkGroup));
    }
}

TEST_CASE("a manifest of format 1 (text lines, earlier versions) is still read")
{
    std::string text = "lfsw-manifest 1\nname old\nid 000001\ncreated 2026-11-01T00:00:00.000Z\n"
                       "parent -\nroot /mnt/lfs\ngood 1\nnew_bytes 5\ntags baseline\nentries 2\n"
                       "d\t755\t0\t0\t0\t0\t0\t0\t0\t-\t-\t-\t-\tusr\n"
                       "f\t644\t0\t0\t5\t1\t0\t9\t0\t" +
                       std::string(64, 'b') + "\t-\t-\tuser.a=b\tusr/odd%20name\n";
    lfsw::appendEndLine(text);
    auto parsed = Manifest::parse(text);
    REQUIRE(parsed.ok());
    CHECK(parsed->name == "old");
    REQUIRE(parsed->entries.size() == 2);
    CHECK(parsed->entries[1].path == "usr/odd name");
    CHECK(parsed->entries[1].hash == std::string(64, 'b'));
    CHECK(parsed->entries[1].xattrs.at("user.a") == "b");
    const auto file = std::filesystem::temp_directory_path() / "lfsw-manifest-format1.manifest";
    lfsw::writeFileDurably(file, text);
    auto some = Manifest::readSome(file, {"usr/odd name"});
    REQUIRE(some);
    REQUIRE(some->entries.size() == 1);
    CHECK(some->entries[0].size == 5);
    std::filesystem::remove(file);
}

TEST_CASE("paths with '..' or a leading '/' are refused even with a valid checksum")
{
    for (const std::string bad : {"../x", "/etc/passwd", "usr/../../x", "usr//x", "./x"}) {
        Manifest m = sample();
        m.entries[2].path = bad;
        auto result = Manifest::parse(m.serialize());
        REQUIRE_MESSAGE(!result.ok(), bad);
        CHECK(result.error().find("refused path") != std::string::npos);
    }
    CHECK(Manifest::safePath("usr/lib/x"));
    CHECK_FALSE(Manifest::safePath(""));
}

TEST_CASE("a manifest declaring more entries than it can hold is refused, not allocated")
{
    const std::string text = sample().serialize();
    std::string_view body;
    REQUIRE(lfsw::checkEndLine(text, body) == lfsw::EndLine::kGood);
    std::string edited(body);
    const auto at = edited.find("entries");
    REQUIRE(at != std::string::npos);
    const auto end = edited.find('\n', at);
    std::string header = edited.substr(at, end - at);
    // Keep the separator as the format has it, change only the number.
    const auto digits = header.find_first_of("0123456789");
    edited.replace(at + digits, end - at - digits, "2000000000000");
    lfsw::appendEndLine(edited); // the checksum made right again
    auto result = Manifest::parse(edited);
    REQUIRE(!result.ok());
    CHECK(result.error().find("declares 2000000000000 entries") != std::string::npos);
}

TEST_CASE("readSome finds the entries of a few paths, odd names included, and only those")
{
    Manifest m = sample();
    for (int i = 0; i < 1500; ++i) { // several blocks, and a search several levels deep
        ManifestEntry filler;
        filler.type = 'd';
        filler.path = "var/d" + std::to_string(1000 + i);
        m.entries.push_back(filler);
    }
    std::sort(m.entries.begin(), m.entries.end(),
              [](const ManifestEntry& a, const ManifestEntry& b) { return a.path < b.path; });
    const auto file = std::filesystem::temp_directory_path() / "lfsw-manifest-readsome.manifest";
    lfsw::writeFileDurably(file, m.serialize());
    auto some = Manifest::readSome(
        file, {"var/d1250", "usr/bin/odd name\twith,tab=and%percent", "usr", "var/d", "zzz"});
    REQUIRE(some);
    CHECK(some->name == "gcc pass1");
    REQUIRE(some->entries.size() == 3);
    CHECK(some->entries[0].path == "usr");
    CHECK(some->entries[1].path == "usr/bin/odd name\twith,tab=and%percent");
    CHECK(some->entries[1].xattrs == m.entries[1].xattrs);
    CHECK(some->entries[2].path == "var/d1250");
    CHECK(Manifest::readSome(file, {"var/d1000", "var/d1499", "var/d2499"})->entries.size() == 3);
    // A file cut short is refused, as a whole read refuses it.
    const auto text = m.serialize();
    lfsw::writeFileDurably(file, text.substr(0, text.size() / 2));
    CHECK_FALSE(Manifest::readSome(file, {"usr"}));
    std::filesystem::remove(file);
}

TEST_CASE("a manifest written and read as a stream is the same file, entry for entry")
{
    Manifest m = sample();
    for (int i = 0; i < 1800; ++i) { // several blocks and a part one
        ManifestEntry e;
        e.type = 'f';
        e.path = "var/f" + std::to_string(10000 + i);
        e.size = static_cast<std::uint64_t>(i);
        e.hash = lfsw::Sha256::ofText(e.path);
        m.entries.push_back(e);
    }
    const auto directory = std::filesystem::temp_directory_path();
    const auto file = directory / "lfsw-manifest-stream.manifest";
    lfsw::ManifestWriter writer(directory);
    for (const auto& entry : m.entries)
        writer.add(entry);
    CHECK(writer.count() == m.entries.size());
    CHECK(writer.fileBytes() == m.totalBytes());
    writer.finish(m, file);
    CHECK(lfsw::readFileText(file) == m.serialize());

    lfsw::ManifestReader reader(file);
    CHECK(reader.header().name == "gcc pass1");
    CHECK(reader.header().entryCount == m.entries.size());
    std::size_t at = 0;
    while (const ManifestEntry* entry = reader.next()) {
        REQUIRE(at < m.entries.size());
        CHECK(entry->path == m.entries[at].path);
        CHECK(entry->hash == m.entries[at].hash);
        CHECK(entry->xattrs == m.entries[at].xattrs);
        ++at;
    }
    CHECK(at == m.entries.size());

    // One byte changed in the middle: refused on opening, before any entry.
    auto text = m.serialize();
    text[text.size() / 2] ^= 0x20;
    lfsw::writeFileDurably(file, text);
    CHECK_THROWS_WITH_AS(lfsw::ManifestReader{file},
                         doctest::Contains("lfsw-manifest-stream.manifest"), std::runtime_error);
    lfsw::writeFileDurably(file, m.serialize().substr(0, text.size() - 10));
    CHECK_THROWS_WITH_AS(lfsw::ManifestReader{file}, doctest::Contains("truncated"),
                         std::runtime_error);
    std::filesystem::remove(file);
}

TEST_CASE("readSome finds paths in walk order, where '/' sorts before every other byte")
{
    Manifest m = sample();
    m.entries.clear();
    // Walk order: "a", "a/x", "a-b" ('/' first); byte order would put "a-b" before "a/x".
    for (const char* path : {"a", "a/x", "a-b", "b"}) {
        ManifestEntry e;
        e.type = 'd';
        e.path = path;
        m.entries.push_back(e);
    }
    const auto file = std::filesystem::temp_directory_path() / "lfsw-manifest-walkorder.manifest";
    lfsw::writeFileDurably(file, m.serialize());
    auto some = Manifest::readSome(file, {"a-b", "a/x"});
    REQUIRE(some);
    CHECK(some->entries.size() == 2);
    std::filesystem::remove(file);
}
