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
echo >&2 "slurm up: slurmctld on 127.0.0.1:$ctld_port, slurmd on :$slurmd_port"
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
