// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <lfsw/units.h>

using namespace std::chrono_literals;

TEST_CASE("durations in the config's syntax")
{
    CHECK(lfsw::parseDuration("30s") == 30s);
    CHECK(lfsw::parseDuration("5m") == 300s);
    CHECK(lfsw::parseDuration("1h") == 3600s);
    CHECK(lfsw::parseDuration("7d") == 7 * 86400s);
    CHECK(lfsw::parseDuration("2w") == 14 * 86400s);
    CHECK(lfsw::parseDuration("1h30m") == 5400s);
    CHECK_FALSE(lfsw::parseDuration("7")); // a bare number has no unit
    CHECK_FALSE(lfsw::parseDuration(""));
    CHECK_FALSE(lfsw::parseDuration("7x"));
    CHECK_FALSE(lfsw::parseDuration("-1h"));
    CHECK_FALSE(lfsw::parseDuration("1.5h"));
    CHECK_FALSE(lfsw::parseDuration("h"));
    CHECK_FALSE(lfsw::parseDuration("99999999999999999999d"));
}

TEST_CASE("durations are formatted in their shortest exact spelling")
{
    CHECK(lfsw::formatDuration(90s) == "1m30s");
    CHECK(lfsw::formatDuration(604800s) == "1w");
    CHECK(lfsw::formatDuration(86400s) == "1d");
    CHECK(lfsw::formatDuration(0s) == "0s");
}

TEST_CASE("percentages from 0% to 100%")
{
    CHECK(lfsw::parsePercentage("90%") == 90.0);
    CHECK(lfsw::parsePercentage("12.5%") == 12.5);
    CHECK(lfsw::parsePercentage("0%") == 0.0);
    CHECK(lfsw::parsePercentage("100%") == 100.0);
    CHECK_FALSE(lfsw::parsePercentage("90"));
    CHECK_FALSE(lfsw::parsePercentage("101%"));
    CHECK_FALSE(lfsw::parsePercentage("-5%"));
    CHECK_FALSE(lfsw::parsePercentage("%"));
    CHECK_FALSE(lfsw::parsePercentage("ninety%"));
}

TEST_CASE("sizes in powers of 1024")
{
    CHECK(lfsw::parseSize("512") == 512u);
    CHECK(lfsw::parseSize("10M") == 10u << 20);
    CHECK(lfsw::parseSize("2G") == 2ull << 30);
    CHECK(lfsw::parseSize("4KiB") == 4096u);
    CHECK(lfsw::parseSize("1TB") == 1ull << 40);
    CHECK_FALSE(lfsw::parseSize("10X"));
    CHECK_FALSE(lfsw::parseSize("M"));
    CHECK_FALSE(lfsw::parseSize("99999999999T"));
}
