// SPDX-License-Identifier: MIT
// The log-record reader of `logs show` on arbitrary lines.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "state/log_record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    auto record =
        lfsw::LogRecord::parse(std::string_view(reinterpret_cast<const char*>(data), size));
    if (record && record->line.size() != size)
        __builtin_trap();
    return 0;
}
