// SPDX-License-Identifier: MIT
#include "base/counted.h"

namespace lfsw {

std::string counted(std::uint64_t count, std::string_view singular, std::string_view plural)
{
    std::string text = std::to_string(count) + " ";
    if (count == 1)
        return text.append(singular);
    return plural.empty() ? text.append(singular).append("s") : text.append(plural);
}

} // namespace lfsw
