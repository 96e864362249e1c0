// SPDX-License-Identifier: MIT
#pragma once

#include <stdexcept>
#include <string>

namespace lfsw {

// Writing a destination failed (a full disk, an I/O error): distinct from a
// damaged source, so that a restore that tolerates damaged objects never
// takes a failing disk for one and reports it as the repository's fault.
class WriteError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

} // namespace lfsw
