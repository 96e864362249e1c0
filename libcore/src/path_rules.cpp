// SPDX-License-Identifier: MIT
#include "path_rules.h"

namespace lfsw {

bool isWithin(const std::filesystem::path& inner, const std::filesystem::path& outer)
{
    const auto relative = inner.lexically_normal().lexically_relative(outer.lexically_normal());
    // "..x" is a name inside; only a first component ".." leaves.
    return !relative.empty() && *relative.begin() != "..";
}

} // namespace lfsw
