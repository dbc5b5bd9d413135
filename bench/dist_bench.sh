#!/usr/bin/env bash
# Jobs against one enhance, same settings, same run, on this machine:
#   A  one `enhance --threads 2`
#   B  `plan` + 2 parallel workers (`render`, --threads 1 each, GNU parallel -j2) + `join`
#   C  `enhance --resume` killed (SIGKILL) at half of A's wall time, then run again: the work
#      redone is the segment in progress at the kill (from the last finished segment to the kill)
# and counts the frames of the three outputs. (Frame equality is the tests' job: with a lossy
# crf the encoder's rate control differs per segment; tests/golden/test_job.sh uses --crf 0.)
# usage: [SEGMENTS=4] bash bench/dist_bench.sh BUILD WORKDIR [SECONDS] [enhance options...]
# (default: 60 s of 1920x1080 from aim_gen, options --preset fast: 2x rate, 2560x1440)
set -u
B=$(realpath "$1")/ainimotion
G=$(realpath "$1")/aim_gen
W=$2
secs=${3:-60}
shift 3 2>/dev/null || shift $#
opts=("$@")
[ ${#opts[@]} -gt 0 ] || opts=(--preset fast)
mkdir -p "$W" && cd "$W" || exit 1
now() { date +%s.%N; }
el() { echo "$2 - $1" | bc; }
in=in1080_${secs}s.mkv
[ -e "$in" ] || "$G" "$in" --size 1920x1080 --duration "$secs" --no-subs >/dev/null 2>&1
echo "input: $in ($(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=width,height,nb_read_packets -of csv=p=0 "$in")), options: ${opts[*]}"
echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
frames() { ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$1"; }

rm -rf J one.mkv joined.mkv resumed.mkv .resumed.mkv.aimjob
t0=$(now)
"$B" enhance "$in" --out one.mkv --threads 2 "${opts[@]}" -q -y
t1=$(now)
A=$(el "$t0" "$t1")
echo "A one enhance --threads 2: ${A} s"

t0=$(now)
n=$("$B" plan "$in" --job J --segments "${SEGMENTS:-4}" --threads 1 "${opts[@]}" -q)
t1=$(now)
parallel --will-cite -j2 "$B" render J --segment {} -q ::: $(seq 0 $((n - 1)))
t2=$(now)
"$B" join J --out joined.mkv -q
t3=$(now)
P=$(el "$t0" "$t1"); R=$(el "$t1" "$t2"); Jn=$(el "$t2" "$t3"); Bt=$(el "$t0" "$t3")
echo "B plan ($n segments): ${P} s, render (2 workers): ${R} s, join: ${Jn} s, total ${Bt} s"
echo "B / A wall-time ratio: $(echo "scale=3; $Bt / $A" | bc)"
grep -o '"boundary": "[a-z]*"' J/plan.json | sort | uniq -c | tr -s ' ' | tr '\n' ';'; echo

# C: resume, killed at half of A
job=.resumed.mkv.aimjob
t0=$(now)
"$B" enhance "$in" --out resumed.mkv --threads 2 "${opts[@]}" --resume -q & pid=$!
sleep "$(echo "$A / 2" | bc -l)"
kill -9 $pid; wait $pid 2>/dev/null
tk=$(now)
ns=$(grep -o '"segment_count": [0-9]*' $job/plan.json | awk '{ print $2 }')
d=$(ls $job | grep -c '\.done$')
last=$(ls -t --time-style=+%s.%N -l $job/*.done 2>/dev/null | head -1 | awk '{ print $6 }')
[ -n "$last" ] || last=$(stat -c %Y $job/gate.bin)
redone=$(el "$last" "$tk")
"$B" enhance "$in" --out resumed.mkv --threads 2 "${opts[@]}" --resume 2>resume2.log
t2=$(now)
C1=$(el "$t0" "$tk"); C2=$(el "$tk" "$t2")
echo "C killed after ${C1} s with $d of $ns segments done; rerun ${C2} s; total $(echo "$C1 + $C2" | bc) s"
echo "C work lost at the kill (last finished segment -> kill): ${redone} s; one segment is about $(echo "scale=1; $A / $ns" | bc) s of A"
grep -o 'resuming .*' resume2.log
echo "frames: A $(frames one.mkv), B $(frames joined.mkv), C $(frames resumed.mkv)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
