// SPDX-License-Identifier: MIT
// run_command: runs a shell command as a recovery step, like monit's `exec`.
//
//   recovery_actions:
//     build_failure:
//       - run_command: {command: "make -C $LFS/sources/gcc clean", timeout: 5m}
//
// The command runs in its own process group with the event in its
// environment (LFSW_CONDITION, LFSW_FAILURE_CLASS, LFSW_STEP, LFSW_ATTEMPT,
// LFSW_ROOT, LFSW_STATE_DIR, LFSW_EVIDENCE_<KEY>); when the timeout passes,
// the whole group is terminated.
#include <cctype>

#include <lfsw/command_runner.h>
#include <lfsw/plugin.h>
#include <lfsw/units.h>

namespace {

constexpr const char* kDefaultTimeout = "10m";

class RunCommand final : public lfsw::Action
{
public:
    std::string name() const override { return "run_command"; }
    std::string description() const override
    {
        return "Runs a shell command with a timeout (params: command, timeout, workdir)";
    }
    bool repeatable() const override { return false; } // the command may not be

    std::vector<lfsw::ParamProblem> validate(const lfsw::Params& params) const override
    {
        std::vector<lfsw::ParamProblem> problems;
        if (params.getOr("command", "").empty())
            problems.push_back({"", "needs a 'command' parameter, e.g. "
                                    "run_command: {command: \"make clean\"}"});
        if (auto timeout = params.get("timeout"); timeout && !lfsw::parseDuration(*timeout))
            problems.push_back(
                {"timeout", "expected a duration such as 30s or 5m, found '" + *timeout + "'"});
        for (auto& problem : lfsw::unknownParams(params, {"command", "timeout", "workdir"}))
            problems.push_back(std::move(problem));
        return problems;
    }

    std::string describe(const lfsw::Params& params) const override
    {
        return "run `" + params.getOr("command", "") + "` (timeout " +
               params.getOr("timeout", kDefaultTimeout) + ")";
    }

    lfsw::Result run(lfsw::Context& context) override
    {
        const auto& params = context.params();
        const auto& event = context.event();
        lfsw::CommandRunner::Options options;
        options.timeout = *lfsw::parseDuration(params.getOr("timeout", kDefaultTimeout));
        if (auto workdir = params.get("workdir"))
            options.workdir = *workdir;
        options.environment = {
            {"LFSW_CONDITION", event.condition},
            {"LFSW_FAILURE_CLASS", event.failureClass},
            {"LFSW_STEP", event.step},
            {"LFSW_ATTEMPT", std::to_string(context.attempt())},
            {"LFSW_ROOT", context.buildRoot().string()},
            {"LFSW_STATE_DIR", context.stateDirectory().string()},
        };
        for (const auto& [key, value] : event.evidence) {
            std::string variable = "LFSW_EVIDENCE_";
            for (char c : key)
                variable += std::isalnum(static_cast<unsigned char>(c))
                                ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                                : '_';
            options.environment[variable] = value;
        }
        std::string lastLine;
        auto outcome = lfsw::CommandRunner().run(params.getOr("command", ""), options,
                                                 [&](std::string_view line) {
                                                     context.log(lfsw::LogLevel::Info, line);
                                                     if (!line.empty())
                                                         lastLine = line;
                                                 });
        if (outcome.succeeded())
            return lfsw::Result::done(outcome.summary());
        return lfsw::Result::failed(outcome.summary() +
                                    (lastLine.empty() ? "" : " (last output: " + lastLine + ")"));
    }
};

} // namespace

LFSW_PLUGIN("run_command", "1.0.0", "Runs shell commands as recovery actions")
{
    registry.addAction(std::make_shared<RunCommand>());
}
