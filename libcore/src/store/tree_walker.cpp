// SPDX-License-Identifier: MIT
#include "store/tree_walker.h"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
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
    };

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
        listing.entries.push_back({std::move(name), info});
    }
    ::closedir(stream);
}

void TreeWalker::walk(const std::function<void(const std::string&, const struct stat&)>& visit)
{
    // The calling thread visits the tree depth first; helpers list the
    // directories it will come to next (the first in walk order first),
    // while fewer than kWindow entries are listed and not yet visited. So a
    // walk holds a window of the tree, not all of it: the listings on the
    // way down from the root, and those listed ahead. A directory no helper
    // has come to yet is listed by the visiting thread itself.
    struct Node {
        std::unique_ptr<Listing> listing;
        enum State { kWaiting, kListing, kListed } state = kWaiting;
    };
    const auto before = [](const std::string& a, const std::string& b) {
        return walkOrder(a, b) < 0;
    };
    std::map<std::string, Node, decltype(before)> ahead(before); // discovered, not yet visited
    std::size_t held = 0;    // entries in listings listed and not yet done with
    std::size_t waiting = 0; // nodes of `ahead` no thread lists yet
    bool finished = false;
    std::exception_ptr failure;
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::thread> helpers;
    const unsigned most = std::clamp(2 * std::thread::hardware_concurrency(), 1u, 8u);

    // Under the lock: the subdirectories of a listing join `ahead`.
    auto discover = [&](const Listing& listing) {
        held += listing.entries.size();
        for (const auto& entry : listing.entries) {
            if (!S_ISDIR(entry.info.st_mode) || entry.info.st_dev != rootDevice_)
                continue;
            auto child = std::make_unique<Listing>();
            child->path = childPath(listing.path, entry.name);
            child->inode = entry.info.st_ino;
            std::string path = child->path;
            ahead.emplace(std::move(path), Node{std::move(child), Node::kWaiting});
            ++waiting;
        }
    };
    std::function<void()> help = [&] {
        std::unique_lock lock(mutex);
        for (;;) {
            auto next = ahead.end();
            changed.wait(lock, [&] {
                if (finished || failure)
                    return true;
                if (held >= kWindow || waiting == 0)
                    return false;
                next = std::find_if(ahead.begin(), ahead.end(), [](const auto& node) {
                    return node.second.state == Node::kWaiting;
                });
                return next != ahead.end();
            });
            if (finished || failure)
                return;
            next->second.state = Node::kListing;
            --waiting;
            Listing& listing = *next->second.listing;
            lock.unlock();
            try {
                list(listing);
            } catch (...) {
                lock.lock();
                failure = std::current_exception();
                changed.notify_all();
                return;
            }
            lock.lock();
            next->second.state = Node::kListed;
            discover(listing);
            changed.notify_all();
        }
    };
    auto stop = [&] {
        {
            std::lock_guard lock(mutex);
            finished = true;
        }
        changed.notify_all();
        for (auto& helper : helpers)
            helper.join();
    };
    // The listing of `path`, listed here when no helper has come to it.
    auto take = [&](const std::string& path) -> std::unique_ptr<Listing> {
        std::unique_lock lock(mutex);
        auto it = ahead.find(path);
        if (it->second.state == Node::kWaiting) {
            it->second.state = Node::kListing;
            --waiting;
            Listing& listing = *it->second.listing;
            lock.unlock();
            list(listing);
            lock.lock();
            it->second.state = Node::kListed;
            discover(listing);
        }
        changed.wait(lock, [&] { return it->second.state == Node::kListed || failure; });
        if (failure)
            std::rethrow_exception(failure);
        auto listing = std::move(it->second.listing);
        ahead.erase(it);
        if (waiting > 1 && helpers.size() + 1 < most)
            helpers.emplace_back(help);
        changed.notify_all();
        return listing;
    };
    auto done = [&](const Listing& listing) {
        std::lock_guard lock(mutex);
        held -= listing.entries.size();
        changed.notify_all();
    };
    std::function<void(const Listing&)> emit = [&](const Listing& listing) {
        for (const auto& entry : listing.entries) {
            visit(childPath(listing.path, entry.name), entry.info);
            if (S_ISDIR(entry.info.st_mode) && entry.info.st_dev == rootDevice_) {
                auto child = take(childPath(listing.path, entry.name));
                emit(*child);
                done(*child);
            }
        }
    };
    try {
        auto root = std::make_unique<Listing>();
        list(*root);
        {
            std::lock_guard lock(mutex);
            discover(*root);
        }
        emit(*root);
    } catch (...) {
        stop();
        throw;
    }
    stop();
    if (failure)
        std::rethrow_exception(failure);
}

} // namespace lfsw
