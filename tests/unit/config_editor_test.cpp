// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "config/config_editor.h"

using lfsw::ConfigEditor;

namespace {
ConfigEditor::Edit edited(const std::string& text, const std::string& key, const std::string& value)
{
    auto result = ConfigEditor::set(text, key, value);
    REQUIRE(result.ok());
    return *result;
}
} // namespace

TEST_CASE("a one-line value is replaced in place, comments kept")
{
    const std::string text = "# my build\nbackup:\n  schedule: \"0 */4 * * *\"  # Every 4 hours\n"
                             "  retention: 7d # keep\n";
    auto edit = edited(text, "backup.retention", "14d");
    CHECK(edit.commentsKept);
    CHECK(edit.text == "# my build\nbackup:\n  schedule: \"0 */4 * * *\"  # Every 4 hours\n"
                       "  retention: 14d # keep\n");
    auto schedule = edited(text, "backup.schedule", "0 1,13 * * *");
    CHECK(schedule.commentsKept);
    CHECK(schedule.text == "# my build\nbackup:\n  schedule: 0 1,13 * * *  # Every 4 hours\n"
                           "  retention: 7d # keep\n");
}

TEST_CASE("values in a flow map are replaced in place")
{
    auto edit = edited("monitoring: {thresholds: {disk_usage: 90%, cpu_load: 95%}}\n",
                       "monitoring.thresholds.disk_usage", "80%");
    CHECK(edit.commentsKept);
    CHECK(edit.text == "monitoring: {thresholds: {disk_usage: 80%, cpu_load: 95%}}\n");
}

TEST_CASE("a missing key is added by rewriting the document, and says so")
{
    auto edit = edited("# comment\nbackup:\n  retention: 7d\n", "auto_recovery.max_attempts", "5");
    CHECK_FALSE(edit.commentsKept);
    CHECK(edit.text.find("max_attempts: 5") != std::string::npos);
    CHECK(edit.text.find("retention: 7d") != std::string::npos);
}

TEST_CASE("keys that do not hold a value are refused with a suggestion")
{
    auto result = ConfigEditor::set("", "backup.retension", "7d");
    REQUIRE(!result.ok());
    CHECK(result.error().find("did you mean 'backup.retention'?") != std::string::npos);
    CHECK(!ConfigEditor::set("", "backup", "{}").ok());
}
