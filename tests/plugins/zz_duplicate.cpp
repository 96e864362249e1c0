// SPDX-License-Identifier: MIT
// Test plugins (built once per kind, DUPLICATE_KIND 1 to 3): each provides
// a name of one kind that the "kinds" plugin, loaded before, provides too.
#include "named_kinds.h"

#if DUPLICATE_KIND == 1
LFSW_PLUGIN("zz_duplicate_condition", "0.1.0", "Test plugin whose condition name is taken")
{
    registry.addCondition(std::make_shared<test::NamedCondition>());
}
#elif DUPLICATE_KIND == 2
LFSW_PLUGIN("zz_duplicate_channel", "0.1.0", "Test plugin whose alert channel name is taken")
{
    registry.addAlertChannel(std::make_shared<test::NamedChannel>());
}
#else
LFSW_PLUGIN("zz_duplicate_backend", "0.1.0", "Test plugin whose backup backend name is taken")
{
    registry.addBackupBackend(std::make_shared<test::NamedBackend>());
}
#endif
