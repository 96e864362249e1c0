// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>

#include "plugin/plugin_loader.h"
#include "plugin/plugin_registry.h"

namespace lfsw::test {

inline std::filesystem::path testPluginDirectory()
{
    return LFSW_TEST_PLUGIN_DIR;
}

// Loads the stock plugins from the build tree and the "recorder" test plugin.
inline void loadStockAndRecorder(PluginRegistry& registry)
{
    std::vector<std::filesystem::path> directories;
    for (const auto& entry : std::filesystem::directory_iterator(LFSW_STOCK_PLUGIN_DIR))
        if (entry.is_directory())
            directories.push_back(entry.path());
    PluginLoader loader(directories, {});
    loader.loadInto(registry);
    loader.loadFile(testPluginDirectory() / "recorder.so", registry);
}

} // namespace lfsw::test
