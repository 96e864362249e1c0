// SPDX-License-Identifier: MIT
#pragma once

#include <stdexcept>

namespace lfsw {

// A failure of the state database (cannot open, locked too long, corrupt,
// full disk). The message says which file and what SQLite reported.
class StateError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

} // namespace lfsw
