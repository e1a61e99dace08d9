#!/bin/sh
# Runs the unit-test programs given as arguments, then the end-to-end
# suite, and prints the total as "N passed, N failed".
# Each program prints its own "N passed, N failed" line last.
passed=0
failed=0
count() {
  line=$(tail -n 1 "$1")
  p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
  f=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
  if [ -z "$p" ]; then
    echo "FAIL $2: no summary line (crashed?)"
    failed=$((failed + 1))
  else
    passed=$((passed + p))
    failed=$((failed + f))
    [ "$f" = 0 ] && [ "$3" = 0 ] || echo "FAIL $2 (exit $3)"
    [ "$f" = 0 ] && [ "$3" != 0 ] && failed=$((failed + 1))
  fi
}
log=$(mktemp)
for t in "$@"; do
  "$t" >"$log" 2>&1
  rc=$?
  cat "$log"
  count "$log" "$t" "$rc"
done
for suite in tests/e2e*.py; do
  python3 "$suite" >"$log" 2>&1
  rc=$?
  cat "$log"
  count "$log" "$suite" "$rc"
done
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
