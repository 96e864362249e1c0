// SPDX-License-Identifier: MIT
#include "store/pack_files.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/checked_text.h"
#include "base/file_content.h"
#include "base/sha256.h"
#include "base/system_error.h"

namespace lfsw {

namespace {

constexpr const char* kIndexHeader = "lfsw-pack 1\n";

// One index: "lfsw-pack 1", a line "HASH OFFSET LENGTH" per object, and
// "end SHA256" of everything before it, so that a truncated or edited index
// is told from a good one. Returns the message of what is wrong, or "".
std::string parseIndex(const std::string& text,
                       std::vector<std::tuple<std::string, std::uint64_t, std::uint64_t>>& objects)
{
    std::string_view body;
    if (text.rfind(kIndexHeader, 0) != 0 || checkEndLine(text, body) != EndLine::kGood)
        return "its checksum line does not match (truncated or edited)";
    std::istringstream lines(std::string(body.substr(std::strlen(kIndexHeader))));
    std::string line;
    for (int number = 2; std::getline(lines, line); ++number) {
        std::istringstream fields(line);
        std::string hash;
        std::uint64_t offset = 0, length = 0;
        if (!(fields >> hash >> offset >> length) || !Sha256::isHexDigest(hash))
            return "line " + std::to_string(number) + ": expected HASH OFFSET LENGTH";
        objects.emplace_back(hash, offset, length);
    }
    return "";
}

} // namespace

PackFiles::PackFiles(std::filesystem::path directory, std::filesystem::path temporaries)
    : directory_(std::move(directory)), temporaries_(std::move(temporaries))
{
    if (::mkdir(directory_.c_str(), 0700) != 0 && errno != EEXIST)
        throwErrno("cannot create " + directory_.string());
}

PackFiles::~PackFiles()
{
    if (writing_ || !written_.empty())
        abandon();
}

void PackFiles::load() const
{
    if (loaded_)
        return;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(directory_, error)) {
        const auto name = entry.path().filename().string();
        if (entry.path().extension() != ".index" || name[0] == '.')
            continue;
        std::vector<std::tuple<std::string, std::uint64_t, std::uint64_t>> objects;
        std::string problem;
        try {
            auto text = readFileText(entry.path());
            if (!text)
                throwErrno("cannot read " + entry.path().string());
            problem = parseIndex(*text, objects);
        } catch (const std::exception& e) {
            problem = e.what();
        }
        if (!problem.empty()) {
            problems_.push_back("pack index " + entry.path().string() + ": " + problem);
            continue;
        }
        if (std::any_of(objects.begin(), objects.end(), [](const auto& object) {
                return std::get<1>(object) > UINT32_MAX || std::get<2>(object) > UINT32_MAX;
            })) {
            problems_.push_back("pack index " + entry.path().string() +
                                ": an offset or length beyond what a pack holds");
            continue;
        }
        const auto pack = static_cast<std::uint32_t>(packs_.size());
        packs_.push_back(entry.path().stem().string());
        for (const auto& [hash, offset, length] : objects)
            objects_.push_back(
                Slot{*Sha256::fromHex(hash), Location{pack, static_cast<std::uint32_t>(offset),
                                                      static_cast<std::uint32_t>(length)}});
    }
    std::sort(objects_.begin(), objects_.end());
    loaded_ = true;
}

std::optional<PackFiles::Location> PackFiles::locate(const std::string& hash) const
{
    load();
    auto digest = Sha256::fromHex(hash);
    if (!digest)
        return std::nullopt;
    Slot key{*digest, {}};
    auto it = std::lower_bound(objects_.begin(), objects_.end(), key);
    if (it == objects_.end() || it->hash != *digest)
        return std::nullopt;
    return it->where;
}

bool PackFiles::adding(const std::string& hash) const
{
    if (writing_ && writing_->hashes.count(hash))
        return true;
    const auto digest = Sha256::fromHex(hash);
    if (!digest)
        return false;
    const Slot key{*digest, {}};
    return std::any_of(written_.begin(), written_.end(), [&](const Written& pack) {
        return std::binary_search(pack.entries.begin(), pack.entries.end(), key);
    });
}

bool PackFiles::contains(const std::string& hash) const
{
    std::lock_guard guard(mutex_);
    if (adding(hash))
        return true;
    // An index whose pack is gone names objects that are not there: a
    // checkpoint must store them again rather than count on them.
    auto location = locate(hash);
    return location && packFd(location->pack) >= 0;
}

int PackFiles::packFd(std::uint32_t pack) const
{
    auto it = fds_.find(pack);
    if (it != fds_.end())
        return it->second.get();
    const auto file = directory_ / (packs_[pack] + ".pack");
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.isValid() && errno != ENOENT)
        throwErrno("cannot read " + file.string());
    if (!fd.isValid())
        return -1;
    return fds_.emplace(pack, std::move(fd)).first->second.get();
}

std::optional<std::string> PackFiles::read(const std::string& hash) const
{
    int fd = -1;
    Location where{};
    {
        std::lock_guard guard(mutex_);
        auto location = locate(hash);
        if (!location)
            return std::nullopt;
        where = *location;
        fd = packFd(where.pack);
    }
    if (fd < 0)
        return std::nullopt; // the pack is gone: so are its objects
    std::string stored(where.length, '\0');
    if (readAt(fd, stored.data(), stored.size(), static_cast<std::int64_t>(where.offset)) <
        stored.size())
        throw std::runtime_error(describe(hash) + ": the pack ends before the object does");
    return stored;
}

std::string PackFiles::describe(const std::string& hash) const
{
    std::lock_guard guard(mutex_);
    auto location = locate(hash);
    if (!location)
        return (directory_ / "?").string();
    return (directory_ / (packs_[location->pack] + ".pack")).string() + " at byte " +
           std::to_string(location->offset);
}

std::vector<std::string> PackFiles::problems() const
{
    std::lock_guard guard(mutex_);
    load();
    return problems_;
}

std::uint64_t PackFiles::add(const std::string& hash, const std::string& stored)
{
    std::lock_guard guard(mutex_);
    if (locate(hash) || adding(hash))
        return 0;
    append(hash, stored);
    return stored.size();
}

void PackFiles::append(const std::string& hash, const std::string& stored)
{
    if (!writing_) {
        Writing pack;
        pack.pack = temporaries_ / ("pack-" + std::to_string(::getpid()) + "-" +
                                    std::to_string(++counter_) + ".pack");
        pack.fd.reset(::open(pack.pack.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!pack.fd.isValid())
            throwErrno("cannot write " + pack.pack.string());
        writing_ = std::move(pack);
    }
    writeAll(writing_->fd.get(), stored.data(), stored.size(),
             static_cast<std::int64_t>(writing_->size));
    writing_->entries.push_back(
        Slot{*Sha256::fromHex(hash), Location{0, static_cast<std::uint32_t>(writing_->size),
                                              static_cast<std::uint32_t>(stored.size())}});
    writing_->hashes.insert(hash);
    writing_->size += stored.size();
    if (writing_->size >= kPackSize)
        finishPack();
}

void PackFiles::finishPack()
{
    Writing pack = std::move(*writing_);
    writing_.reset();
    // Start writing it out now, while the next one fills: the syncfs before
    // the commit then has less left to wait for.
    ::sync_file_range(pack.fd.get(), 0, 0, SYNC_FILE_RANGE_WRITE);
    pack.fd.reset();
    std::string index = kIndexHeader;
    for (const auto& entry : pack.entries)
        index += Sha256::toHex(entry.hash) + " " + std::to_string(entry.where.offset) + " " +
                 std::to_string(entry.where.length) + "\n";
    appendEndLine(index);
    std::sort(pack.entries.begin(), pack.entries.end());
    pack.entries.shrink_to_fit();
    // Named by its index: two packs of the same objects at the same places
    // are the same pack.
    Written done{Sha256::ofText(index).substr(0, 32), pack.pack, {}, std::move(pack.entries)};
    done.index = temporaries_ / (done.id + ".index");
    const auto indexFile = done.index;
    written_.push_back(std::move(done));
    UniqueFd fd(::open(indexFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd.isValid())
        throwErrno("cannot write " + indexFile.string());
    writeAll(fd.get(), index.data(), index.size(), 0);
}

void PackFiles::finish()
{
    std::lock_guard guard(mutex_);
    if (writing_)
        finishPack();
}

bool PackFiles::writing() const
{
    std::lock_guard guard(mutex_);
    return writing_.has_value() || !written_.empty();
}

void PackFiles::commit()
{
    std::lock_guard guard(mutex_);
    if (writing_) // its index would go into place unsynced
        throw std::logic_error("PackFiles::commit() before finish()");
    if (written_.empty())
        return;
    load();
    for (const auto& pack : written_) {
        if (::rename(pack.pack.c_str(), (directory_ / (pack.id + ".pack")).c_str()) != 0)
            throwErrno("cannot store pack " + pack.id);
        if (::rename(pack.index.c_str(), (directory_ / (pack.id + ".index")).c_str()) != 0)
            throwErrno("cannot store the index of pack " + pack.id);
    }
    syncDirectory(directory_);
    // What was written is readable now.
    for (auto& pack : written_) {
        const auto number = static_cast<std::uint32_t>(packs_.size());
        packs_.push_back(pack.id);
        for (auto entry : pack.entries) {
            entry.where.pack = number;
            objects_.push_back(entry);
        }
        pack.entries = {}; // its memory goes as the store's grows
    }
    std::sort(objects_.begin(), objects_.end());
    written_.clear();
}

void PackFiles::abandon()
{
    std::lock_guard guard(mutex_);
    if (writing_) {
        writing_->fd.reset();
        ::unlink(writing_->pack.c_str());
        writing_.reset();
    }
    for (const auto& pack : written_) {
        ::unlink(pack.pack.c_str());
        ::unlink(pack.index.c_str());
    }
    written_.clear();
}

void PackFiles::forget(std::uint32_t pack)
{
    // The pack's number stays (Locations hold it); its objects go.
    std::erase_if(objects_, [&](const Slot& slot) { return slot.where.pack == pack; });
    fds_.erase(pack);
}

std::uint64_t PackFiles::collect(const std::set<std::string>& referenced)
{
    // What each pack holds and how much of it is used, in one pass.
    struct Use {
        std::vector<std::string> kept;
        std::uint64_t keptBytes = 0, allBytes = 0;
    };
    std::vector<Use> uses;
    {
        std::lock_guard guard(mutex_);
        load();
        uses.resize(packs_.size());
        for (const auto& slot : objects_) {
            auto& use = uses[slot.where.pack];
            use.allBytes += slot.where.length;
            if (auto hash = Sha256::toHex(slot.hash); referenced.count(hash)) {
                use.kept.push_back(std::move(hash));
                use.keptBytes += slot.where.length;
            }
        }
    }
    std::uint64_t freed = 0;
    std::error_code ignored;
    auto removePack = [&](std::uint32_t number) {
        const std::string id = packs_[number];
        const auto index = directory_ / (id + ".index");
        const auto pack = directory_ / (id + ".pack");
        const auto size = std::filesystem::file_size(pack, ignored);
        // The index first: a pack without one is garbage, an index without
        // its pack would be missing objects.
        if (::unlink(index.c_str()) != 0 && errno != ENOENT)
            throwErrno("cannot delete " + index.string());
        syncDirectory(directory_);
        if (::unlink(pack.c_str()) == 0 && size != static_cast<std::uintmax_t>(-1))
            freed += size;
        std::lock_guard guard(mutex_);
        forget(number);
    };
    for (std::uint32_t number = 0; number < uses.size(); ++number) {
        const auto& [kept, keptBytes, allBytes] = uses[number];
        if (kept.empty()) {
            removePack(number);
            continue;
        }
        if (keptBytes * 2 >= allBytes)
            continue; // mostly in use: not worth copying
        // What it still holds goes into a new pack, made durable and put in
        // place, before the old one is removed.
        for (const auto& hash : kept) {
            auto stored = read(hash);
            if (!stored)
                continue; // its pack is gone
            std::lock_guard guard(mutex_);
            append(hash, *stored); // a second copy, until the old pack goes
        }
        {
            std::lock_guard guard(mutex_);
            if (writing_)
                finishPack();
            for (const auto& pack : written_)
                for (const auto& file : {pack.pack, pack.index})
                    syncFile(file);
        }
        commit();
        removePack(number);
        freed -= std::min(freed, keptBytes);
    }
    // Packs whose index is not there: what a crash left between the two renames.
    std::set<std::string> indexed;
    for (const auto& entry : std::filesystem::directory_iterator(directory_, ignored))
        if (entry.path().extension() == ".index")
            indexed.insert(entry.path().stem().string());
    for (const auto& entry : std::filesystem::directory_iterator(directory_, ignored))
        if (entry.path().extension() == ".pack" && !indexed.count(entry.path().stem().string())) {
            freed += std::filesystem::file_size(entry.path(), ignored);
            std::filesystem::remove(entry.path(), ignored);
        }
    return freed;
}

} // namespace lfsw
