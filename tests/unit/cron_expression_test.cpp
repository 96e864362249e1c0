// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "base/cron_expression.h"

using lfsw::CronExpression;

namespace {
CronExpression parsed(const char* text)
{
    auto result = CronExpression::parse(text);
    REQUIRE_MESSAGE(result.ok(), text);
    return *result;
}
std::string error(const char* text)
{
    auto result = CronExpression::parse(text);
    REQUIRE_MESSAGE(!result.ok(), text);
    return result.error();
}
} // namespace

TEST_CASE("the seed's schedule: every 4 hours on the hour")
{
    auto every4h = parsed("0 */4 * * *");
    CHECK(every4h.minutes().count() == 1);
    CHECK(every4h.minutes()[0]);
    CHECK(every4h.hours().count() == 6);
    for (int hour : {0, 4, 8, 12, 16, 20})
        CHECK(every4h.hours()[static_cast<std::size_t>(hour)]);
    CHECK_FALSE(every4h.dayOfMonthRestricted());
    CHECK_FALSE(every4h.dayOfWeekRestricted());
}

TEST_CASE("lists, ranges, steps and names")
{
    auto expression = parsed("5,10-20/5 9-17 1,15 jan-mar mon-fri");
    CHECK(expression.minutes().count() == 4); // 5, 10, 15, 20
    CHECK(expression.hours().count() == 9);
    CHECK(expression.daysOfMonth()[1]);
    CHECK(expression.daysOfMonth()[15]);
    CHECK(expression.months().count() == 3);
    CHECK(expression.daysOfWeek().count() == 5);
    CHECK_FALSE(expression.daysOfWeek()[0]);
    CHECK(expression.dayOfMonthRestricted());
    CHECK(expression.dayOfWeekRestricted());
}

TEST_CASE("day-of-week 7 is Sunday, names are case-insensitive")
{
    CHECK(parsed("0 0 * * 7").daysOfWeek()[0]);
    CHECK(parsed("0 0 * DEC Sun").daysOfWeek()[0]);
    CHECK(parsed("0 0 * DEC Sun").months()[12]);
}

TEST_CASE("shorthands")
{
    CHECK(parsed("@hourly").minutes()[0]);
    CHECK(parsed("@daily").hours().count() == 1);
    CHECK(parsed("@weekly").daysOfWeek()[0]);
    CHECK(error("@reboot").find("unknown shorthand") != std::string::npos);
}

TEST_CASE("errors name the field and the reason")
{
    CHECK(error("0 */4 * *") ==
          "expected 5 fields (minute hour day-of-month month day-of-week), found 4");
    CHECK(error("60 * * * *").find("minute field '60': '60' is out of range 0-59") !=
          std::string::npos);
    CHECK(error("0 24 * * *").find("hour field") != std::string::npos);
    CHECK(error("0 0 0 * *").find("day-of-month field") != std::string::npos);
    CHECK(error("0 0 * 13 *").find("out of range 1-12") != std::string::npos);
    CHECK(error("0 0 * * 8").find("day-of-week field") != std::string::npos);
    CHECK(error("*/0 * * * *").find("step") != std::string::npos);
    CHECK(error("5/2 * * * *").find("step after a single value") != std::string::npos);
    CHECK(error("10-5 * * * *").find("start is after its end") != std::string::npos);
    CHECK(error("1,,2 * * * *").find("empty list item") != std::string::npos);
    CHECK(error("0 0 * foo *").find("not a number or a name") != std::string::npos);
}
