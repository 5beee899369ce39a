#!/usr/bin/env bash
# The agent's systemd unit: `systemd-analyze verify` accepts it, the hardening directives
# the README promises are there, and `systemd-analyze security --offline` rates its
# exposure at most MAX_EXPOSURE (lower is better; 10 = unprotected).
# Exit 77 (CTest: skipped) where systemd-analyze is missing.
# Usage: check_systemd_unit.sh UNIT_FILE AGENT_BINARY [MAX_EXPOSURE]
set -euo pipefail
unit=$1 agent=$2 max=${3:-4.0}
if ! command -v systemd-analyze >/dev/null; then
  echo "SKIP: systemd-analyze is not installed (Debian package systemd)"; exit 77
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# verify checks that ExecStart's program exists: point it at the one this build made.
sed "s#/usr/bin/aecnn-agent#$agent#" "$unit" > "$work/aecnn-agent.service"
systemd-analyze verify "$work/aecnn-agent.service"
for directive in DynamicUser=yes NoNewPrivileges=yes CapabilityBoundingSet= PrivateTmp=yes ProtectSystem=strict \
                 ProtectHome=yes DevicePolicy=closed "DeviceAllow=char-video4linux rw" SupplementaryGroups=video \
                 RestrictNamespaces=yes SystemCallArchitectures=native; do
  grep -qx "$directive" "$work/aecnn-agent.service" || { echo "FAIL: missing '$directive'"; exit 1; }
done
level=$(systemd-analyze security --offline=yes "$work/aecnn-agent.service" 2>/dev/null |
        sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
[ -n "$level" ] || { echo "FAIL: no exposure level from systemd-analyze security"; exit 1; }
echo "exposure level $level (at most $max)"
awk -v l="$level" -v m="$max" 'BEGIN { exit !(l <= m) }' || { echo "FAIL: exposure $level > $max"; exit 1; }
echo "PASS: unit verifies and is hardened"
