#!/usr/bin/env bash
# A real single-node Slurm on localhost, without systemd: munged (as the munge user), slurmctld and slurmd (as
# root), one node with this machine's CPUs in one partition `debug`. For the Slurm tests (Scripts/slurm-tests.sh)
# and for trying the batch templates in Configs/batch/.
#
#   Scripts/slurm-local.sh start    starts what is not running (idempotent); prints `export SLURM_CONF=...`
#   Scripts/slurm-local.sh status   says what runs; exit 0 when the controller answers and the node is up
#   Scripts/slurm-local.sh stop     stops the daemons this script started (by their pid files)
#
#   eval "$(Scripts/slurm-local.sh start)" && sbatch --wrap hostname
#
# Config, state, spool and logs live in $JETTAG_SLURM_DIR (default /tmp/jettag-slurm). Needs root and the Debian
# packages slurm-wlm and munge (Scripts/install-deps.sh --slurm).
set -euo pipefail
dir=${JETTAG_SLURM_DIR:-/tmp/jettag-slurm}
conf=$dir/slurm.conf
export SLURM_CONF=$conf

say() { echo "slurm-local: $*" >&2; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

node_up() {
  local state
  state=$(sinfo -h -N -o %t 2>/dev/null | head -1)
  [ -n "$state" ] && [[ $state != down* && $state != drain* && $state != unk* && $state != *'*' ]]
}

write_config() {
  local host cpus
  host=$(hostname -s)
  cpus=$(nproc)
  mkdir -p "$dir/state" "$dir/spool"
  cat >"$conf.new" <<EOF
# Written by Scripts/slurm-local.sh: one node, localhost, no accounting, no cgroups.
ClusterName=jettag
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
# a requeued job may start again once the credentials of its last run expired: 10 s instead of 120
AuthInfo=cred_expire=10
KillWait=30
MinJobAge=600
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$conf.new" "$conf"
}

start() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null \
    || { say "slurm-wlm and munge are not installed (Scripts/install-deps.sh --slurm)"; exit 1; }
  [ "$(id -u)" -eq 0 ] || { say "needs root (slurmd runs jobs as their users)"; exit 1; }
  mkdir -p "$dir"
  if ! munge_works; then
    install -d -o munge -g munge -m 0755 /run/munge
    install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
    [ -s /etc/munge/munge.key ] || { say "no /etc/munge/munge.key (reinstall munge)"; exit 1; }
    runuser -u munge -- munged --pid-file="/run/munge/munged.pid" --log-file="/var/log/munge/munged.log"
    cp /run/munge/munged.pid "$dir/munged.pid"
    for _ in $(seq 50); do munge_works && break; sleep 0.1; done
    munge_works || { say "munged did not start: $(tail -3 /var/log/munge/munged.log)"; exit 1; }
    say "started munged"
  fi
  if ! alive "$dir/slurmctld.pid"; then
    alive "$dir/slurmd.pid" || write_config
    slurmctld -f "$conf"
    say "started slurmctld"
  fi
  if ! alive "$dir/slurmd.pid"; then
    slurmd -f "$conf"
    say "started slurmd"
  fi
  for _ in $(seq 100); do node_up && break; sleep 0.2; done
  if ! node_up; then
    # a node left down by an earlier run (e.g. killed daemons) comes back with a resume
    scontrol update nodename="$(hostname -s)" state=resume 2>/dev/null || true
    sleep 1
  fi
  node_up || { say "the node is not up: $(sinfo -N 2>&1 | tail -1); logs in $dir"; exit 1; }
  say "up: $(sinfo -h -o '%P %D node(s) %c CPUs %t')"
  echo "export SLURM_CONF=$conf"
}

status() {
  local ok=0
  for daemon in munged slurmctld slurmd; do
    if alive "$dir/$daemon.pid"; then say "$daemon running (pid $(cat "$dir/$daemon.pid"))"
    elif [ $daemon = munged ] && munge_works; then say "munged running (not started by this script)"
    else say "$daemon not running"; ok=1; fi
  done
  if [ -f "$conf" ] && scontrol ping >/dev/null 2>&1 && node_up; then
    say "up: $(sinfo -h -o '%P %D node(s) %c CPUs %t')"
    echo "export SLURM_CONF=$conf"
  else
    ok=1
  fi
  return $ok
}

stop() {
  for daemon in slurmd slurmctld munged; do
    if alive "$dir/$daemon.pid"; then
      pid=$(cat "$dir/$daemon.pid")
      kill "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      say "stopped $daemon"
    fi
    rm -f "$dir/$daemon.pid"
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 64 ;;
esac
