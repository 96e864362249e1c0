// SPDX-License-Identifier: MIT
// The "webhook" alert channel: POSTs each alert as JSON (lfsw::alertToJson)
// to `alerts.webhook.url` with the configured headers. An HTTP status of 400
// or more is a failure, so the host retries it.
#include <chrono>
#include <memory>

#include <curl/curl.h>

#include <lfsw/plugin.h>
#include <lfsw/units.h>

namespace {

std::size_t discard(char*, std::size_t size, std::size_t count, void*)
{
    return size * count;
}

// Where a POST goes, for messages and the log: scheme, host and port only.
// A webhook URL often carries its token in the userinfo, the path or the
// query, and the message of every try is logged and kept in the database.
std::string destination(const std::string& url)
{
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), curl_url_cleanup);
    if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
        return "the configured URL";
    auto part = [&](CURLUPart which) {
        char* text = nullptr;
        std::string value;
        if (curl_url_get(parsed.get(), which, &text, 0) == CURLUE_OK && text)
            value = text;
        curl_free(text);
        return value;
    };
    const std::string port = part(CURLUPART_PORT);
    return part(CURLUPART_SCHEME) + "://" + part(CURLUPART_HOST) + (port.empty() ? "" : ":" + port);
}

class WebhookChannel final : public lfsw::AlertChannel
{
public:
    std::string name() const override { return "webhook"; }
    std::string description() const override
    {
        return "POSTs alerts as JSON to an HTTP endpoint (alerts.webhook)";
    }

    lfsw::Result send(const lfsw::Alert& alert, lfsw::Context& context) override
    {
        const auto url = context.setting("alerts.webhook.url").value_or("");
        if (url.empty())
            return lfsw::Result::failed("alerts.webhook.url is not set");
        const auto timeout =
            lfsw::parseDuration(context.setting("alerts.webhook.timeout").value_or("10s"))
                .value_or(std::chrono::seconds(10));
        std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(),
                                                                 curl_easy_cleanup);
        if (!curl)
            return lfsw::Result::failed("libcurl could not start");
        const std::string body = lfsw::alertToJson(alert);
        curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
        for (const auto& [name, value] : context.settingMap("alerts.webhook.headers"))
            headers = curl_slist_append(headers, (name + ": " + value).c_str());
        char error[CURL_ERROR_SIZE] = "";
        curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
        // A webhook is HTTP: no file://, gopher:// or smtp:// from a config
        // value, and no redirect to one.
        curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl.get(), CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
        curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(body.size()));
        curl_easy_setopt(curl.get(), CURLOPT_FAILONERROR, 1L);
        curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(
            curl.get(), CURLOPT_TIMEOUT_MS,
            static_cast<long>(
                std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()));
        const CURLcode code = curl_easy_perform(curl.get());
        curl_slist_free_all(headers);
        if (code != CURLE_OK)
            return lfsw::Result::failed("POST to " + destination(url) + " failed: " +
                                        (error[0] ? error : curl_easy_strerror(code)));
        long status = 0;
        curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
        return lfsw::Result::done("posted to " + destination(url) + " (HTTP " +
                                  std::to_string(status) + ")");
    }
};

} // namespace

LFSW_PLUGIN("webhook_alert", "1.0.0", "The webhook alert channel (HTTP POST of JSON)")
{
    registry.addAlertChannel(std::make_shared<WebhookChannel>());
}
