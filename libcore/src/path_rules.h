// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>

namespace lfsw {

// Whether `inner` is `outer` or below it, by the paths' text (lexically:
// symlinks are not resolved, so callers that must not follow one check
// for links themselves).
bool isWithin(const std::filesystem::path& inner, const std::filesystem::path& outer);

} // namespace lfsw
