#!/usr/bin/env bash
# `aecnn sweep` against a real Slurm on this machine: starts munged, slurmctld and slurmd
# from Debian's slurm-wlm (one localhost node, 2 CPUs, configuration and state in a temp
# folder, daemons bound to 127.0.0.1 on free ports), submits a tiny sweep as a job array,
# waits (bounded) and checks that the collected Table I and Fig. 4 equal those of the
# local runner for the same plan (timing columns enc_ms/dec_ms excepted: they are
# measured on each run). Every daemon it started is stopped by PID on every exit path.
# Exit 77 (CTest: skipped) when not root or slurm-wlm / munge are not installed
# (packaging/install-deps.sh --with-slurm installs them).
#   usage: slurm_localhost.sh /path/to/aecnn
set -uo pipefail

aecnn=${1:?usage: slurm_localhost.sh /path/to/aecnn}
limit=${AECNN_TEST_TIMEOUT_S:-300}
started_at=$SECONDS

skip() { echo "SKIP   : $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "needs root to run slurmctld and slurmd"
for program in munged mungekey slurmctld slurmd sbatch squeue sinfo; do
  command -v "$program" >/dev/null 2>&1 ||
    skip "$program not found: install slurm-wlm and munge (packaging/install-deps.sh --with-slurm)"
done

# munged, slurmctld, slurmd on this machine, stopped by PID on every exit path.
source "$(dirname "${BASH_SOURCE[0]}")/slurm_cluster.sh"

# --- a tiny sweep, planned twice (same plan, two folders): local runner and Slurm
model=$tmp/tiny.aecnn
"$aecnn" train --dataset synthetic:300 --out "$model" --epochs 2 --max-steps 12 --width 0.03125 \
  --stem-channels 8 --batch-size 32 --threads 1 >"$tmp/train.log" 2>&1 || { cat "$tmp/train.log"; fail "tiny model"; }
plan_args=(--model "$model" --dataset synthetic:300 --splits 1 --ratios 2,4 --methods aecnn,bottlenetpp
  --epochs-ca 0.2 --epochs-finetune 0.2 --epochs-fr 0.2 --batch-size 32 --importance-batches 2
  --importance-batch-size 16 --codec-images 5)
h1=$("$aecnn" sweep plan --out "$tmp/local" "${plan_args[@]}" --json | sed -n 's/.*"hash":"\([0-9a-f]*\)".*/\1/p')
h2=$("$aecnn" sweep plan --out "$tmp/slurm" "${plan_args[@]}" --json | sed -n 's/.*"hash":"\([0-9a-f]*\)".*/\1/p')
[ -n "$h1" ] && [ "$h1" = "$h2" ] || fail "the two plans differ ('$h1' vs '$h2')"

submit=$("$aecnn" sweep slurm "$tmp/slurm" --max-parallel 2 --mem 500M --time 00:10:00 --json) ||
  fail "sweep slurm failed: $submit"
job=$(echo "$submit" | sed -n 's/.*"job_id":"\([0-9]*\)".*/\1/p')
[ -n "$job" ] || fail "no job id from sweep slurm: $submit"
echo "submitted job $job"

# The local runner meanwhile (same plan, same thread count per task).
"$aecnn" sweep run --local "$tmp/local" --jobs 1 >"$tmp/local-run.log" 2>&1 ||
  { cat "$tmp/local-run.log"; fail "local sweep run failed"; }

done_count=0
while [ "$(left)" -gt 0 ]; do
  status=$("$aecnn" sweep status "$tmp/slurm" --json)
  done_count=$(echo "$status" | sed -n 's/.*"done":\([0-9]*\).*/\1/p')
  failed_count=$(echo "$status" | sed -n 's/.*"failed":\([0-9]*\).*/\1/p')
  [ "${failed_count:-0}" -gt 0 ] && { "$aecnn" sweep status "$tmp/slurm"; fail "a Slurm task failed"; }
  [ "${done_count:-0}" -eq 4 ] && break
  sleep 2
done
"$aecnn" sweep status "$tmp/slurm"
[ "${done_count:-0}" -eq 4 ] || { squeue; fail "the Slurm job did not finish in time ($done_count of 4 done)"; }
# Slurm's own view (squeue) as sweep status reports it: every array task COMPLETED.
completed=0
while [ "$(left)" -gt 0 ]; do
  status=$("$aecnn" sweep status "$tmp/slurm" --json)
  completed=$(echo "$status" | grep -o '"slurm_state":"COMPLETED"' | wc -l)
  [ "$completed" -eq 4 ] && break
  sleep 1
done
[ "$completed" -eq 4 ] || fail "sweep status does not show 4 COMPLETED Slurm array tasks: $status"

"$aecnn" sweep collect "$tmp/local" >/dev/null || fail "collect (local)"
"$aecnn" sweep collect "$tmp/slurm" >/dev/null || fail "collect (slurm)"
# Everything but the provenance lines and the per-run timing columns (12, 13: enc_ms, dec_ms).
table() { grep -v '^#' "$1" | cut -d, -f1-11,14-; }
diff <(table "$tmp/local/table1.csv") <(table "$tmp/slurm/table1.csv") ||
  fail "Table I from Slurm differs from the local runner's"
diff <(grep -v '^#' "$tmp/local/fig4.csv") <(grep -v '^#' "$tmp/slurm/fig4.csv") ||
  fail "Fig. 4 from Slurm differs from the local runner's"
[ "$(table "$tmp/slurm/table1.csv" | wc -l)" -eq 3 ] || fail "expected a header and 2 rows"
grep -q "^# plan: $h1 (4 of 4 tasks done)" "$tmp/slurm/table1.csv" || fail "no plan provenance line"
echo "Slurm sweep (job $job) = local sweep:"
table "$tmp/slurm/table1.csv"
