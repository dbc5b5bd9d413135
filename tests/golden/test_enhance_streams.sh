#!/usr/bin/env bash
# enhance on the synthetic sample: 2x frames at 48000/1001, 854x480 from 640x360, every other
# stream (audio, ASS subtitles, font attachment), chapters and metadata carried through
# bit-identically and in the original order; --report written.
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/in.mkv" --frames 96 >/dev/null || { bad "aim_gen"; finish; exit; }
md5_before=$(md5sum < "$T/in.mkv")
"$AIM" enhance "$T/in.mkv" --out "$T/out.mkv" --fps 48 --scale 1.333 --report "$T/r.json" -q
eq "exit code" "$?" 0
eq "input untouched" "$(md5sum < "$T/in.mkv")" "$md5_before"
check "no temp files left" test -z "$(ls -A "$T" | grep -v -e '^in.mkv$' -e '^out.mkv$' -e '^r.json$')"
eq "video size" "$(probe "$T/out.mkv" stream=width,height v:0 | tr '\n' x)" "854x480x"
rate_eq "video rate" "$(probe "$T/out.mkv" stream=r_frame_rate v:0)" "48000/1001"
nin=$(frames "$T/in.mkv")
eq "frame count doubles" "$(frames "$T/out.mkv")" "$((2 * nin))"
check_passthrough "$T/in.mkv" "$T/out.mkv"
check "report has a summary" grep -q '"summary"' "$T/r.json"
eq "report: one record per source frame" "$(grep -c '^    {"frame":' "$T/r.json")" "$nin"

# mp4 output: video + audio; ASS and attachments cannot go into mp4 (dropped with a warning)
"$AIM" enhance "$T/in.mkv" --out "$T/out.mp4" --scale 1 2>"$T/mp4.log"
eq "mp4: exit code" "$?" 0
eq "mp4: audio packets bit-identical" "$(side_packets "$T/out.mp4" a | cut -d, -f2- | md5sum)" "$(side_packets "$T/in.mkv" a | cut -d, -f2- | md5sum)"
check "mp4: dropped streams are named" grep -qi "subtitle\|ass" "$T/mp4.log"
finish
