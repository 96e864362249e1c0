// SPDX-License-Identifier: MIT
#include "guarded_backup_backend.h"

#include <exception>

namespace lfsw {

GuardedBackupBackend::GuardedBackupBackend(std::shared_ptr<boost::dll::shared_library> library,
                                           std::shared_ptr<BackupBackend> inner, std::string plugin)
    : library_(std::move(library)), inner_(std::move(inner)), plugin_(std::move(plugin)),
      name_(inner_->name()), description_(inner_->description())
{
}

GuardedBackupBackend::~GuardedBackupBackend()
{
    inner_.reset(); // before the library it came from
}

template <typename Call> Result GuardedBackupBackend::guarded(const char* what, Call&& call)
{
    try {
        return call();
    } catch (const std::exception& e) {
        return Result::failed("backup backend " + name_ + " (plugin " + plugin_ + ") threw in " +
                              what + ": " + e.what());
    } catch (...) {
        return Result::failed("backup backend " + name_ + " (plugin " + plugin_ + ") threw in " +
                              what + " (not a std::exception)");
    }
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
