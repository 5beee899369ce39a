#!/usr/bin/env bash
# Captures the squeue sample of tests/sweep/data (squeue_array.txt) from a real Slurm on this
# machine: the same one-node localhost cluster as slurm_localhost.sh (munged, slurmctld,
# slurmd from slurm-wlm, config and state in a temp folder, every daemon stopped by PID),
# one job array of 8 tasks at most 2 at a time, where task 1 fails, task 2 is cancelled and
# the others sleep; prints squeue's view in the format `aecnn sweep status` asks for.
# sacct needs slurmdbd (accounting), which this cluster does not run, so sacct_array.txt is
# written by hand in sacct's documented -P format. Needs root.
#   usage: capture_squeue_sample.sh > squeue_array.txt
set -uo pipefail
skip() { echo "SKIP   : $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "needs root to run slurmctld and slurmd"
limit=120
started_at=$SECONDS
source "$(dirname "${BASH_SOURCE[0]}")/../slurm_cluster.sh"
job=$(sbatch --parsable --array=0-7%2 --time=5 -o "$tmp/%A_%a.out" \
  --wrap 'case $SLURM_ARRAY_TASK_ID in 1) exit 1;; *) sleep 30;; esac' | cut -d';' -f1)
[ -n "$job" ] || fail "sbatch failed"
for _ in $(seq 40); do
  squeue -h -r -t all -j "$job" -o '%i|%T' | grep -q "_1|FAILED" && break
  sleep 0.5
done
scancel "${job}_2"
sleep 2
squeue -h -r -t all -j "$job" -o '%i|%T'
# Cancel the rest and wait for its steps to end, so no slurmstepd outlives the daemons.
scancel "$job"
for _ in $(seq 40); do
  [ -z "$(squeue -h -j "$job" -t running,completing 2>/dev/null)" ] && break
  sleep 0.5
done
