// SPDX-License-Identifier: MIT
#include "base/remove_beneath.h"

#include <cerrno>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/open_beneath.h"
#include "base/unique_fd.h"

namespace lfsw {

namespace {

void removeInside(int directoryFd, const std::string& shownAs, Removal& removal)
{
    std::vector<std::string> names;
    UniqueFd listFd(::fcntl(directoryFd, F_DUPFD_CLOEXEC, 0));
    if (DIR* stream = listFd.isValid() ? ::fdopendir(listFd.get()) : nullptr) {
        listFd.release(); // the stream's now
        while (dirent* entry = ::readdir(stream)) {
            std::string name = entry->d_name;
            if (name != "." && name != "..")
                names.push_back(std::move(name));
        }
        ::closedir(stream);
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

Removal removeBeneath(int dirFd, const std::string& name, const std::string& shownAs, bool keepTop)
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
        UniqueFd child(openBeneath(dirFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
        if (!child.isValid()) {
            if (errno == EXDEV)
                removal.mountPoints.push_back(shownAs);
            else if (errno != ENOENT)
                removal.errors.push_back(shownAs + ": " + std::strerror(errno));
            return removal;
        }
        removeInside(child.get(), shownAs, removal);
        child.reset();
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
