// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lfsw {

class Config;
class PluginRegistry;

// Finds plugin files and registers what they provide. Directories are read in
// the order given (config `plugins.dirs`, then $LFSW_PLUGIN_PATH, then the
// installation's own); within one, files load in name order. A plugin whose
// name was already loaded from an earlier directory is skipped, so a site can
// override a stock plugin. Every refusal is one line naming the file; the
// other plugins keep loading.
class PluginLoader
{
public:
    struct Selection {
        std::vector<std::string> enable;  // when not empty: only these
        std::vector<std::string> disable; // never these
    };

    PluginLoader(std::vector<std::filesystem::path> directories, Selection selection);
    // The loader a config asks for: its `plugins.dirs`, then
    // $LFSW_PLUGIN_PATH, then `stockDirectories`; `plugins.enable`/`disable`.
    static PluginLoader forConfig(const Config& config,
                                  std::vector<std::filesystem::path> stockDirectories);

    void loadInto(PluginRegistry& registry) const;
    // Loads one file; returns false (and records why in the registry) when
    // it is refused.
    bool loadFile(const std::filesystem::path& file, PluginRegistry& registry) const;

private:
    std::vector<std::filesystem::path> directories_;
    Selection selection_;
};

} // namespace lfsw
