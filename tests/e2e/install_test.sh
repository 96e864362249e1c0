#!/usr/bin/env bash
# meson install lays out what the install issue lists, the installed host
# finds its library and plugins by itself (no environment), and a plugin
# built against the installed SDK's pkg-config file loads.
. "$(dirname "$0")/lib.sh"
BUILD=$(dirname "$(dirname "$LFSW")")
DEST=$SCRATCH/dest
meson install -C "$BUILD" --no-rebuild --quiet --destdir "$DEST" >install.log 2>&1 ||
  { cat install.log; fail "meson install failed"; finish; }
PREFIX=$(meson introspect "$BUILD" --buildoptions | /usr/bin/python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
LIBDIR=$(meson introspect "$BUILD" --buildoptions | /usr/bin/python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="libdir"][0])')
LIBEXECDIR=$(meson introspect "$BUILD" --buildoptions | /usr/bin/python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="libexecdir"][0])')
ROOT=$DEST$PREFIX
expect_file "$ROOT/$LIBEXECDIR/lfs-wrapper-plugin-worker"
expect_file "$ROOT/bin/lfs-wrapper"
expect_file "$ROOT/$LIBDIR/liblfsw-core.so.$PLUGIN_ABI_MIN"
expect_file "$ROOT/$LIBDIR/lfs-wrapper/plugins/build_actions.so"
expect_file "$ROOT/$LIBDIR/lfs-wrapper/plugins/restic_backup.so"
expect_file "$ROOT/include/lfsw/plugin.h"
expect_file "$ROOT/include/lfsw/abi.h"
expect_file "$ROOT/include/lfsw/backup_backend.h"
expect_file "$ROOT/include/lfsw/workspace.h"
# The library exports its public API and nothing of its internals.
EXPORTED=$(nm -DC --defined-only "$ROOT/$LIBDIR/liblfsw-core.so.$PLUGIN_ABI_MIN")
CHECKS=$((CHECKS + 1)); grep -q "lfsw::Workspace::checkpoint" <<<"$EXPORTED" || fail "lfsw::Workspace is not exported"
for internal in CheckpointStore RecoveryEngine StateDatabase Config:: Supervisor PluginLoader; do
  CHECKS=$((CHECKS + 1)); ! grep -q " lfsw::$internal" <<<"$EXPORTED" || fail "internal lfsw::$internal is exported: $(grep " lfsw::$internal" <<<"$EXPORTED" | head -3)"
done
expect_file "$ROOT/etc/lfs-wrapper/lfs-wrapper.yaml"
expect_file "$ROOT/share/man/man1/lfs-wrapper.1"
expect_file "$ROOT/share/bash-completion/completions/lfs-wrapper"
UNIT=$ROOT/lib/systemd/system/lfs-wrapper-daemon.service
expect_file "$UNIT"
CHECKS=$((CHECKS + 1)); grep -q "^ExecStart=$PREFIX/bin/lfs-wrapper --config $PREFIX/etc/lfs-wrapper/lfs-wrapper.yaml daemon$" "$UNIT" ||
  fail "unit's ExecStart: $(grep ExecStart "$UNIT")"
PC=$ROOT/$LIBDIR/pkgconfig/lfs-wrapper-sdk.pc
expect_file "$PC"
expect_equal "$(pkg-config --variable=pluginabi "$PC")" "$PLUGIN_ABI"
expect_equal "$(pkg-config --variable=plugindir "$PC")" "$PREFIX/$LIBDIR/lfs-wrapper/plugins"

# The installed host, with no LD_LIBRARY_PATH and no LFSW_PLUGIN_PATH.
INSTALLED=$ROOT/bin/lfs-wrapper
OUT=$(env -u LD_LIBRARY_PATH -u LFSW_PLUGIN_PATH "$INSTALLED" plugins list 2>&1); STATUS=$?
expect_status 0
expect_out "restic_backup"
expect_out "$ROOT/$LIBDIR/lfs-wrapper/plugins/email_alert.so"
OUT=$(env -u LD_LIBRARY_PATH "$INSTALLED" --config "$ROOT/etc/lfs-wrapper/lfs-wrapper.yaml" config validate 2>&1); STATUS=$?
expect_status 0 "(the installed example config validates against the installed plugins)"

# A third-party plugin built against the installed SDK alone.
mkdir site && cat >site/hello.cpp <<'CPP'
#include <lfsw/plugin.h>
namespace {
class Hello final : public lfsw::Action {
public:
    std::string name() const override { return "say_hello"; }
    std::string description() const override { return "Says hello"; }
    std::vector<lfsw::ParamProblem> validate(const lfsw::Params& params) const override
    {
        return lfsw::unknownParams(params, {});
    }
    std::string describe(const lfsw::Params&) const override { return "say hello"; }
    lfsw::Result run(lfsw::Context& context) override
    {
        context.log(lfsw::LogLevel::Info, "hello from a site plugin");
        return lfsw::Result::done("said hello");
    }
};
}
LFSW_PLUGIN("site_hello", "0.1.0", "A site plugin built against the installed SDK")
{
    registry.addAction(std::make_shared<Hello>());
}
CPP
# The .pc file describes PREFIX; under DESTDIR, pkg-config's sysroot maps it.
FLAGS=$(PKG_CONFIG_SYSROOT_DIR="$DEST" pkg-config --cflags --libs "$PC")
g++ -std=c++20 -shared -fPIC -fvisibility=hidden -o site/site_hello.so site/hello.cpp $FLAGS 2>build.err ||
  { cat build.err; fail "the site plugin does not build against the installed SDK"; }
chmod 755 site site/site_hello.so
printf 'build:\n  root: root\nrecovery_actions:\n  system_error: [say_hello]\n' >lfs-wrapper.yaml
OUT=$(env -u LD_LIBRARY_PATH LFSW_PLUGIN_PATH="$SCRATCH/site" "$INSTALLED" recovery run system_error 2>&1); STATUS=$?
expect_status 0 "(the site plugin's action ran)"
expect_out "say_hello"
expect_out "said hello"

# The same plugin built against an SDK of another ABI is refused, as documented.
mkdir -p other-sdk/lfsw other-abi
sed "s/kPluginAbi = $PLUGIN_ABI;/kPluginAbi = $((PLUGIN_ABI + 7));/" "$ROOT/include/lfsw/abi.h" >other-sdk/lfsw/abi.h
g++ -std=c++20 -shared -fPIC -fvisibility=hidden -I"$SCRATCH/other-sdk" -o other-abi/site_hello.so site/hello.cpp $FLAGS 2>build.err ||
  { cat build.err; fail "the other-ABI plugin does not build"; }
chmod 755 other-abi other-abi/site_hello.so
OUT=$(env -u LD_LIBRARY_PATH LFSW_PLUGIN_PATH="$SCRATCH/other-abi" "$INSTALLED" plugins list 2>&1); STATUS=$?
expect_status 1 "(a refused plugin)"
expect_out "site_hello.so: plugin ABI $((PLUGIN_ABI + 7)) is newer than this host's maximum $PLUGIN_ABI"

# The SDK's template and the site plugin example build with their own
# meson.build against the installed SDK, and their harness tests pass.
EXAMPLES="$(cd "$(dirname "$0")/../.." && pwd)"
export PKG_CONFIG_PATH="$ROOT/$LIBDIR/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$DEST"
for project in sdk/template examples/plugins/trim_cache examples/embed; do
  name=$(basename "$project")
  cp -r "$EXAMPLES/$project" "$SCRATCH/$name-src"
  if meson setup "$SCRATCH/$name-build" "$SCRATCH/$name-src" >"$name.log" 2>&1 &&
     ninja -C "$SCRATCH/$name-build" >>"$name.log" 2>&1 &&
     LD_LIBRARY_PATH="$ROOT/$LIBDIR" meson test -C "$SCRATCH/$name-build" >>"$name.log" 2>&1; then
    CHECKS=$((CHECKS + 1))
  else
    CHECKS=$((CHECKS + 1)); fail "$project does not build or test against the installed SDK: $(tail -20 "$name.log")"
  fi
done
# The example plugin loads into the installed host and its action runs.
chmod 755 "$SCRATCH/trim_cache-build"
mkdir -p cache && head -c 300000 /dev/zero >cache/old.o && touch -d '1 hour ago' cache/old.o && head -c 300000 /dev/zero >cache/new.o
printf 'build:\n  root: root\nrecovery_actions:\n  resource_exhaustion:\n    - trim_cache: {path: "%s/cache", max_size: 400K}\n' "$SCRATCH" >lfs-wrapper.yaml
OUT=$(env -u LD_LIBRARY_PATH LFSW_PLUGIN_PATH="$SCRATCH/trim_cache-build" "$INSTALLED" recovery run resource_exhaustion 2>&1); STATUS=$?
expect_status 0 "(trim_cache ran in the installed host)"
expect_out "trimmed $SCRATCH/cache: removed 1 files"
expect_no_file cache/old.o
expect_file cache/new.o
# The same plugin in a worker process: the installed host finds the
# installed worker by itself.
head -c 300000 /dev/zero >cache/old.o && touch -d '1 hour ago' cache/old.o
printf 'plugins:\n  isolate: [trim_cache]\n' >>lfs-wrapper.yaml
OUT=$(env -u LD_LIBRARY_PATH LFSW_PLUGIN_PATH="$SCRATCH/trim_cache-build" "$INSTALLED" plugins list 2>&1)
expect_out "runs:           in a worker process (isolated)"
OUT=$(env -u LD_LIBRARY_PATH LFSW_PLUGIN_PATH="$SCRATCH/trim_cache-build" "$INSTALLED" recovery run resource_exhaustion 2>&1); STATUS=$?
expect_status 0 "(trim_cache ran in the installed worker)"
expect_out "trimmed $SCRATCH/cache: removed 1 files"
expect_no_file cache/old.o

# The embedding example drives a build with the installed library's
# checkpoints and recovery chain (found beside the library: no plugin path):
# step two fails once after writing half its output, the chain restores the
# tree of step one and restarts it.
mkdir -p embed/root && cp "$EXAMPLES/examples/embed/lfs-wrapper.yaml" embed/
OUT=$(cd embed && env -u LFSW_PLUGIN_PATH LD_LIBRARY_PATH="$ROOT/$LIBDIR" "$SCRATCH/embed-build/embed-driver" lfs-wrapper.yaml \
  'one=echo a >a.txt' \
  'two=if [ ! -e ../failed-once ]; then touch ../failed-once; echo half >broken.txt; exit 3; fi; echo b >b.txt' \
  'three=cat a.txt b.txt >c.txt' 2>&1); STATUS=$?
expect_status 0 "(embed-driver: $OUT)"
expect_out "step two: failed with status 3"
expect_out "recovery build_failure attempt 1/2: recovered"
expect_out "step three: done; checkpoint three"
expect_no_file embed/root/broken.txt
expect_equal "$(cat embed/root/c.txt 2>&1)" "a
b"
# What it did is in the host's state layout: the installed host reads it.
OUT=$(cd embed && env -u LD_LIBRARY_PATH "$INSTALLED" checkpoint list 2>&1)
expect_out "one"
expect_out "three"
OUT=$(cd embed && env -u LD_LIBRARY_PATH "$INSTALLED" recovery history 2>&1)
expect_out "restore_checkpoint"
expect_out "restart_build"
# A config with a mistake: FILE:LINE:COLUMN, exit 1, nothing run.
printf 'build:\n  root: root\nauto_recovery:\n  max_attemps: 2\n' >embed/bad.yaml
OUT=$(cd embed && LD_LIBRARY_PATH="$ROOT/$LIBDIR" "$SCRATCH/embed-build/embed-driver" bad.yaml 'x=touch x' 2>&1); STATUS=$?
expect_status 1
expect_out "bad.yaml:4:3"
expect_no_file embed/root/x
finish
