// SPDX-License-Identifier: MIT
// The tree walk that checkpoints and backups are made from: every entry
// once, in the order manifests are written in, never through a symlink,
// without what is excluded or skipped, whether one thread lists or several.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "base/open_beneath.h"
#include "store/tree_walker.h"
#include "temp_directory.h"

using lfsw::TreeWalker;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> walk(const fs::path& root, const TreeWalker::Options& options = {})
{
    const int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    std::vector<std::string> seen;
    TreeWalker(fd, options).walk([&](const std::string& path, const struct stat&) {
        seen.push_back(path);
    });
    ::close(fd);
    return seen;
}

// What std::filesystem finds below `root`, not following symlinks.
std::vector<std::string> everything(const fs::path& root)
{
    std::vector<std::string> paths;
    for (const auto& entry : fs::recursive_directory_iterator(root))
        paths.push_back(entry.path().lexically_relative(root).string());
    return paths;
}

void touch(const fs::path& file)
{
    fs::create_directories(file.parent_path());
    std::ofstream(file) << file.filename().string();
}

} // namespace

TEST_CASE("walk order is byte order with '/' below every other byte")
{
    CHECK(TreeWalker::walkOrder("a", "a") == 0);
    CHECK(TreeWalker::walkOrder("a", "a/b") < 0);   // a directory before its contents
    CHECK(TreeWalker::walkOrder("a/b", "a.b") < 0); // ... and its contents before "a.b"
    CHECK(TreeWalker::walkOrder("a.b", "a/b") > 0);
    CHECK(TreeWalker::walkOrder("a/z", "ab") < 0);
    CHECK(TreeWalker::walkOrder("a b", "a/b") > 0);
    CHECK(TreeWalker::walkOrder("a/\xc3\xa9", "a\x01") < 0); // bytes compare unsigned
    CHECK(TreeWalker::walkOrder("b", "a/z/z") > 0);
}

TEST_CASE("a tree of many directories: every entry once, parents first, in walk order")
{
    lfsw::test::TempDirectory temp;
    const auto root = temp.path() / "root";
    // Names whose plain byte order differs from the walk's, at every depth,
    // and enough directories that several threads list them.
    for (int top = 0; top < 40; ++top) {
        const auto dir = root / ("d" + std::to_string(top));
        for (const char* name : {"a/b/file", "a.b", "a-c/x", "ab", "a b/y", "z\xc3\xa9/w"})
            touch(dir / name);
        for (int sub = 0; sub < 5; ++sub)
            touch(dir / ("s" + std::to_string(sub)) / "deep" / "er" / "file");
    }
    fs::create_symlink(temp.path(), root / "d0" / "out"); // must not be followed
    touch(temp.path() / "outside");

    const auto seen = walk(root);
    auto expected = everything(root);
    std::sort(expected.begin(), expected.end(), [](const std::string& a, const std::string& b) {
        return TreeWalker::walkOrder(a, b) < 0;
    });
    CHECK(seen.size() == expected.size());
    CHECK(seen == expected);
    CHECK(std::find(seen.begin(), seen.end(), "d0/out") != seen.end());
    CHECK(std::none_of(seen.begin(), seen.end(),
                       [](const std::string& path) { return path.rfind("d0/out/", 0) == 0; }));
}

TEST_CASE("excluded globs and skipped directories are left out with their contents")
{
    lfsw::test::TempDirectory temp;
    const auto root = temp.path() / "root";
    touch(root / "keep" / "file");
    touch(root / "build" / "obj.o");
    touch(root / "sources" / "cache" / "big");
    touch(root / "state" / "db");
    TreeWalker::Options options;
    options.excludes = {"*.o", "sources/cache"};
    options.skip = {root / "state"};
    const auto seen = walk(root, options);
    CHECK(seen == std::vector<std::string>{"build", "keep", "keep/file", "sources"});
}

TEST_CASE("an empty root walks to nothing")
{
    lfsw::test::TempDirectory temp;
    const auto root = temp.path() / "root";
    fs::create_directories(root);
    CHECK(walk(root).empty());
}

TEST_CASE("directories made beneath a root: missing ones made, a planted link refused")
{
    lfsw::test::TempDirectory temp;
    const fs::path root = temp.path() / "root";
    fs::create_directories(root / "a");
    fs::create_directories(temp.path() / "outside");
    fs::create_directory_symlink(temp.path() / "outside", root / "link");
    const int rootFd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(rootFd >= 0);

    const int made = lfsw::makeDirectoriesBeneath(rootFd, "a/b/c", 0750);
    CHECK(made >= 0);
    CHECK(fs::is_directory(root / "a/b/c"));
    CHECK((fs::status(root / "a/b").permissions() & fs::perms::all) == fs::perms(0750));
    ::close(made);

    CHECK(lfsw::canMakeDirectoriesBeneath(rootFd, "a/b/c/d/e"));
    CHECK_FALSE(fs::exists(root / "a/b/c/d"));
    CHECK_FALSE(lfsw::canMakeDirectoriesBeneath(rootFd, "link/new"));
    CHECK(lfsw::makeDirectoriesBeneath(rootFd, "link/new", 0755) == -1);
    CHECK(fs::is_empty(temp.path() / "outside"));
    CHECK(lfsw::makeDirectoriesBeneath(rootFd, "a/../../escape", 0755) == -1);
    CHECK(!fs::exists(temp.path() / "escape"));
    ::close(rootFd);
}
