// SPDX-License-Identifier: MIT
#include "store/backup_repository.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <set>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lfsw/units.h>

#include "base/file_content.h"
#include "base/open_beneath.h"
#include "base/path_rules.h"
#include "base/time_text.h"
#include "base/unique_fd.h"
#include "config/config.h"
#include "state/state_database.h"
#include "store/restore_journal.h"
#include "store/tree_walker.h"
#include "store/zstd_codec.h"

namespace lfsw {

namespace {

constexpr const char* kPartsTag = "parts=";
constexpr const char* kFromTag = "from:"; // "from:NAME=/absolute/origin"

std::string compactUtc(std::chrono::system_clock::time_point time)
{
    std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm tm{};
    ::gmtime_r(&seconds, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &tm);
    return text;
}

std::string typeOf(const Manifest& part)
{
    return part.tags.empty() ? std::string() : part.tags.front();
}

// The origins of a staged part's files: entry name -> absolute path.
std::map<std::string, std::string> originsOf(const Manifest& part)
{
    std::map<std::string, std::string> origins;
    for (const auto& tag : part.tags)
        if (tag.rfind(kFromTag, 0) == 0) {
            const auto rest = tag.substr(std::strlen(kFromTag));
            const auto equals = rest.find('=');
            if (equals != std::string::npos)
                origins[rest.substr(0, equals)] = rest.substr(equals + 1);
        }
    return origins;
}

// Why a directory could not be made or opened beneath another.
std::string whyNotBeneath(int error)
{
    return error == ELOOP || error == EXDEV || error == ENOTDIR
               ? "a directory on the way is a symlink, a mount point or not a directory"
               : std::strerror(error);
}

// Copies a file with its mode and mtime to `anchor`/`below`: to a temporary
// name beside the target first, then renamed over it, so that a reader never
// sees half of it. `anchor` is a directory the config or the command names
// (made when missing); the directories of `below` are made and opened beneath
// it without following a link or crossing a mount, and the temporary is made
// afresh (O_EXCL), so that nothing planted there redirects the write.
void copyFileAtomically(const std::filesystem::path& source, const std::filesystem::path& anchor,
                        const std::filesystem::path& below)
{
    const auto target = anchor / below;
    UniqueFd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat info {
    };
    if (!in.isValid() || ::fstat(in.get(), &info) != 0 || !S_ISREG(info.st_mode))
        throw std::runtime_error("cannot read " + source.string());
    std::filesystem::create_directories(anchor);
    UniqueFd anchorFd(::open(anchor.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!anchorFd.isValid())
        throw std::runtime_error("cannot open " + anchor.string() + ": " + std::strerror(errno));
    UniqueFd dir(makeDirectoriesBeneath(anchorFd.get(), below.parent_path().string(), 0755));
    if (!dir.isValid())
        throw std::runtime_error("cannot write " + target.string() + ": " + whyNotBeneath(errno));
    const std::string name = below.filename().string();
    const std::string temporary = name + ".lfsw-tmp." + std::to_string(::getpid());
    const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    UniqueFd out(::openat(dir.get(), temporary.c_str(), flags, info.st_mode & 07777));
    if (!out.isValid() && errno == EEXIST && ::unlinkat(dir.get(), temporary.c_str(), 0) == 0)
        out.reset(::openat(dir.get(), temporary.c_str(), flags, info.st_mode & 07777));
    if (!out.isValid())
        throw std::runtime_error("cannot write " + target.string() + ": " + std::strerror(errno));
    std::unique_ptr<char[]> buffer(new char[kFileBufferSize]);
    try {
        copyFileContent(in.get(), out.get(), static_cast<std::uint64_t>(info.st_size),
                        buffer.get());
    } catch (...) {
        ::unlinkat(dir.get(), temporary.c_str(), 0);
        throw;
    }
    const timespec times[2] = {{0, UTIME_OMIT}, info.st_mtim};
    // After a failed fsync the copy is not known to be on disk: the old file stays.
    const bool written = ::fchmod(out.get(), info.st_mode & 07777) == 0 &&
                         ::futimens(out.get(), times) == 0 && ::fsync(out.get()) == 0;
    const int error = errno;
    out.reset();
    if (!written) {
        ::unlinkat(dir.get(), temporary.c_str(), 0);
        throw std::runtime_error("cannot write " + target.string() + ": " + std::strerror(error));
    }
    if (::renameat(dir.get(), temporary.c_str(), dir.get(), name.c_str()) != 0) {
        const int renameError = errno;
        ::unlinkat(dir.get(), temporary.c_str(), 0);
        throw std::runtime_error("cannot replace " + target.string() + ": " +
                                 std::strerror(renameError));
    }
    if (::fsync(dir.get()) != 0)
        throw std::runtime_error("cannot make " + target.string() +
                                 " durable: " + std::strerror(errno));
}

// Groups the parts of backups (manifests, oldest first) into backups.
std::vector<Backup> backupsOf(std::vector<Manifest> manifests)
{
    std::vector<Backup> backups;
    for (auto& manifest : manifests) {
        if (backups.empty() || backups.back().id != manifest.name) {
            Backup backup;
            backup.id = manifest.name;
            backup.created =
                parseIsoUtc(manifest.created).value_or(std::chrono::system_clock::time_point{});
            for (const auto& tag : manifest.tags)
                if (tag.rfind(kPartsTag, 0) == 0)
                    backup.expectedParts = std::atoi(tag.c_str() + std::strlen(kPartsTag));
            backups.push_back(std::move(backup));
        }
        backups.back().parts.push_back(std::move(manifest));
    }
    return backups;
}

} // namespace

std::vector<std::string> Backup::types() const
{
    std::vector<std::string> types;
    for (const auto& part : parts)
        if (std::find(types.begin(), types.end(), typeOf(part)) == types.end())
            types.push_back(typeOf(part));
    return types;
}

std::uint64_t Backup::files() const
{
    std::uint64_t count = 0;
    for (const auto& part : parts)
        count += part.entryCount;
    return count;
}

std::uint64_t Backup::bytes() const
{
    std::uint64_t total = 0;
    for (const auto& part : parts)
        total += part.totalBytes();
    return total;
}

std::uint64_t Backup::newBytes() const
{
    std::uint64_t total = 0;
    for (const auto& part : parts)
        total += part.newBytes;
    return total;
}

std::filesystem::path BackupRepository::location(const Config& config,
                                                 const std::filesystem::path& stateDirectory)
{
    const auto configured = config.string("backup.repository");
    return std::filesystem::absolute(configured.empty() ? stateDirectory / "backups"
                                                        : config.resolvePath(configured))
        .lexically_normal();
}

BackupRepository::BackupRepository(const Config& config, std::filesystem::path stateDirectory)
    : config_(config), stateDirectory_(std::filesystem::absolute(std::move(stateDirectory))),
      directory_(location(config, stateDirectory_)),
      store_(
          [&] {
              std::filesystem::create_directories(directory_.parent_path());
              if (::mkdir(directory_.c_str(), 0700) != 0 && errno != EEXIST)
                  throw std::runtime_error("cannot create the backup repository " +
                                           directory_.string() + ": " + std::strerror(errno));
              return directory_;
          }(),
          std::make_shared<ZstdCodec>(), true)
{
}

std::unique_ptr<PidLock> BackupRepository::writerLock() const
{
    auto lock = std::make_unique<PidLock>(directory_ / "writer.lock");
    if (auto acquired = lock->acquire(); !acquired)
        throw std::runtime_error("another backup command (pid " + acquired.error() +
                                 ") is writing the repository " + directory_.string() +
                                 "; try again when it has finished");
    return lock;
}

TreeWalker::Options BackupRepository::walkFor(const std::string& type) const
{
    TreeWalker::Options walk;
    if (type == "system-state")
        walk.excludes = config_.list("checkpoint.exclude");
    walk.skip = {stateDirectory_, directory_};
    return walk;
}

std::vector<BackupSource>
BackupRepository::stageSources(const Config& config, const std::vector<std::string>& types,
                               StateDatabase& database,
                               const std::filesystem::path& stagingDirectory)
{
    std::vector<BackupSource> plans;
    auto wants = [&](const char* type) {
        return std::find(types.begin(), types.end(), type) != types.end();
    };
    auto staging = [&](const std::string& name) {
        const auto dir = stagingDirectory / name;
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        return dir;
    };
    if (wants("system-state")) {
        const auto root = std::filesystem::absolute(config.buildRoot()).lexically_normal();
        if (!std::filesystem::is_directory(root))
            throw std::runtime_error("the build root " + root.string() + " does not exist");
        plans.push_back({"system-state", root, {}});
    }
    if (wants("build-progress")) {
        const auto dir = staging("build-progress");
        BackupSource plan{"build-progress", dir, {}};
        database.backupTo(dir / StateDatabase::kFileName);
        plan.origins.push_back(std::string(kFromTag) + StateDatabase::kFileName + "=" +
                               database.file().string());
        std::vector<std::filesystem::path> files;
        if (config.file())
            files.push_back(std::filesystem::absolute(*config.file()));
        if (!config.string("build.plan").empty())
            files.push_back(config.resolvePath(config.string("build.plan")));
        for (const auto& file : files) {
            if (!std::filesystem::is_regular_file(file))
                continue;
            copyFileAtomically(file, dir, file.filename());
            plan.origins.push_back(std::string(kFromTag) + file.filename().string() + "=" +
                                   file.lexically_normal().string());
        }
        plans.push_back(plan);
    }
    if (wants("critical-data")) {
        int index = 0;
        for (const auto& text : config.list("backup.critical_data")) {
            const auto path =
                std::filesystem::absolute(config.resolvePath(text)).lexically_normal();
            ++index;
            std::error_code error;
            const auto status = std::filesystem::symlink_status(path, error);
            if (std::filesystem::is_directory(status)) {
                plans.push_back({"critical-data", path, {}});
            } else if (std::filesystem::is_regular_file(status)) {
                const auto dir = staging("critical-" + std::to_string(index));
                copyFileAtomically(path, dir, path.filename());
                plans.push_back(
                    {"critical-data",
                     dir,
                     {std::string(kFromTag) + path.filename().string() + "=" + path.string()}});
            } else {
                throw std::runtime_error("backup.critical_data names " + path.string() +
                                         ", which is neither a file nor a directory");
            }
        }
    }
    return plans;
}

Backup BackupRepository::create(const std::vector<std::string>& types, StateDatabase& database,
                                const ProgressCallback& progress)
{
    auto lock = writerLock();
    const auto plans = stageSources(config_, types, database, directory_ / "staging");
    if (plans.empty())
        throw std::runtime_error("nothing to back up: no type selected has anything to hold");

    Backup backup;
    backup.created = std::chrono::system_clock::now();
    backup.id = compactUtc(backup.created);
    for (int n = 2; store_.find(backup.id); ++n)
        backup.id = compactUtc(backup.created) + "-" + std::to_string(n);
    backup.expectedParts = static_cast<int>(plans.size());
    for (const auto& plan : plans) {
        std::vector<std::string> tags{plan.type, kPartsTag + std::to_string(backup.expectedParts)};
        tags.insert(tags.end(), plan.origins.begin(), plan.origins.end());
        backup.parts.push_back(
            store_.create(backup.id, plan.root, walkFor(plan.type), false, tags, progress));
    }
    return backup;
}

std::vector<Backup> BackupRepository::list(std::vector<std::string>* problems) const
{
    return backupsOf(store_.list(problems));
}

std::optional<Backup> BackupRepository::find(const std::string& selector,
                                             std::vector<std::string>* problems) const
{
    const auto headers = store_.headers(problems);
    std::vector<std::string> names; // of the backups, oldest first
    for (const auto& header : headers)
        if (names.empty() || names.back() != header.name)
            names.push_back(header.name);
    for (auto name = names.rbegin(); name != names.rend(); ++name) {
        if (selector != "latest" && *name != selector)
            continue;
        std::vector<Manifest> parts;
        for (const auto& header : headers) {
            if (header.name != *name)
                continue;
            if (auto part = store_.byId(header.id, problems))
                parts.push_back(std::move(*part));
        }
        if (!parts.empty())
            return backupsOf(std::move(parts)).front();
        if (selector != "latest")
            break;
    }
    return std::nullopt;
}

std::vector<StoreProblem> BackupRepository::verify(const Backup& backup,
                                                   const ProgressCallback& progress) const
{
    auto problems = store_.verify(backup.parts, progress);
    // Name the live paths, not only the entries.
    for (auto& problem : problems)
        for (auto& affected : problem.affected)
            for (const auto& part : backup.parts) {
                const std::string prefix = "checkpoint " + part.name + " (" + part.id + "): ";
                if (affected.rfind(prefix, 0) == 0)
                    affected = typeOf(part) + ": " +
                               livePath(part, affected.substr(prefix.size())).string();
            }
    return problems;
}

std::filesystem::path BackupRepository::livePath(const Manifest& part,
                                                 const std::string& entry) const
{
    const auto origins = originsOf(part);
    const auto first = entry.substr(0, entry.find('/'));
    if (auto it = origins.find(first); it != origins.end())
        return entry == first ? std::filesystem::path(it->second)
                              : std::filesystem::path(it->second) / entry.substr(first.size() + 1);
    return std::filesystem::path(part.root) / entry;
}

BackupRestoreReport BackupRepository::restore(const Backup& backup,
                                              const std::vector<std::string>& selective,
                                              const std::optional<std::filesystem::path>& to,
                                              StateDatabase* database,
                                              const ProgressCallback& progress)
{
    BackupRestoreReport report;
    // Every part is checked before any is restored: nothing half done.
    for (const auto& part : backup.parts)
        for (const auto& entry : part.entries)
            if (!Manifest::safePath(entry.path))
                throw std::runtime_error("refusing backup " + backup.id + ": its manifest " +
                                         part.id + " holds the path '" + entry.path +
                                         "' (absolute or with ..)");
    const auto buildRoot = std::filesystem::absolute(config_.buildRoot()).lexically_normal();
    std::optional<std::filesystem::path> target;
    if (to) {
        target = std::filesystem::absolute(*to).lexically_normal();
        for (const auto& part : backup.parts)
            if (*target == std::filesystem::path(part.root) ||
                isWithin(*target, std::filesystem::path(part.root)))
                throw std::runtime_error("refusing to restore into " + target->string() +
                                         ": it is inside " + part.root +
                                         ", which the backup holds");
    }
    if (!target) {
        // Where a restore in place writes comes from the repository (a
        // part's root, its from: tags): a tampered one must not choose. Every
        // destination must be one the config backs up now.
        std::set<std::filesystem::path> roots{buildRoot};
        std::set<std::filesystem::path> files{
            std::filesystem::absolute(stateDirectory_ / StateDatabase::kFileName)
                .lexically_normal()};
        if (config_.file())
            files.insert(std::filesystem::absolute(*config_.file()).lexically_normal());
        if (!config_.string("build.plan").empty())
            files.insert(
                std::filesystem::absolute(config_.resolvePath(config_.string("build.plan")))
                    .lexically_normal());
        for (const auto& text : config_.list("backup.critical_data")) {
            const auto path =
                std::filesystem::absolute(config_.resolvePath(text)).lexically_normal();
            roots.insert(path);
            files.insert(path);
        }
        for (const auto& part : backup.parts) {
            const auto origins = originsOf(part);
            std::vector<std::filesystem::path> destinations;
            if (origins.empty())
                destinations.push_back(std::filesystem::path(part.root).lexically_normal());
            for (const auto& [name, origin] : origins)
                destinations.push_back(std::filesystem::path(origin).lexically_normal());
            for (const auto& destination : destinations)
                if (!(origins.empty() ? roots : files).count(destination))
                    throw std::runtime_error(
                        "refusing backup " + backup.id + ": its part " + part.id +
                        " would write to " + destination.string() +
                        ", which the config does not back up (build.root, the state database, "
                        "the config, build.plan, backup.critical_data); nothing was restored. "
                        "With --to DIR it can be restored elsewhere to look at");
        }
    }
    std::vector<std::filesystem::path> selected;
    for (const auto& text : selective) {
        std::filesystem::path path(text);
        selected.push_back((path.is_absolute() ? path : buildRoot / path).lexically_normal());
    }
    auto isSelected = [&](const std::filesystem::path& live) {
        if (selected.empty())
            return true;
        for (const auto& s : selected)
            if (live == s || isWithin(live, s))
                return true;
        return false;
    };

    const auto scratch = directory_ / "tmp" / ("restore-" + std::to_string(::getpid()));
    std::filesystem::create_directories(scratch);
    // What each part restores, and where below --to DIR it goes.
    struct Planned {
        const Manifest* part;
        Manifest chosen;
        bool staged;                 // files copied back one by one (from: tags)
        std::filesystem::path below; // below --to DIR
        UniqueFd belowFd;
    };
    std::vector<Planned> planned;
    std::map<std::string, int> perType;
    for (const auto& part : backup.parts) {
        const std::string type = typeOf(part);
        const int index = ++perType[type];
        // The entries to restore, with their parent directories.
        Manifest chosen = part;
        chosen.entries.clear();
        std::set<std::string> keep;
        for (const auto& entry : part.entries)
            if (isSelected(livePath(part, entry.path))) {
                keep.insert(entry.path);
                for (auto p = std::filesystem::path(entry.path).parent_path(); !p.empty();
                     p = p.parent_path())
                    keep.insert(p.string());
            }
        for (const auto& entry : part.entries)
            if (keep.count(entry.path))
                chosen.entries.push_back(entry);
        if (chosen.entries.empty())
            continue;
        const bool staged = !originsOf(part).empty();
        std::filesystem::path below = type;
        if (staged)
            below /= std::to_string(index);
        else if (type != "system-state")
            below /= std::filesystem::path(part.root).filename();
        planned.push_back({&part, std::move(chosen), staged, below, UniqueFd()});
    }
    // Below --to DIR (named by the command, made when missing) the parts'
    // directories are made beneath it, all before anything is written: DIR
    // may be in a tree others write, and a link there refuses the restore.
    if (target) {
        std::filesystem::create_directories(*target);
        UniqueFd targetFd(::open(target->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!targetFd.isValid())
            throw std::runtime_error("cannot open " + target->string() + ": " +
                                     std::strerror(errno));
        // First only looked at, so that a refusal leaves DIR as it was.
        for (const auto& plan : planned)
            if (!canMakeDirectoriesBeneath(targetFd.get(), plan.below.string()))
                throw std::runtime_error("cannot restore into " + (*target / plan.below).string() +
                                         ": " + whyNotBeneath(errno) + "; nothing was restored");
        for (auto& plan : planned) {
            plan.belowFd.reset(makeDirectoriesBeneath(targetFd.get(), plan.below.string(), 0755));
            if (!plan.belowFd.isValid())
                throw std::runtime_error("cannot restore into " + (*target / plan.below).string() +
                                         ": " + whyNotBeneath(errno) + "; nothing was restored");
        }
    }

    for (auto& plan : planned) {
        const Manifest& part = *plan.part;
        const Manifest& chosen = plan.chosen;
        const std::string type = typeOf(part);
        const bool staged = plan.staged;
        std::filesystem::path root = staged   ? scratch / part.id
                                     : target ? *target / plan.below
                                              : std::filesystem::path(part.root);
        RestoreOptions options;
        options.removeExtra = selective.empty() && !staged;
        options.tolerateDamage = true;
        if (target && !staged)
            options.rootFd = plan.belowFd.get();
        auto result = store_.restore(chosen, root, walkFor(type), progress, options);
        for (const auto& mount : result.mountPoints)
            report.mountPoints.push_back((root / mount).string());
        std::set<std::string> damaged(result.damaged.begin(), result.damaged.end());
        for (const auto& path : result.damaged)
            report.damaged.push_back(type + ": " + livePath(part, path).string());

        if (!staged) {
            for (const auto& entry : chosen.entries)
                if (!damaged.count(entry.path))
                    report.written.push_back({part.id, entry.path, (root / entry.path).string()});
            report.notes.push_back(type + " (" + part.root + ") -> " + root.string() + ": " +
                                   std::to_string(result.rewritten) + " written, " +
                                   std::to_string(result.removed) + " removed, " +
                                   std::to_string(result.unchanged) + " unchanged");
            continue;
        }
        // Staged files go back one by one: the state database through
        // SQLite's backup API, the others by an atomic rename.
        for (const auto& entry : chosen.entries) {
            if (entry.type != 'f' || damaged.count(entry.path))
                continue;
            const auto restored = root / entry.path;
            std::filesystem::path destination =
                target ? *target / plan.below / entry.path : livePath(part, entry.path);
            if (!target && entry.path == StateDatabase::kFileName && database)
                database->restoreFrom(restored);
            else if (!target && entry.path == StateDatabase::kFileName)
                StateDatabase::replaceFile(destination.parent_path(), restored);
            else if (target)
                copyFileAtomically(restored, *target, plan.below / entry.path);
            else if (isWithin(destination, buildRoot) && destination != buildRoot)
                copyFileAtomically(restored, buildRoot, destination.lexically_relative(buildRoot));
            else
                copyFileAtomically(restored, destination.parent_path(), destination.filename());
            report.written.push_back({part.id, entry.path, destination.string()});
            report.notes.push_back(type + ": " + livePath(part, entry.path).string() + " -> " +
                                   destination.string());
        }
    }
    std::error_code ignored;
    std::filesystem::remove_all(scratch, ignored);
    return report;
}

std::string BackupRepository::repair(const std::vector<std::string>& paths, StateDatabase& database)
{
    auto backups = list();
    std::vector<std::string> left = paths;
    std::string done;
    for (auto it = backups.rbegin(); it != backups.rend() && !left.empty(); ++it) {
        auto report = restore(*it, left, std::nullopt, &database, nullptr);
        RestoreJournal(database).record(it->id, report);
        std::vector<std::string> still;
        for (const auto& path : left) {
            bool damaged = false;
            for (const auto& d : report.damaged)
                damaged = damaged || d.find(path) != std::string::npos;
            bool written = false;
            for (const auto& w : report.written)
                written = written || w.target == path || w.target.rfind(path + "/", 0) == 0;
            if (written && !damaged)
                done += (done.empty() ? "" : ", ") + path + " from backup " + it->id;
            else
                still.push_back(path);
        }
        left = std::move(still);
    }
    if (!left.empty()) {
        std::string missing;
        for (const auto& path : left)
            missing += (missing.empty() ? "" : ", ") + path;
        throw std::runtime_error("no backup holds an undamaged copy of " + missing +
                                 (done.empty() ? "" : " (restored: " + done + ")"));
    }
    return "restored " + done;
}

std::vector<std::string>
BackupRepository::checkRestored(const Backup& backup,
                                const std::vector<RestoredPath>& written) const
{
    std::vector<std::string> problems;
    std::unique_ptr<char[]> buffer(new char[kFileBufferSize]);
    for (const auto& restored : written) {
        const ManifestEntry* entry = nullptr;
        for (const auto& part : backup.parts)
            if (part.id == restored.part)
                for (const auto& e : part.entries)
                    if (e.path == restored.path)
                        entry = &e;
        if (!entry) {
            problems.push_back(restored.target + ": not in backup " + backup.id);
            continue;
        }
        struct stat info {
        };
        if (::lstat(restored.target.c_str(), &info) != 0) {
            problems.push_back(restored.target + ": missing");
            continue;
        }
        const char type = S_ISDIR(info.st_mode)   ? 'd'
                          : S_ISLNK(info.st_mode) ? 'l'
                          : S_ISREG(info.st_mode) ? 'f'
                                                  : entry->type;
        if (type != entry->type) {
            problems.push_back(restored.target + ": type differs");
            continue;
        }
        if (type == 'f') {
            UniqueFd fd(::open(restored.target.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
            const std::string hash =
                fd.isValid() ? hashFile(fd.get(), buffer.get()) : std::string();
            if (hash != entry->hash)
                problems.push_back(restored.target + ": content differs from the backup");
        } else if (type == 'l') {
            std::error_code error;
            if (std::filesystem::read_symlink(restored.target, error).string() != entry->target)
                problems.push_back(restored.target + ": symlink target differs");
        }
        if (type != 'l' && (info.st_mode & 07777) != entry->mode)
            problems.push_back(restored.target + ": mode differs");
    }
    return problems;
}

std::vector<std::string> BackupRepository::testRestore(const Backup& backup,
                                                       const ProgressCallback& progress)
{
    std::vector<std::string> mismatches;
    const auto scratch = directory_ / "tmp" / ("test-restore-" + std::to_string(::getpid()));
    std::error_code ignored;
    std::filesystem::remove_all(scratch, ignored);
    std::filesystem::create_directories(scratch);
    try {
        for (const auto& part : backup.parts) {
            const auto root = scratch / part.id;
            RestoreOptions options;
            options.tolerateDamage = true;
            auto result = store_.restore(part, root, {}, progress, options);
            for (const auto& path : result.damaged)
                mismatches.push_back(typeOf(part) + ": " + livePath(part, path).string() +
                                     ": object missing or corrupt");
            const auto live = CheckpointStore::scan(root, {}, true, nullptr);
            for (const auto& difference : CheckpointStore::diff(part, live, true)) {
                if (std::find(result.damaged.begin(), result.damaged.end(), difference.path) !=
                    result.damaged.end())
                    continue;
                mismatches.push_back(typeOf(part) + ": " +
                                     livePath(part, difference.path).string() + ": " +
                                     (difference.kind == '-'   ? "not restored"
                                      : difference.kind == '+' ? "restored but not in the backup"
                                                               : difference.what + " differ"));
            }
        }
    } catch (...) {
        std::filesystem::remove_all(scratch, ignored);
        throw;
    }
    std::filesystem::remove_all(scratch, ignored);
    return mismatches;
}

std::pair<std::vector<std::string>, std::uint64_t>
BackupRepository::prune(std::chrono::system_clock::time_point now)
{
    auto lock = writerLock();
    const auto retention = *parseDuration(config_.string("backup.retention"));
    auto backups = list();
    std::vector<std::string> removed;
    for (std::size_t i = 0; i + 1 < backups.size(); ++i) {
        if (backups[i].created >= now - retention)
            continue;
        // Manifests first: once they are gone the backup is gone; the objects
        // only they used are garbage that gc removes.
        for (const auto& part : backups[i].parts)
            store_.remove(part);
        removed.push_back(backups[i].id);
    }
    const auto freed = store_.gc(nullptr);
    return {removed, freed};
}

std::vector<DataDifference> BackupRepository::compare(const Backup& backup, bool tree) const
{
    std::vector<DataDifference> differences;
    for (const auto& part : backup.parts) {
        const std::string type = typeOf(part);
        if (type == "build-progress" || (type == "system-state" && !tree))
            continue;
        const auto origins = originsOf(part);
        if (!origins.empty()) {
            std::unique_ptr<char[]> buffer(new char[kFileBufferSize]);
            for (const auto& entry : part.entries) {
                const auto live = livePath(part, entry.path);
                struct stat info {
                };
                if (::lstat(live.c_str(), &info) != 0) {
                    differences.push_back({type, live.string(), "missing"});
                    continue;
                }
                UniqueFd fd(::open(live.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
                const std::string hash =
                    fd.isValid() ? hashFile(fd.get(), buffer.get()) : std::string();
                if (hash == entry.hash)
                    continue;
                const bool sameMetadata = static_cast<std::uint64_t>(info.st_size) == entry.size &&
                                          timeNanoseconds(info.st_mtim) == entry.mtimeNs;
                differences.push_back({type, live.string(), sameMetadata ? "corrupt" : "changed"});
            }
            continue;
        }
        if (!std::filesystem::is_directory(part.root)) {
            differences.push_back({type, part.root, "missing"});
            continue;
        }
        const bool hashes = type == "critical-data";
        const auto live = CheckpointStore::scan(part.root, walkFor(type), hashes, nullptr);
        for (const auto& difference : CheckpointStore::diff(part, live, hashes)) {
            const auto path = (std::filesystem::path(part.root) / difference.path).string();
            if (difference.kind == '-')
                differences.push_back({type, path, "missing"});
            else if (difference.kind == '+')
                differences.push_back({type, path, "new"});
            else
                differences.push_back(
                    {type, path, difference.what == "content" ? "corrupt" : "changed"});
        }
    }
    return differences;
}

} // namespace lfsw
