// SPDX-License-Identifier: MIT
#include "base/system_error.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "base/write_error.h"

namespace lfsw {

void throwErrno(const std::string& what)
{
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

void throwWriteErrno(const std::string& what)
{
    throw WriteError(what + ": " + std::strerror(errno));
}

} // namespace lfsw
