#!/usr/bin/env bash
# Slurm as the job engine (docs/jobs.md recipe), on a real single-node cluster this test starts:
# munged, slurmctld and slurmd on localhost with a configuration written into the test's own
# folder (its own key, ports, spool and state), an array job rendering the segments, a
# dependent join job; the result decodes to exactly the frames of a one-piece enhance
# (--crf 0). The daemons it started are stopped on every exit (trap).
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root to run slurmd (CI runs as root)"
for c in munged slurmctld slurmd sbatch squeue; do
    command -v $c >/dev/null || skip "$c is not installed (scripts/install-deps.sh installs slurm-wlm and munge)"
done
"$GEN" "$T/in.mkv" --frames 144 --size 320x180 >/dev/null 2>&1 || { bad "aim_gen"; finish; exit; }
S=$T/slurm
mkdir -p "$S/state" "$S/spool" "$S/munge"
chmod 700 "$S/munge"
pids=()
stop() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
    done
}
trap stop EXIT

dd if=/dev/urandom of="$S/munge/key" bs=1024 count=1 2>/dev/null
chmod 400 "$S/munge/key"
munged --force --key-file="$S/munge/key" --socket="$S/munge/sock" --pid-file="$S/munge/pid" \
       --log-file="$S/munge/log" --seed-file="$S/munge/seed" --foreground 2>"$S/munged.err" &
pids+=($!)
for _ in $(seq 50); do [ -S "$S/munge/sock" ] && break; sleep 0.1; done
check "munged is up" test -S "$S/munge/sock"

host=$(hostname -s)
port=$((20000 + RANDOM % 20000))
cat > "$S/slurm.conf" <<CONF
ClusterName=aimtest
SlurmctldHost=$host(127.0.0.1)
AuthType=auth/munge
AuthInfo=socket=$S/munge/sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=aimtest Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$S/slurm.conf
slurmctld -D -i 2>"$S/slurmctld.err" & pids+=($!)
slurmd -D 2>"$S/slurmd.err" & pids+=($!)
up=0
for _ in $(seq 100); do
    sinfo -h -o %T 2>/dev/null | grep -q -e idle -e mixed && { up=1; break; }
    sleep 0.2
done
if [ $up = 0 ]; then
    bad "slurm came up (node idle)"
    tail -5 "$S"/*.log "$S"/*.err >&2
    finish; exit
fi
ok

cd "$T" || exit 1
"$AIM" enhance in.mkv --out one.mkv --crf 0 -q
n=$("$AIM" plan in.mkv --job J --segments 4 --crf 0 -q)
eq "plan exit code" "$?" 0
# the docs/jobs.md recipe
jid=$(sbatch --parsable --array=0-$((n - 1)) -o "$T/render-%a.log" \
      --wrap "'$AIM' render '$T/J' --segment \$SLURM_ARRAY_TASK_ID -q")
check "array job submitted" test -n "$jid"
# (a failed render makes the dependency unsatisfiable: the join is then cancelled at once
# instead of waiting for the timeout)
timeout 300 sbatch --wait --dependency=afterok:"$jid" --kill-on-invalid-dep=yes -o "$T/join.log" \
      --wrap "'$AIM' join '$T/J' --out '$T/joined.mkv' -q" >/dev/null
eq "dependent join job: exit code" "$?" 0
check "every array task ran" test "$(ls "$T"/render-*.log 2>/dev/null | wc -l)" = "$n"
vmd5() { ffmpeg -nostdin -v error -i "$1" -map 0:v -f framemd5 - | grep -v '^#' | md5sum; }
eq "frames bit-identical to the one-piece run" "$(vmd5 joined.mkv)" "$(vmd5 one.mkv)"
eq "frame count" "$(frames joined.mkv)" "$(frames one.mkv)"
eq "audio and subtitles as in the one-piece output" \
   "$(side_packets joined.mkv a | md5sum) $(side_packets joined.mkv s | md5sum)" \
   "$(side_packets one.mkv a | md5sum) $(side_packets one.mkv s | md5sum)"
finish
