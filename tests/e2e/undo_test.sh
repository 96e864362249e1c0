#!/usr/bin/env bash
# step undo takes back what one step did, and only that: what it added goes,
# what it removed or changed comes back, a path a later step also changed is
# left alone unless --force, --dry-run changes nothing, the undo can itself
# be taken back, and build resume runs the undone step again. Every result
# is checked against a walk of the tree made here, not by lfs-wrapper.
. "$(dirname "$0")/lib.sh"

# walk: every path of the tree with its type, mode, size, mtime and content
# hash, as find and sha256sum see them.
walk() {
  (cd root && find . -printf '%p %y %m %s %T@ %n\n' | sort) | while read -r path rest; do
    if [ -f "root/$path" ] && [ ! -L "root/$path" ]; then
      echo "$path $rest $(sha256sum <"root/$path" | cut -c1-16)"
    else
      echo "$path $rest"
    fi
  done
}
# paths: the tree's paths only.
paths() { (cd root && find . | sort | tr '\n' ' '); }

mkdir -p root/usr/bin root/usr/lib root/etc
echo base > root/usr/bin/preexisting
chmod 755 root/usr/bin/preexisting
echo old > root/usr/bin/old
echo v1 > root/etc/conf
echo s1 > root/usr/lib/shared
touch -d 2001-01-01 root/etc/conf
printf 'build:\n  root: root\n' > lfs-wrapper.yaml
run checkpoint create before-the-build
expect_status 0 "a checkpoint before the build"
cat > plan.yaml <<'PLAN'
steps:
  - name: libs
    run: echo base > "$LFS/usr/lib/libbase"
  - name: pkg
    run: |
      printf 'tool' > "$LFS/usr/bin/tool"
      touch -d 1999-01-01 "$LFS/usr/bin/tool"          # an old mtime, as tar keeps it
      ln "$LFS/usr/bin/tool" "$LFS/usr/bin/tool-link"   # a second name of it
      echo v2 >> "$LFS/etc/conf"                        # overwritten in place
      echo s2 > "$LFS/usr/lib/shared.new" && mv "$LFS/usr/lib/shared.new" "$LFS/usr/lib/shared"
      chmod 700 "$LFS/usr/bin/preexisting"
      rm "$LFS/usr/bin/old"
      mkdir -p "$LFS/usr/share/pkg/man" "$LFS/usr/share/pkg2"
      echo doc > "$LFS/usr/share/pkg/man/doc"
  - name: later
    run: |
      echo s3 > "$LFS/usr/lib/shared"                   # a file pkg installed, changed again
      echo later > "$LFS/usr/share/pkg/later"           # into a directory pkg created
PLAN
run build start --plan plan.yaml
expect_status 0 "the build"
tree_after_build=$(walk)

# --dry-run: says what it would do, changes nothing, takes no checkpoint.
checkpoints_before=$(ls .lfs-wrapper/store/manifests | wc -l)
run step undo pkg --dry-run
expect_status 0 "step undo --dry-run"
expect_out "- usr/bin/tool  (would remove: the step added it)"
expect_out "+ usr/bin/old  (would bring back: the step removed it)"
expect_out "M etc/conf  (would bring back the version before the step"
expect_out "= usr/lib/shared  (left alone: changed by a later step: later (checkpoint"
expect_out "nothing changed (--dry-run)"
expect_equal "$(walk)" "$tree_after_build" "(the tree after --dry-run)"
expect_equal "$(ls .lfs-wrapper/store/manifests | wc -l)" "$checkpoints_before" "(checkpoints after --dry-run)"

# The undo.
run step undo pkg
expect_status 0 "step undo"
expect_out "- usr/bin/tool  (removed: the step added it)"
expect_out "- usr/bin/tool-link  (removed"
expect_out "- usr/share/pkg/man/doc  (removed"
expect_out "- usr/share/pkg/man/  (removed"
expect_out "- usr/share/pkg2/  (removed"
expect_out "+ usr/bin/old  (brought back: the step removed it)"
expect_out "M usr/bin/preexisting  (brought back the version before the step, which changed its mode)"
expect_out "= usr/lib/shared  (left alone: changed by a later step: later (checkpoint 000004))"
expect_out "= usr/share/pkg  (left alone: a directory the step created that is not empty)"
expect_out "takes the undo back"
expect_out "build 1: step pkg is undone; lfs-wrapper build resume runs it again"
before_undo=$(sed -n 's/.*lfs-wrapper checkpoint restore \([0-9]*\) takes the undo back.*/\1/p' <<<"$OUT")
expect_equal "$(paths)" ". ./etc ./etc/conf ./usr ./usr/bin ./usr/bin/old ./usr/bin/preexisting ./usr/lib ./usr/lib/libbase ./usr/lib/shared ./usr/share ./usr/share/pkg ./usr/share/pkg/later " "(the paths after the undo)"
expect_equal "$(cat root/etc/conf)" "v1" "(etc/conf as before the step)"
expect_equal "$(stat -c %Y root/etc/conf)" "$(date -d 2001-01-01 +%s)" "(etc/conf's mtime as before the step)"
expect_equal "$(stat -c %a root/usr/bin/preexisting)" "755" "(the mode before the step)"
expect_equal "$(cat root/usr/bin/old)" "old" "(the file the step removed)"
expect_equal "$(cat root/usr/lib/shared)" "s3" "(the later step's change is kept)"
expect_equal "$(cat root/usr/lib/libbase)" "base" "(the earlier step's file is kept)"

run build status
expect_out "pkg                     undone"
run build analyze-state
expect_out "undone step: pkg"

# The undo taken back: the tree is as the build left it, the step done.
run checkpoint restore "$before_undo"
expect_status 0 "restoring the checkpoint before the undo"
expect_out "the undo of step pkg is taken back"
expect_equal "$(walk)" "$tree_after_build" "(the tree after the undo was taken back)"
run build status
expect_out "pkg                     done"
expect_no_out "undone"

# --force also takes back what the later step changed.
run step undo pkg --force
expect_status 0 "step undo --force"
expect_out "M usr/lib/shared  (brought back the version before the step"
expect_out "a later step also changed taken back (--force)"
expect_equal "$(cat root/usr/lib/shared)" "s1" "(shared as before pkg, with --force)"

# build resume runs the undone step again, and only it.
run build resume
expect_status 0 "build resume after an undo"
expect_out "step pkg was undone (lfs-wrapper step undo): it runs again on the tree as the undo left it"
expect_equal "$(cat root/usr/bin/tool)" "tool" "(pkg ran again)"
expect_equal "$(cat root/usr/lib/shared)" "s2" "(later did not run again)"
expect_equal "$(cat root/usr/lib/libbase)" "base" "(libs did not run again)"
run build status
expect_out "build 1: done"

# Nothing to undo from an unknown step; no undo while a build runs.
run step undo nothing-like-it
expect_status 1 "an unknown step"
expect_err "step undo: no checkpoint of a step 'nothing-like-it'"

finish
