// SPDX-License-Identifier: MIT
#include "base/path_rules.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <sys/stat.h>

namespace lfsw {

bool isWithin(const std::filesystem::path& inner, const std::filesystem::path& outer)
{
    const auto relative = inner.lexically_normal().lexically_relative(outer.lexically_normal());
    // "..x" is a name inside; only a first component ".." leaves.
    return !relative.empty() && *relative.begin() != "..";
}

std::string whyUntrusted(const std::filesystem::path& path, uid_t user)
{
    auto current = std::filesystem::absolute(path).lexically_normal();
    for (bool first = true;; first = false) {
        struct stat info {
        };
        if (::stat(current.c_str(), &info) != 0)
            return current.string() + ": " + std::strerror(errno);
        const bool sticky = S_ISDIR(info.st_mode) && (info.st_mode & S_ISVTX) != 0;
        if (info.st_uid != 0 && info.st_uid != user)
            return current.string() + " is owned by uid " + std::to_string(info.st_uid) +
                   ", not by root or uid " + std::to_string(user);
        if ((info.st_mode & S_IWOTH) != 0 && !(sticky && !first && info.st_uid == 0))
            return current.string() + " is world-writable (chmod o-w " + current.string() + ")";
        if ((info.st_mode & S_IWGRP) != 0 && !(sticky && !first && info.st_uid == 0))
            return current.string() + " is group-writable (chmod g-w " + current.string() + ")";
        if (current == current.root_path() || current.parent_path() == current)
            return "";
        current = current.parent_path();
    }
}

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

std::set<std::string> mountPointsBelow(const std::filesystem::path& root)
{
    std::set<std::string> found;
    std::ifstream info("/proc/self/mountinfo");
    const std::string prefix = std::filesystem::absolute(root).lexically_normal().string() + "/";
    for (std::string line; std::getline(info, line);) {
        std::istringstream fields(line);
        std::string id, parent, device, source, target;
        fields >> id >> parent >> device >> source >> target;
        target = unescape(target);
        if (target.size() > prefix.size() && target.rfind(prefix, 0) == 0)
            found.insert(target.substr(prefix.size()));
    }
    return found;
}

bool onMountPoint(const std::set<std::string>& mountPoints, const std::string& relativePath)
{
    if (mountPoints.empty())
        return false;
    for (std::string path = relativePath; !path.empty();) {
        if (mountPoints.count(path))
            return true;
        const auto slash = path.rfind('/');
        path.resize(slash == std::string::npos ? 0 : slash);
    }
    return false;
}

} // namespace lfsw
