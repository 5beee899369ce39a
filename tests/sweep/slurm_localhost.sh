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

tmp=$(mktemp -d /tmp/aecnn-slurm-test.XXXXXX)
chmod 700 "$tmp"
pids=()
cleanup() {
  local status=$?
  # Reverse start order: slurmd, slurmctld, munged; only the PIDs this script started.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [ "$status" -ne 0 ] && [ "$status" -ne 77 ]; then
    for log in "$tmp"/slurmctld.log "$tmp"/slurmd.log "$tmp"/munged.log "$tmp"/slurm/slurm/*.out; do
      [ -f "$log" ] && { echo "--- $log (last lines)"; tail -n 20 "$log"; }
    done
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

left() { echo $((limit - 20 - (SECONDS - started_at))); }

# A free TCP port on 127.0.0.1 (bash's /dev/tcp: a refused connection means free).
free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  fail "no free port found"
}

# --- munge: its own key, socket and files in the temp folder
mkdir -p "$tmp/munge"
chmod 700 "$tmp/munge"
mungekey --create --keyfile "$tmp/munge/munge.key" >/dev/null 2>&1 ||
  dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
munged --foreground --force --key-file "$tmp/munge/munge.key" --socket "$tmp/munge/munge.socket" \
  --pid-file "$tmp/munge/munged.pid" --log-file "$tmp/munged.log" --seed-file "$tmp/munge/munge.seed" &
pids+=($!)
for _ in $(seq 100); do [ -S "$tmp/munge/munge.socket" ] && break; sleep 0.1; done
[ -S "$tmp/munge/munge.socket" ] || fail "munged did not create its socket (see $tmp/munged.log)"

# --- slurm: one node (this machine, 2 CPUs), one partition, no accounting
host=$(hostname -s)
ctld_port=$(free_port)
slurmd_port=$(free_port)
mkdir -p "$tmp/state" "$tmp/spool"
cat >"$tmp/slurm.conf" <<CONF
ClusterName=aecnntest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
CommunicationParameters=NoInAddrAny
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/munge.socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName=aecnn-node NodeHostname=$host NodeAddr=127.0.0.1 CPUs=2 RealMemory=2000 State=UNKNOWN
PartitionName=aecnn Nodes=aecnn-node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$tmp/slurm.conf

slurmctld -D -i -f "$SLURM_CONF" >"$tmp/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N aecnn-node -f "$SLURM_CONF" >"$tmp/slurmd.out" 2>&1 &
pids+=($!)
idle=""
for _ in $(seq 120); do
  idle=$(sinfo -h -n aecnn-node -o %T 2>/dev/null)
  [ "$idle" = "idle" ] && break
  sleep 0.5
done
[ "$idle" = "idle" ] || fail "the Slurm node did not become idle (state '$idle'; see the logs below)"
echo "slurm up: slurmctld on 127.0.0.1:$ctld_port, slurmd on :$slurmd_port"

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
