// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace lfsw {

// The plain descriptor every plugin exports under the alias
// "lfsw_plugin_descriptor". The host reads it before it calls anything else in
// the plugin, so its first member never moves: whatever a future ABI adds goes
// after `abi`, and a host can always read `abi` to refuse a plugin it cannot
// understand.
struct PluginDescriptor {
    std::uint32_t abi;       // the kPluginAbi the plugin was built against
    const char* name;        // short unique name, e.g. "run_command"
    const char* version;     // the plugin's own version, e.g. "1.0.0"
    const char* description; // one line for `lfs-wrapper plugins list`
};

} // namespace lfsw
