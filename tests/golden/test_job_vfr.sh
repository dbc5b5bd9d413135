#!/usr/bin/env bash
# A variable-frame-rate input split into segments: a 23.976 fps part followed by a 29.97 fps
# part (pictures off the 23.976 grid), planned into 4 segments with boundaries in both parts.
# Segments place their frames by the pictures' times as the one-piece run does (pipeline.h's
# timed mode, with the times the plan read), so the joined --crf 0 output has exactly the
# one-piece run's frames, frame count, timestamps and other streams. The same holds with
# --clip over the change of rate (the job is the clip's range, as enhance --clip renders it).
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
"$GEN" a.mkv --frames 72 --size 320x180 >/dev/null 2>&1 &&
    "$GEN" b.mkv --frames 48 --size 320x180 --fps 30000/1001 --seed 2 >/dev/null 2>&1 ||
    { bad "aim_gen"; finish; exit; }
printf "file 'a.mkv'\nfile 'b.mkv'\n" > list.txt
ffmpeg -nostdin -v error -y -f concat -safe 0 -i list.txt -map 0 -c copy vfr.mkv ||
    { bad "concat"; finish; exit; }
vmd5() { ffmpeg -nostdin -v error -i "$1" -map 0:v -f framemd5 - | grep -v '^#' | md5sum; }
vts() { ffprobe -v error -select_streams v:0 -show_entries frame=pts,pkt_duration -of csv=p=0 "$1" | grep -v '^$' | cut -d, -f1,2; }
# job NAME ENHANCE-OPTIONS...: one-piece run, plan, every segment, join, compared
job() {
    local name=$1; shift
    "$AIM" enhance vfr.mkv --out "$name-one.mkv" --crf 0 -q "$@" 2>/dev/null
    eq "$name: one-piece exit code" "$?" 0
    local n
    n=$("$AIM" plan vfr.mkv --job "$name" --segments 4 --crf 0 -q "$@" 2>/dev/null)
    eq "$name: plan exit code" "$?" 0
    check "$name: at least 2 segments ($n)" test "${n:-0}" -ge 2
    # a segment lies wholly in the 29.97 part (its frames off the 23.976 grid)
    local rc=0
    for k in $(seq 0 $((n - 1))); do "$AIM" render "$name" --segment "$k" -q 2>>"$name.log" || rc=$?; done
    eq "$name: render every segment: exit codes ($(grep error "$name.log" | head -1))" "$rc" 0
    "$AIM" join "$name" --out "$name-joined.mkv" -q
    eq "$name: join exit code" "$?" 0
    eq "$name: frames bit-identical to the one-piece run" "$(vmd5 "$name-joined.mkv")" "$(vmd5 "$name-one.mkv")"
    eq "$name: frame count" "$(frames "$name-joined.mkv")" "$(frames "$name-one.mkv")"
    eq "$name: video timestamps" "$(vts "$name-joined.mkv" | md5sum)" "$(vts "$name-one.mkv" | md5sum)"
    eq "$name: audio and subtitles as in the one-piece output" \
       "$(side_packets "$name-joined.mkv" a | md5sum) $(side_packets "$name-joined.mkv" s | md5sum)" \
       "$(side_packets "$name-one.mkv" a | md5sum) $(side_packets "$name-one.mkv" s | md5sum)"
}
job whole
# the 29.97 part starts at 3.003 s: the last segments hold only pictures off the grid
last_first=$(grep -o '"index": [0-9]*, "first": [0-9]*' whole/plan.json | tail -1 | awk '{ print $4 }')
check "whole: the last segment starts in the 29.97 fps part ($last_first >= 72)" test "${last_first:-0}" -ge 72
job clip --clip 1.53-4.61
finish
