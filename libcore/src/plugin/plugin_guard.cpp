// SPDX-License-Identifier: MIT
#include "plugin/plugin_guard.h"

#include <exception>

namespace lfsw {

std::string currentExceptionText()
{
    try {
        throw;
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}

} // namespace lfsw
