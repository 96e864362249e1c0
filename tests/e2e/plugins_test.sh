#!/usr/bin/env bash
# plugins list and the loader's refusals, through the real binary.
. "$(dirname "$0")/lib.sh"

run plugins list
expect_status 0 "stock plugins"
expect_out "run_command 1.0.0 (ABI $PLUGIN_ABI)"
expect_out "actions:        run_command"
expect_out "conditions:     build_failure, resource_exhaustion, minor_corruption, system_error"
expect_out "alert channels: log"

LFSW_PLUGIN_PATH=$TEST_PLUGIN_DIR run plugins list
expect_status 1 "refusals make the status 1"
expect_out "recorder 0.1.0"
expect_out "actions:        record, always_fail, throw_in_action, nothing_to_do"
expect_out "8 plugin files were refused"
expect_err "abi_too_new.so: plugin ABI $((PLUGIN_ABI + 1)) is newer than this host's maximum $PLUGIN_ABI"
expect_err "abi_too_old.so: plugin ABI $((PLUGIN_ABI_MIN - 1)) is older than this host's minimum $PLUGIN_ABI_MIN"
expect_err "not_a_plugin.so: not an lfs-wrapper plugin"
expect_err "throws_at_register.so: plugin 'throws_at_register' threw during registration: registration exploded"
expect_err "zz_duplicate_action.so: plugin 'zz_duplicate_action' refused: action 'record' is already provided by plugin 'recorder' ($TEST_PLUGIN_DIR/recorder.so)"
# the same for every kind of name a plugin provides
expect_out "kinds 0.1.0"
for kind in "condition:condition 'test_condition'" "channel:alert channel 'test_channel'" "backend:backup backend 'test_backend'"; do
  expect_err "zz_duplicate_${kind%%:*}.so: plugin 'zz_duplicate_${kind%%:*}' refused: ${kind#*:} is already provided by plugin 'kinds' ($TEST_PLUGIN_DIR/kinds.so)"
done
# the host survives and the good plugins are still usable
expect_out "run_command 1.0.0"

# plugins.dirs comes first and is relative to the config file
mkdir -p site/plugins
cp "$TEST_PLUGIN_DIR/recorder.so" site/plugins/
chmod 755 site/plugins/recorder.so
cat > site/lfs-wrapper.yaml <<'YAML'
plugins:
  dirs: [plugins]
  disable: [log_alert]
alerts:
  methods: []
YAML
run --config site/lfs-wrapper.yaml plugins list
expect_status 0
expect_out "file:           $SCRATCH/site/plugins/recorder.so"
expect_no_out "log_alert"

chmod o+w site/plugins
run --config site/lfs-wrapper.yaml plugins list
expect_status 1 "world-writable dir"
expect_err "plugin directory refused: $SCRATCH/site/plugins is world-writable"
chmod o-w site/plugins

# as root: a plugin directory (or file) another user owns or can write is
# refused, and a disabled plugin is never opened, so none of its code runs
if [ "$(id -u)" -eq 0 ]; then
  mkdir -p foreign/plugins
  cp "$TEST_PLUGIN_DIR/recorder.so" foreign/plugins/
  chown nobody foreign/plugins && chmod 775 foreign/plugins && chmod 664 foreign/plugins/recorder.so
  printf 'plugins:\n  dirs: [plugins]\nalerts:\n  methods: []\n' > foreign/lfs-wrapper.yaml
  run --config foreign/lfs-wrapper.yaml plugins list
  expect_status 1 "a directory owned by nobody"
  expect_err "plugin directory refused: $SCRATCH/foreign/plugins is owned by uid $(id -u nobody), not by root or uid 0"
  expect_no_out "foreign/plugins/recorder.so"
  chown root foreign/plugins
  run --config foreign/lfs-wrapper.yaml plugins list
  expect_status 1 "a group-writable directory"
  expect_err "foreign/plugins is group-writable"
  chmod 755 foreign/plugins
  run --config foreign/lfs-wrapper.yaml plugins list
  expect_status 1 "a group-writable plugin file"
  expect_err "recorder.so: plugin refused: $SCRATCH/foreign/plugins/recorder.so is group-writable"
  chmod 644 foreign/plugins/recorder.so
  run --config foreign/lfs-wrapper.yaml plugins list
  expect_status 0 "a trusted directory"
  expect_out "foreign/plugins/recorder.so"
  printf 'plugins:\n  dirs: [plugins]\n  disable: [recorder]\nalerts:\n  methods: []\n' > foreign/lfs-wrapper.yaml
  strace -f -e trace=openat -o foreign/trace "$LFSW" --config foreign/lfs-wrapper.yaml plugins list >/dev/null 2>&1
  CHECKS=$((CHECKS + 1)); ! grep -q "foreign/plugins/recorder.so" foreign/trace || fail "a disabled plugin was opened"

  # a config found in the current directory (or through LFSW_CONFIG) that
  # someone other than root or the sudo user can write is refused as root
  mkdir -p shared && printf 'alerts:\n  methods: []\n' > shared/lfs-wrapper.yaml
  chmod 664 shared/lfs-wrapper.yaml
  cd shared; run config validate; cd "$SCRATCH"
  expect_status 1 "a group-writable config in the current directory"
  expect_err "refusing the config $SCRATCH/shared/lfs-wrapper.yaml (found through the current directory): $SCRATCH/shared/lfs-wrapper.yaml is group-writable"
  LFSW_CONFIG=shared/lfs-wrapper.yaml run config validate
  expect_status 1 "a group-writable config through LFSW_CONFIG"
  expect_err "(found through LFSW_CONFIG)"
  run --config shared/lfs-wrapper.yaml config validate
  expect_status 0 "named with --config: asked for explicitly"
  chmod 644 shared/lfs-wrapper.yaml && chown nobody shared/lfs-wrapper.yaml
  cd shared; run config validate; cd "$SCRATCH"
  expect_status 1 "a config owned by another user"
  expect_err "is owned by uid $(id -u nobody), not by root or uid 0"
  cd shared; SUDO_UID=$(id -u nobody) run config validate; cd "$SCRATCH"
  expect_status 0 "under sudo, the invoking user's own config"
  chown root shared/lfs-wrapper.yaml
else
  echo "note: not root: the ownership rules for plugins are not tested"
fi

# an alert method nobody provides is a config error
cat > site/bad.yaml <<'YAML'
plugins:
  disable: [log_alert]
YAML
run --config site/bad.yaml config validate
expect_status 2
expect_err "alerts.methods: no loaded plugin provides alert channel 'log'"

finish
