// SPDX-License-Identifier: MIT
#include <lfsw/workspace.h>

#include <algorithm>
#include <stdexcept>

#include <dlfcn.h>

#include "build/build_tree.h"
#include "config/config.h"
#include "plugin/config_references.h"
#include "plugin/plugin_loader.h"
#include "plugin/plugin_registry.h"
#include "recovery/recovery_engine.h"
#include "services.h"
#include "state/logging.h"
#include "state/state_database.h"

namespace lfsw {

namespace {

// The directory this library was loaded from (LIBDIR once installed,
// BUILD/libcore in the build tree): what the stock plugins and the worker
// are found from, wherever the prefix went.
std::optional<std::filesystem::path> libraryDirectory()
{
    Dl_info info{};
    if (::dladdr(reinterpret_cast<void*>(&libraryDirectory), &info) == 0 || !info.dli_fname)
        return std::nullopt;
    std::error_code error;
    const auto library = std::filesystem::canonical(info.dli_fname, error);
    if (error)
        return std::nullopt;
    return library.parent_path();
}

// The stock plugins: LIBDIR/lfs-wrapper/plugins once installed, or each
// folder of BUILD/plugins in the build tree.
std::vector<std::filesystem::path>
stockPluginDirectories(const std::filesystem::path& libraryDirectory)
{
    std::error_code error;
    const auto installed = libraryDirectory / "lfs-wrapper" / "plugins";
    if (std::filesystem::is_directory(installed, error))
        return {installed};
    std::vector<std::filesystem::path> directories;
    for (const auto& entry :
         std::filesystem::directory_iterator(libraryDirectory.parent_path() / "plugins", error))
        if (entry.is_directory())
            directories.push_back(entry.path());
    std::sort(directories.begin(), directories.end());
    return directories;
}

// The plugin worker: LIBEXECDIR once installed, BUILD/worker in the build tree.
std::filesystem::path pluginWorker(const std::filesystem::path& libraryDirectory)
{
    std::error_code error;
    const auto installed = (libraryDirectory / LFSW_WORKER_FROM_LIBDIR).lexically_normal();
    if (std::filesystem::exists(installed, error))
        return installed;
    return (libraryDirectory / LFSW_WORKER_IN_BUILD_TREE).lexically_normal();
}

RecoveryReport::Status reportStatus(RecoveryOutcome::Status status)
{
    switch (status) {
    case RecoveryOutcome::Status::Recovered:
        return RecoveryReport::Status::Recovered;
    case RecoveryOutcome::Status::Failed:
        return RecoveryReport::Status::Failed;
    case RecoveryOutcome::Status::Exhausted:
        return RecoveryReport::Status::Exhausted;
    case RecoveryOutcome::Status::NoChain:
        break;
    }
    return RecoveryReport::Status::NoChain;
}

Config checkedConfig(const std::filesystem::path& file)
{
    Config config = Config::fromFile(file);
    if (!config.problems().empty())
        throw std::invalid_argument(formatDiagnostics(config.problems()));
    return config;
}

} // namespace

// Wired as the host wires a Session: config, logging, plugins, then the
// state directory's Services.
struct Workspace::State {
    State(const std::filesystem::path& configFile,
          const std::optional<std::filesystem::path>& stateOverride)
        : config(checkedConfig(configFile)),
          stateDirectory(stateOverride
                             ? std::filesystem::absolute(*stateOverride).lexically_normal()
                             : config.stateDirectory()),
          logging(LogLevel::Warning, false)
    {
        const auto library = libraryDirectory();
        PluginLoader::forConfig(
            config,
            library ? stockPluginDirectories(*library) : std::vector<std::filesystem::path>(),
            library ? pluginWorker(*library) : std::filesystem::path(), stateDirectory)
            .loadInto(plugins);
        if (const auto problems = checkReferences(config, plugins); !problems.empty())
            throw std::invalid_argument(formatDiagnostics(problems));
        StateDatabase::createDirectory(stateDirectory);
        logging.attachFile(stateDirectory, config);
        PluginLoader::logLoaded(plugins);
        services = std::make_unique<Services>(
            config, [this]() -> const PluginRegistry& { return plugins; }, stateDirectory);
        tree = std::make_unique<BuildTree>(config, stateDirectory);
    }

    Config config;
    std::filesystem::path stateDirectory;
    Logging logging;
    PluginRegistry plugins;
    std::unique_ptr<Services> services;
    std::unique_ptr<BuildTree> tree;
};

Workspace::Workspace(const std::filesystem::path& configFile,
                     const std::optional<std::filesystem::path>& stateDirectory)
    : state_(std::make_unique<State>(configFile, stateDirectory))
{
}

Workspace::~Workspace() = default;

const std::filesystem::path& Workspace::buildRoot() const
{
    return state_->tree->root();
}

const std::filesystem::path& Workspace::stateDirectory() const
{
    return state_->stateDirectory;
}

Result Workspace::checkpoint(const std::string& name, bool good)
{
    try {
        return state_->tree->createCheckpoint(name, good, nullptr);
    } catch (const std::exception& error) {
        return Result::failed(std::string("checkpoint ") + name + ": " + error.what());
    }
}

Result Workspace::restore(const std::string& selector)
{
    try {
        return state_->tree->restore(selector, nullptr);
    } catch (const std::exception& error) {
        return Result::failed("restore " + selector + ": " + error.what());
    }
}

std::vector<CheckpointSummary> Workspace::checkpoints() const
{
    std::vector<CheckpointSummary> summaries;
    for (const auto& manifest : state_->tree->store().list())
        summaries.push_back({manifest.id, manifest.name, manifest.good, manifest.entries.size(),
                             manifest.totalBytes(), manifest.newBytes});
    return summaries;
}

RecoveryReport Workspace::recover(const Event& event, BuildControl& build)
{
    const auto outcome = state_->services->engine().run(event, build);
    return {reportStatus(outcome.status), outcome.chainKey, outcome.attempt, outcome.maxAttempts,
            outcome.message};
}

void Workspace::stepSucceeded(const std::string& step)
{
    state_->services->engine().resetAttempts("", step);
}

} // namespace lfsw
