// SPDX-License-Identifier: MIT
#pragma once

#include <bitset>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/expected.h"

namespace lfsw {

// A 5-field cron expression with Vixie cron's meaning: "minute hour
// day-of-month month day-of-week", each field a list of values, ranges and
// steps ("1,5-10,*/15"), months and weekdays also by name ("jan", "mon-fri"),
// day-of-week 0 and 7 both Sunday; "@hourly", "@daily", "@midnight",
// "@weekly", "@monthly", "@yearly" and "@annually" as shorthands. When both
// day fields are restricted (neither starts with '*'), a day matches if either
// matches; otherwise it must match both ("*/2" in one still counts).
class CronExpression
{
public:
    // The expression, or a message saying which field is wrong and why.
    static Expected<CronExpression> parse(std::string_view text);

    // The first time after `after` (by at least a minute's start) that the
    // expression fires, in the local time zone (TZ); nothing when it never
    // does within five years (such as "0 0 30 2 *").
    std::optional<std::chrono::system_clock::time_point>
    next(std::chrono::system_clock::time_point after) const;

    const std::bitset<60>& minutes() const { return minutes_; }
    const std::bitset<24>& hours() const { return hours_; }
    const std::bitset<32>& daysOfMonth() const { return daysOfMonth_; } // bit 0 unused
    const std::bitset<13>& months() const { return months_; }           // bit 0 unused
    const std::bitset<7>& daysOfWeek() const { return daysOfWeek_; }    // 0 = Sunday
    bool dayOfMonthRestricted() const { return dayOfMonthRestricted_; }
    bool dayOfWeekRestricted() const { return dayOfWeekRestricted_; }

private:
    CronExpression() = default;

    std::bitset<60> minutes_;
    std::bitset<24> hours_;
    std::bitset<32> daysOfMonth_;
    std::bitset<13> months_;
    std::bitset<7> daysOfWeek_;
    bool dayOfMonthRestricted_ = false;
    bool dayOfWeekRestricted_ = false;
};

} // namespace lfsw
