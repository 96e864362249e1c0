// SPDX-License-Identifier: MIT
// Recovery actions on the build tree's checkpoints: create_checkpoint,
// restore_checkpoint and clean_environment. With them the seed's chain
// stop_build -> clean_environment -> restore_checkpoint leaves the tree
// exactly as it was after the last good step.
#include <lfsw/plugin.h>
#include <lfsw/units.h>

namespace {

class CreateCheckpoint final : public lfsw::Action
{
public:
    std::string name() const override { return "create_checkpoint"; }
    std::string description() const override
    {
        return "Takes a checkpoint of the build tree as it is (params: name, default emergency)";
    }
    std::vector<lfsw::ParamProblem> validate(const lfsw::Params& params) const override
    {
        return lfsw::unknownParams(params, {"name"});
    }
    std::string describe(const lfsw::Params& params) const override
    {
        return "checkpoint the build tree as '" + params.getOr("name", "emergency") + "'";
    }
    lfsw::Result run(lfsw::Context& context) override
    {
        return context.build().createCheckpoint(context.params().getOr("name", "emergency"));
    }
};

class RestoreCheckpoint final : public lfsw::Action
{
public:
    std::string name() const override { return "restore_checkpoint"; }
    std::string description() const override
    {
        return "Reverts the build tree in place to a checkpoint (params: name, default last-good)";
    }
    bool repeatable() const override { return true; } // restoring twice ends the same
    std::vector<lfsw::ParamProblem> validate(const lfsw::Params& params) const override
    {
        return lfsw::unknownParams(params, {"name"});
    }
    std::string describe(const lfsw::Params& params) const override
    {
        return "revert the build tree to checkpoint '" + params.getOr("name", "last-good") + "'";
    }
    lfsw::Result run(lfsw::Context& context) override
    {
        return context.build().restoreCheckpoint(context.params().getOr("name", "last-good"));
    }
};

class CleanEnvironment final : public lfsw::Action
{
public:
    std::string name() const override { return "clean_environment"; }
    std::string description() const override
    {
        return "Removes the build's scratch directories and leftover mounts (params: revert)";
    }
    std::vector<lfsw::ParamProblem> validate(const lfsw::Params& params) const override
    {
        auto problems = lfsw::unknownParams(params, {"revert"});
        if (auto revert = params.get("revert"); revert && !lfsw::parseBool(*revert))
            problems.push_back({"revert", "expected true or false, found '" + *revert + "'"});
        return problems;
    }
    std::string describe(const lfsw::Params& params) const override
    {
        return lfsw::parseBool(params.getOr("revert", "false")).value_or(false)
                   ? "remove build.scratch directories and revert the tree to last-good"
                   : "remove build.scratch directories and leftover chroot mounts";
    }
    lfsw::Result run(lfsw::Context& context) override
    {
        return context.build().cleanEnvironment(
            lfsw::parseBool(context.params().getOr("revert", "false")).value_or(false));
    }
};

// Restores what a failed verification found damaged (the event's "paths"
// evidence, one path a line) from the newest backup that holds it intact.
class RepairFromBackup final : public lfsw::Action
{
public:
    std::string name() const override { return "repair_from_backup"; }
    std::string description() const override
    {
        return "Restores the damaged paths of the event from the newest good backup";
    }
    std::vector<lfsw::ParamProblem> validate(const lfsw::Params& params) const override
    {
        return lfsw::unknownParams(params, {});
    }
    std::string describe(const lfsw::Params&) const override
    {
        return "restore the paths in the event's evidence from the newest backup holding them "
               "undamaged";
    }
    lfsw::Result run(lfsw::Context& context) override
    {
        std::vector<std::string> paths;
        auto it = context.event().evidence.find("paths");
        if (it != context.event().evidence.end()) {
            std::string text = it->second;
            for (std::size_t start = 0; start < text.size();) {
                auto end = text.find('\n', start);
                if (end == std::string::npos)
                    end = text.size();
                if (end > start)
                    paths.push_back(text.substr(start, end - start));
                start = end + 1;
            }
        }
        return context.build().repairFromBackup(paths);
    }
};

} // namespace

LFSW_PLUGIN("checkpoint_actions", "1.0.0", "Recovery actions on checkpoints of the build tree")
{
    registry.addAction(std::make_shared<CreateCheckpoint>());
    registry.addAction(std::make_shared<RestoreCheckpoint>());
    registry.addAction(std::make_shared<CleanEnvironment>());
    registry.addAction(std::make_shared<RepairFromBackup>());
}
