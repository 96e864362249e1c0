// SPDX-License-Identifier: MIT
#pragma once

#include <lfsw/backup_backend.h>

#include "plugin/plugin_guard.h"

namespace lfsw {

// A backup backend from a plugin, kept loaded and exception-safe like
// GuardedAction.
class GuardedBackupBackend final : public BackupBackend, private PluginGuard<BackupBackend>
{
public:
    GuardedBackupBackend(std::shared_ptr<boost::dll::shared_library> library,
                         std::shared_ptr<BackupBackend> inner, std::string plugin);

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
    template <typename Call> Result guarded(const char* what, Call&& call);

    std::string name_;
    std::string description_;
};

} // namespace lfsw
