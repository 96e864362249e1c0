// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <lfsw/action.h>
#include <lfsw/alert_channel.h>
#include <lfsw/backup_backend.h>

#include "plugin/isolation/plugin_worker.h"
#include "plugin/plugin_registry.h"

namespace lfsw {

class Config;

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

    // Which plugins run in a worker process (`plugins.isolation`,
    // `plugins.isolate`), how, and where their crashes are remembered.
    struct Isolation {
        bool all = false; // every plugin but the stock ones (of `stockDirectories`)
        std::vector<std::filesystem::path> stockDirectories;
        std::vector<std::string> files; // plugin file names without ".so"
        WorkerSettings worker;
        std::filesystem::path stateDirectory; // empty: crashes are not remembered
    };

    // Every plugin in-process.
    PluginLoader(std::vector<std::filesystem::path> directories, Selection selection);
    PluginLoader(std::vector<std::filesystem::path> directories, Selection selection,
                 Isolation isolation);
    // The loader a config asks for: its `plugins.dirs`, then
    // $LFSW_PLUGIN_PATH, then `stockDirectories`; `plugins.enable`/`disable`.
    // `worker` is the lfs-wrapper-plugin-worker program; `stateDirectory`
    // where crashes of isolated plugins are remembered.
    static PluginLoader forConfig(const Config& config,
                                  std::vector<std::filesystem::path> stockDirectories,
                                  std::filesystem::path worker,
                                  std::filesystem::path stateDirectory);

    void loadInto(PluginRegistry& registry) const;
    // Logs what loading found: every refusal (error), warning and plugin
    // loaded (debug).
    static void logLoaded(const PluginRegistry& registry);
    // Loads one file; returns false (and records why in the registry) when
    // it is refused.
    bool loadFile(const std::filesystem::path& file, PluginRegistry& registry) const;

    bool isolated(const std::filesystem::path& file) const;

private:
    // What one plugin file provides, before it is accepted.
    struct Provided {
        PluginInfo info;
        std::vector<std::shared_ptr<Action>> actions;
        std::vector<std::shared_ptr<AlertChannel>> channels;
        std::vector<std::shared_ptr<BackupBackend>> backends;
        std::vector<ConditionInfo> conditions;
    };

    bool loadInProcess(const std::filesystem::path& file, PluginRegistry& registry) const;
    bool loadIsolated(const std::filesystem::path& file, PluginRegistry& registry) const;
    // Whether the selection wants a plugin of this name not yet loaded.
    bool selected(const std::string& name, const PluginRegistry& registry) const;
    // Registers everything, or refuses the whole plugin when a name clashes.
    bool accept(Provided provided, std::shared_ptr<void> library, PluginRegistry& registry) const;

    std::vector<std::filesystem::path> directories_;
    Selection selection_;
    Isolation isolation_;
};

} // namespace lfsw
