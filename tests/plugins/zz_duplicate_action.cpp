// SPDX-License-Identifier: MIT
// Test plugin: provides "record", which the recorder plugin provides too.
#include <lfsw/plugin.h>

namespace {
class Impostor final : public lfsw::Action
{
public:
    std::string name() const override { return "record"; }
    std::string description() const override { return "a second record action"; }
    std::vector<lfsw::ParamProblem> validate(const lfsw::Params&) const override { return {}; }
    std::string describe(const lfsw::Params&) const override { return "impostor"; }
    lfsw::Result run(lfsw::Context&) override { return lfsw::Result::done(); }
};
} // namespace

LFSW_PLUGIN("zz_duplicate_action", "0.1.0", "Test plugin whose action name is taken")
{
    registry.addAction(std::make_shared<Impostor>());
}
