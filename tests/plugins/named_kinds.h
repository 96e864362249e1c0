// SPDX-License-Identifier: MIT
// A condition, an alert channel and a backup backend that do nothing but
// carry a name: the "kinds" test plugin provides them, and the
// zz_duplicate_* plugins provide one of them again, to be refused.
#pragma once

#include <lfsw/plugin.h>

namespace test {

class NamedCondition final : public lfsw::Condition
{
public:
    std::string name() const override { return "test_condition"; }
    std::string description() const override { return "a condition only tests raise"; }
};

class NamedChannel final : public lfsw::AlertChannel
{
public:
    std::string name() const override { return "test_channel"; }
    std::string description() const override { return "an alert channel that drops alerts"; }
    lfsw::Result send(const lfsw::Alert&, lfsw::Context&) override { return lfsw::Result::done(); }
};

class NamedBackend final : public lfsw::BackupBackend
{
public:
    std::string name() const override { return "test_backend"; }
    std::string description() const override { return "a backup backend that keeps nothing"; }
    lfsw::Result create(const std::vector<std::string>&, const std::vector<std::string>&,
                        lfsw::Context&) override
    {
        return nothing();
    }
    lfsw::Result list(std::vector<lfsw::BackupSnapshot>&, lfsw::Context&) override
    {
        return nothing();
    }
    lfsw::Result verify(const std::string&, lfsw::Context&) override { return nothing(); }
    lfsw::Result restore(const std::string&, const std::vector<std::string>&, const std::string&,
                         lfsw::Context&) override
    {
        return nothing();
    }
    lfsw::Result prune(std::chrono::seconds, lfsw::Context&) override { return nothing(); }

private:
    static lfsw::Result nothing() { return lfsw::Result::failed("a test backend keeps nothing"); }
};

} // namespace test
