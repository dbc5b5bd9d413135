#!/usr/bin/env bash
# Variable frame rate input: the constant-rate output grid (k / out_fps) is rendered from the
# pictures' own timestamps (pipeline.h's timed mode): an output frame between two pictures is
# rendered at its fractional t by the gate's class for that pair, a picture on an output frame's
# time is that frame exactly; nothing is thinned or repeated, and the output stays in sync with
# the audio. Two inputs: a 23.976 fps part followed by a 29.97 fps part (as episodes whose
# credits were cut at another rate), and a 23.976 fps clip with 5 pictures cut out and the
# timestamps kept (a gap: rendered between the pictures around it). Constant-rate input (here
# and the shared clips) is untouched and gets no warning. `analyze` reads both as enhance does.
. "$(dirname "$0")/lib.sh"
enc() { ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=s=160x96:r=$1:d=2" -c:v libx264 -pix_fmt yuv420p "$2"; }
enc 24000/1001 "$T/a.mkv" && enc 30000/1001 "$T/b.mkv" || { bad "ffmpeg inputs"; finish; exit; }
printf "file '%s'\nfile '%s'\n" "$T/a.mkv" "$T/b.mkv" > "$T/list.txt"
ffmpeg -nostdin -v error -y -f concat -safe 0 -i "$T/list.txt" -c copy "$T/vfr.mkv" || { bad "concat"; finish; exit; }
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=s=160x96:r=24000/1001:d=2" \
    -vf "select='not(between(n,10,14))'" -fps_mode passthrough -c:v libx264 -pix_fmt yuv420p \
    "$T/gap.mkv" || { bad "gap input"; finish; exit; }

# psnr_at A I B J: luma+chroma PSNR of picture I of A against picture J of B (decode order =
# presentation order here: no B-frame reordering survives select's n)
psnr_at() {
    ffmpeg -nostdin -v info -i "$1" -i "$3" \
        -lavfi "[0]select=eq(n\,$2),setpts=N[a];[1]select=eq(n\,$4),setpts=N[b];[a][b]psnr" \
        -f null - 2>&1 | sed -n 's/.*PSNR.* average:\([0-9.inf]*\).*/\1/p'
}
ge() { check "$1 ($2 >= $3)" awk -v a="$2" -v b="$3" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
le() { check "$1 ($2 <= $3)" awk -v a="$2" -v b="$3" 'BEGIN { exit !(a + 0 <= b + 0) }'; }

"$AIM" enhance "$T/vfr.mkv" --out "$T/o.mkv" --scale 1 -q </dev/null 2>"$T/err"
eq "24+30 fps: exit code" "$?" 0
check "24+30 fps: warned where the 29.97 fps part starts (2.0-2.2 s)" \
    grep -Eq "variable frame rate: the picture at 2\.[0-2][0-9]* s is off .* rendered at their own times" "$T/err"
# 2 s at 29.97 fps = 60 pictures in 2 s at 23.976 = 48 slots; every 5th picture is on a slot
check "24+30 fps: 48 pictures off the grid, none dropped" \
    grep -q "48 pictures off the 23.976 fps grid and 0 missing slots, rendered at their own times; 0 dropped" "$T/err"
eq "24+30 fps: two warning lines" "$(grep -c "variable frame rate" "$T/err")" 2
eq "24+30 fps: 96 slots x 2 output frames" "$(frames "$T/o.mkv")" 192
# output frame 168 = slot 84 = 3.5035 s: the 29.97 part's picture 45 (at 2.002 + 45 / 29.97 s),
# source picture 93; numbered without the timestamps it would be source picture 84
in_sync=$(psnr_at "$T/o.mkv" 168 "$T/vfr.mkv" 93)
drifted=$(psnr_at "$T/o.mkv" 168 "$T/vfr.mkv" 84)
ge "24+30 fps: picture at 3.5 s is the source's at 3.5 s" "$in_sync" 38
le "24+30 fps: ... not the one 9 pictures earlier" "$drifted" 25

# The same in MP4 after a longer 23.976 part: its avg_frame_rate is the mean (6 s + 2 s:
# 204 / 8.0 s = 25.5), its r_frame_rate 23.976. The grid is the nominal 23.976, not the mean
# (which would repeat and drop pictures all through the 23.976 part).
enc6() { ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=s=160x96:r=24000/1001:d=6" -c:v libx264 -pix_fmt yuv420p "$1"; }
enc6 "$T/a6.mkv" && printf "file '%s'\nfile '%s'\n" "$T/a6.mkv" "$T/b.mkv" > "$T/list6.txt" &&
    ffmpeg -nostdin -v error -y -f concat -safe 0 -i "$T/list6.txt" -c copy "$T/vfr.mp4" ||
    { bad "mp4 input"; finish; exit; }
"$AIM" enhance "$T/vfr.mp4" --out "$T/m.mkv" --scale 1 </dev/null 2>"$T/err"
eq "mp4 24+30: exit code" "$?" 0
check "mp4 24+30: the nominal 23.976 fps, doubled" grep -q "23.976 fps -> 160x96 47.952 fps" "$T/err"
check "mp4 24+30: only the 29.97 part is off the grid" grep -q "48 pictures off the 23.976 fps grid and 0 missing" "$T/err"

"$AIM" enhance "$T/gap.mkv" --out "$T/g.mkv" --scale 1 -q --report "$T/g.json" </dev/null 2>"$T/err"
eq "gap: exit code" "$?" 0
check "gap: 5 missing slots" grep -q "0 pictures off the 23.976 fps grid and 5 missing slots" "$T/err"
eq "gap: 48 slots x 2 output frames" "$(frames "$T/g.mkv")" 96
# picture 9 is slot 9 (output frame 18), picture 10 slot 15 (output frame 30); output frames
# 19-29 lie between them at t = (k / 2 - 9) / 6, rendered by the gate's class for the pair
ge "gap: output frame 18 is source picture 9" "$(psnr_at "$T/g.mkv" 18 "$T/gap.mkv" 9)" 38
ge "gap: output frame 30 is source picture 10" "$(psnr_at "$T/g.mkv" 30 "$T/gap.mkv" 10)" 38
check "gap: no repeated pictures for the gate (no holds)" grep -Eq '"hold": *0' "$T/g.json"
eq "gap: 43 pictures, 42 intervals" "$(grep -c '"frame": ' "$T/g.json")" 43

# analyze reads a variable-rate input as enhance does: one record per picture, each at the
# picture's own time (ffprobe's, from the first; within 1 ms: Matroska stores whole ms and the
# reader puts a picture one nominal frame after the one before on its exact slot), the same
# records and times as enhance --report (on the constant grid it had 96 records for the 24+30
# input, at slot times)
ptimes() {
    ffprobe -v error -select_streams v -show_entries frame=best_effort_timestamp_time \
        -of csv=p=0 "$1" | awk 'NF { if (!n++) t0 = $1; printf "%.4f\n", $1 - t0 }'
}
rtimes() { grep -o '"frame": [0-9]*, "time": [0-9.]*' "$1" | sed 's/.*: //'; }
# same_times A B: as many times in A as in B, each within 1 ms
same_times() {
    [ "$(wc -l <"$1")" -eq "$(wc -l <"$2")" ] && paste "$1" "$2" |
        awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 0.0011) bad++ } END { exit bad > 0 }'
}
"$AIM" analyze "$T/vfr.mkv" --json "$T/va.json" --csv "$T/va.csv" --timeline "$T/va.png" \
    -q </dev/null 2>"$T/err"
eq "analyze 24+30: exit code" "$?" 0
eq "analyze 24+30: one record per picture (48 + 60)" "$(tail -n +2 "$T/va.csv" | wc -l)" 108
rtimes "$T/va.json" >"$T/va.t"; ptimes "$T/vfr.mkv" >"$T/vfr.t"
check "analyze 24+30: each record at its picture's time" same_times "$T/va.t" "$T/vfr.t"
eq "analyze 24+30: the CSV's timecode of picture 93 (2.002 + 45 / 29.97 s)" \
    "$(awk -F, '$1 == 93 { print $18 }' "$T/va.csv")" "00:00:03.504"
"$AIM" analyze "$T/gap.mkv" --json "$T/ga.json" -q </dev/null 2>"$T/err"
eq "analyze gap: exit code" "$?" 0
rtimes "$T/ga.json" >"$T/ga.t"; ptimes "$T/gap.mkv" >"$T/gap.t"
check "analyze gap: each record at its picture's time" same_times "$T/ga.t" "$T/gap.t"
eq "analyze gap: the records, classes and times of enhance --report" \
    "$(grep -o '"frame": [0-9]*, "time": [0-9.]*, "class": "[a-z]*"' "$T/ga.json")" \
    "$(grep -o '"frame": [0-9]*, "time": [0-9.]*, "class": "[a-z]*"' "$T/g.json")"

"$AIM" enhance "$T/a.mkv" --out "$T/c.mkv" --scale 1 -q </dev/null 2>"$T/err"
eq "CFR: exit code" "$?" 0
eq "CFR: no warning" "$(grep -c "variable frame rate" "$T/err")" 0
eq "CFR: 48 source frames x 2" "$(frames "$T/c.mkv")" 96
finish
