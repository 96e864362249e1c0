// SPDX-License-Identifier: MIT
// Test plugin: actions that record their calls, fail, or throw.
#include <fstream>

#include <lfsw/plugin.h>

namespace {

// Appends "NAME attempt=N condition=C step=S" to the file in its `file` parameter.
class Record final : public lfsw::Action
{
public:
    explicit Record(std::string name) : name_(std::move(name)) {}
    std::string name() const override { return name_; }
    std::string description() const override { return "appends a line to a file"; }
    std::vector<lfsw::ParamProblem> validate(const lfsw::Params& params) const override
    {
        if (!params.has("file"))
            return {{"", "needs a 'file' parameter"}};
        return {};
    }
    std::string describe(const lfsw::Params& params) const override
    {
        return "append a line to " + params.getOr("file", "?");
    }
    lfsw::Result run(lfsw::Context& context) override
    {
        std::ofstream out(*context.params().get("file"), std::ios::app);
        out << context.params().getOr("label", name_) << " attempt=" << context.attempt()
            << " condition=" << context.event().condition << " step=" << context.event().step
            << "\n";
        context.log(lfsw::LogLevel::Info, "recorded " + context.params().getOr("label", name_));
        return lfsw::Result::done("recorded");
    }

private:
    std::string name_;
};

class AlwaysFail final : public lfsw::Action
{
public:
    std::string name() const override { return "always_fail"; }
    std::string description() const override { return "fails every time"; }
    std::vector<lfsw::ParamProblem> validate(const lfsw::Params&) const override { return {}; }
    std::string describe(const lfsw::Params&) const override { return "fail"; }
    lfsw::Result run(lfsw::Context&) override { return lfsw::Result::failed("failed on purpose"); }
};

class ThrowInAction final : public lfsw::Action
{
public:
    std::string name() const override { return "throw_in_action"; }
    std::string description() const override { return "throws from run()"; }
    std::vector<lfsw::ParamProblem> validate(const lfsw::Params&) const override { return {}; }
    std::string describe(const lfsw::Params&) const override { return "throw"; }
    lfsw::Result run(lfsw::Context&) override { throw std::runtime_error("boom from the plugin"); }
};

class NotApplicable final : public lfsw::Action
{
public:
    std::string name() const override { return "nothing_to_do"; }
    std::string description() const override { return "is never applicable"; }
    std::vector<lfsw::ParamProblem> validate(const lfsw::Params&) const override { return {}; }
    std::string describe(const lfsw::Params&) const override { return "nothing"; }
    lfsw::Result run(lfsw::Context&) override
    {
        return lfsw::Result::notApplicable("nothing to do here");
    }
};

} // namespace

LFSW_PLUGIN("recorder", "0.1.0", "Test actions that record, fail and throw")
{
    registry.addAction(std::make_shared<Record>("record"));
    registry.addAction(std::make_shared<AlwaysFail>());
    registry.addAction(std::make_shared<ThrowInAction>());
    registry.addAction(std::make_shared<NotApplicable>());
}
