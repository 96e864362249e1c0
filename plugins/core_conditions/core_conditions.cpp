// SPDX-License-Identifier: MIT
// The conditions of lfs-wrapper's model. They are declared here, as a plugin
// like any other, so that chains, auto_recovery and alert triggers can name
// them; the subsystems that detect them (the supervisor, the monitor, backup
// verification) raise them as events, and `recovery run` raises them by hand.
#include <lfsw/plugin.h>

namespace {

class DeclaredCondition final : public lfsw::Condition
{
public:
    DeclaredCondition(std::string name, std::string description,
                      std::vector<std::string> failureClasses)
        : name_(std::move(name)), description_(std::move(description)),
          failureClasses_(std::move(failureClasses))
    {
    }

    std::string name() const override { return name_; }
    std::string description() const override { return description_; }
    std::vector<std::string> failureClasses() const override { return failureClasses_; }

private:
    std::string name_;
    std::string description_;
    std::vector<std::string> failureClasses_;
};

} // namespace

LFSW_PLUGIN("core_conditions", "1.0.0", "The conditions of the build model")
{
    registry.addCondition(std::make_shared<DeclaredCondition>(
        "build_failure", "A build step failed for a reason other than lack of memory or disk",
        std::vector<std::string>{"compile_error", "link_error", "test_failure", "fetch_error",
                                 "missing_dependency", "timeout", "killed", "unknown"}));
    registry.addCondition(std::make_shared<DeclaredCondition>(
        "resource_exhaustion",
        "Memory, disk or CPU crossed its threshold, or a step died for lack of it",
        std::vector<std::string>{"memory", "disk", "cpu"}));
    registry.addCondition(std::make_shared<DeclaredCondition>(
        "minor_corruption",
        "Files of the build tree or a backup do not match their recorded hashes",
        std::vector<std::string>{}));
    registry.addCondition(std::make_shared<DeclaredCondition>(
        "system_error", "The host itself failed: state database, store or plugin errors",
        std::vector<std::string>{}));
}
