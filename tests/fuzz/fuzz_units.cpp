// SPDX-License-Identifier: MIT
// Durations, percentages, sizes and booleans; what parses must print and
// parse back to the same value.
#include <cstddef>
#include <cstdint>
#include <string>

#include <lfsw/units.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    if (auto duration = lfsw::parseDuration(text)) {
        auto again = lfsw::parseDuration(lfsw::formatDuration(*duration));
        if (!again || *again != *duration)
            __builtin_trap();
    }
    if (auto percent = lfsw::parsePercentage(text); percent && (*percent < 0 || *percent > 100))
        __builtin_trap();
    (void)lfsw::parseSize(text);
    (void)lfsw::parseBool(text);
    return 0;
}
