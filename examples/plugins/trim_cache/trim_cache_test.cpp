// SPDX-License-Identifier: MIT
// trim_cache tested with the SDK's harness: no host, a temporary state
// directory, real files.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>

#include <lfsw/testing.h>

#include "trim_cache.h"

namespace {

void writeFile(const std::filesystem::path& path, std::size_t bytes, int ageMinutes)
{
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << std::string(bytes, 'x');
    std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now() -
                                               std::chrono::minutes(ageMinutes));
}

} // namespace

TEST_CASE("trims the oldest files until the cache fits")
{
    lfsw::testing::Harness harness;
    const auto cache = harness.stateDirectory() / "ccache";
    writeFile(cache / "a/old.o", 4000, 60);
    writeFile(cache / "b/middle.o", 4000, 30);
    writeFile(cache / "c/new.o", 4000, 1);
    harness.params = lfsw::Params(
        std::map<std::string, std::string>{{"path", cache.string()}, {"max_size", "9000"}});
    harness.event.condition = "resource_exhaustion";

    auto result = site::TrimCache().run(harness.context());

    CHECK(result.status() == lfsw::Result::Status::Done);
    CHECK_FALSE(std::filesystem::exists(cache / "a/old.o"));
    CHECK(std::filesystem::exists(cache / "b/middle.o"));
    CHECK(std::filesystem::exists(cache / "c/new.o"));
    CHECK(harness.logged("removed 1 files"));
    CHECK(harness.build.calls.empty()); // it never touches the build
}

TEST_CASE("a cache within its size is left alone")
{
    lfsw::testing::Harness harness;
    const auto cache = harness.stateDirectory() / "ccache";
    writeFile(cache / "x.o", 100, 5);
    harness.params = lfsw::Params(
        std::map<std::string, std::string>{{"path", cache.string()}, {"max_size", "1M"}});
    auto result = site::TrimCache().run(harness.context());
    CHECK(result.status() == lfsw::Result::Status::Done);
    CHECK(std::filesystem::exists(cache / "x.o"));
}

TEST_CASE("bad parameters are refused with what was expected")
{
    auto problems = site::TrimCache().validate(lfsw::Params(std::map<std::string, std::string>{
        {"path", "relative/dir"}, {"max_size", "lots"}, {"colour", "red"}}));
    REQUIRE(problems.size() == 3);
    std::string text;
    for (const auto& problem : problems)
        text += problem.param + ": " + problem.message + "\n";
    CHECK(text.find("path: expected an absolute path") != std::string::npos);
    CHECK(text.find("max_size: expected a size such as 500M or 2G, found 'lots'") !=
          std::string::npos);
}

TEST_CASE("the harness reads the config like the host")
{
    lfsw::testing::Harness harness("resources:\n  reclaim: [/var/cache/ccache]\n");
    CHECK(harness.context().settingList("resources.reclaim") ==
          std::vector<std::string>{"/var/cache/ccache"});
    CHECK_THROWS_AS(lfsw::testing::Harness("monitoring:\n  interval: soon\n"),
                    std::invalid_argument);
}
