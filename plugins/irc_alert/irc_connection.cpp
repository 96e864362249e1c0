// SPDX-License-Identifier: MIT
#include "irc_connection.h"

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

namespace {

// RFC 2812 allows 512 bytes with the CRLF; a server that sends a longer
// line, or none at all, is not one to wait for.
constexpr std::size_t kMaxLine = 8192;

bool isIpAddress(const std::string& host)
{
    unsigned char address[sizeof(in6_addr)];
    return ::inet_pton(AF_INET, host.c_str(), address) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), address) == 1;
}

} // namespace

IrcConnection::IrcConnection(const std::string& host, const std::string& port, bool tls,
                             const std::string& caFile, Clock::time_point deadline)
    : peer_(host + ":" + port), deadline_(deadline)
{
    connectTcp(host, port);
    if (tls)
        startTls(host, caFile);
}

IrcConnection::~IrcConnection()
{
    if (tls_ && !closed_)
        SSL_shutdown(tls_.get()); // close_notify, best effort: the socket is non-blocking
    if (socket_ >= 0)
        ::close(socket_);
}

void IrcConnection::connectTcp(const std::string& host, const std::string& port)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    addrinfo* found = nullptr;
    if (const int code = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); code != 0)
        throw IrcError("cannot resolve " + host + ": " + ::gai_strerror(code));
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);
    std::string problem = "no address";
    for (auto* address = found; address; address = address->ai_next) {
        socket_ = ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                           address->ai_protocol);
        if (socket_ < 0) {
            problem = std::strerror(errno);
            continue;
        }
        if (::connect(socket_, address->ai_addr, address->ai_addrlen) == 0)
            return;
        if (errno == EINPROGRESS) {
            pollfd ready{socket_, POLLOUT, 0};
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
            if (left.count() > 0 && ::poll(&ready, 1, static_cast<int>(left.count())) == 1) {
                int error = 0;
                socklen_t size = sizeof error;
                ::getsockopt(socket_, SOL_SOCKET, SO_ERROR, &error, &size);
                if (error == 0)
                    return;
                problem = std::strerror(error);
            } else {
                problem = "timed out";
            }
        } else {
            problem = std::strerror(errno);
        }
        ::close(socket_);
        socket_ = -1;
    }
    throw IrcError("cannot connect to " + peer_ + ": " + problem);
}

std::string IrcConnection::tlsProblem(const char* doing) const
{
    std::string text = std::string("TLS ") + doing + " with " + peer_ + " failed";
    if (tls_) {
        const long verified = SSL_get_verify_result(tls_.get());
        if (verified != X509_V_OK)
            return text + ": the server's certificate is not trusted (" +
                   X509_verify_cert_error_string(verified) +
                   "); set alerts.irc.ca_file to the CA that signed it";
    }
    if (const unsigned long code = ERR_get_error()) {
        char reason[256];
        ERR_error_string_n(code, reason, sizeof reason);
        return text + ": " + reason;
    }
    return text;
}

void IrcConnection::startTls(const std::string& host, const std::string& caFile)
{
    context_.reset(SSL_CTX_new(TLS_client_method()));
    if (!context_)
        throw IrcError(tlsProblem("set-up"));
    SSL_CTX_set_min_proto_version(context_.get(), TLS1_2_VERSION);
    SSL_CTX_set_verify(context_.get(), SSL_VERIFY_PEER, nullptr);
    const bool trusted =
        caFile.empty()
            ? SSL_CTX_set_default_verify_paths(context_.get()) == 1
            : SSL_CTX_load_verify_locations(context_.get(), caFile.c_str(), nullptr) == 1;
    if (!trusted)
        throw IrcError("cannot load the CA certificates" +
                       (caFile.empty() ? std::string() : " of alerts.irc.ca_file " + caFile));
    tls_.reset(SSL_new(context_.get()));
    if (!tls_)
        throw IrcError(tlsProblem("set-up"));
    X509_VERIFY_PARAM* check = SSL_get0_param(tls_.get());
    if (isIpAddress(host)) {
        X509_VERIFY_PARAM_set1_ip_asc(check, host.c_str());
    } else {
        SSL_set_tlsext_host_name(tls_.get(), host.c_str());
        X509_VERIFY_PARAM_set1_host(check, host.c_str(), 0);
    }
    SSL_set_fd(tls_.get(), socket_);
    for (;;) {
        const int done = SSL_connect(tls_.get());
        if (done == 1)
            return;
        if (!waitForTls(done, "the TLS handshake"))
            throw IrcError(tlsProblem("handshake"));
    }
}

void IrcConnection::wait(short events, const char* doing)
{
    pollfd ready{socket_, events, 0};
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
        if (left.count() <= 0)
            throw IrcError(std::string("timed out waiting for ") + doing + " (" + peer_ + ")");
        const int n = ::poll(&ready, 1, static_cast<int>(left.count()));
        if (n > 0)
            return;
        if (n < 0 && errno != EINTR)
            throw IrcError(std::string("poll: ") + std::strerror(errno));
    }
}

bool IrcConnection::waitForTls(int returned, const char* doing)
{
    const int why = SSL_get_error(tls_.get(), returned);
    if (why == SSL_ERROR_WANT_READ)
        wait(POLLIN, doing);
    else if (why == SSL_ERROR_WANT_WRITE)
        wait(POLLOUT, doing);
    else
        return false;
    return true;
}

void IrcConnection::send(const std::string& line)
{
    const std::string data = line + "\r\n";
    std::size_t sent = 0;
    while (sent < data.size() && !sendBroken_) {
        if (tls_) {
            std::size_t written = 0;
            if (SSL_write_ex(tls_.get(), data.data() + sent, data.size() - sent, &written) == 1) {
                sent += written;
                continue;
            }
            if (!waitForTls(0, "the server"))
                sendBroken_ = true;
            continue;
        }
        const ssize_t n =
            ::send(socket_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0)
            sent += static_cast<std::size_t>(n);
        else if (errno == EAGAIN || errno == EWOULDBLOCK)
            wait(POLLOUT, "the server");
        else if (errno != EINTR)
            sendBroken_ = true;
    }
}

std::optional<std::string> IrcConnection::receive()
{
    for (;;) {
        if (const auto end = buffer_.find('\n'); end != std::string::npos) {
            std::string line = buffer_.substr(0, end);
            buffer_.erase(0, end + 1);
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            return line;
        }
        if (buffer_.size() > kMaxLine)
            throw IrcError(peer_ + " sent a line longer than " + std::to_string(kMaxLine) +
                           " bytes");
        if (closed_)
            return std::nullopt;
        char chunk[4096];
        if (tls_) {
            std::size_t got = 0;
            if (SSL_read_ex(tls_.get(), chunk, sizeof chunk, &got) == 1) {
                buffer_.append(chunk, got);
                continue;
            }
            if (!waitForTls(0, "the server"))
                closed_ = true; // close_notify, or the peer went away without one
            continue;
        }
        const ssize_t n = ::recv(socket_, chunk, sizeof chunk, MSG_DONTWAIT);
        if (n > 0)
            buffer_.append(chunk, static_cast<std::size_t>(n));
        else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            closed_ = true;
        else
            wait(POLLIN, "the server");
    }
}
