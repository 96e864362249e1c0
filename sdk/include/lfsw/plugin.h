// SPDX-License-Identifier: MIT
// Defines an lfs-wrapper plugin in one macro:
//
//   #include <lfsw/plugin.h>
//
//   LFSW_PLUGIN("trim_ccache", "1.0.0", "Trims a ccache directory to a size")
//   {
//       registry.addAction(std::make_shared<TrimCcache>());
//   }
//
// The macro exports the descriptor and the registration function under the
// aliases the host looks for. Build the plugin with
// shared_module(..., name_prefix: '', gnu_symbol_visibility: 'hidden').
#pragma once

#include <boost/dll/alias.hpp>

#include <lfsw/abi.h>
#include <lfsw/plugin_descriptor.h>
#include <lfsw/registry.h>

// The same, with an explicit ABI number; only tests of the host's ABI check
// have a reason to use it.
#define LFSW_PLUGIN_WITH_ABI(ABI, NAME, VERSION, DESCRIPTION)                                      \
    namespace lfsw_plugin_entry {                                                                  \
    extern const ::lfsw::PluginDescriptor descriptor;                                              \
    const ::lfsw::PluginDescriptor descriptor{(ABI), (NAME), (VERSION), (DESCRIPTION)};            \
    void registerPlugin(::lfsw::Registry& registry);                                               \
    }                                                                                              \
    BOOST_DLL_ALIAS(lfsw_plugin_entry::descriptor, lfsw_plugin_descriptor)                         \
    BOOST_DLL_ALIAS(lfsw_plugin_entry::registerPlugin, lfsw_plugin_register)                       \
    void lfsw_plugin_entry::registerPlugin([[maybe_unused]] ::lfsw::Registry& registry)

#define LFSW_PLUGIN(NAME, VERSION, DESCRIPTION)                                                    \
    LFSW_PLUGIN_WITH_ABI(::lfsw::kPluginAbi, NAME, VERSION, DESCRIPTION)
