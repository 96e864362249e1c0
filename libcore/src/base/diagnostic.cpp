// SPDX-License-Identifier: MIT
#include "base/diagnostic.h"

namespace lfsw {

std::string Diagnostic::format() const
{
    std::string text = file;
    if (line > 0)
        text += ":" + std::to_string(line) + ":" + std::to_string(column);
    return text + ": " + message;
}

std::string formatDiagnostics(const std::vector<Diagnostic>& diagnostics)
{
    std::string text;
    for (const auto& diagnostic : diagnostics)
        text += diagnostic.format() + "\n";
    return text;
}

} // namespace lfsw
