// SPDX-License-Identifier: MIT
// CronExpression::next() against an independent implementation packaged in
// Debian (python3-croniter), over thousands of generated expressions and
// start times, in UTC.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "base/cron_expression.h"
#include "temp_directory.h"

namespace {

struct Generator {
    std::mt19937 random{20261125};

    int between(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random); }

    // One field over [low, high]: *, */n, a, a-b, a-b/n, or a list.
    std::string field(int low, int high)
    {
        switch (between(0, 6)) {
        case 0:
            return "*";
        case 1:
            return "*/" + std::to_string(between(2, std::max(2, (high - low) / 2)));
        case 2:
            return std::to_string(between(low, high));
        case 3: {
            int a = between(low, high);
            return std::to_string(a) + "-" + std::to_string(between(a, high));
        }
        case 4: {
            int a = between(low, high);
            return std::to_string(a) + "-" + std::to_string(between(a, high)) + "/" +
                   std::to_string(between(2, 5));
        }
        default: {
            std::string list;
            for (int i = between(2, 4); i > 0; --i)
                list += (list.empty() ? "" : ",") + std::to_string(between(low, high));
            return list;
        }
        }
    }

    std::string month()
    {
        static const char* names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                      "jul", "aug", "sep", "oct", "nov", "dec"};
        if (between(0, 4) == 0)
            return std::string(names[between(0, 5)]) + "-" + names[between(6, 11)];
        return field(1, 12);
    }

    std::string dayOfWeek()
    {
        static const char* names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
        switch (between(0, 5)) {
        case 0:
            return std::string(names[between(1, 3)]) + "-" + names[between(4, 6)];
        case 1:
            return "7";
        default:
            return field(0, 6);
        }
    }
};

bool steppedStar(const std::string& field)
{
    return field.size() > 1 && field[0] == '*';
}

// Where python3-croniter 1.3.5 departs from Vixie cron, so that the two
// cannot be compared; each case has its own test of the Vixie behaviour
// below. (1) croniter calls "*/2" in a day field restricted and ORs it with
// the other; Vixie ANDs them whenever either field starts with '*'. (2)
// croniter reads a day field covering every day ("0-6") as '*'; Vixie does
// not, and ORs. (3) croniter finds nothing when the day of month exists in
// none of the months, though the day of week could match.
bool croniterDiffers(const std::string& dom, const std::string& dow,
                     const lfsw::CronExpression& cron)
{
    if ((steppedStar(dom) && dow != "*") || (steppedStar(dow) && dom != "*"))
        return true;
    bool allDays = true;
    for (std::size_t d = 1; d <= 31; ++d)
        allDays = allDays && cron.daysOfMonth()[d];
    if ((cron.daysOfWeek().all() && dow != "*") || (allDays && dom != "*"))
        return true;
    static const int length[] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool possible = false;
    for (std::size_t m = 1; m <= 12; ++m)
        for (std::size_t d = 1; cron.months()[m] && d <= static_cast<std::size_t>(length[m]); ++d)
            possible = possible || cron.daysOfMonth()[d];
    return !possible && dow != "*";
}

} // namespace

TEST_CASE("next() agrees with python3-croniter on 3000 generated expressions")
{
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    Generator generate;
    struct Case {
        std::string expression;
        std::time_t start;
    };
    std::vector<Case> cases;
    const std::time_t from = 1577836800; // 2020-01-01
    const std::time_t to = 1924992000;   // 2031-01-01
    while (cases.size() < 3000) {
        const std::string dom = generate.field(1, 31);
        const std::string dow = generate.dayOfWeek();
        const std::string expression = generate.field(0, 59) + " " + generate.field(0, 23) + " " +
                                       dom + " " + generate.month() + " " + dow;
        auto parsed = lfsw::CronExpression::parse(expression);
        REQUIRE_MESSAGE(parsed.ok(), expression);
        if (croniterDiffers(dom, dow, *parsed))
            continue;
        std::uniform_int_distribution<std::time_t> when(from, to);
        cases.push_back({expression, when(generate.random)});
    }
    lfsw::test::TempDirectory dir;
    const auto input = dir.path() / "cases";
    {
        std::ofstream out(input);
        for (const auto& c : cases)
            out << c.expression << "\t" << c.start << "\n";
    }
    const auto output = dir.path() / "expected";
    const std::string command = "TZ=UTC /usr/bin/python3 " LFSW_SOURCE_ROOT
                                "/tests/unit/cron_reference.py < " +
                                input.string() + " > " + output.string();
    REQUIRE_MESSAGE(std::system(command.c_str()) == 0,
                    "the reference needs Debian's python3-croniter (scripts/deps installs it)");
    std::ifstream expected(output);
    int compared = 0;
    int mismatches = 0;
    for (const auto& c : cases) {
        std::string line;
        REQUIRE(std::getline(expected, line));
        auto parsed = lfsw::CronExpression::parse(c.expression);
        REQUIRE_MESSAGE(parsed.ok(), c.expression);
        auto next = parsed->next(std::chrono::system_clock::from_time_t(c.start));
        const std::string ours =
            next ? std::to_string(std::chrono::system_clock::to_time_t(*next)) : "none";
        if (ours != line && ++mismatches <= 10)
            MESSAGE(c.expression << " after " << c.start << ": lfs-wrapper " << ours
                                 << ", croniter " << line);
        ++compared;
    }
    CHECK(compared == 3000);
    CHECK(mismatches == 0);
}

TEST_CASE("Vixie's day rule where croniter departs from it")
{
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    // Wednesday 2026-11-25 21:00 UTC.
    const auto start = std::chrono::system_clock::from_time_t(1795640400);
    auto at = [&](const char* text) {
        auto next = lfsw::CronExpression::parse(text)->next(start);
        REQUIRE(next);
        return std::chrono::system_clock::to_time_t(*next);
    };
    // dom "*/2" starts with '*': both fields must match, an odd day that is
    // a Monday -> 2026-12-07 (croniter: the 27th, ORing them).
    CHECK(at("0 0 */2 * mon") == 1796601600);
    // Both restricted: either matches -> Friday the 27th, an odd day.
    CHECK(at("0 0 1-31/2 * mon") == 1795737600);
    // "0-6" is restricted although it covers every day: OR with the 15th ->
    // any day, the next midnight (croniter: only the 15th).
    CHECK(at("0 0 15 * 0-6") == 1795651200);
    // The 31st of November never exists, but Sundays do: 2026-11-29
    // (croniter: never).
    CHECK(at("0 0 31 11 sun") == 1795910400);
    // The seed's schedule: every 4 hours -> 2026-11-26 00:00.
    CHECK(at("0 */4 * * *") == 1795651200);
    // Never: February 30th.
    CHECK_FALSE(lfsw::CronExpression::parse("0 0 30 2 *")->next(start).has_value());
}
