#!/usr/bin/env bash
# A truncated input (a partial download: an MKV cut at 30%, a faststart MP4 cut at 10%) still
# gives what decodes, exit 0, but no longer silently: one warning containing "truncated" says
# where the video ends against the duration the container declares, and the report records it.
# Whole files give no such warning and "truncated": null.
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/t.mkv" --frames 240 --size 160x96 --no-subs >/dev/null || { bad "aim_gen"; finish; exit; }
"$GEN" "$T/t0.mp4" --frames 240 --size 160x96 >/dev/null || { bad "aim_gen"; finish; exit; }
ffmpeg -nostdin -v error -i "$T/t0.mp4" -c copy -movflags +faststart "$T/t.mp4" -y
cut_at() { head -c $(( $(stat -c %s "$1") * $2 / 100 )) "$1" > "$3"; }
cut_at "$T/t.mkv" 30 "$T/c30.mkv"
cut_at "$T/t.mp4" 10 "$T/c10.mp4"
report_trunc() { # report.json: "ended declared" or "null"
    python3 -c "import json,sys; t = json.load(open(sys.argv[1]))['run']['truncated']
print('null' if t is None else '%.3f %.3f' % (t['ended'], t['declared']))" "$1"
}
for f in c30.mkv c10.mp4; do
    md5=$(md5sum < "$T/$f")
    "$AIM" enhance "$T/$f" --out "$T/o_$f.mkv" --scale 1 -q --report "$T/r_$f.json" 2>"$T/err"
    eq "$f: exit code" "$?" 0
    eq "$f: one truncation warning" "$(grep -c 'warning: .*truncated: the video ends at' "$T/err")" 1
    check "$f: warning names the declared duration" grep -q "of the 00:00:10.010 (10.010 s) the container declares" "$T/err"
    n=$(frames "$T/o_$f.mkv")
    check "$f: output has the frames that decoded ($n)" test "$n" -gt 10 -a "$n" -lt 400
    if command -v python3 >/dev/null; then
        read -r ended declared <<<"$(report_trunc "$T/r_$f.json")"
        eq "$f: report: declared" "$declared" 10.010
        # the report's end is where the output's frames end (source frames / rate)
        eq "$f: report: ended matches the output" "$ended" "$(awk -v n="$n" 'BEGIN { printf "%.3f", n / 2 * 1001 / 24000 }')"
    fi
    eq "$f: input unchanged" "$(md5sum < "$T/$f")" "$md5"
done
"$AIM" enhance "$T/t.mkv" --out "$T/o_whole.mkv" --scale 1 -q --report "$T/r_whole.json" 2>"$T/err"
eq "whole file: exit code" "$?" 0
check "whole file: no truncation warning" test -z "$(grep truncated "$T/err")"
command -v python3 >/dev/null && eq "whole file: report says null" "$(report_trunc "$T/r_whole.json")" null
"$AIM" analyze "$T/c30.mkv" -q 2>"$T/err"
eq "analyze: exit code" "$?" 0
eq "analyze: warns too" "$(grep -c 'truncated' "$T/err")" 1
check "nothing left" test -z "$(ls -A "$T" | grep part)"
finish
