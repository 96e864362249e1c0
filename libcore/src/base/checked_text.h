// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace lfsw {

// Text files that end in a line "end SHA256", the SHA-256 of everything
// before that line (manifests, the indexes of pack files): a truncated or
// edited file is told from a good one before anything in it is trusted.

// Appends the end line for everything `text` holds.
void appendEndLine(std::string& text);

enum class EndLine {
    kGood,
    kMissing, // no end line: truncated
    kWrong,   // the checksum does not match: truncated or edited
};

// Checks the end line of `text`; when good, `body` is what it covers.
EndLine checkEndLine(std::string_view text, std::string_view& body);

} // namespace lfsw
