// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include <lfsw/backup_backend.h>

#include "plugin/isolation/plugin_worker.h"

namespace lfsw {

// A backup backend of a plugin that runs in a worker process (restic's,
// under `plugins.isolate: [restic_backup]`): each call goes to the worker,
// with the host's Context answering the plugin's settings and log there. A
// crash or hang of the plugin fails the call with what happened. Calls may
// run as long as an isolated action (plugins.action_timeout).
class IsolatedBackupBackend final : public BackupBackend
{
public:
    IsolatedBackupBackend(std::shared_ptr<PluginWorker> worker, std::string plugin,
                          std::string name, std::string description);

    std::string name() const override { return name_; }
    std::string description() const override { return description_; }
    Result create(const std::vector<std::string>& paths, const std::vector<std::string>& tags,
                  Context& context) override;
    Result list(std::vector<BackupSnapshot>& snapshots, Context& context) override;
    Result verify(const std::string& id, Context& context) override;
    Result restore(const std::string& id, const std::vector<std::string>& include,
                   const std::string& target, Context& context) override;
    Result prune(std::chrono::seconds keepWithin, Context& context) override;

private:
    // Sends `request` (its op and arguments) with the context, and returns
    // the reply's result; `reply` gets the whole reply when given.
    Result call(nlohmann::json request, Context& context, nlohmann::json* reply = nullptr);

    std::shared_ptr<PluginWorker> worker_;
    std::string plugin_;
    std::string name_;
    std::string description_;
};

} // namespace lfsw
