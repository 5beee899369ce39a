# Sourced (not run) by the scripts that need a real Slurm on this machine
# (slurm_localhost.sh, data/capture_squeue_sample.sh): starts munged, slurmctld and slurmd from
# Debian's slurm-wlm — one localhost node "aecnn-node" with 2 CPUs, partition "aecnn", no
# accounting, configuration, keys and state in a temp folder ($tmp), daemons bound to 127.0.0.1
# on free ports — exports SLURM_CONF and installs an EXIT trap that stops every daemon it
# started by PID (reverse order), prints their logs when the script fails (status other than
# 0 and 77) and removes $tmp. The caller defines skip and fail, and checks root and the
# programs first.

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
