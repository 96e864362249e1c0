// SPDX-License-Identifier: MIT
// Cron expressions: parse, and when they parse, compute the next times.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/cron_expression.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    auto parsed = lfsw::CronExpression::parse(text);
    if (auto* cron = std::get_if<lfsw::CronExpression>(&parsed)) {
        auto from = std::chrono::system_clock::from_time_t(1795640400);
        for (int i = 0; i < 3; ++i) {
            auto next = cron->next(from);
            if (!next)
                break;
            if (*next <= from)
                __builtin_trap(); // time must move forward
            from = *next;
        }
    }
    return 0;
}
