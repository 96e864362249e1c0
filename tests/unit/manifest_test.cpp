// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "base/checked_text.h"
#include "base/file_content.h"
#include "store/manifest.h"

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

    std::string edited = text;
    edited.replace(edited.find("usr/lib/libz.so"), 3, "etc");
    auto result = Manifest::parse(edited);
    REQUIRE(!result.ok());
    CHECK(result.error().find("checksum does not match") != std::string::npos);
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
    for (int i = 0; i < 500; ++i) { // enough lines for the search to go several levels deep
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
    CHECK(Manifest::readSome(file, {"var/d1000", "var/d1499"})->entries.size() == 2);
    // A file cut short is refused, as a whole read refuses it.
    const auto text = m.serialize();
    lfsw::writeFileDurably(file, text.substr(0, text.size() / 2));
    CHECK_FALSE(Manifest::readSome(file, {"usr"}));
    std::filesystem::remove(file);
}
