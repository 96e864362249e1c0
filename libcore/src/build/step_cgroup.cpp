// SPDX-License-Identifier: MIT
#include "build/step_cgroup.h"

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <unistd.h>

#include "base/file_content.h"

namespace lfsw {

namespace {

// Where this process's cgroups are: the cgroup2 mount and the v1 mount with
// the memory controller, from /proc/self/mountinfo, joined with the paths of
// /proc/self/cgroup. Empty when there is none.
struct OwnCgroups {
    std::filesystem::path unified;
    std::filesystem::path memoryV1;
};

OwnCgroups ownCgroups()
{
    std::filesystem::path unifiedMount;
    std::filesystem::path memoryMount;
    std::ifstream mounts("/proc/self/mountinfo");
    for (std::string line; std::getline(mounts, line);) {
        // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...] - FSTYPE SOURCE SUPEROPTIONS
        std::istringstream fields(line);
        std::vector<std::string> parts;
        for (std::string field; fields >> field;)
            parts.push_back(field);
        std::size_t dash = 0;
        while (dash < parts.size() && parts[dash] != "-")
            ++dash;
        if (parts.size() < 5 || dash + 3 >= parts.size())
            continue;
        const std::string& type = parts[dash + 1];
        const std::string options = "," + parts[dash + 3] + ",";
        if (type == "cgroup2" && unifiedMount.empty())
            unifiedMount = parts[4];
        else if (type == "cgroup" && options.find(",memory,") != std::string::npos)
            memoryMount = parts[4];
    }
    OwnCgroups own;
    std::ifstream cgroups("/proc/self/cgroup");
    for (std::string line; std::getline(cgroups, line);) {
        // "0::/path" (v2) or "4:memory:/path" (v1; controllers may be listed together).
        const auto first = line.find(':');
        const auto second = line.find(':', first + 1);
        if (first == std::string::npos || second == std::string::npos)
            continue;
        const std::string controllers = "," + line.substr(first + 1, second - first - 1) + ",";
        const std::filesystem::path path = line.substr(second + 1);
        const auto relative = path.relative_path();
        if (controllers == ",," && !unifiedMount.empty())
            own.unified = unifiedMount / relative;
        else if (controllers.find(",memory,") != std::string::npos && !memoryMount.empty())
            own.memoryV1 = memoryMount / relative;
    }
    return own;
}

bool writeFile(const std::filesystem::path& file, const std::string& text)
{
    std::ofstream out(file);
    out << text;
    out.flush();
    return static_cast<bool>(out);
}

std::string readFile(const std::filesystem::path& file)
{
    return readFileText(file).value_or("");
}

bool hasWord(const std::string& text, const std::string& word)
{
    std::istringstream words(text);
    for (std::string w; words >> w;)
        if (w == word)
            return true;
    return false;
}

} // namespace

Expected<std::unique_ptr<StepCgroup>> StepCgroup::create(const std::string& name,
                                                         std::uint64_t limitBytes)
{
    const auto own = ownCgroups();
    std::error_code error;
    // v2: only where this cgroup hands the memory controller to its children.
    if (!own.unified.empty() && hasWord(readFile(own.unified / "cgroup.controllers"), "memory") &&
        (hasWord(readFile(own.unified / "cgroup.subtree_control"), "memory") ||
         writeFile(own.unified / "cgroup.subtree_control", "+memory"))) {
        const auto directory = own.unified / name;
        if (std::filesystem::create_directory(directory, error) &&
            writeFile(directory / "memory.max", std::to_string(limitBytes))) {
            writeFile(directory / "memory.swap.max", "0");
            return std::unique_ptr<StepCgroup>(new StepCgroup(directory, 2));
        }
        std::filesystem::remove(directory, error);
    }
    if (!own.memoryV1.empty()) {
        const auto directory = own.memoryV1 / name;
        if (std::filesystem::create_directory(directory, error) &&
            writeFile(directory / "memory.limit_in_bytes", std::to_string(limitBytes))) {
            // Not there without swap accounting: then the cap holds RAM only.
            if (std::filesystem::exists(directory / "memory.memsw.limit_in_bytes"))
                writeFile(directory / "memory.memsw.limit_in_bytes", std::to_string(limitBytes));
            return std::unique_ptr<StepCgroup>(new StepCgroup(directory, 1));
        }
        std::filesystem::remove(directory, error);
        return Unexpected("cannot create a memory cgroup in " + own.memoryV1.string() +
                          (error ? ": " + error.message() : std::string()));
    }
    return Unexpected(own.unified.empty() ? "no cgroup with a memory controller"
                                          : "the memory controller is not delegated to " +
                                                own.unified.string() + " (cgroup.subtree_control)");
}

StepCgroup::StepCgroup(std::filesystem::path directory, int version)
    : directory_(std::move(directory)), version_(version)
{
}

StepCgroup::~StepCgroup()
{
    // The step's processes are gone by now, but the kernel may take a moment
    // to let go of the last one: rmdir answers EBUSY meanwhile.
    for (int tries = 0; tries < 50; ++tries) {
        if (::rmdir(directory_.c_str()) == 0 || errno == ENOENT)
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

std::filesystem::path StepCgroup::countersFile() const
{
    return directory_ / (version_ == 2 ? "memory.events" : "memory.oom_control");
}

std::uint64_t StepCgroup::oomKills() const
{
    std::istringstream counters(readFile(countersFile()));
    std::string key;
    std::uint64_t value = 0;
    while (counters >> key >> value)
        if (key == "oom_kill")
            return value;
    return 0;
}

std::string StepCgroup::oomEvidence() const
{
    const auto kills = oomKills();
    return kills == 0 ? std::string()
                      : countersFile().string() + ": oom_kill " + std::to_string(kills);
}

std::string StepCgroup::describe() const
{
    return (version_ == 2 ? "cgroup v2 memory.max in " : "cgroup v1 memory.limit_in_bytes in ") +
           directory_.string();
}

} // namespace lfsw
