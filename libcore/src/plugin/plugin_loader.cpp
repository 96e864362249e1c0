// SPDX-License-Identifier: MIT
#include "plugin/plugin_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

#include <boost/dll/import.hpp>
#include <boost/dll/shared_library.hpp>

#include <lfsw/abi.h>
#include <lfsw/plugin_descriptor.h>
#include <lfsw/registry.h>
#include <lfsw/units.h>

#include "base/path_rules.h"
#include "base/time_text.h"
#include "config/config.h"
#include "plugin/guarded_action.h"
#include "plugin/guarded_alert_channel.h"
#include "plugin/guarded_backup_backend.h"
#include "plugin/isolation/isolated_action.h"
#include "plugin/isolation/isolated_alert_channel.h"
#include "plugin/isolation/isolated_backup_backend.h"
#include "plugin/isolation/plugin_protocol.h"
#include "plugin/plugin_crash_memory.h"
#include "plugin/plugin_registry.h"
#include "state/logging.h"

namespace lfsw {

namespace {

constexpr const char* kDescriptorAlias = "lfsw_plugin_descriptor";
constexpr const char* kRegisterAlias = "lfsw_plugin_register";

// Collects what a registration function adds, so that nothing of a plugin
// becomes visible unless all of it is accepted.
class StagingRegistry final : public Registry
{
public:
    void addAction(std::shared_ptr<Action> action) override
    {
        if (action)
            actions.push_back(std::move(action));
    }
    void addCondition(std::shared_ptr<Condition> condition) override
    {
        if (condition)
            conditions.push_back(std::move(condition));
    }
    void addAlertChannel(std::shared_ptr<AlertChannel> channel) override
    {
        if (channel)
            channels.push_back(std::move(channel));
    }
    void addBackupBackend(std::shared_ptr<BackupBackend> backend) override
    {
        if (backend)
            backends.push_back(std::move(backend));
    }

    std::vector<std::shared_ptr<Action>> actions;
    std::vector<std::shared_ptr<Condition>> conditions;
    std::vector<std::shared_ptr<AlertChannel>> channels;
    std::vector<std::shared_ptr<BackupBackend>> backends;
};

bool contains(const std::vector<std::string>& list, const std::string& item)
{
    return std::find(list.begin(), list.end(), item) != list.end();
}

} // namespace

PluginLoader::PluginLoader(std::vector<std::filesystem::path> directories, Selection selection)
    : directories_(std::move(directories)), selection_(std::move(selection))
{
}

PluginLoader::PluginLoader(std::vector<std::filesystem::path> directories, Selection selection,
                           Isolation isolation)
    : directories_(std::move(directories)), selection_(std::move(selection)),
      isolation_(std::move(isolation))
{
}

PluginLoader PluginLoader::forConfig(const Config& config,
                                     std::vector<std::filesystem::path> stockDirectories,
                                     std::filesystem::path worker,
                                     std::filesystem::path stateDirectory)
{
    std::vector<std::filesystem::path> directories;
    for (const auto& directory : config.list("plugins.dirs"))
        directories.push_back(config.resolvePath(directory));
    // Not when run set-uid: the environment is someone else's.
    if (const char* path = std::getenv("LFSW_PLUGIN_PATH"); path && ::getuid() == ::geteuid()) {
        std::istringstream parts(path);
        for (std::string part; std::getline(parts, part, ':');)
            if (!part.empty())
                directories.emplace_back(part);
    }
    for (const auto& directory : stockDirectories)
        directories.push_back(directory);
    Isolation isolation;
    isolation.all = config.string("plugins.isolation") == "process";
    isolation.stockDirectories = std::move(stockDirectories);
    isolation.files = config.list("plugins.isolate");
    isolation.worker.program = std::move(worker);
    isolation.worker.memoryLimitBytes =
        parseSize(config.string("plugins.worker_memory")).value_or(0);
    if (auto timeout = parseDuration(config.string("plugins.action_timeout")))
        isolation.worker.actionTimeout =
            std::chrono::duration_cast<std::chrono::milliseconds>(*timeout);
    isolation.stateDirectory = std::move(stateDirectory);
    return PluginLoader(std::move(directories),
                        {config.list("plugins.enable"), config.list("plugins.disable")},
                        std::move(isolation));
}

void PluginLoader::loadInto(PluginRegistry& registry) const
{
    std::set<std::filesystem::path> seen;
    for (const auto& directory : directories_) {
        std::error_code error;
        if (!std::filesystem::is_directory(directory, error))
            continue;
        auto canonical = std::filesystem::canonical(directory, error);
        if (error || !seen.insert(canonical).second)
            continue;
        if (auto why = whyUntrusted(directory, ::getuid()); !why.empty()) {
            registry.addRefusal(directory.string() + ": plugin directory refused: " + why);
            continue;
        }
        std::vector<std::filesystem::path> files;
        for (const auto& entry : std::filesystem::directory_iterator(directory, error))
            if (entry.path().extension() == ".so" && entry.is_regular_file())
                files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        for (const auto& file : files)
            loadFile(file, registry);
    }
}

void PluginLoader::logLoaded(const PluginRegistry& registry)
{
    Logger logger = makeLogger("plugins");
    for (const auto& refusal : registry.refusals())
        LFSW_LOG(logger, Error) << refusal;
    for (const auto& warning : registry.warnings())
        LFSW_LOG(logger, Warning) << warning;
    for (const auto& plugin : registry.plugins())
        LFSW_LOG(logger, Debug) << "loaded " << plugin.name << " " << plugin.version << " from "
                                << plugin.file;
}

bool PluginLoader::isolated(const std::filesystem::path& file) const
{
    if (contains(isolation_.files, file.stem().string()))
        return true;
    const auto& stock = isolation_.stockDirectories;
    return isolation_.all &&
           std::find(stock.begin(), stock.end(), file.parent_path()) == stock.end();
}

bool PluginLoader::loadFile(const std::filesystem::path& file, PluginRegistry& registry) const
{
    // Disabled by its file name: never loaded, so none of its code runs.
    if (contains(selection_.disable, file.stem().string()))
        return false;
    if (auto why = whyUntrusted(file, ::getuid()); !why.empty()) {
        registry.addRefusal(file.string() + ": plugin refused: " + why);
        return false;
    }
    return isolated(file) ? loadIsolated(file, registry) : loadInProcess(file, registry);
}

bool PluginLoader::selected(const std::string& name, const PluginRegistry& registry) const
{
    if (!selection_.enable.empty() && !contains(selection_.enable, name))
        return false; // not selected: not an error
    if (contains(selection_.disable, name))
        return false;
    for (const auto& loaded : registry.plugins())
        if (loaded.name == name)
            return false; // an earlier directory's plugin of this name wins
    return true;
}

bool PluginLoader::loadInProcess(const std::filesystem::path& file, PluginRegistry& registry) const
{
    const std::string where = file.string() + ": ";
    auto refuse = [&](const std::string& why) {
        registry.addRefusal(where + why);
        return false;
    };
    auto library = std::make_shared<boost::dll::shared_library>();
    try {
        library->load(file.string(),
                      boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
        // Boost wraps dlerror()'s text: keep just that part.
        std::string message = e.what();
        const std::string marker = "dlerror system message: ";
        if (auto at = message.find(marker); at != std::string::npos) {
            message = message.substr(at + marker.size());
            message = message.substr(0, message.rfind("):"));
        }
        return refuse("not a loadable shared object: " + message);
    }
    if (!library->has(kDescriptorAlias) || !library->has(kRegisterAlias))
        return refuse("not an lfs-wrapper plugin (it exports no lfsw_plugin_descriptor and "
                      "lfsw_plugin_register)");

    const auto& descriptor = library->get_alias<const PluginDescriptor>(kDescriptorAlias);
    if (descriptor.abi > kPluginAbi)
        return refuse("plugin ABI " + std::to_string(descriptor.abi) +
                      " is newer than this host's maximum " + std::to_string(kPluginAbi) +
                      "; rebuild the plugin against this lfs-wrapper's SDK");
    if (descriptor.abi < kPluginAbiMinimum)
        return refuse("plugin ABI " + std::to_string(descriptor.abi) +
                      " is older than this host's minimum " + std::to_string(kPluginAbiMinimum) +
                      "; rebuild the plugin against this lfs-wrapper's SDK");

    PluginInfo info;
    info.name = descriptor.name ? descriptor.name : "";
    info.version = descriptor.version ? descriptor.version : "";
    info.description = descriptor.description ? descriptor.description : "";
    info.file = file.string();
    info.abi = descriptor.abi;
    if (info.name.empty())
        return refuse("the plugin descriptor has no name");
    if (!selected(info.name, registry))
        return false;

    StagingRegistry staging;
    Provided provided;
    provided.info = info;
    auto& actions = provided.actions;
    auto& channels = provided.channels;
    auto& backends = provided.backends;
    auto& conditions = provided.conditions;
    try {
        auto registerPlugin = boost::dll::import_alias<void(Registry&)>(*library, kRegisterAlias);
        registerPlugin(staging);
        // Read names now, still inside the guard: a plugin may throw from them.
        for (auto& action : staging.actions)
            actions.push_back(std::make_shared<GuardedAction>(library, action, info.name));
        for (auto& channel : staging.channels)
            channels.push_back(std::make_shared<GuardedAlertChannel>(library, channel, info.name));
        for (auto& backend : staging.backends)
            backends.push_back(std::make_shared<GuardedBackupBackend>(library, backend, info.name));
        for (auto& condition : staging.conditions)
            conditions.push_back({condition->name(), condition->description(),
                                  condition->failureClasses(), info.name});
    } catch (const std::exception& e) {
        return refuse("plugin '" + info.name + "' threw during registration: " + e.what());
    } catch (...) {
        return refuse("plugin '" + info.name +
                      "' threw during registration (not a std::exception)");
    }

    return accept(std::move(provided), library, registry);
}

bool PluginLoader::loadIsolated(const std::filesystem::path& file, PluginRegistry& registry) const
{
    const PluginCrashMemory crashes(isolation_.stateDirectory);
    auto worker = std::make_shared<PluginWorker>(file, isolation_.worker);
    nlohmann::json loaded;
    if (const auto crash = crashes.find(file)) {
        // Skipped until the file changes; its names stay known from the
        // crash record, so chains that use them still validate, and fail.
        const std::string why = "skipped: it crashed on " + crash->crashedAt + " (" + crash->what +
                                "); it is used again once " + file.string() + " changes";
        registry.addWarning(file.string() + ": plugin '" + crash->plugin + "' " + why);
        worker->markDead("plugin " + crash->plugin + " " + why);
        loaded = nlohmann::json::parse(crash->provides, nullptr, false);
        if (!loaded.is_object())
            return false;
    } else {
        const auto reply = worker->load();
        if (!reply.ok) {
            if (reply.died)
                crashes.remember(file, {file.stem().string(), reply.failure, "{}", isoUtcNow()});
            registry.addRefusal(file.string() + ": " + reply.failure);
            return false;
        }
        loaded = reply.message;
        if (!protocol::flag(loaded, "ok")) {
            registry.addRefusal(protocol::text(loaded, "refusal", file.string() + ": not loaded"));
            return false;
        }
    }

    Provided provided;
    const auto plugin = loaded.contains("plugin") && loaded["plugin"].is_object()
                            ? loaded["plugin"]
                            : nlohmann::json::object();
    provided.info.name = protocol::text(plugin, "name");
    provided.info.version = protocol::text(plugin, "version");
    provided.info.description = protocol::text(plugin, "description");
    provided.info.abi = static_cast<unsigned>(
        std::clamp<std::int64_t>(protocol::integer(plugin, "abi"), 0, 1 << 20));
    provided.info.file = file.string();
    provided.info.isolated = true;
    if (provided.info.name.empty() || !selected(provided.info.name, registry))
        return false;
    for (const auto& action : protocol::array(loaded, "actions"))
        provided.actions.push_back(std::make_shared<IsolatedAction>(
            worker, provided.info.name, protocol::text(action, "name"),
            protocol::text(action, "description"), protocol::flag(action, "repeatable")));
    for (const auto& condition : protocol::array(loaded, "conditions"))
        provided.conditions.push_back(
            {protocol::text(condition, "name"), protocol::text(condition, "description"),
             protocol::strings(condition, "failure_classes"), provided.info.name});
    for (const auto& channel : protocol::array(loaded, "alert_channels"))
        provided.channels.push_back(std::make_shared<IsolatedAlertChannel>(
            worker, provided.info.name, protocol::text(channel, "name"),
            protocol::text(channel, "description")));
    for (const auto& backend : protocol::array(loaded, "backup_backends"))
        provided.backends.push_back(std::make_shared<IsolatedBackupBackend>(
            worker, provided.info.name,
            // A crash record written before backends ran isolated names them only.
            backend.is_string() ? backend.get<std::string>() : protocol::text(backend, "name"),
            protocol::text(backend, "description")));

    // Remember a crash with what the plugin offered, so that it can be
    // skipped by name until its file changes.
    nlohmann::json provides = loaded;
    provides.erase("op");
    worker->onCrash([crashes, file, name = provided.info.name,
                     provides = provides.dump()](const std::string& what) {
        crashes.remember(file, {name, what, provides, isoUtcNow()});
    });
    return accept(std::move(provided), worker, registry);
}

bool PluginLoader::accept(Provided provided, std::shared_ptr<void> library,
                          PluginRegistry& registry) const
{
    auto& info = provided.info;
    auto& actions = provided.actions;
    auto& channels = provided.channels;
    auto& backends = provided.backends;
    auto& conditions = provided.conditions;
    auto refuse = [&](const std::string& why) {
        registry.addRefusal(info.file + ": " + why);
        return false;
    };
    // Refuse the whole plugin if any name it provides is taken.
    auto clash = [&](const std::string& kind,
                     const std::string& name) -> std::optional<std::string> {
        std::string owner = registry.providerOf(kind, name);
        if (owner.empty())
            return std::nullopt;
        std::string ownerFile;
        for (const auto& loaded : registry.plugins())
            if (loaded.name == owner)
                ownerFile = loaded.file;
        return "plugin '" + info.name + "' refused: " + kind + " '" + name +
               "' is already provided by plugin '" + owner + "' (" + ownerFile + ")";
    };
    // Every name of every kind, checked the same way: taken by a plugin
    // loaded before, or provided twice by this one.
    std::vector<std::pair<std::string, std::string>> names; // kind, name
    for (const auto& action : actions)
        names.emplace_back("action", action->name());
    for (const auto& channel : channels)
        names.emplace_back("alert channel", channel->name());
    for (const auto& condition : conditions)
        names.emplace_back("condition", condition.name);
    for (const auto& backend : backends)
        names.emplace_back("backup backend", backend->name());
    std::set<std::pair<std::string, std::string>> own;
    for (const auto& [kind, name] : names) {
        if (auto message = clash(kind, name))
            return refuse(*message);
        if (!own.insert({kind, name}).second)
            return refuse("plugin '" + info.name + "' refused: it provides " + kind + " '" + name +
                          "' twice");
    }

    for (auto& action : actions) {
        info.actions.push_back(action->name());
        registry.addAction(std::move(action), info.name);
    }
    for (auto& channel : channels) {
        info.alertChannels.push_back(channel->name());
        registry.addAlertChannel(std::move(channel), info.name);
    }
    for (auto& backend : backends) {
        info.backupBackends.push_back(backend->name());
        registry.addBackupBackend(std::move(backend), info.name);
    }
    for (auto& condition : conditions) {
        info.conditions.push_back(condition.name);
        registry.addCondition(std::move(condition));
    }
    registry.addPlugin(std::move(info), library);
    return true;
}

} // namespace lfsw
