// SPDX-License-Identifier: MIT
#include "chroot_mounts.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <sys/mount.h>

namespace lfsw {

namespace {

// mountinfo escapes spaces and the like as \040 etc.
std::string unescape(const std::string& text)
{
    std::string result;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 3 < text.size()) {
            result += static_cast<char>(std::stoi(text.substr(i + 1, 3), nullptr, 8));
            i += 3;
        } else {
            result += text[i];
        }
    }
    return result;
}

} // namespace

ChrootMounts::ChrootMounts(std::filesystem::path root) : root_(std::move(root))
{
    struct Mount {
        const char* target;
        const char* source;
        const char* type;
        unsigned long flags;
    };
    const Mount mounts[] = {
        {"dev", "/dev", nullptr, MS_BIND | MS_REC},
        {"proc", "proc", "proc", 0},
        {"sys", "sysfs", "sysfs", 0},
        {"run", "tmpfs", "tmpfs", 0},
    };
    for (const auto& mount : mounts) {
        const auto target = root_ / mount.target;
        std::filesystem::create_directories(target);
        if (::mount(mount.source, target.c_str(), mount.type, mount.flags, nullptr) != 0) {
            const std::string error = std::strerror(errno);
            // Undo what was mounted: a half-prepared chroot is not left behind.
            for (auto it = mounted_.rbegin(); it != mounted_.rend(); ++it)
                ::umount2(it->c_str(), MNT_DETACH);
            throw std::runtime_error("cannot mount " + target.string() + ": " + error);
        }
        mounted_.push_back(target.string());
    }
}

ChrootMounts::~ChrootMounts()
{
    for (auto it = mounted_.rbegin(); it != mounted_.rend(); ++it)
        if (::umount2(it->c_str(), 0) != 0)
            ::umount2(it->c_str(), MNT_DETACH); // still busy: detach it now, free it later
}

std::vector<std::string> ChrootMounts::mountedBelow(const std::filesystem::path& root)
{
    std::vector<std::string> found;
    std::ifstream info("/proc/self/mountinfo");
    const std::string prefix = root.lexically_normal().string() + "/";
    for (std::string line; std::getline(info, line);) {
        std::istringstream fields(line);
        std::string id, parent, device, source, target;
        fields >> id >> parent >> device >> source >> target;
        target = unescape(target);
        if (target.rfind(prefix, 0) == 0)
            found.push_back(target);
    }
    return found;
}

std::vector<std::string> ChrootMounts::cleanUp(const std::filesystem::path& root)
{
    std::vector<std::string> unmounted;
    auto mounts = mountedBelow(root);
    // Deepest first: /dev/pts before /dev.
    std::sort(mounts.begin(), mounts.end(), [](const auto& a, const auto& b) { return a > b; });
    for (const auto& target : mounts) {
        const std::string relative = target.substr(root.lexically_normal().string().size() + 1);
        const std::string top = relative.substr(0, relative.find('/'));
        if (top != "dev" && top != "proc" && top != "sys" && top != "run")
            continue; // not ours: the user's own mounts inside the build root stay
        if (::umount2(target.c_str(), 0) == 0 || ::umount2(target.c_str(), MNT_DETACH) == 0)
            unmounted.push_back(target);
    }
    return unmounted;
}

} // namespace lfsw
