// SPDX-License-Identifier: MIT
#include "base/checked_text.h"

#include "base/sha256.h"

namespace lfsw {

namespace {

std::string digestOf(std::string_view text)
{
    Sha256 digest;
    digest.update(text.data(), text.size());
    return digest.hexDigest();
}

} // namespace

void appendEndLine(std::string& text)
{
    text += "end " + digestOf(text) + "\n";
}

EndLine checkEndLine(std::string_view text, std::string_view& body)
{
    const auto endAt = text.rfind("\nend ");
    if (endAt == std::string_view::npos || text.back() != '\n')
        return EndLine::kMissing;
    const std::string_view covered = text.substr(0, endAt + 1);
    const std::string_view checksum = text.substr(endAt + 5, text.size() - endAt - 6);
    if (digestOf(covered) != checksum)
        return EndLine::kWrong;
    body = covered;
    return EndLine::kGood;
}

} // namespace lfsw
