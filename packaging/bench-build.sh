#!/usr/bin/env bash
# Cold-build benchmark (not a test): a fresh clone of this repository's HEAD, ccache off,
#   1. `CCACHE_DISABLE=1 bash packaging/build.sh aecnn aecnn-agent aecnn-studio` (what the
#      quick start needs), then
#   2. `CCACHE_DISABLE=1 bash packaging/build.sh` (the rest: the tests),
# each timed with /usr/bin/time. Prints a Markdown block for resources/results/build-time.md.
# Run it on a quiet machine: other jobs on the same cores inflate the numbers.
# Usage: bash packaging/bench-build.sh [WORK_DIR]   (default: a new folder under /var/tmp)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /var/tmp/aecnn-bench-build.XXXXXX)}
git clone -q "$src" "$work/aecnn"
cd "$work/aecnn"
export CCACHE_DISABLE=1

timed() { # label, command... -> "label: wall s (user s, sys s)"
  local label=$1; shift
  /usr/bin/time -f "%e %U %S" -o "$work/time.txt" "$@" > "$work/$label.log" 2>&1
  read -r wall user sys < "$work/time.txt"
  awk -v l="$label" -v w="$wall" -v u="$user" -v s="$sys" \
    'BEGIN { printf "| %s | %.0f s (%.1f min) | %.0f s | %.0f s |\n", l, w, w / 60, u, s }'
}

echo "- command: \`bash packaging/bench-build.sh\` (fresh clone of $(git rev-parse --short HEAD), \`CCACHE_DISABLE=1\`)"
echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/^Mem:/{print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME")"
echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| step | wall | user | sys |"
echo "|---|---|---|---|"
timed quickstart-programs bash packaging/build.sh aecnn aecnn-agent aecnn-studio
timed tests bash packaging/build.sh
echo
echo "Build logs: $work/*.log"
