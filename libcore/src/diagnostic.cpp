// SPDX-License-Identifier: MIT
#include "diagnostic.h"

namespace lfsw {

std::string Diagnostic::format() const
{
    std::string text = file;
    if (line > 0)
        text += ":" + std::to_string(line) + ":" + std::to_string(column);
    return text + ": " + message;
}

} // namespace lfsw
