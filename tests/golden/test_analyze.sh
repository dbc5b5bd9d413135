#!/usr/bin/env bash
# ainimotion analyze on aim_gen's synthetic sample (every interval has a known class): cuts and
# holds exactly as the generator's truth, fades found, flashes never cuts; the CSV schema, the
# JSON, the timeline PNG; exit codes. On ../shared's onepiece clip when present: its hand-checked
# cuts and holds.
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/in.mkv" --frames 120 --truth "$T/truth.csv" >/dev/null || { bad "aim_gen"; finish; exit; }
"$AIM" analyze "$T/in.mkv" --csv "$T/a.csv" --json "$T/a.json" --timeline "$T/a.png" >"$T/out.txt"
eq "exit code" "$?" 0
eq "csv header" "$(head -1 "$T/a.csv")" \
   "frame,class,why,mad,ssim,hist,mc,cut_score,rel,palette,blockmax,sad,moving,luma,fade_fit,camera,on,time"
eq "one row per frame" "$(tail -n +2 "$T/a.csv" | wc -l)" 120
eq "18 columns in every row" "$(tail -n +2 "$T/a.csv" | awk -F, '{print NF}' | sort -u)" 18
eq "the cut's row has its timecode (frame 64 at 24000/1001)" "$(sed -n 66p "$T/a.csv" | cut -d, -f1,18)" "64,00:00:02.669"
eq "frames in order" "$(tail -n +2 "$T/a.csv" | cut -d, -f1 | tr '\n' ' ')" "$(seq 0 119 | tr '\n' ' ')"
# label of each frame: truth vs gate
grep -v '^#' "$T/truth.csv" | tail -n +2 | cut -d, -f1,2 > "$T/t.txt"
tail -n +2 "$T/a.csv" | cut -d, -f1,2 > "$T/g.txt"
frames_of() { grep ",$2\$" "$1" | cut -d, -f1 | tr '\n' ' '; }
eq "cuts as the truth" "$(frames_of "$T/g.txt" cut)" "$(frames_of "$T/t.txt" cut)"
eq "holds as the truth" "$(frames_of "$T/g.txt" hold)" "$(frames_of "$T/t.txt" hold)"
eq "start" "$(frames_of "$T/g.txt" start)" "0 "
# every fade of the truth is a fade; the gate's other fades are the flash frames (motion in the
# truth, blended by the gate): never a cut or a hold of the truth
eq "truth fades found" "$(join -t, "$T/t.txt" "$T/g.txt" | awk -F, '$2=="fade" && $3!="fade"' | wc -l)" 0
eq "extra fades are truth motion" \
   "$(join -t, "$T/t.txt" "$T/g.txt" | awk -F, '$3=="fade" && $2!="fade" && $2!="motion"' | wc -l)" 0
eq "truth motion is motion or fade" \
   "$(join -t, "$T/t.txt" "$T/g.txt" | awk -F, '$2=="motion" && $3!="motion" && $3!="fade"' | wc -l)" 0
check "summary printed, cuts with timecodes" grep -q "cuts: 64 (00:00:02.669)" "$T/out.txt"
check "cadence printed" grep -q "on 2s" "$T/out.txt"
if command -v python3 >/dev/null; then
    check "json parses, 120 records, summary" python3 -c "
import json, sys
d = json.load(open('$T/a.json'))
assert len(d['frames']) == 120 and d['summary']['frames'] == 120
assert d['summary']['cut'] == 1 and d['gate']['metric'] == 'mc'
assert d['frames'][64]['class'] == 'cut'
assert abs(d['frames'][64]['time'] - 64 * 1001 / 24000) < 1e-3
assert d['summary']['cuts'] == [{'frame': 64, 'time': 2.669, 'timecode': '00:00:02.669'}]
assert d['settings']['input'].endswith('in.mkv') and d['settings']['clip'] is None
"
fi
check "timeline is a PNG" test "$(head -c 8 "$T/a.png" | od -An -tx1 | tr -d ' ')" = "89504e470d0a1a0a"
eq "timeline width: readable, ~1600 px" "$(probe "$T/a.png" stream=width)" 1600
"$GEN" "$T/long.mkv" --duration 130 --size 64x36 --no-subs --no-audio >/dev/null
"$AIM" analyze "$T/long.mkv" --timeline "$T/long.png" -q
eq "long input: exit code" "$?" 0
check "long input: one row per minute (3 rows: taller)" test "$(probe "$T/long.png" stream=height)" -gt $((3 * $(probe "$T/a.png" stream=height) / 2))
# --csv -: CSV on stdout, the summary moves to stderr
"$AIM" analyze "$T/in.mkv" --csv - 2>"$T/err.txt" > "$T/stdout.txt"
eq "csv on stdout" "$(cat "$T/stdout.txt")" "$(cat "$T/a.csv")"
check "summary on stderr then" grep -q "cuts: 64" "$T/err.txt"
# other metrics run (their thresholds are in their own units)
"$AIM" analyze "$T/in.mkv" --gate-metric ssim -q --csv "$T/s.csv"
eq "ssim metric: exit code" "$?" 0
eq "clip: 1 s of frames" "$("$AIM" analyze "$T/in.mkv" --clip 1-2 --csv - -q | tail -n +2 | wc -l)" 24
# exit codes
"$AIM" analyze >/dev/null 2>&1; eq "no input: usage" "$?" 1
"$AIM" analyze "$T/in.mkv" --frobnicate >/dev/null 2>&1; eq "unknown option: usage" "$?" 1
"$AIM" analyze "$T/in.mkv" --gate-metric psnr >/dev/null 2>&1; eq "bad metric: usage" "$?" 1
"$AIM" analyze "$T/in.mkv" --cut-threshold 2 >/dev/null 2>&1; eq "bad threshold: usage" "$?" 1
"$AIM" analyze "$T/missing.mkv" >/dev/null 2>&1; eq "missing input" "$?" 2
echo "not a video" > "$T/junk.mkv"
"$AIM" analyze "$T/junk.mkv" >/dev/null 2>&1; eq "not media" "$?" 2
"$AIM" analyze "$T/in.mkv" --csv "$T/no/such/dir/a.csv" >/dev/null 2>&1; eq "unwritable csv" "$?" 3
"$AIM" analyze --help | grep -q -- "--gate-metric"; eq "help" "$?" 0

clip=$AIM_SHARED/clips/onepiece_demo.mp4
if [ -f "$clip" ]; then
    "$AIM" analyze "$clip" --csv "$T/op.csv" -q
    grep -v '^#' "$AIM_SHARED/clips/truth/onepiece_demo.csv" | tail -n +2 | cut -d, -f1,2 > "$T/opt.txt"
    tail -n +2 "$T/op.csv" | cut -d, -f1,2 > "$T/opg.txt"
    eq "onepiece: cuts" "$(frames_of "$T/opg.txt" cut)" "$(frames_of "$T/opt.txt" cut)"
    eq "onepiece: holds" "$(frames_of "$T/opg.txt" hold)" "$(frames_of "$T/opt.txt" hold)"
else
    echo "note: $clip absent, real-clip checks skipped" >&2
fi
finish
