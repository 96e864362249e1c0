// SPDX-License-Identifier: MIT
#include "store/tree_walker.h"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <unistd.h>

#include "base/open_beneath.h"
#include "base/unique_fd.h"

namespace lfsw {

TreeWalker::TreeWalker(int rootFd, const Options& options) : rootFd_(rootFd), options_(options)
{
    struct stat root {
    };
    if (::fstat(rootFd_, &root) == 0)
        rootDevice_ = root.st_dev;
    for (const auto& path : options_.skip) {
        struct stat info {
        };
        if (::stat(path.c_str(), &info) == 0)
            skip_.insert({info.st_dev, info.st_ino});
    }
}

bool TreeWalker::excluded(const std::string& relativePath) const
{
    const auto slash = relativePath.rfind('/');
    const std::string name =
        slash == std::string::npos ? relativePath : relativePath.substr(slash + 1);
    for (const auto& pattern : options_.excludes) {
        if (::fnmatch(pattern.c_str(), relativePath.c_str(), FNM_PATHNAME) == 0)
            return true;
        if (pattern.find('/') == std::string::npos &&
            ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0)
            return true;
    }
    return false;
}

// One directory of the tree: what it was when stat'ed from its parent, and
// its entries once listed.
struct TreeWalker::Listing {
    struct Entry {
        std::string name;
        struct stat info;
        std::size_t listing; // the directory's own listing, or kNotEntered
    };
    static constexpr std::size_t kNotEntered = static_cast<std::size_t>(-1);

    std::string path; // relative to the root, "" for the root itself
    ino_t inode = 0;
    std::vector<Entry> entries; // sorted by name
};

namespace {

// The relative path of `name` in the directory at `prefix` ("" for the root).
std::string childPath(const std::string& prefix, const std::string& name)
{
    return prefix.empty() ? name : prefix + "/" + name;
}

} // namespace

int TreeWalker::walkOrder(std::string_view a, std::string_view b)
{
    const auto [x, y] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
    if (x == a.end())
        return y == b.end() ? 0 : -1;
    if (y == b.end())
        return 1;
    const auto rank = [](char c) { return c == '/' ? 0 : static_cast<unsigned char>(c); };
    return rank(*x) < rank(*y) ? -1 : 1;
}

void TreeWalker::list(Listing& listing) const
{
    // Read through its own descriptor (closedir closes it), and stat'ed
    // through the same directory: a directory renamed meanwhile is either
    // listed whole or not at all.
    UniqueFd listFd(openBeneath(rootFd_, listing.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    // Gone, replaced by a file or a link, or a mount point: not listed. Any
    // other failure (EIO, EACCES, EMFILE) is not an empty directory: a
    // restore would keep what it should remove, a checkpoint miss files.
    if (!listFd.isValid() && errno != ENOENT && errno != ENOTDIR && errno != ELOOP &&
        errno != EXDEV)
        throw std::runtime_error("cannot list " + (listing.path.empty() ? "." : listing.path) +
                                 ": " + std::strerror(errno));
    struct stat self {
    };
    DIR* stream = nullptr;
    if (listFd.isValid() && ::fstat(listFd.get(), &self) == 0 && self.st_dev == rootDevice_ &&
        (listing.path.empty() || self.st_ino == listing.inode))
        stream = ::fdopendir(listFd.get());
    if (!stream)
        return;       // gone or replaced meanwhile: another file system is never entered
    listFd.release(); // the stream's now
    std::vector<std::string> names;
    errno = 0;
    while (dirent* entry = ::readdir(stream)) {
        std::string name = entry->d_name;
        if (name != "." && name != "..")
            names.push_back(std::move(name));
        errno = 0;
    }
    if (errno != 0) {
        const int error = errno;
        ::closedir(stream);
        throw std::runtime_error("cannot list " + (listing.path.empty() ? "." : listing.path) +
                                 ": " + std::strerror(error));
    }
    std::sort(names.begin(), names.end());
    const int directoryFd = ::dirfd(stream);
    listing.entries.reserve(names.size());
    for (auto& name : names) {
        struct stat info {
        };
        if (::fstatat(directoryFd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0)
            continue; // gone meanwhile
        if (skip_.count({info.st_dev, info.st_ino}) || excluded(childPath(listing.path, name)))
            continue;
        listing.entries.push_back({std::move(name), info, Listing::kNotEntered});
    }
    ::closedir(stream);
}

void TreeWalker::walk(const std::function<void(const std::string&, const struct stat&)>& visit)
{
    // Directories wait in `pending` to be listed by whichever thread is free;
    // a thread is added while more than one waits. Listings are kept whole
    // (unique_ptr) so that a thread fills its own while others are added.
    std::vector<std::unique_ptr<Listing>> listings;
    listings.push_back(std::make_unique<Listing>());
    std::vector<std::size_t> pending{0};
    unsigned busy = 0;
    std::exception_ptr failure;
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::thread> helpers;
    const unsigned most = std::clamp(2 * std::thread::hardware_concurrency(), 1u, 8u);
    std::function<void()> work = [&] {
        std::unique_lock lock(mutex);
        for (;;) {
            changed.wait(lock, [&] { return !pending.empty() || busy == 0 || failure; });
            if (pending.empty() || failure)
                return;
            Listing& listing = *listings[pending.back()];
            pending.pop_back();
            ++busy;
            if (pending.size() > 1 && helpers.size() + 1 < most)
                helpers.emplace_back(work);
            lock.unlock();
            try {
                list(listing);
            } catch (...) {
                lock.lock();
                failure = std::current_exception();
                --busy;
                changed.notify_all();
                return;
            }
            lock.lock();
            for (auto& entry : listing.entries) {
                if (!S_ISDIR(entry.info.st_mode) || entry.info.st_dev != rootDevice_)
                    continue;
                entry.listing = listings.size();
                auto child = std::make_unique<Listing>();
                child->path = childPath(listing.path, entry.name);
                child->inode = entry.info.st_ino;
                listings.push_back(std::move(child));
                pending.push_back(entry.listing);
            }
            --busy;
            changed.notify_all();
        }
    };
    work();
    // No thread is busy and nothing waits: no helper is added any more.
    for (auto& helper : helpers)
        helper.join();
    if (failure)
        std::rethrow_exception(failure);

    std::function<void(const Listing&)> emit = [&](const Listing& listing) {
        for (const auto& entry : listing.entries) {
            visit(childPath(listing.path, entry.name), entry.info);
            if (entry.listing != Listing::kNotEntered)
                emit(*listings[entry.listing]);
        }
    };
    emit(*listings.front());
}

} // namespace lfsw
