// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lfsw {

// "1 step", "3 steps"; `plural` where adding an s is wrong ("processes").
std::string counted(std::uint64_t count, std::string_view singular, std::string_view plural = {});

} // namespace lfsw
