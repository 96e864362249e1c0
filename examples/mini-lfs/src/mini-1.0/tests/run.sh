#!/bin/sh
# The test suite: each program against its expected output.
failures=0
check() {
  if [ "$2" = "$3" ]; then echo "PASS: $1"; else echo "FAIL: $1 (expected '$3', got '$2')"; failures=$((failures + 1)); fi
}
check hello "$(src/hello builder)" "Hello, builder! (libmini 1.0)"
check wordcount "$(printf 'one two\nthree\n' | src/wordcount)" "3"
check sum "$(src/sum 1 2 3 39)" "45"
check rev "$(echo stressed | src/rev)" "desserts"
echo "# TOTAL: 4"
echo "# FAIL:  $failures"
[ "$failures" -eq 0 ]
