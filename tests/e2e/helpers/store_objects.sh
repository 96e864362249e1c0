# Where a checkpoint store keeps an object, and how a test damages one;
# sourced by lib.sh and by tests/fault/run.sh.

# stored_object HASH [STORE]: where the store (.lfs-wrapper/store) keeps an
# object: "FILE OFFSET LENGTH", a loose object or a part of a pack.
stored_object() {
  local store=${2:-.lfs-wrapper/store} index line offset length
  local loose=$store/objects/${1:0:2}/$1
  if [ -f "$loose" ]; then echo "$loose 0 $(stat -c %s "$loose")"; return 0; fi
  for index in "$store"/packs/*.index; do
    [ -f "$index" ] || continue
    line=$(grep -m1 "^$1 " "$index") || continue
    read -r _ offset length <<<"$line"
    echo "${index%.index}.pack $offset $length"; return 0
  done
  return 1
}
# corrupt_object HASH [STORE]: changes one byte in the middle of the object.
corrupt_object() {
  local file offset length at byte
  read -r file offset length < <(stored_object "$@") || { echo "no stored object $1" >&2; return 1; }
  at=$((offset + length / 2))
  byte=$(dd if="$file" bs=1 skip="$at" count=1 status=none)
  chmod u+w "$file"
  if [ "$byte" = X ]; then printf Y; else printf X; fi | dd of="$file" bs=1 seek="$at" conv=notrunc status=none
}
