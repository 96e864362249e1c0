// SPDX-License-Identifier: MIT
#include "log_record.h"

#include <charconv>
#include <ctime>

namespace lfsw {

namespace {

bool readInt(std::string_view text, std::size_t at, std::size_t length, int& value)
{
    if (at + length > text.size())
        return false;
    auto begin = text.data() + at;
    auto [end, error] = std::from_chars(begin, begin + length, value);
    return error == std::errc() && end == begin + length;
}

} // namespace

std::optional<LogRecord> LogRecord::parse(std::string_view line)
{
    // 0123456789012345678901234
    // 2026-11-25T18:30:01.123Z LEVEL channel: message
    constexpr std::size_t kStampLength = 24;
    if (line.size() < kStampLength + 2 || line[4] != '-' || line[7] != '-' || line[10] != 'T' ||
        line[13] != ':' || line[16] != ':' || line[19] != '.' || line[23] != 'Z' || line[24] != ' ')
        return std::nullopt;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
    if (!readInt(line, 0, 4, year) || !readInt(line, 5, 2, month) || !readInt(line, 8, 2, day) ||
        !readInt(line, 11, 2, hour) || !readInt(line, 14, 2, minute) ||
        !readInt(line, 17, 2, second) || !readInt(line, 20, 3, millis))
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;

    std::string_view rest = line.substr(kStampLength + 1);
    auto space = rest.find(' ');
    if (space == std::string_view::npos)
        return std::nullopt;
    auto level = parseLogLevel(rest.substr(0, space));
    if (!level)
        return std::nullopt;
    rest.remove_prefix(space + 1);
    auto colon = rest.find(": ");
    if (colon == std::string_view::npos)
        return std::nullopt;

    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    LogRecord record;
    record.time =
        std::chrono::system_clock::from_time_t(timegm(&tm)) + std::chrono::milliseconds(millis);
    record.level = *level;
    record.channel = std::string(rest.substr(0, colon));
    record.message = std::string(rest.substr(colon + 2));
    record.line = std::string(line);
    return record;
}

} // namespace lfsw
