// SPDX-License-Identifier: MIT
// The "log" alert channel: writes each alert to lfs-wrapper's log (console and
// the log file in the state directory) at the alert's severity, so that
// `logs show --level ERROR` finds it.
#include <lfsw/plugin.h>

namespace {

class LogChannel final : public lfsw::AlertChannel
{
public:
    std::string name() const override { return "log"; }
    std::string description() const override
    {
        return "Writes alerts to the log file at their severity";
    }

    lfsw::Result send(const lfsw::Alert& alert, lfsw::Context& context) override
    {
        // One log record: the subject, the body's sentences, then its
        // "key: value" evidence lines as a list a person reads.
        std::string sentences, evidence;
        std::size_t start = 0;
        while (start < alert.body.size()) {
            auto end = alert.body.find('\n', start);
            if (end == std::string::npos)
                end = alert.body.size();
            std::string line = alert.body.substr(start, end - start);
            start = end + 1;
            if (line.empty())
                continue;
            const auto colon = line.find(": ");
            const bool isEvidence = colon != std::string::npos && colon > 0 &&
                                    line.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == colon;
            if (isEvidence) {
                std::string key = line.substr(0, colon);
                for (auto& c : key)
                    if (c == '_')
                        c = ' ';
                evidence += (evidence.empty() ? "" : ", ") + key + " " + line.substr(colon + 2);
            } else {
                sentences += (sentences.empty() ? "" : " ") + line;
            }
        }
        std::string text = "ALERT " + alert.subject;
        if (!sentences.empty())
            text += ". " + sentences;
        if (!evidence.empty())
            text += " (" + evidence + ")";
        context.log(alert.severity, text);
        return lfsw::Result::done();
    }
};

} // namespace

LFSW_PLUGIN("log_alert", "1.0.0", "The log alert channel")
{
    registry.addAlertChannel(std::make_shared<LogChannel>());
}
