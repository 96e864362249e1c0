// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "base/suggest.h"
#include "base/time_text.h"
#include "state/log_record.h"

TEST_CASE("a log file line parses back into its record")
{
    auto record =
        lfsw::LogRecord::parse("2026-11-25T18:30:01.123Z ERROR engine: action x failed: y");
    REQUIRE(record);
    CHECK(record->level == lfsw::LogLevel::Error);
    CHECK(record->channel == "engine");
    CHECK(record->message == "action x failed: y");
    CHECK(lfsw::isoUtc(record->time) == "2026-11-25T18:30:01.123Z");
}

TEST_CASE("lines that are not records are skipped")
{
    CHECK_FALSE(lfsw::LogRecord::parse(""));
    CHECK_FALSE(lfsw::LogRecord::parse("hello world"));
    CHECK_FALSE(lfsw::LogRecord::parse("2026-11-25T18:30:01.123Z LOUD engine: x"));
    CHECK_FALSE(lfsw::LogRecord::parse("2026-13-25T18:30:01.123Z INFO engine: x"));
    CHECK_FALSE(lfsw::LogRecord::parse("2026-11-25T18:30:01.123Z INFO engine x"));
}

TEST_CASE("a year past what system_clock holds is not a record (fuzz finding)")
{
    // fuzz_log_record: from_time_t overflowed (UBSan) for the year 2426.
    CHECK_FALSE(lfsw::LogRecord::parse("2426-11-25T21:06:32.236Z INFO supervisor: x"));
    CHECK_FALSE(lfsw::parseIsoUtc("9999-01-01T00:00:00Z"));
    CHECK(lfsw::parseIsoUtc("2200-01-01T00:00:00Z"));
}

TEST_CASE("did you mean")
{
    CHECK(lfsw::closestMatch("retension", {"retention", "schedule", "types"}) == "retention");
    CHECK(lfsw::closestMatch("rnu", {"run", "status"}) == "run"); // a transposition
    CHECK_FALSE(lfsw::closestMatch("xyzzy", {"run", "status"}));
    CHECK(lfsw::didYouMean("buid", {"build"}) == ", did you mean 'build'?");
}
