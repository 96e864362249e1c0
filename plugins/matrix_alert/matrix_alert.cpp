// SPDX-License-Identifier: MIT
// The "matrix" alert channel: sends each alert as an m.notice to
// `alerts.matrix.room` through the client-server API, resolving a room alias
// (#room:server) first. The transaction id is derived from the alert itself,
// so that a retry of the same alert is the same transaction and the
// homeserver does not show it twice. 429 waits retry_after_ms; a bad token,
// an unknown room or another 4xx is rejected (not retried); 5xx and network
// failures are failed (retried by the host).
#include <chrono>
#include <memory>
#include <thread>

#include <curl/curl.h>
#include <unistd.h>

#include <lfsw/plugin.h>
#include <lfsw/secret.h>
#include <lfsw/units.h>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

namespace {

using Clock = std::chrono::steady_clock;

// How often one delivery honours a 429 before it leaves the rest to the
// host's retries.
constexpr int kRateLimitWaits = 3;

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user)
{
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

std::string escapePath(CURL* curl, const std::string& text)
{
    char* escaped = curl_easy_escape(curl, text.c_str(), static_cast<int>(text.size()));
    std::string result = escaped ? escaped : "";
    curl_free(escaped);
    return result;
}

std::string escapeHtml(const std::string& text)
{
    std::string html;
    for (char c : text) {
        switch (c) {
        case '&':
            html += "&amp;";
            break;
        case '<':
            html += "&lt;";
            break;
        case '>':
            html += "&gt;";
            break;
        case '"':
            html += "&quot;";
            break;
        default:
            html += c;
        }
    }
    return html;
}

// The same alert gives the same id in every try and every process: the
// SHA-256 of its JSON and of the host's name.
std::string transactionId(const lfsw::Alert& alert)
{
    char host[256] = "";
    ::gethostname(host, sizeof host - 1);
    const std::string text = lfsw::alertToJson(alert) + "\n" + host;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id = "lfsw.";
    for (unsigned int i = 0; i < 16 && i < size; ++i) {
        id += kHex[digest[i] >> 4];
        id += kHex[digest[i] & 15];
    }
    return id;
}

nlohmann::json messageContent(const lfsw::Alert& alert)
{
    std::string body = "[lfs-wrapper] " + alert.subject + "\n" + alert.body;
    std::string html = "<p><strong>[lfs-wrapper] " + escapeHtml(alert.subject) + "</strong></p>" +
                       "<p>" + escapeHtml(alert.body) + "</p>";
    if (!alert.event.step.empty()) {
        const std::string step =
            "Step: " + alert.event.step +
            (alert.event.failureClass.empty() ? ""
                                              : ", failure class: " + alert.event.failureClass);
        body += "\n" + step;
        html += "<p>" + escapeHtml(step) + "</p>";
    }
    if (!alert.logTail.empty()) {
        std::string tail;
        for (const auto& line : alert.logTail)
            tail += line + "\n";
        body += "\n\n" + tail;
        html += "<pre><code>" + escapeHtml(tail) + "</code></pre>";
    }
    if (!alert.resumeCommand.empty()) {
        body += "\nOnce the cause is fixed: " + alert.resumeCommand;
        html +=
            "<p>Once the cause is fixed: <code>" + escapeHtml(alert.resumeCommand) + "</code></p>";
    }
    return {{"msgtype", "m.notice"},
            {"body", body},
            {"format", "org.matrix.custom.html"},
            {"formatted_body", html}};
}

struct Response {
    long status = 0;
    std::string body;
    nlohmann::json json; // null when the body is not JSON
    std::string error;   // what went wrong below HTTP; empty when a response came

    // "M_UNKNOWN_TOKEN: Invalid access token", or the status alone.
    std::string describe() const
    {
        std::string text = "HTTP " + std::to_string(status);
        if (json.is_object()) {
            const auto code = json.value("errcode", std::string());
            const auto message = json.value("error", std::string());
            if (!code.empty())
                text += " " + code;
            if (!message.empty())
                text += ": " + message;
        }
        return text;
    }
};

class MatrixClient
{
public:
    MatrixClient(std::string homeserver, std::string token, Clock::time_point deadline)
        : homeserver_(std::move(homeserver)), token_(std::move(token)), deadline_(deadline)
    {
        while (!homeserver_.empty() && homeserver_.back() == '/')
            homeserver_.pop_back();
    }

    CURL* curl() { return curl_.get(); }

    Response request(const char* method, const std::string& path, const std::string& body)
    {
        Response response;
        if (!curl_) {
            response.error = "libcurl could not start";
            return response;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
        if (left.count() <= 0) {
            response.error = "timed out";
            return response;
        }
        CURL* handle = curl_.get();
        curl_easy_reset(handle);
        const std::string url = homeserver_ + path;
        const std::string authorization = "Authorization: Bearer " + token_;
        curl_slist* headers = curl_slist_append(nullptr, authorization.c_str());
        headers = curl_slist_append(headers, "Content-Type: application/json");
        char error[CURL_ERROR_SIZE] = "";
        curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
        curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
        curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method);
        if (std::string_view(method) != "GET") {
            curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.c_str());
            curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                             static_cast<curl_off_t>(body.size()));
        }
        curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(handle, CURLOPT_WRITEDATA, &response.body);
        curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
        const CURLcode code = curl_easy_perform(handle);
        curl_slist_free_all(headers);
        if (code != CURLE_OK) {
            // The URL may be in libcurl's message; the token never is.
            response.error = error[0] ? error : curl_easy_strerror(code);
            return response;
        }
        curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
        response.json = nlohmann::json::parse(response.body, nullptr, false);
        if (response.json.is_discarded())
            response.json = nullptr;
        return response;
    }

    // Waits what a 429 asks for, when that leaves time for another try.
    bool waitRateLimit(const Response& response)
    {
        long waitMs = 1000;
        if (response.json.is_object() && response.json.contains("retry_after_ms") &&
            response.json["retry_after_ms"].is_number_integer())
            waitMs = response.json["retry_after_ms"].get<long>();
        const auto until = Clock::now() + std::chrono::milliseconds(waitMs);
        if (until + std::chrono::milliseconds(100) >= deadline_)
            return false;
        std::this_thread::sleep_until(until);
        return true;
    }

private:
    std::string homeserver_;
    std::string token_;
    Clock::time_point deadline_;
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl_{curl_easy_init(), curl_easy_cleanup};
};

// 401, 403, 404 and the other 4xx mean the same request fails again;
// 429, 5xx and no answer at all may pass later.
lfsw::Result failure(const std::string& what, const Response& response)
{
    if (!response.error.empty())
        return lfsw::Result::failed(what + ": " + response.error);
    const std::string text = what + ": " + response.describe();
    if (response.status == 401 || response.status == 403)
        return lfsw::Result::rejected(
            text + " (the access token of alerts.matrix.access_token_file is not accepted "
                   "for this room)");
    if (response.status >= 400 && response.status < 500 && response.status != 429)
        return lfsw::Result::rejected(text);
    return lfsw::Result::failed(text);
}

class MatrixChannel final : public lfsw::AlertChannel
{
public:
    std::string name() const override { return "matrix"; }
    std::string description() const override
    {
        return "Sends alerts as notices to a Matrix room (alerts.matrix)";
    }

    lfsw::Result send(const lfsw::Alert& alert, lfsw::Context& context) override
    {
        const auto homeserver = context.setting("alerts.matrix.homeserver").value_or("");
        const auto room = context.setting("alerts.matrix.room").value_or("");
        const auto tokenFile = context.setting("alerts.matrix.access_token_file").value_or("");
        if (!homeserver.starts_with("https://") && !homeserver.starts_with("http://"))
            return lfsw::Result::failed(
                homeserver.empty() ? "alerts.matrix.homeserver is not set"
                                   : "alerts.matrix.homeserver must be an http:// or https:// URL");
        if (room.empty() || (room[0] != '!' && room[0] != '#') ||
            room.find(':') == std::string::npos)
            return lfsw::Result::failed("alerts.matrix.room must be a room id (!id:server) or an "
                                        "alias (#room:server)");
        if (tokenFile.empty())
            return lfsw::Result::failed("alerts.matrix.access_token_file is not set");
        std::string problem;
        auto token = lfsw::readSecretFile(tokenFile, problem);
        if (!token)
            return lfsw::Result::failed("alerts.matrix.access_token_file: " + problem);
        const auto timeout =
            lfsw::parseDuration(context.setting("alerts.matrix.timeout").value_or("10s"))
                .value_or(std::chrono::seconds(10));
        MatrixClient client(homeserver, *token, Clock::now() + timeout);

        std::string roomId = room;
        if (room[0] == '#') {
            const auto resolved = client.request(
                "GET", "/_matrix/client/v3/directory/room/" + escapePath(client.curl(), room), "");
            if (resolved.status != 200)
                return failure("cannot resolve the room alias " + room, resolved);
            if (!resolved.json.is_object() || !resolved.json["room_id"].is_string())
                return lfsw::Result::failed("the homeserver answered the alias " + room +
                                            " without a room_id");
            roomId = resolved.json["room_id"].get<std::string>();
        }

        const std::string txnId = transactionId(alert);
        const std::string path = "/_matrix/client/v3/rooms/" + escapePath(client.curl(), roomId) +
                                 "/send/m.room.message/" + txnId;
        const std::string body = messageContent(alert).dump();
        for (int waits = 0;; ++waits) {
            const auto sent = client.request("PUT", path, body);
            if (sent.status == 200) {
                const auto event = sent.json.is_object() ? sent.json.value("event_id", "") : "";
                return lfsw::Result::done("sent to " + roomId + " (event " + event +
                                          ", transaction " + txnId + ")");
            }
            if (sent.status == 429 && waits < kRateLimitWaits && client.waitRateLimit(sent))
                continue;
            return failure("sending to " + roomId + " failed", sent);
        }
    }
};

} // namespace

LFSW_PLUGIN("matrix_alert", "1.0.0", "The Matrix alert channel (m.notice to a room)")
{
    registry.addAlertChannel(std::make_shared<MatrixChannel>());
}
