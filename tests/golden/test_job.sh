#!/usr/bin/env bash
# plan / render / join / status: the joined file decodes to exactly the frames of a one-piece
# enhance with the same settings (--crf 0: libx264 lossless), with the same timestamps and the
# same other streams; every segment starts with a keyframe. Boundaries of all three kinds (cut,
# hold, one frame read twice) occur. Faults: render of a done segment does nothing, a lock held
# by a live process is respected and a dead one's is taken over, a killed worker's partial is
# never taken as done, two workers on one segment leave one valid segment, join refuses missing,
# damaged and foreign segments, workers refuse another input and other settings.
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/in.mkv" --frames 144 --size 320x180 >/dev/null 2>&1 || { bad "aim_gen"; finish; exit; }
cd "$T" || exit 1
"$AIM" enhance in.mkv --out one.mkv --crf 0 -q
eq "one-piece exit code" "$?" 0

n=$("$AIM" plan in.mkv --job J --segments 16 --crf 0 -q)
eq "plan exit code" "$?" 0
eq "plan prints N = segment_count" "\"segment_count\": $n," "$(grep -o '"segment_count": [0-9]*,' J/plan.json)"
for kind in cut hold overlap; do
    check "a boundary at a $kind" grep -q "\"boundary\": \"$kind\"" J/plan.json
done
check "plan records the input hash" grep -q "\"input_sha256\": \"$(sha256sum < in.mkv | cut -c1-64)\"" J/plan.json
check "plan records gate.bin's SHA-256 (of the bytes it wrote)" grep -q "\"gate_sha256\": \"$(sha256sum < J/gate.bin | cut -c1-64)\"" J/plan.json
check "plan records the gate decisions" grep -q '"decisions": "sh[hmcf]*"' J/plan.json
eq "plan again without -y is refused" "$("$AIM" plan in.mkv --job J --crf 0 -q 2>/dev/null; echo $?)" 3

# status before anything ran; join refuses, listing the missing segments
check "status lists pending segments" sh -c "'$AIM' status J | grep -q '^0 done, 0 running, $n pending'"
"$AIM" join J --out joined.mkv 2>join.log
eq "join with nothing rendered: exit code" "$?" 2
eq "join lists every missing segment" "$(grep -c 'segment [0-9]*: not rendered' join.log)" "$n"
check "join left no output" test ! -e joined.mkv

# a live process's lock is respected; a dead process's lock is taken over
echo "$(hostname) $$ 0" > J/seg-00001.lock
"$AIM" render J --segment 1 -q 2>lock.log
eq "render of a segment locked by a live process: exit code" "$?" 0
check "...says who holds it" grep -q "being rendered by another worker" lock.log
check "...and renders nothing" test ! -e J/seg-00001.done
sleep 0.01 & dead=$!; wait $dead
echo "$(hostname) $dead 0" > J/seg-00001.lock
"$AIM" render J --segment 1 -q
eq "render over a dead worker's lock: exit code" "$?" 0
check "...renders it" test -e J/seg-00001.done
check "...and releases the lock" test ! -e J/seg-00001.lock

# a worker killed mid-segment: its partial file is never taken as done
big=$(grep -o '"index": [0-9]*, "first": [0-9]*, "end": [0-9]*' J/plan.json |
      awk -F'[:,]' '{ if ($6 - $4 > m) { m = $6 - $4; k = $2 } } END { print k + 0 }')
"$AIM" render J --segment "$big" -q & pid=$!
for _ in $(seq 50); do ls -a J | grep -q "^\.seg-0*$big\.mkv\.part" && break; sleep 0.05; done
kill -9 $pid; wait $pid 2>/dev/null
if [ -e "J/seg-$(printf %05d "$big").done" ]; then
    echo "note: segment $big finished before the kill" >&2
else
    check "killed worker: segment pending" sh -c "'$AIM' status J | grep -q '^ *$big .*pending'"
fi

# two workers on one segment at once, the rest one by one
"$AIM" render J --segment 2 -q 2>w1.log & p1=$!
"$AIM" render J --segment 2 -q 2>w2.log & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
eq "two workers on one segment: exit codes" "$r1 $r2" "0 0"
rc=0
for k in $(seq 0 $((n - 1))); do "$AIM" render J --segment "$k" -q || rc=$?; done
eq "render every segment: exit codes" "$rc" 0
check "status: all done" sh -c "'$AIM' status J | grep -q '^$n done, 0 running, 0 pending'"
before=$(stat -c %Y.%s J/seg-00000.mkv)
sleep 1
"$AIM" render J --segment 0 -q
eq "render of a done segment: exit code" "$?" 0
eq "render of a done segment does nothing" "$(stat -c %Y.%s J/seg-00000.mkv)" "$before"
check "no partial or lock files left" test -z "$(ls -A J | grep -v -e '^plan.json$' -e '^gate.bin$' -e '^seg-[0-9]*\.mkv$' -e '^seg-[0-9]*\.done$')"

"$AIM" join J --out joined.mkv -q
eq "join exit code" "$?" 0
vmd5() { ffmpeg -nostdin -v error -i "$1" -map 0:v -f framemd5 - | grep -v '^#' | md5sum; }
eq "joined frames bit-identical to the one-piece run" "$(vmd5 joined.mkv)" "$(vmd5 one.mkv)"
eq "frame count" "$(frames joined.mkv)" "$(frames one.mkv)"
vts() { ffprobe -v error -select_streams v:0 -show_entries frame=pts,pkt_duration -of csv=p=0 "$1" | grep -v '^$' | cut -d, -f1,2; }
eq "video timestamps" "$(vts joined.mkv | md5sum)" "$(vts one.mkv | md5sum)"
check_passthrough "$T/in.mkv" "$T/joined.mkv"
eq "other streams as in the one-piece output" \
   "$(side_packets joined.mkv a | md5sum) $(side_packets joined.mkv s | md5sum)" \
   "$(side_packets one.mkv a | md5sum) $(side_packets one.mkv s | md5sum)"
keys=$(ffprobe -v error -select_streams v:0 -show_entries frame=key_frame -of csv=p=0 joined.mkv |
       grep -v '^$' | awk -F, '$1 == 1 { print NR - 1 }' | tr '\n' ' ')
starts=$(grep -o '"out_first": [0-9]*' J/plan.json | awk '{ print $2 }')
missing_key=0
for s in $starts; do case " $keys " in *" $s "*) ;; *) missing_key=$((missing_key + 1));; esac; done
eq "every segment starts with a keyframe" "$missing_key" 0

# join refuses damaged and foreign segments, naming them
cp J/seg-00003.mkv seg3.bak
head -c 5000 seg3.bak > J/seg-00003.mkv
"$AIM" join J --out j2.mkv 2>dmg.log
eq "join with a truncated segment: exit code" "$?" 2
check "...names it" grep -q "segment 3: damaged" dmg.log
cp seg3.bak J/seg-00003.mkv
sed -i 's/"build_sha256": "[0-9a-f]*"/"build_sha256": "0000"/' J/seg-00004.done
"$AIM" join J --out j2.mkv 2>bld.log
eq "join with a segment of another build: exit code" "$?" 2
check "...names it" grep -q "segment 4: rendered by another build" bld.log
check "nothing written" test ! -e j2.mkv

# workers refuse another input and settings that resolve differently
cp -r J J2
sed -i 's/encoder=default, crf 0/encoder=default, crf 1/' J2/plan.json
"$AIM" render J2 --segment 0 -y 2>set.log
eq "render with other settings: exit code" "$?" 2
check "...names the difference" grep -q "plan 'encoder=default, crf 1" set.log
"$GEN" in.mkv --frames 144 --size 320x180 --seed 2 >/dev/null 2>&1
"$AIM" render J --segment 0 -y 2>inp.log
eq "render after the input changed: exit code" "$?" 2
check "...says so" grep -q "changed since it was planned" inp.log
finish
