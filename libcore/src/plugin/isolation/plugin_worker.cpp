// SPDX-License-Identifier: MIT
#include "plugin/isolation/plugin_worker.h"

#include <algorithm>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lfsw/command_runner.h>
#include <lfsw/units.h>

#include "base/unique_fd.h"
#include "plugin/isolation/plugin_protocol.h"

namespace lfsw {

namespace {

// The descriptor the worker finds its end of the socket on.
constexpr int kWorkerFd = 3;

std::string durationText(std::chrono::milliseconds duration)
{
    return formatDuration(std::chrono::duration_cast<std::chrono::seconds>(duration));
}

nlohmann::json valueReply(nlohmann::json value)
{
    return {{"op", protocol::op::kValue}, {"value", std::move(value)}};
}

// What the worker's BuildControl asks the host's, one entry per call: the
// answer is the call's value (a Result as JSON for the actions on the build).
using BuildCall = nlohmann::json (*)(BuildControl&, const nlohmann::json&);
const std::map<std::string, BuildCall>& buildCalls()
{
    namespace call = protocol::build_call;
    static const std::map<std::string, BuildCall> calls = {
        {call::kSupervising,
         [](BuildControl& build, const nlohmann::json&) -> nlohmann::json {
             return build.supervising();
         }},
        {call::kLimits,
         [](BuildControl& build, const nlohmann::json&) -> nlohmann::json {
             const auto limits = build.limits();
             return {{"jobs", limits.jobs}, {"memory", limits.memoryBytes}};
         }},
        {call::kAdjustLimits,
         [](BuildControl& build, const nlohmann::json& request) -> nlohmann::json {
             StepLimits limits;
             limits.jobs = static_cast<int>(
                 std::clamp<std::int64_t>(protocol::integer(request, "jobs", 1), 1, 4096));
             limits.memoryBytes = static_cast<std::uint64_t>(
                 std::max<std::int64_t>(0, protocol::integer(request, "memory")));
             build.adjustLimits(limits, protocol::text(request, "argument"));
             return nullptr;
         }},
        {call::kStopBuild,
         [](BuildControl& build, const nlohmann::json& request) -> nlohmann::json {
             return protocol::toJson(build.stopBuild(protocol::flag(request, "force")));
         }},
        {call::kRestartStep,
         [](BuildControl& build, const nlohmann::json&) -> nlohmann::json {
             return protocol::toJson(build.restartStep());
         }},
        {call::kCreateCheckpoint,
         [](BuildControl& build, const nlohmann::json& request) -> nlohmann::json {
             return protocol::toJson(build.createCheckpoint(protocol::text(request, "argument")));
         }},
        {call::kRestoreCheckpoint,
         [](BuildControl& build, const nlohmann::json& request) -> nlohmann::json {
             return protocol::toJson(build.restoreCheckpoint(protocol::text(request, "argument")));
         }},
        {call::kCleanEnvironment,
         [](BuildControl& build, const nlohmann::json& request) -> nlohmann::json {
             return protocol::toJson(build.cleanEnvironment(protocol::flag(request, "revert")));
         }},
        {call::kFreeResources,
         [](BuildControl& build, const nlohmann::json&) -> nlohmann::json {
             return protocol::toJson(build.freeResources());
         }},
        {call::kRepairFromBackup,
         [](BuildControl& build, const nlohmann::json& request) -> nlohmann::json {
             return protocol::toJson(build.repairFromBackup(protocol::strings(request, "paths")));
         }},
    };
    return calls;
}

} // namespace

PluginWorker::PluginWorker(std::filesystem::path pluginFile, WorkerSettings settings)
    : pluginFile_(std::move(pluginFile)), settings_(std::move(settings))
{
}

PluginWorker::~PluginWorker()
{
    if (pid_ > 0) {
        channel_.reset(); // the worker sees the end of its input and exits
        reap(false);
    }
}

PluginWorker::Reply PluginWorker::load()
{
    std::lock_guard lock(mutex_);
    if (!death_.empty())
        return {false, {}, death_, true};
    if (pid_ <= 0)
        if (auto started = start(); !started)
            return {false, {}, started.error(), !death_.empty()};
    return {true, loaded_, {}};
}

bool PluginWorker::dead()
{
    std::lock_guard lock(mutex_);
    return !death_.empty();
}

Expected<void> PluginWorker::start()
{
    int ends[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0)
        return Unexpected(std::string("cannot make a socket for the plugin worker: ") +
                          std::strerror(errno));
    UniqueFd hostEnd(ends[0]);
    UniqueFd workerEnd(ends[1]);
    // Everything the child needs is made before fork(): after it, only
    // async-signal-safe calls.
    const std::string program = settings_.program.string();
    const std::string memory = std::to_string(settings_.memoryLimitBytes);
    const std::string file = pluginFile_.string();
    const char* argv[] = {program.c_str(), "--memory-limit", memory.c_str(), file.c_str(), nullptr};
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0)
        return Unexpected(std::string("cannot start the plugin worker: ") + std::strerror(errno));
    if (pid == 0) {
        // The worker ends with the host, whatever kills the host.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(127);
        if (::dup2(workerEnd.get(), kWorkerFd) < 0)
            ::_exit(127);
        ::close_range(kWorkerFd + 1, ~0U, 0);
        ::execv(program.c_str(), const_cast<char* const*>(argv));
        ::_exit(127);
    }
    workerEnd.reset();
    pid_ = pid;
    channel_ = std::make_unique<PluginChannel>(std::move(hostEnd));
    nlohmann::json message;
    const auto receipt =
        channel_->receive(message, std::chrono::steady_clock::now() + settings_.queryTimeout);
    if (receipt == PluginChannel::Receipt::Message &&
        protocol::text(message, "op") == protocol::op::kLoaded) {
        loaded_ = message;
        return {};
    }
    const bool timedOut = receipt == PluginChannel::Receipt::TimedOut;
    const std::string how = reap(timedOut);
    channel_.reset();
    if (timedOut)
        return Unexpected("the plugin worker did not load " + file + " within " +
                          durationText(settings_.queryTimeout) + "; it was killed");
    if (how == "exited with status 127")
        return Unexpected("cannot run the plugin worker " + program);
    death_ = "the plugin's worker ended while loading " + file + ": " + how;
    return Unexpected(death_);
}

PluginWorker::Reply PluginWorker::call(const nlohmann::json& request,
                                       std::chrono::milliseconds timeout, Context* context)
{
    Reply reply;
    bool died = false;
    {
        std::lock_guard lock(mutex_);
        if (!death_.empty())
            return {false, {}, death_, true};
        reply = exchange(request, timeout, context);
        died = reply.died = !reply.ok && !death_.empty();
    }
    if (died && crashHandler_)
        crashHandler_(death_);
    return reply;
}

PluginWorker::Reply PluginWorker::exchange(const nlohmann::json& request,
                                           std::chrono::milliseconds timeout, Context* context)
{
    if (pid_ <= 0)
        if (auto started = start(); !started)
            return {false, {}, started.error()};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool sent = channel_->send(request);
    for (;;) {
        nlohmann::json message;
        const auto receipt =
            sent ? channel_->receive(message, deadline) : PluginChannel::Receipt::Closed;
        if (receipt == PluginChannel::Receipt::TimedOut) {
            reap(true);
            channel_.reset();
            return {false,
                    {},
                    "the plugin did not finish within " + durationText(timeout) +
                        "; its worker was killed"};
        }
        if (receipt == PluginChannel::Receipt::Closed) {
            death_ = "the plugin's worker ended: " + reap(false);
            channel_.reset();
            return {false, {}, death_};
        }
        const std::string op = protocol::text(message, "op");
        if (op == protocol::op::kReply)
            return {true, message, {}};
        serve(message, context);
        sent = true;
    }
}

Result PluginWorker::callForResult(const nlohmann::json& request, std::chrono::milliseconds timeout,
                                   Context& context, const std::string& who, nlohmann::json* reply)
{
    auto answer = call(request, timeout, &context);
    if (!answer.ok)
        return Result::failed(who + ": " + answer.failure);
    auto result = protocol::resultFromJson(protocol::member(answer.message, "result"));
    if (reply)
        *reply = std::move(answer.message);
    return result;
}

void PluginWorker::serve(const nlohmann::json& request, Context* context)
{
    const std::string op = protocol::text(request, "op");
    if (op == protocol::op::kLog) {
        if (context)
            context->log(parseLogLevel(protocol::text(request, "level")).value_or(LogLevel::Info),
                         protocol::text(request, "message"));
        return; // log records are not answered
    }
    if (!context) {
        channel_->send(valueReply(nullptr));
        return;
    }
    const std::string key = protocol::text(request, "key");
    if (op == protocol::op::kSetting) {
        const std::string kind = protocol::text(request, "kind");
        if (kind == "list") {
            channel_->send(valueReply(context->settingList(key)));
        } else if (kind == "map") {
            channel_->send(valueReply(context->settingMap(key)));
        } else {
            const auto value = context->setting(key);
            channel_->send(valueReply(value ? nlohmann::json(*value) : nlohmann::json()));
        }
        return;
    }
    if (op != protocol::op::kBuild) {
        channel_->send(valueReply(nullptr));
        return;
    }
    BuildControl& build = context->build();
    const std::string call = protocol::text(request, "call");
    const auto handler = buildCalls().find(call);
    channel_->send(
        valueReply(handler == buildCalls().end()
                       ? protocol::toJson(Result::failed("the plugin asked the build for '" + call +
                                                         "', which BuildControl does not offer"))
                       : handler->second(build, request)));
}

std::string PluginWorker::reap(bool kill)
{
    if (pid_ <= 0)
        return "is not running";
    if (kill)
        ::kill(pid_, SIGKILL);
    int status = 0;
    // A worker that closed its socket but goes on living gets two seconds.
    for (int waited = 0;; ++waited) {
        const pid_t done = ::waitpid(pid_, &status, kill || waited >= 200 ? 0 : WNOHANG);
        if (done == pid_ || (done < 0 && errno != EINTR))
            break;
        if (waited == 199)
            ::kill(pid_, SIGKILL);
        if (done == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    CommandOutcome outcome;
    outcome.started = true;
    if (WIFSIGNALED(status))
        outcome.signal = WTERMSIG(status);
    else if (WIFEXITED(status))
        outcome.exitStatus = WEXITSTATUS(status);
    return outcome.summary();
}

} // namespace lfsw
