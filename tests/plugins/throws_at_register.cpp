// SPDX-License-Identifier: MIT
// Test plugin: its registration function throws.
#include <stdexcept>

#include <lfsw/plugin.h>

LFSW_PLUGIN("throws_at_register", "0.1.0", "Test plugin that throws during registration")
{
    throw std::runtime_error("registration exploded");
}
