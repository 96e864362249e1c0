// SPDX-License-Identifier: MIT
#include "plugin/guarded_backup_backend.h"

namespace lfsw {

GuardedBackupBackend::GuardedBackupBackend(std::shared_ptr<boost::dll::shared_library> library,
                                           std::shared_ptr<BackupBackend> inner, std::string plugin)
    : PluginGuard(std::move(library), std::move(inner), std::move(plugin)), name_(inner_->name()),
      description_(inner_->description())
{
}

template <typename Call> Result GuardedBackupBackend::guarded(const char* what, Call&& call)
{
    return guardedCall(std::forward<Call>(call), [&](const std::string& why) {
        return Result::failed("backup backend " + name_ + " (plugin " + plugin_ + ") threw in " +
                              what + ": " + why);
    });
}

Result GuardedBackupBackend::create(const std::vector<std::string>& paths,
                                    const std::vector<std::string>& tags, Context& context)
{
    return guarded("create", [&] { return inner_->create(paths, tags, context); });
}

Result GuardedBackupBackend::list(std::vector<BackupSnapshot>& snapshots, Context& context)
{
    return guarded("list", [&] { return inner_->list(snapshots, context); });
}

Result GuardedBackupBackend::verify(const std::string& id, Context& context)
{
    return guarded("verify", [&] { return inner_->verify(id, context); });
}

Result GuardedBackupBackend::restore(const std::string& id, const std::vector<std::string>& include,
                                     const std::string& target, Context& context)
{
    return guarded("restore", [&] { return inner_->restore(id, include, target, context); });
}

Result GuardedBackupBackend::prune(std::chrono::seconds keepWithin, Context& context)
{
    return guarded("prune", [&] { return inner_->prune(keepWithin, context); });
}

} // namespace lfsw
