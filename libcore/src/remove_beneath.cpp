// SPDX-License-Identifier: MIT
#include "remove_beneath.h"

#include <cerrno>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tree_walker.h"

namespace lfsw {

namespace {

void removeInside(int directoryFd, const std::string& shownAs, Removal& removal)
{
    std::vector<std::string> names;
    const int listFd = ::dup(directoryFd);
    if (DIR* stream = listFd >= 0 ? ::fdopendir(listFd) : nullptr) {
        while (dirent* entry = ::readdir(stream)) {
            std::string name = entry->d_name;
            if (name != "." && name != "..")
                names.push_back(std::move(name));
        }
        ::closedir(stream);
    } else if (listFd >= 0) {
        ::close(listFd);
    }
    for (const auto& name : names) {
        auto inner = removeBeneath(directoryFd, name, shownAs + "/" + name);
        removal.removed += inner.removed;
        removal.bytes += inner.bytes;
        for (auto& mount : inner.mountPoints)
            removal.mountPoints.push_back(std::move(mount));
        for (auto& error : inner.errors)
            removal.errors.push_back(std::move(error));
    }
}

} // namespace

Removal removeBeneath(int dirFd, const std::string& name, const std::string& shownAs,
                      bool keepTop)
{
    Removal removal;
    struct stat info {
    };
    if (::fstatat(dirFd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT)
            removal.errors.push_back(shownAs + ": " + std::strerror(errno));
        return removal;
    }
    if (S_ISDIR(info.st_mode)) {
        const int child = openBeneath(dirFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        if (child < 0) {
            if (errno == EXDEV)
                removal.mountPoints.push_back(shownAs);
            else if (errno != ENOENT)
                removal.errors.push_back(shownAs + ": " + std::strerror(errno));
            return removal;
        }
        removeInside(child, shownAs, removal);
        ::close(child);
        if (keepTop || !removal.mountPoints.empty())
            return removal;
        if (::unlinkat(dirFd, name.c_str(), AT_REMOVEDIR) != 0) {
            if (errno == EBUSY)
                removal.mountPoints.push_back(shownAs); // mounted on meanwhile
            else if (errno != ENOENT)
                removal.errors.push_back(shownAs + ": " + std::strerror(errno));
            return removal;
        }
    } else if (keepTop) {
        return removal;
    } else if (::unlinkat(dirFd, name.c_str(), 0) != 0) {
        if (errno != ENOENT)
            removal.errors.push_back(shownAs + ": " + std::strerror(errno));
        return removal;
    }
    ++removal.removed;
    removal.bytes += static_cast<std::uint64_t>(info.st_blocks) * 512;
    return removal;
}

} // namespace lfsw
