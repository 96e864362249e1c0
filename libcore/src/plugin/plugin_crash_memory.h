// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace lfsw {

// A plugin whose worker crashed, as remembered.
struct PluginCrash {
    std::string plugin;
    std::string what;     // "action crash_now: killed by signal 11 (SIGSEGV)"
    std::string provides; // the actions and conditions it offered, as the worker listed them (JSON)
    std::string crashedAt;
};

// Plugins whose worker crashed or aborted, kept in the state database by
// file path, size and mtime: the loader skips such a plugin, with a warning,
// until the file changes (a rebuilt or reinstalled plugin gets another
// chance). Without a state directory nothing is remembered.
class PluginCrashMemory
{
public:
    explicit PluginCrashMemory(std::filesystem::path stateDirectory);

    // The crash remembered for this file as it is now, if any.
    std::optional<PluginCrash> find(const std::filesystem::path& file) const;
    void remember(const std::filesystem::path& file, const PluginCrash& crash) const;

private:
    std::filesystem::path stateDirectory_;
};

} // namespace lfsw
