// SPDX-License-Identifier: MIT
#include "base/cron_expression.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <ctime>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

namespace lfsw {

namespace {

struct FieldSpec {
    const char* name;
    int low;
    int high;
    const std::vector<std::string>* names; // names[i] means low + i
};

const std::vector<std::string> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                              "jul", "aug", "sep", "oct", "nov", "dec"};
const std::vector<std::string> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

const std::array<FieldSpec, 5> kFields = {{
    {"minute", 0, 59, nullptr},
    {"hour", 0, 23, nullptr},
    {"day-of-month", 1, 31, nullptr},
    {"month", 1, 12, &kMonthNames},
    {"day-of-week", 0, 7, &kDayNames},
}};

const std::map<std::string, std::string> kShorthands = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

std::optional<int> parseValue(std::string_view text, const FieldSpec& spec)
{
    if (spec.names) {
        std::string lower(text);
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        auto it = std::find(spec.names->begin(), spec.names->end(), lower);
        if (it != spec.names->end())
            return spec.low + static_cast<int>(it - spec.names->begin());
    }
    int value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

// Parses one field into `bits` (indexed by value); returns an error message or "".
std::string parseField(std::string_view field, const FieldSpec& spec, std::vector<bool>& bits)
{
    auto fail = [&](std::string_view item, const std::string& why) {
        return std::string(spec.name) + " field '" + std::string(field) +
               "': " + (item.empty() ? std::string() : "'" + std::string(item) + "' ") + why;
    };
    std::string range = std::to_string(spec.low) + "-" + std::to_string(spec.high);
    while (true) {
        auto comma = field.find(',');
        std::string_view item = field.substr(0, comma);
        if (item.empty())
            return fail("", "has an empty list item");
        std::string_view base = item;
        int step = 1;
        if (auto slash = item.find('/'); slash != std::string_view::npos) {
            base = item.substr(0, slash);
            auto stepText = item.substr(slash + 1);
            auto [end, error] =
                std::from_chars(stepText.data(), stepText.data() + stepText.size(), step);
            if (stepText.empty() || error != std::errc() ||
                end != stepText.data() + stepText.size() || step < 1)
                return fail(item, "has a step that is not a positive number");
            if (base != "*" && base.find('-') == std::string_view::npos)
                return fail(item, "has a step after a single value; use a range or '*'");
        }
        int first = spec.low;
        int last = spec.high;
        if (base != "*") {
            auto dash = base.find('-');
            auto firstValue = parseValue(base.substr(0, dash), spec);
            auto lastValue = dash == std::string_view::npos
                                 ? firstValue
                                 : parseValue(base.substr(dash + 1), spec);
            if (!firstValue || !lastValue)
                return fail(item, spec.names ? "is not a number or a name" : "is not a number");
            if (*firstValue < spec.low || *firstValue > spec.high || *lastValue < spec.low ||
                *lastValue > spec.high)
                return fail(item, "is out of range " + range);
            if (*firstValue > *lastValue)
                return fail(item, "is a range whose start is after its end");
            first = *firstValue;
            last = *lastValue;
        }
        for (int value = first; value <= last; value += step)
            bits[static_cast<std::size_t>(value)] = true;
        if (comma == std::string_view::npos)
            return {};
        field.remove_prefix(comma + 1);
    }
}

template <std::size_t N> std::bitset<N> toBitset(const std::vector<bool>& bits)
{
    std::bitset<N> result;
    for (std::size_t i = 0; i < N && i < bits.size(); ++i)
        result[i] = bits[i];
    return result;
}

} // namespace

Expected<CronExpression> CronExpression::parse(std::string_view text)
{
    std::string expanded(text);
    if (!expanded.empty() && expanded.front() == '@') {
        auto it = kShorthands.find(expanded);
        if (it == kShorthands.end())
            return Unexpected(
                "unknown shorthand '" + expanded +
                "' (expected @hourly, @daily, @midnight, @weekly, @monthly, @yearly or "
                "@annually)");
        expanded = it->second;
    }
    std::istringstream stream(expanded);
    std::vector<std::string> fields;
    for (std::string field; stream >> field;)
        fields.push_back(field);
    if (fields.size() != 5)
        return Unexpected("expected 5 fields (minute hour day-of-month month day-of-week), found " +
                          std::to_string(fields.size()));

    CronExpression expression;
    std::array<std::vector<bool>, 5> bits;
    for (std::size_t i = 0; i < 5; ++i) {
        bits[i].assign(static_cast<std::size_t>(kFields[i].high) + 1, false);
        if (auto error = parseField(fields[i], kFields[i], bits[i]); !error.empty())
            return Unexpected(error);
    }
    bits[4][0] = bits[4][0] || bits[4][7]; // 7 is Sunday too
    expression.minutes_ = toBitset<60>(bits[0]);
    expression.hours_ = toBitset<24>(bits[1]);
    expression.daysOfMonth_ = toBitset<32>(bits[2]);
    expression.months_ = toBitset<13>(bits[3]);
    expression.daysOfWeek_ = toBitset<7>(bits[4]);
    expression.dayOfMonthRestricted_ = fields[2].front() != '*';
    expression.dayOfWeekRestricted_ = fields[4].front() != '*';
    return expression;
}

std::optional<std::chrono::system_clock::time_point>
CronExpression::next(std::chrono::system_clock::time_point after) const
{
    std::time_t now = std::chrono::system_clock::to_time_t(after);
    if (std::chrono::system_clock::from_time_t(now) > after)
        --now; // to_time_t may round up
    std::tm tm{};
    ::localtime_r(&now, &tm);
    const int lastYear = tm.tm_year + 5;
    auto normalize = [&] {
        tm.tm_isdst = -1;
        std::time_t t = std::mktime(&tm);
        ::localtime_r(&t, &tm);
        return t;
    };
    tm.tm_sec = 0;
    tm.tm_min += 1;
    normalize();
    while (tm.tm_year <= lastYear) {
        if (!months_[static_cast<std::size_t>(tm.tm_mon + 1)]) {
            tm.tm_mon += 1;
            tm.tm_mday = 1;
            tm.tm_hour = 0;
            tm.tm_min = 0;
            normalize();
            continue;
        }
        const bool dom = daysOfMonth_[static_cast<std::size_t>(tm.tm_mday)];
        const bool dow = daysOfWeek_[static_cast<std::size_t>(tm.tm_wday)];
        // Vixie cron: when both day fields are restricted (neither starts
        // with '*'), either may match; otherwise both must ("*/2" still
        // counts only its own days).
        const bool day = dayOfMonthRestricted_ && dayOfWeekRestricted_ ? dom || dow : dom && dow;
        if (!day) {
            tm.tm_mday += 1;
            tm.tm_hour = 0;
            tm.tm_min = 0;
            normalize();
            continue;
        }
        if (!hours_[static_cast<std::size_t>(tm.tm_hour)]) {
            tm.tm_hour += 1;
            tm.tm_min = 0;
            normalize();
            continue;
        }
        if (!minutes_[static_cast<std::size_t>(tm.tm_min)]) {
            tm.tm_min += 1;
            normalize();
            continue;
        }
        return std::chrono::system_clock::from_time_t(normalize());
    }
    return std::nullopt;
}

} // namespace lfsw
