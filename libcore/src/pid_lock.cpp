// SPDX-License-Identifier: MIT
#include "pid_lock.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

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

PidLock::~PidLock()
{
    if (fd_ >= 0)
        ::close(fd_); // releases the lock
}

bool PidLock::acquire(std::string& holder)
{
    fd_ = ::open(file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0)
        throw std::runtime_error("cannot open " + file_.string() + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        holder = readPid(fd_);
        ::close(fd_);
        fd_ = -1;
        return false;
    }
    const std::string pid = std::to_string(::getpid());
    if (::ftruncate(fd_, 0) != 0 ||
        ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
        throw std::runtime_error("cannot write " + file_.string() + ": " + std::strerror(errno));
    return true;
}

std::optional<pid_t> PidLock::holder(const std::filesystem::path& file)
{
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    std::optional<pid_t> pid;
    if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
        try {
            pid = static_cast<pid_t>(std::stol(readPid(fd)));
        } catch (const std::exception&) {
            pid = 0; // held, but the PID is not written yet
        }
    }
    ::close(fd);
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
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0)
        return false;
    const bool held = heldBy(file, pid) &&
                      ::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0) == 0;
    ::close(pidfd);
    return held;
}

} // namespace lfsw
