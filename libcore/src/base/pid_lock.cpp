// SPDX-License-Identifier: MIT
#include "base/pid_lock.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/unique_fd.h"

namespace lfsw {

namespace {

std::string readPid(int fd)
{
    char text[32] = {};
    const auto got = ::pread(fd, text, sizeof text - 1, 0);
    return got > 0 ? std::string(text, static_cast<std::size_t>(got)) : std::string();
}

} // namespace

PidLock::PidLock(std::filesystem::path file) : file_(std::move(file)) {}

PidLock::~PidLock() = default;

Expected<void> PidLock::acquire()
{
    fd_.reset(::open(file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd_.isValid())
        throw std::runtime_error("cannot open " + file_.string() + ": " + std::strerror(errno));
    if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
        Unexpected held(readPid(fd_.get()));
        fd_.reset();
        return held;
    }
    const std::string pid = std::to_string(::getpid());
    if (::ftruncate(fd_.get(), 0) != 0 ||
        ::pwrite(fd_.get(), pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
        throw std::runtime_error("cannot write " + file_.string() + ": " + std::strerror(errno));
    return {};
}

std::optional<pid_t> PidLock::holder(const std::filesystem::path& file)
{
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.isValid())
        return std::nullopt;
    std::optional<pid_t> pid;
    if (::flock(fd.get(), LOCK_SH | LOCK_NB) != 0) {
        try {
            pid = static_cast<pid_t>(std::stol(readPid(fd.get())));
        } catch (const std::exception&) {
            pid = 0; // held, but the PID is not written yet
        }
    }
    return pid;
}

bool PidLock::heldBy(const std::filesystem::path& file, pid_t pid)
{
    return pid > 0 && holder(file) == pid;
}

bool PidLock::signalHolder(const std::filesystem::path& file, pid_t pid, int signal)
{
    if (pid <= 0)
        return false;
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd.isValid())
        return false;
    return heldBy(file, pid) &&
           ::syscall(SYS_pidfd_send_signal, pidfd.get(), signal, nullptr, 0) == 0;
}

} // namespace lfsw
