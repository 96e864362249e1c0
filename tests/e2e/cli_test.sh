#!/usr/bin/env bash
# The command line: help for every command, suggestions after typos, exit statuses.
. "$(dirname "$0")/lib.sh"

run --help
expect_status 0 "--help"
expect_out "Usage: lfs-wrapper [GLOBAL OPTIONS] COMMAND"
expect_out "Exit status: 0 success, 1 the operation failed, 2 usage or configuration error."
for command in "config validate" "config show" "config get" "config set" "plugins list" \
               "recovery run" "recovery status" "recovery history" "recovery report" "recovery checklist" "recovery init" \
               "recovery reset" "logs show" "build start" "build status" "build stop" \
               "build resume" "build analyze-state" "process stop" "system stop" \
               "analyze errors" "report"; do
  expect_out "  $command"
  # shellcheck disable=SC2086
  run $command --help
  expect_status 0 "$command --help"
  expect_out "Usage: lfs-wrapper $command"
  run --help
done

run
expect_status 2 "no arguments"

# --help of every command shows options a user types, never the internal
# names of its positional arguments ("--command arg", "--key arg", ...)
"$LFSW" --help | awk '/^Commands:/ {on = 1; next} /^$/ {on = 0} on && /^  [^ ]/ {print $1 " " $2}' > commands.txt
CHECKS=$((CHECKS + 1)); [ "$(wc -l < commands.txt)" -gt 40 ] || fail "the command list is short: $(wc -l < commands.txt)"
while read -r family sub; do
  # shellcheck disable=SC2086
  help=$("$LFSW" $family $sub --help 2>&1)
  CHECKS=$((CHECKS + 1))
  ! grep -E '^  --[a-z-]+ arg( |$)' <<<"$help" || fail "$family $sub --help shows a positional argument as an option"
done < commands.txt

# the man page lists every command
MAN_PAGE="$(dirname "$TEST_SCRIPT")/../../docs/lfs-wrapper.1"
while read -r family sub; do
  CHECKS=$((CHECKS + 1))
  # a one-word command (daemon) has its summary as the second word
  name="$family"; case $sub in [a-z]*) grep -q "^\.B $family $sub\( \|\$\)" "$MAN_PAGE" && name="$family $sub" ;; esac
  grep -q "^\.B $(sed 's/-/\\\\-/g' <<<"$name")\( \|\$\)" "$MAN_PAGE" || fail "the man page has no entry for $name"
done < commands.txt
CHECKS=$((CHECKS + 1)); grep -q "^\.SH BUILD PLANS" "$MAN_PAGE" || fail "the man page does not describe build plans"

# a command that fails leaves no state directory behind
mkdir nostate && cd nostate || exit 1
printf 'build: {root: root}\n' > lfs-wrapper.yaml
for command in "checkpoint create x" "backup create" "backup restore" "backup verify latest" \
               "data analyze --missing" "build resume" "build start -- true"; do
  # shellcheck disable=SC2086
  run $command
  expect_status 1 "$command without a build root or backups"
  expect_no_file .lfs-wrapper
done
# with a root: backup create says that critical-data holds nothing
mkdir root && echo x > root/file
run backup create
expect_status 0 "backup create with the default types"
expect_err "warning: critical-data is asked for, but backup.critical_data names no path"
cd "$SCRATCH" || exit 1

run --version
expect_status 0 "--version"
expect_out "lfs-wrapper 0."
expect_out "plugin ABI $PLUGIN_ABI (plugins of ABI $PLUGIN_ABI_MIN to $PLUGIN_ABI load)"
expect_out "library: "
CHECKS=$((CHECKS + 1)); [ -f "$(sed -n 's/^library: //p' <<<"$OUT")" ] || fail "--version names no library file: $OUT"

run recovery --help
expect_status 0 "family help"
expect_out "recovery run CONDITION"

run recovry status
expect_status 2 "unknown command"
expect_err "unknown command 'recovry', did you mean 'recovery status'?"

run recovery stauts
expect_status 2 "unknown subcommand"
expect_err "unknown command 'recovery stauts', did you mean 'recovery status'?"

run logs show --levle ERROR
expect_status 2 "unknown option"
expect_err "unknown option '--levle' for 'logs show', did you mean '--level'?"

# a missing argument is named as the usage line names it, not as an --option
run checkpoint show
expect_status 2 "missing argument"
expect_err "checkpoint show: missing NAME (usage: lfs-wrapper checkpoint show NAME)"
run plan import jhalfs
expect_status 2 "missing directory"
expect_err "plan import: missing DIR (usage: lfs-wrapper plan import jhalfs|scripts DIR"

run config get
expect_status 2 "missing argument"
expect_err "config get"

run --config missing.yaml config show
expect_status 2 "missing config file"
expect_err "missing.yaml: config file not found"

# Every command of the seed (docs/recovery-procedures mapping) is offered.
while read -r words; do
  run $words --help
  expect_status 0 "($words --help)"
done <<'SEED'
build stop
checkpoint create
health check
logs show
clean build
checkpoint restore
system stop
backup create
backup verify
clean system
system restore-base
system restore
verify system
process stop
clean cache
monitor resources
config set
build resume
system check
verify data
analyze errors
recovery init
build system
data analyze
backup restore
build analyze-state
build restore
verify build
backup test-restore
SEED

finish
