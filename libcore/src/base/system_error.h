// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace lfsw {

// Throws std::runtime_error saying `what` and errno's text ("cannot open
// /x: No such file or directory"): the one way a failed system call becomes
// an exception. Call it right after the call, before errno changes.
[[noreturn]] void throwErrno(const std::string& what);

// The same as a WriteError (base/write_error.h): writing a destination
// failed, which a restore must not take for a damaged source.
[[noreturn]] void throwWriteErrno(const std::string& what);

} // namespace lfsw
