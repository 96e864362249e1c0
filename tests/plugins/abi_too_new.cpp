// SPDX-License-Identifier: MIT
// Test plugin: built for an ABI newer than the host's.
#include <lfsw/plugin.h>

LFSW_PLUGIN_WITH_ABI(::lfsw::kPluginAbi + 1, "abi_too_new", "0.1.0", "Test plugin from the future")
{
}
