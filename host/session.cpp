// SPDX-License-Identifier: MIT
#include "session.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <stdexcept>

#include <unistd.h>

#include "base/path_rules.h"
#include "command.h"
#include "plugin/config_references.h"
#include "plugin/plugin_loader.h"
#include "recovery_checklist.h"

namespace lfsw::host {

namespace {

LogLevel consoleLevel(const GlobalOptions& options)
{
    if (options.quiet)
        return LogLevel::Error;
    if (options.verbosity >= 2)
        return LogLevel::Trace;
    if (options.verbosity == 1)
        return LogLevel::Debug;
    return LogLevel::Info;
}

// Plugin directories of this host: in the build tree, each folder under
// build/plugins/; once installed, the installation's plugin directory.
std::vector<std::filesystem::path> ownPluginDirectories()
{
    std::error_code error;
    const auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
    const std::filesystem::path buildRoot = LFSW_BUILD_ROOT;
    std::vector<std::filesystem::path> directories;
    if (!error && executable.parent_path().parent_path() == buildRoot) {
        for (const auto& entry : std::filesystem::directory_iterator(buildRoot / "plugins", error))
            if (entry.is_directory())
                directories.push_back(entry.path());
        std::sort(directories.begin(), directories.end());
        return directories;
    }
    // Installed: beside the binary (relocatable), else where it was meant to be.
    if (!error) {
        const auto beside =
            (executable.parent_path() / LFSW_PLUGIN_DIR_FROM_BINDIR).lexically_normal();
        if (std::filesystem::is_directory(beside, error))
            return {beside};
    }
    return {LFSW_PLUGIN_INSTALL_DIR};
}

// The plugin worker of this host: in the build tree, build/worker/; once
// installed, in libexecdir beside the binary, else where it was meant to be.
std::filesystem::path ownPluginWorker()
{
    std::error_code error;
    const auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
    const std::filesystem::path buildRoot = LFSW_BUILD_ROOT;
    if (!error && executable.parent_path().parent_path() == buildRoot)
        return buildRoot / "worker" / "lfs-wrapper-plugin-worker";
    if (!error) {
        const auto beside = (executable.parent_path() / LFSW_WORKER_FROM_BINDIR).lexically_normal();
        if (std::filesystem::exists(beside, error))
            return beside;
    }
    return LFSW_WORKER_INSTALL_PATH;
}

} // namespace

Session::Session(GlobalOptions options)
    : options_(std::move(options)), logging_(consoleLevel(options_), options_.colour),
      logger_(makeLogger("host"))
{
}

const Config& Session::config()
{
    if (config_)
        return *config_;
    std::optional<std::filesystem::path> file = options_.configFile;
    // Run set-uid (real and effective uid differ), the environment and the
    // current directory belong to someone else: only --config and the
    // system-wide file are read.
    const bool setUid = ::getuid() != ::geteuid();
    std::string foundThrough = "--config";
    if (!file) {
        if (const char* fromEnvironment = std::getenv("LFSW_CONFIG");
            !setUid && fromEnvironment && *fromEnvironment) {
            file = fromEnvironment;
            foundThrough = "LFSW_CONFIG";
        } else if (!setUid && std::filesystem::exists("lfs-wrapper.yaml")) {
            file = "lfs-wrapper.yaml";
            foundThrough = "the current directory";
        } else
            for (const std::filesystem::path directory : {LFSW_SYSCONFDIR, "/etc"})
                if (std::filesystem::exists(directory / "lfs-wrapper" / "lfs-wrapper.yaml")) {
                    file = directory / "lfs-wrapper" / "lfs-wrapper.yaml";
                    foundThrough = "the system-wide search";
                    break;
                }
    }
    // As root, a config found without --config (LFSW_CONFIG, the current
    // directory) names the commands root runs: it must be writable by no one
    // but root and the user who ran sudo, like a plugin.
    if (file && !options_.configFile && ::geteuid() == 0) {
        uid_t invoker = ::getuid();
        if (const char* sudoUid = std::getenv("SUDO_UID"); invoker == 0 && sudoUid)
            invoker = static_cast<uid_t>(std::strtoul(sudoUid, nullptr, 10));
        if (auto why = whyUntrusted(*file, invoker); !why.empty())
            throw std::runtime_error(
                "refusing the config " + std::filesystem::absolute(*file).string() +
                " (found through " + foundThrough + "): " + why +
                "; as root, a config someone else can write could run anything as root. "
                "Pass --config FILE to use it anyway");
    }
    config_ = file ? Config::fromFile(*file) : Config::builtIn();
    return *config_;
}

Config Session::reloadConfig()
{
    return config().file() ? Config::fromFile(*config().file()) : Config::builtIn();
}

std::string Session::configSearchDescription()
{
    if (config().file())
        return "the config " + std::filesystem::absolute(*config().file()).string();
    return std::string("no config file: LFSW_CONFIG is not set, and there is no ") +
           (std::filesystem::current_path() / "lfs-wrapper.yaml").string() + ", " +
           LFSW_SYSCONFDIR +
           "/lfs-wrapper/lfs-wrapper.yaml or /etc/lfs-wrapper/lfs-wrapper.yaml;"
           " the built-in defaults apply. From another directory, set LFSW_CONFIG or pass "
           "--config (or --state-dir)";
}

std::string Session::configSourceDescription()
{
    return config().file() ? config().file()->string() : Config::kBuiltInName;
}

std::vector<Diagnostic> Session::configProblems(bool resolveNames)
{
    std::vector<Diagnostic> problems = config().problems();
    if (resolveNames) {
        // Names are checked too where some value has the wrong type: one
        // pass says everything. A part too broken to read is left to the
        // problems already found.
        try {
            auto references = checkReferences(config(), plugins());
            problems.insert(problems.end(), references.begin(), references.end());
        } catch (const std::exception&) {
        }
    }
    std::stable_sort(problems.begin(), problems.end(), [](const auto& a, const auto& b) {
        return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    return problems;
}

const PluginRegistry& Session::plugins()
{
    if (plugins_)
        return *plugins_;
    if (stateDirectoryExists())
        attachLogFile();
    plugins_ = std::make_unique<PluginRegistry>();
    const auto loader = PluginLoader::forConfig(config(), ownPluginDirectories(), ownPluginWorker(),
                                                stateDirectory());
    loader.loadInto(*plugins_);
    PluginLoader::logLoaded(*plugins_);
    return *plugins_;
}

std::filesystem::path Session::stateDirectory()
{
    if (options_.stateDirectory)
        return std::filesystem::absolute(*options_.stateDirectory).lexically_normal();
    return config().stateDirectory();
}

bool Session::stateDirectoryExists()
{
    return std::filesystem::is_directory(stateDirectory());
}

void Session::createStateDirectory()
{
    const auto directory = stateDirectory();
    if (StateDatabase::createDirectory(directory))
        LFSW_LOG(logger_, Info) << "created state directory " << directory.string();
    attachLogFile();
}

Services& Session::services()
{
    if (!services_) {
        createStateDirectory();
        services_ = std::make_unique<Services>(
            config(), [this]() -> const PluginRegistry& { return plugins(); }, stateDirectory());
        // auto_recovery.checklists: the checklists around a chain of a
        // supervised build, printed with the build's output.
        services_->engine().setChecklistHook([this](const std::string& phase, std::int64_t id) {
            RecoveryChecklist checklist(*this, phase, id);
            checklist.run(std::cout, false);
        });
    }
    return *services_;
}

BackupService& Session::backups()
{
    if (!backups_)
        backups_ = std::make_unique<BackupService>(config(), stateDirectory(),
                                                   [this]() -> Services& { return services(); });
    return *backups_;
}

StateDatabase& Session::database()
{
    return services().database();
}

RecoveryEngine& Session::engine()
{
    return services().engine();
}

void Session::keepConsoleForProgress()
{
    if (options_.verbosity == 0 && !options_.quiet)
        logging_.setConsoleLevel(LogLevel::Warning);
}

BuildJournal& Session::journal()
{
    return services().journal();
}

RemoteBuildControl& Session::remoteControl()
{
    return services().remoteControl();
}

bool Session::buildRunning()
{
    return stateDirectoryExists() && remoteControl().buildRunning();
}

void Session::attachLogFile()
{
    if (logFileAttached_)
        return;
    logFileAttached_ = true;
    // A config with problems may hold anything here: log with the defaults.
    const Config fallback = Config::builtIn();
    logging_.attachFile(stateDirectory(), config().problems().empty() ? config() : fallback);
}

void printJson(const nlohmann::json& value)
{
    std::cout << value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

} // namespace lfsw::host
