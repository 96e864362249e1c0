// SPDX-License-Identifier: MIT
// The "email" alert channel: sends each alert over SMTP with libcurl to
// `alerts.email.to` and the alert's contacts. The password comes from
// `alerts.email.password_file` or the variable `alerts.email.password_env`,
// never from the YAML, and is never logged.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>

#include <curl/curl.h>
#include <unistd.h>

#include <lfsw/plugin.h>
#include <lfsw/secret.h>
#include <lfsw/units.h>

namespace {

// One header line: no line breaks may reach the message's header.
std::string headerValue(std::string text)
{
    std::replace(text.begin(), text.end(), '\r', ' ');
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

std::string rfc5322Date()
{
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    ::gmtime_r(&now, &utc);
    char text[64];
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
    return text;
}

std::string messageText(const lfsw::Alert& alert, const std::string& from,
                        const std::vector<std::string>& to)
{
    std::string recipients;
    for (const auto& address : to)
        recipients += (recipients.empty() ? "" : ", ") + address;
    char host[256] = "localhost";
    ::gethostname(host, sizeof host - 1);
    const auto stamp = std::chrono::system_clock::now().time_since_epoch().count();
    std::string text =
        "Date: " + rfc5322Date() + "\r\n" + "From: " + headerValue(from) + "\r\n" +
        "To: " + headerValue(recipients) + "\r\n" + "Subject: [lfs-wrapper] " +
        headerValue(alert.subject) + "\r\n" + "Message-ID: <lfsw." + std::to_string(stamp) + "." +
        std::to_string(::getpid()) + "@" + host + ">\r\n" + "MIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "X-LFS-Wrapper-Condition: " + headerValue(alert.event.condition) + "\r\n" + "\r\n";
    std::string body = alert.body + "\n";
    if (!alert.event.step.empty())
        body += "\nStep: " + alert.event.step;
    if (!alert.event.failureClass.empty())
        body += "\nFailure class: " + alert.event.failureClass;
    if (!alert.resumeCommand.empty())
        body += "\nOnce the cause is fixed: " + alert.resumeCommand + "\n";
    if (!alert.logTail.empty()) {
        body += "\nLast " + std::to_string(alert.logTail.size()) + " lines of the step's log:\n";
        for (const auto& line : alert.logTail)
            body += "  " + line + "\n";
    }
    for (std::size_t start = 0; start < body.size();) {
        auto end = body.find('\n', start);
        if (end == std::string::npos)
            end = body.size();
        text += body.substr(start, end - start) + "\r\n";
        start = end + 1;
    }
    return text;
}

struct Reader {
    const std::string& text;
    std::size_t offset = 0;
};

std::size_t readPayload(char* buffer, std::size_t size, std::size_t count, void* user)
{
    auto* reader = static_cast<Reader*>(user);
    const std::size_t n = std::min(size * count, reader->text.size() - reader->offset);
    std::memcpy(buffer, reader->text.data() + reader->offset, n);
    reader->offset += n;
    return n;
}

std::optional<std::string> password(lfsw::Context& context, std::string& problem)
{
    if (auto file = context.setting("alerts.email.password_file"); file && !file->empty()) {
        auto secret = lfsw::readSecretFile(*file, problem);
        if (!secret)
            problem = "alerts.email.password_file: " + problem;
        return secret;
    }
    if (auto name = context.setting("alerts.email.password_env"); name && !name->empty()) {
        const char* value = std::getenv(name->c_str());
        if (!value) {
            problem = "the variable " + *name + " (alerts.email.password_env) is not set";
            return std::nullopt;
        }
        return std::string(value);
    }
    return std::string();
}

class EmailChannel final : public lfsw::AlertChannel
{
public:
    std::string name() const override { return "email"; }
    std::string description() const override
    {
        return "Sends alerts by email over SMTP (alerts.email)";
    }

    lfsw::Result send(const lfsw::Alert& alert, lfsw::Context& context) override
    {
        auto to = context.settingList("alerts.email.to");
        for (const auto& contact : alert.contacts)
            if (std::find(to.begin(), to.end(), contact) == to.end())
                to.push_back(contact);
        if (to.empty())
            return lfsw::Result::failed(
                "no recipients: set alerts.email.to or alerts.contacts.primary");
        const auto server = context.setting("alerts.email.server").value_or("localhost");
        const auto port = context.setting("alerts.email.port").value_or("25");
        const auto from = context.setting("alerts.email.from").value_or("lfs-wrapper@localhost");
        const auto user = context.setting("alerts.email.username").value_or("");
        const bool starttls =
            lfsw::parseBool(context.setting("alerts.email.starttls").value_or("false"))
                .value_or(false);
        const auto timeout =
            lfsw::parseDuration(context.setting("alerts.email.timeout").value_or("10s"))
                .value_or(std::chrono::seconds(10));
        const bool insecureAuth =
            lfsw::parseBool(context.setting("alerts.email.insecure_auth").value_or("false"))
                .value_or(false);
        if (!user.empty() && !starttls && !insecureAuth)
            return lfsw::Result::failed(
                "alerts.email.username is set but alerts.email.starttls is not: the password "
                "would cross the network in clear; set starttls: true (or insecure_auth: true "
                "for a relay on loopback)");
        std::string problem;
        auto secret = password(context, problem);
        if (!secret)
            return lfsw::Result::failed(problem);

        std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(),
                                                                 curl_easy_cleanup);
        if (!curl)
            return lfsw::Result::failed("libcurl could not start");
        const std::string url = "smtp://" + server + ":" + port;
        const std::string text = messageText(alert, from, to);
        Reader reader{text};
        curl_slist* recipients = nullptr;
        for (const auto& address : to)
            recipients = curl_slist_append(recipients, ("<" + address + ">").c_str());
        char error[CURL_ERROR_SIZE] = "";
        curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
        curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, ("<" + from + ">").c_str());
        curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, recipients);
        curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, readPayload);
        curl_easy_setopt(curl.get(), CURLOPT_READDATA, &reader);
        curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(
            curl.get(), CURLOPT_TIMEOUT_MS,
            static_cast<long>(
                std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()));
        if (starttls)
            curl_easy_setopt(curl.get(), CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
        if (!user.empty()) {
            curl_easy_setopt(curl.get(), CURLOPT_USERNAME, user.c_str());
            curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, secret->c_str());
        }
        const CURLcode code = curl_easy_perform(curl.get());
        curl_slist_free_all(recipients);
        if (code != CURLE_OK)
            return lfsw::Result::failed("SMTP to " + server + ":" + port + " failed: " +
                                        (error[0] ? error : curl_easy_strerror(code)));
        return lfsw::Result::done("mailed " + std::to_string(to.size()) + " recipients via " +
                                  server + ":" + port);
    }
};

} // namespace

LFSW_PLUGIN("email_alert", "1.0.0", "The email alert channel (SMTP with libcurl)")
{
    registry.addAlertChannel(std::make_shared<EmailChannel>());
}
