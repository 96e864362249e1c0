// SPDX-License-Identifier: MIT
// Test plugin: built for an ABI older than the host's minimum.
#include <lfsw/plugin.h>

LFSW_PLUGIN_WITH_ABI(::lfsw::kPluginAbiMinimum - 1, "abi_too_old", "0.1.0",
                     "Test plugin from the past")
{
}
