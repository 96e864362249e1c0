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
        std::string text = "ALERT " + alert.subject;
        std::string body = alert.body;
        for (auto& c : body)
            if (c == '\n')
                c = ';';
        if (!body.empty())
            text += " -- " + body;
        context.log(alert.severity, text);
        return lfsw::Result::done();
    }
};

} // namespace

LFSW_PLUGIN("log_alert", "1.0.0", "The log alert channel")
{
    registry.addAlertChannel(std::make_shared<LogChannel>());
}
