// SPDX-License-Identifier: MIT
#include "build/metrics_publisher.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "build/prometheus_text.h"
#include "state/state_database.h"

namespace lfsw {

namespace {

constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

// "127.0.0.1:9101", "[::1]:9101", "0.0.0.0:9101" as a socket address.
bool parseListen(const std::string& text, sockaddr_storage& address, socklen_t& size)
{
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon + 1 >= text.size())
        return false;
    std::string host = text.substr(0, colon);
    const std::string portText = text.substr(colon + 1);
    if (portText.find_first_not_of("0123456789") != std::string::npos || portText.size() > 5)
        return false;
    const int port = std::stoi(portText);
    if (port < 1 || port > 65535)
        return false;
    address = {};
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(static_cast<std::uint16_t>(port));
        size = sizeof *v6;
        return ::inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &v6->sin6_addr) == 1;
    }
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(port));
    size = sizeof *v4;
    return ::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1;
}

MHD_Result reply(MHD_Connection* connection, unsigned int status, const std::string& body,
                 const char* type)
{
    MHD_Response* response = MHD_create_response_from_buffer(
        body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
    if (!response)
        return MHD_NO;
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    const MHD_Result queued = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return queued;
}

MHD_Result onRequest(void* self, MHD_Connection* connection, const char* url, const char* method,
                     const char*, const char*, std::size_t*, void**)
{
    return MetricsPublisher::answer(self, connection, url, method) ? MHD_YES : MHD_NO;
}

} // namespace

MetricsPublisher::MetricsPublisher(const Config& config, std::filesystem::path stateDirectory)
    : config_(config), stateDirectory_(std::move(stateDirectory)),
      textfile_(config.string("monitoring.prometheus.textfile")),
      listen_(config.string("monitoring.prometheus.listen")), logger_(makeLogger("metrics"))
{
    if (!textfile_.empty())
        textfile_ = config.resolvePath(textfile_).string();
}

MetricsPublisher::~MetricsPublisher()
{
    if (server_)
        MHD_stop_daemon(server_);
    if (socket_ >= 0)
        ::close(socket_);
}

std::string MetricsPublisher::render(StateDatabase& database)
{
    return PrometheusText(database, config_, stateDirectory_).render();
}

void MetricsPublisher::start()
{
    if (listen_.empty() || server_)
        return;
    sockaddr_storage address{};
    socklen_t size = 0;
    if (!parseListen(listen_, address, size))
        throw std::runtime_error("monitoring.prometheus.listen: '" + listen_ +
                                 "' is not ADDRESS:PORT (127.0.0.1:9101, [::1]:9101, "
                                 "0.0.0.0:9101)");
    socket_ = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int on = 1;
    if (socket_ >= 0)
        ::setsockopt(socket_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (socket_ < 0 || ::bind(socket_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::listen(socket_, 16) != 0) {
        const int why = errno;
        throw std::runtime_error(
            "monitoring.prometheus.listen: cannot serve metrics on " + listen_ + ": " +
            (why == EADDRINUSE      ? std::string("the address is in use by another program")
             : why == EADDRNOTAVAIL ? std::string("no interface of this machine has it")
             : why == EACCES        ? std::string("not allowed (a port below 1024 needs root)")
                                    : std::string(std::strerror(why))));
    }
    server_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, nullptr, nullptr, &onRequest,
                               this, MHD_OPTION_LISTEN_SOCKET, socket_,
                               MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (!server_)
        throw std::runtime_error("monitoring.prometheus.listen: libmicrohttpd could not start on " +
                                 listen_);
    LFSW_LOG(logger_, Info) << "serving metrics on http://" << listen_ << "/metrics";
}

int MetricsPublisher::answer(void* self, MHD_Connection* connection, const char* url,
                             const char* method)
{
    auto& publisher = *static_cast<MetricsPublisher*>(self);
    if (std::strcmp(method, "GET") != 0 && std::strcmp(method, "HEAD") != 0)
        return reply(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n", "text/plain");
    if (std::strcmp(url, "/metrics") != 0)
        return reply(connection, MHD_HTTP_NOT_FOUND, "lfs-wrapper serves /metrics\n", "text/plain");
    std::lock_guard guard(publisher.serving_);
    try {
        if (!publisher.serverDatabase_)
            publisher.serverDatabase_.emplace(publisher.stateDirectory_, false);
        return reply(connection, MHD_HTTP_OK, publisher.render(*publisher.serverDatabase_),
                     kContentType);
    } catch (const std::exception& e) {
        publisher.serverDatabase_.reset();
        return reply(connection, MHD_HTTP_INTERNAL_SERVER_ERROR,
                     std::string("cannot read the state: ") + e.what() + "\n", "text/plain");
    }
}

void MetricsPublisher::publish(StateDatabase& database)
{
    if (textfile_.empty())
        return;
    const std::filesystem::path directory = textfile_;
    const auto file = directory / kTextfileName;
    const auto temporary =
        directory / ("." + std::string(kTextfileName) + "." + std::to_string(::getpid()));
    std::string problem;
    try {
        const std::string text = render(database);
        const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            problem = std::strerror(errno);
        } else {
            const bool written =
                ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
            const int why = errno;
            ::close(fd);
            if (!written)
                problem = std::strerror(why);
            else if (::rename(temporary.c_str(), file.c_str()) != 0)
                problem = std::strerror(errno);
            if (!problem.empty())
                ::unlink(temporary.c_str());
        }
    } catch (const std::exception& e) {
        problem = e.what();
    }
    if (!problem.empty() && !warned_) {
        warned_ = true;
        LFSW_LOG(logger_, Warning)
            << "monitoring.prometheus.textfile: cannot write " << file.string() << ": " << problem
            << " (monitoring goes on; said once)";
    }
    if (problem.empty())
        warned_ = false;
}

} // namespace lfsw
