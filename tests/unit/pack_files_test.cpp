// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <fstream>
#include <set>

#include "base/sha256.h"
#include "store/pack_files.h"
#include "temp_directory.h"

using lfsw::PackFiles;
using lfsw::Sha256;
using lfsw::test::TempDirectory;

namespace {

struct Store {
    TempDirectory temp;
    std::filesystem::path packs = temp.path() / "packs";
    std::filesystem::path tmp = temp.path() / "tmp";
    Store() { std::filesystem::create_directories(tmp); }

    std::unique_ptr<PackFiles> open() const { return std::make_unique<PackFiles>(packs, tmp); }

    std::vector<std::filesystem::path> files(const std::string& extension) const
    {
        std::vector<std::filesystem::path> found;
        for (const auto& entry : std::filesystem::directory_iterator(packs))
            if (entry.path().extension() == extension)
                found.push_back(entry.path());
        return found;
    }
};

// Adds `count` objects of `size` bytes each (content "NAME-i" padded) and
// commits them; returns their hashes.
std::vector<std::string> addObjects(PackFiles& packs, const std::string& name, int count,
                                    std::size_t size)
{
    std::vector<std::string> hashes;
    for (int i = 0; i < count; ++i) {
        std::string content = name + "-" + std::to_string(i);
        content.resize(size, 'x');
        hashes.push_back(Sha256::ofText(content));
        packs.add(hashes.back(), content);
    }
    packs.finish();
    packs.commit();
    return hashes;
}

std::string contentOf(const std::string& name, int i, std::size_t size)
{
    std::string content = name + "-" + std::to_string(i);
    content.resize(size, 'x');
    return content;
}

} // namespace

TEST_CASE("objects written to packs read back, also from a fresh instance")
{
    Store store;
    auto packs = store.open();
    auto hashes = addObjects(*packs, "a", 50, 1000);
    CHECK(store.files(".pack").size() == 1);
    CHECK(store.files(".index").size() == 1);
    CHECK(std::filesystem::is_empty(store.tmp));
    CHECK(packs->read(hashes[7]) == contentOf("a", 7, 1000));
    auto again = store.open();
    CHECK(again->contains(hashes[49]));
    CHECK(again->read(hashes[49]) == contentOf("a", 49, 1000));
    CHECK_FALSE(again->read(Sha256::ofText("not there")).has_value());
    CHECK(again->problems().empty());
}

TEST_CASE("an object a pack has is not written twice")
{
    Store store;
    auto packs = store.open();
    addObjects(*packs, "a", 3, 100);
    CHECK(packs->add(Sha256::ofText(contentOf("a", 1, 100)), contentOf("a", 1, 100)) == 0);
    CHECK_FALSE(packs->writing());
}

TEST_CASE("a pack fills up and the next one starts")
{
    Store store;
    auto packs = store.open();
    auto hashes = addObjects(*packs, "big", 40, 500 * 1024); // 20 MB: two packs
    CHECK(store.files(".pack").size() == 2);
    auto again = store.open();
    CHECK(again->read(hashes.front()) == contentOf("big", 0, 500 * 1024));
    CHECK(again->read(hashes.back()) == contentOf("big", 39, 500 * 1024));
}

TEST_CASE("abandoned writes leave nothing behind")
{
    Store store;
    auto packs = store.open();
    packs->add(Sha256::ofText("x"), "x");
    packs->finish();
    packs->abandon();
    CHECK(std::filesystem::is_empty(store.tmp));
    CHECK(store.files(".pack").empty());
    CHECK_FALSE(packs->contains(Sha256::ofText("x")));
}

TEST_CASE("collect removes unused packs, rewrites mostly unused ones, keeps the rest")
{
    Store store;
    auto packs = store.open();
    auto first = addObjects(*packs, "first", 10, 1000);
    auto second = addObjects(*packs, "second", 10, 1000);
    auto third = addObjects(*packs, "third", 10, 1000);
    REQUIRE(store.files(".pack").size() == 3);
    // first: nothing referenced; second: 2 of 10; third: 8 of 10.
    std::set<std::string> referenced{second[0], second[1]};
    referenced.insert(third.begin(), third.begin() + 8);
    const auto freed = packs->collect(referenced);
    CHECK(freed >= 10 * 1000 + 8 * 1000);
    CHECK(store.files(".pack").size() == 2); // second rewritten, third kept
    auto again = store.open();
    for (const auto& hash : referenced)
        CHECK(again->contains(hash));
    CHECK_FALSE(again->contains(first[0]));
    CHECK_FALSE(again->contains(second[5]));
    CHECK(again->read(second[1]) == contentOf("second", 1, 1000));
    CHECK(again->contains(third[9])); // kept: its pack is mostly in use
}

TEST_CASE("a pack without an index is what a crash left, and goes")
{
    Store store;
    auto packs = store.open();
    auto hashes = addObjects(*packs, "a", 5, 100);
    std::ofstream(store.packs / "0123456789abcdef0123456789abcdef.pack") << "half a pack";
    store.open()->collect({hashes.begin(), hashes.end()});
    CHECK(store.files(".pack").size() == 1);
    CHECK(store.open()->read(hashes[0]) == contentOf("a", 0, 100));
}

TEST_CASE("an edited or truncated index is reported and its pack left alone")
{
    Store store;
    auto packs = store.open();
    auto hashes = addObjects(*packs, "a", 5, 100);
    const auto index = store.files(".index").front();
    std::filesystem::resize_file(index, std::filesystem::file_size(index) - 10);
    auto again = store.open();
    REQUIRE(again->problems().size() == 1);
    CHECK(again->problems().front().find("checksum line does not match") != std::string::npos);
    CHECK_FALSE(again->contains(hashes[0]));
    again->collect({});
    CHECK(std::filesystem::exists(index));
    CHECK(store.files(".pack").size() == 1);
}

TEST_CASE("a pack that is gone makes its objects missing; a short one makes them unreadable")
{
    Store store;
    auto packs = store.open();
    auto hashes = addObjects(*packs, "a", 5, 100);
    const auto pack = store.files(".pack").front();
    std::filesystem::resize_file(pack, 250);
    CHECK(store.open()->read(hashes[0]) == contentOf("a", 0, 100));
    CHECK_THROWS_WITH(store.open()->read(hashes[4]),
                      doctest::Contains("the pack ends before the object does"));
    std::filesystem::remove(pack);
    CHECK_FALSE(store.open()->read(hashes[0]).has_value());
}
