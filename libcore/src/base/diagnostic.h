// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

namespace lfsw {

// One error in a user's file, printed as FILE:LINE:COLUMN: message so that
// editors and terminals can jump to it. Line and column count from 1; 0 means
// the position is unknown (a built-in default, a command-line value).
struct Diagnostic {
    std::string file;
    int line = 0;
    int column = 0;
    std::string message;

    std::string format() const;
};

// Every diagnostic formatted, one a line (each ending in a newline).
std::string formatDiagnostics(const std::vector<Diagnostic>& diagnostics);

} // namespace lfsw
