// SPDX-License-Identifier: MIT
#include "plugin/isolation/isolated_backup_backend.h"

#include "plugin/isolation/plugin_protocol.h"

namespace lfsw {

IsolatedBackupBackend::IsolatedBackupBackend(std::shared_ptr<PluginWorker> worker,
                                             std::string plugin, std::string name,
                                             std::string description)
    : worker_(std::move(worker)), plugin_(std::move(plugin)), name_(std::move(name)),
      description_(std::move(description))
{
}

Result IsolatedBackupBackend::call(nlohmann::json request, Context& context, nlohmann::json* reply)
{
    request["backend"] = name_;
    protocol::addContext(request, context);
    return worker_->callForResult(request, worker_->settings().actionTimeout, context,
                                  "backup backend " + name_ + " (plugin " + plugin_ + ", isolated)",
                                  reply);
}

Result IsolatedBackupBackend::create(const std::vector<std::string>& paths,
                                     const std::vector<std::string>& tags, Context& context)
{
    return call({{"op", protocol::op::kBackupCreate}, {"paths", paths}, {"tags", tags}}, context);
}

Result IsolatedBackupBackend::list(std::vector<BackupSnapshot>& snapshots, Context& context)
{
    nlohmann::json reply;
    auto result = call({{"op", protocol::op::kBackupList}}, context, &reply);
    for (const auto& snapshot : protocol::array(reply, "snapshots"))
        snapshots.push_back(protocol::snapshotFromJson(snapshot));
    return result;
}

Result IsolatedBackupBackend::verify(const std::string& id, Context& context)
{
    return call({{"op", protocol::op::kBackupVerify}, {"id", id}}, context);
}

Result IsolatedBackupBackend::restore(const std::string& id,
                                      const std::vector<std::string>& include,
                                      const std::string& target, Context& context)
{
    return call({{"op", protocol::op::kBackupRestore},
                 {"id", id},
                 {"include", include},
                 {"target", target}},
                context);
}

Result IsolatedBackupBackend::prune(std::chrono::seconds keepWithin, Context& context)
{
    return call({{"op", protocol::op::kBackupPrune}, {"keep_within_seconds", keepWithin.count()}},
                context);
}

} // namespace lfsw
