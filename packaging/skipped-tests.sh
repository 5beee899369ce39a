#!/usr/bin/env bash
# Lists the tests of the last CTest run that skipped, each with the reasons its
# Qt Test functions gave (their "SKIP   :" lines). Usage: skipped-tests.sh LastTest.log
set -euo pipefail
log=${1:?usage: skipped-tests.sh BUILD/Testing/Temporary/LastTest.log}
[ -f "$log" ] || { echo "skipped-tests: no CTest log at $log (did ctest run?)" >&2; exit 0; }
awk '
  /^[0-9]+\/[0-9]+ Test: / { name = $3; reasons = ""; skip = 0; next }
  /^SKIP *: / { sub(/^SKIP *: /, ""); reasons = reasons "\n    " $0; next }
  /^Skip regular expression found in output|^Test Skipped/ { skip = 1; next }
  /^"[^"]+" end time:/ {
    if (skip) skipped[++n] = name ":" reasons
    else if (reasons != "") partial[++m] = name " (passed; these functions skipped):" reasons
  }
  END {
    if (n == 0 && m == 0) { print "No test skipped."; exit }
    if (n > 0) { print n " skipped test(s), and why:"; for (i = 1; i <= n; ++i) print "  " skipped[i] }
    if (m > 0) { print "Tests that skipped some of their functions:"; for (i = 1; i <= m; ++i) print "  " partial[i] }
  }' "$log"
