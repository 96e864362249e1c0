// SPDX-License-Identifier: MIT
#include "base/process_table.h"

#include <csignal>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <dirent.h>
#include <unistd.h>

namespace lfsw {

namespace {

bool readProcess(pid_t pid, ProcessInfo& info)
{
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(stat, text))
        return false;
    // comm may hold spaces and parentheses: it ends at the last ')'.
    auto open = text.find('(');
    auto close = text.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 2 >= text.size())
        return false;
    info.pid = pid;
    info.command = text.substr(open + 1, close - open - 1);
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    std::vector<std::string> values;
    while (fields >> field)
        values.push_back(field);
    // values[0] is field 3 (state) of proc(5).
    if (values.size() < 22)
        return false;
    info.state = values[0].empty() ? '?' : values[0][0];
    info.parent = static_cast<pid_t>(std::stol(values[1]));
    info.group = static_cast<pid_t>(std::stol(values[2]));
    info.cpuTicks = std::stoull(values[11]) + std::stoull(values[12]);
    info.rssBytes = std::stoull(values[21]) * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    return true;
}

} // namespace

ProcessTable ProcessTable::snapshot()
{
    ProcessTable table;
    DIR* proc = ::opendir("/proc");
    if (!proc)
        return table;
    while (dirent* entry = ::readdir(proc)) {
        char* end = nullptr;
        long pid = std::strtol(entry->d_name, &end, 10);
        if (*end != '\0' || pid <= 0)
            continue;
        ProcessInfo info;
        if (readProcess(static_cast<pid_t>(pid), info))
            table.processes_.push_back(std::move(info));
    }
    ::closedir(proc);
    return table;
}

std::vector<ProcessInfo> ProcessTable::buildProcesses(pid_t root, pid_t group) const
{
    std::multimap<pid_t, const ProcessInfo*> children;
    for (const auto& process : processes_)
        children.emplace(process.parent, &process);
    std::set<pid_t> chosen;
    std::vector<pid_t> pending{root};
    while (!pending.empty() && root > 0) {
        pid_t parent = pending.back();
        pending.pop_back();
        auto [first, last] = children.equal_range(parent);
        for (auto it = first; it != last; ++it)
            if (chosen.insert(it->second->pid).second)
                pending.push_back(it->second->pid);
    }
    std::vector<ProcessInfo> result;
    for (const auto& process : processes_)
        if (process.state != 'Z' && process.pid != ::getpid() &&
            (chosen.count(process.pid) || (group > 0 && process.group == group)))
            result.push_back(process);
    return result;
}

bool ProcessTable::alive(pid_t pid)
{
    ProcessInfo info;
    return pid > 0 && readProcess(pid, info) && info.state != 'Z';
}

int ProcessTable::terminate(pid_t root, pid_t group, std::chrono::milliseconds grace)
{
    std::set<pid_t> signalled;
    const auto deadline = std::chrono::steady_clock::now() + grace;
    int signal = grace.count() > 0 ? SIGTERM : SIGKILL;
    for (int round = 0; round < 1000; ++round) {
        auto processes = snapshot().buildProcesses(root, group);
        if (processes.empty())
            break;
        if (signal == SIGTERM && std::chrono::steady_clock::now() >= deadline)
            signal = SIGKILL;
        for (const auto& process : processes) {
            // A new process, or the time for SIGKILL has come.
            if (signalled.insert(process.pid).second || signal == SIGKILL)
                ::kill(process.pid, signal);
        }
        if (group > 0)
            ::kill(-group, signal);
        // Zombies are skipped by buildProcesses(); their parents (or the
        // supervisor, a subreaper) reap them: reaping here could steal the
        // exit status of the step the runner is waiting for.
        std::this_thread::sleep_for(std::chrono::milliseconds(signal == SIGKILL ? 10 : 50));
    }
    return static_cast<int>(signalled.size());
}

int ProcessTable::terminatePids(const std::vector<pid_t>& pids, std::chrono::milliseconds grace)
{
    const auto deadline = std::chrono::steady_clock::now() + grace;
    for (pid_t pid : pids)
        ::kill(pid, grace.count() > 0 ? SIGTERM : SIGKILL);
    while (std::chrono::steady_clock::now() < deadline) {
        bool any = false;
        for (pid_t pid : pids)
            any = any || alive(pid);
        if (!any)
            return static_cast<int>(pids.size());
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (pid_t pid : pids)
        if (alive(pid))
            ::kill(pid, SIGKILL);
    return static_cast<int>(pids.size());
}

} // namespace lfsw
