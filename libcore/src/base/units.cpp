// SPDX-License-Identifier: MIT
#include <lfsw/units.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace lfsw {

namespace {

// Reads the leading digits of `text` into `value`; returns how many it read.
std::size_t readNumber(std::string_view text, std::uint64_t& value)
{
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc())
        return 0;
    return static_cast<std::size_t>(end - text.data());
}

std::optional<std::uint64_t> secondsPerUnit(char unit)
{
    switch (unit) {
    case 's':
        return 1;
    case 'm':
        return 60;
    case 'h':
        return 3600;
    case 'd':
        return 86400;
    case 'w':
        return 7 * 86400;
    default:
        return std::nullopt;
    }
}

} // namespace

std::optional<std::chrono::seconds> parseDuration(std::string_view text)
{
    if (text.empty())
        return std::nullopt;
    std::uint64_t total = 0;
    while (!text.empty()) {
        std::uint64_t value = 0;
        std::size_t digits = readNumber(text, value);
        if (digits == 0 || digits == text.size())
            return std::nullopt; // no number, or a number without its unit
        auto unit = secondsPerUnit(text[digits]);
        if (!unit || value > (UINT64_MAX / 2 - total) / *unit)
            return std::nullopt;
        total += value * *unit;
        text.remove_prefix(digits + 1);
    }
    if (total > static_cast<std::uint64_t>(INT64_MAX / 2))
        return std::nullopt;
    return std::chrono::seconds(static_cast<std::int64_t>(total));
}

std::string formatDuration(std::chrono::seconds duration)
{
    auto left = duration.count();
    if (left <= 0)
        return "0s";
    std::string text;
    for (char unit : {'w', 'd', 'h', 'm', 's'}) {
        auto size = static_cast<std::int64_t>(*secondsPerUnit(unit));
        if (left >= size) {
            text += std::to_string(left / size) + unit;
            left %= size;
        }
    }
    return text;
}

std::optional<double> parsePercentage(std::string_view text)
{
    if (text.size() < 2 || text.back() != '%')
        return std::nullopt;
    text.remove_suffix(1);
    double value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value) ||
        value < 0 || value > 100 || !std::isdigit(static_cast<unsigned char>(text.front())))
        return std::nullopt;
    return value;
}

std::optional<std::uint64_t> parseSize(std::string_view text)
{
    std::uint64_t value = 0;
    std::size_t digits = readNumber(text, value);
    if (digits == 0)
        return std::nullopt;
    std::string_view suffix = text.substr(digits);
    if (suffix.empty())
        return value;
    int shift = 0;
    switch (std::toupper(static_cast<unsigned char>(suffix.front()))) {
    case 'K':
        shift = 10;
        break;
    case 'M':
        shift = 20;
        break;
    case 'G':
        shift = 30;
        break;
    case 'T':
        shift = 40;
        break;
    default:
        return std::nullopt;
    }
    suffix.remove_prefix(1);
    if (!suffix.empty() && suffix != "B" && suffix != "iB")
        return std::nullopt;
    if (value > (UINT64_MAX >> shift))
        return std::nullopt;
    return value << shift;
}

std::string formatBytes(std::uint64_t bytes)
{
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, unit ? "%.1f %s" : "%.0f %s", value, units[unit]);
    return text;
}

std::optional<bool> parseBool(std::string_view text)
{
    if (text == "true" || text == "yes" || text == "on")
        return true;
    if (text == "false" || text == "no" || text == "off")
        return false;
    return std::nullopt;
}

} // namespace lfsw
