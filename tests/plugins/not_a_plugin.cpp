// SPDX-License-Identifier: MIT
// Test library: a valid shared object that is not an lfs-wrapper plugin.
extern "C" __attribute__((visibility("default"))) int not_a_plugin_answer()
{
    return 42;
}
