// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include <boost/dll/shared_library.hpp>

#include <lfsw/backup_backend.h>

namespace lfsw {

// A backup backend from a plugin, kept loaded and exception-safe like
// GuardedAction.
class GuardedBackupBackend final : public BackupBackend
{
public:
    GuardedBackupBackend(std::shared_ptr<boost::dll::shared_library> library,
                         std::shared_ptr<BackupBackend> inner, std::string plugin);
    ~GuardedBackupBackend() override;

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

    std::shared_ptr<boost::dll::shared_library> library_;
    std::shared_ptr<BackupBackend> inner_;
    std::string plugin_;
    std::string name_;
    std::string description_;
};

} // namespace lfsw
