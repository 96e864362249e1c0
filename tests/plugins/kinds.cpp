// SPDX-License-Identifier: MIT
// Test plugin: one condition, one alert channel, one backup backend, whose
// names the zz_duplicate_* plugins take again.
#include "named_kinds.h"

LFSW_PLUGIN("kinds", "0.1.0", "Test plugin with a condition, an alert channel and a backend")
{
    registry.addCondition(std::make_shared<test::NamedCondition>());
    registry.addAlertChannel(std::make_shared<test::NamedChannel>());
    registry.addBackupBackend(std::make_shared<test::NamedBackend>());
}
