// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <openssl/ssl.h>

// Raised for anything that ends a delivery: the message says what, for the
// delivery record ("cannot connect to irc.example:6697: Connection refused").
class IrcError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// A connection to an IRC server, in plain text or TLS (the certificate and
// the host name verified against the system's CAs or `caFile`), every
// operation bounded by one deadline. Lines go out with CRLF appended; the
// caller makes sure they hold no line break.
class IrcConnection
{
public:
    using Clock = std::chrono::steady_clock;

    IrcConnection(const std::string& host, const std::string& port, bool tls,
                  const std::string& caFile, Clock::time_point deadline);
    ~IrcConnection();
    IrcConnection(const IrcConnection&) = delete;
    IrcConnection& operator=(const IrcConnection&) = delete;

    // Once the server has hung up, lines go nowhere: what it said before
    // (an ERROR line) is still there for receive().
    void send(const std::string& line);
    // The next line without its CRLF; nothing once the server has closed.
    std::optional<std::string> receive();
    // Where this connection goes, "host:port", for messages.
    const std::string& peer() const { return peer_; }

private:
    void connectTcp(const std::string& host, const std::string& port);
    void startTls(const std::string& host, const std::string& caFile);
    // Waits until the socket is ready for `events` or the deadline passes.
    void wait(short events, const char* doing);
    // After an SSL call that did not complete: waits for what it asked
    // for (read or write readiness); false when it failed instead.
    bool waitForTls(int returned, const char* doing);
    std::string tlsProblem(const char* doing) const;

    std::string peer_;
    Clock::time_point deadline_;
    int socket_ = -1;
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context_{nullptr, SSL_CTX_free};
    std::unique_ptr<SSL, decltype(&SSL_free)> tls_{nullptr, SSL_free};
    std::string buffer_;
    bool closed_ = false;
    bool sendBroken_ = false;
};
