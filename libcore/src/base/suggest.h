// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lfsw {

// The candidate closest to `word` by edit distance (a transposition counts as
// one edit), when it is close enough to be what the user meant: used for
// "did you mean" after an unknown command, option or config key.
std::optional<std::string> closestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates);

// ", did you mean 'X'?" or "", ready to append to a message.
std::string didYouMean(std::string_view word, const std::vector<std::string>& candidates);

} // namespace lfsw
