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

# AAC in MKV: the audio starts 21 ms before the video (its priming); the muxer shifts the
# streams back to the input's times, and the chapters must stay with them (they came out 21 ms
# early: 2.669 s became 2.648 s)
"$GEN" "$T/aac.mkv" --frames 72 --size 160x96 --audio-codec aac >/dev/null || bad "aim_gen aac"
"$AIM" enhance "$T/aac.mkv" --out "$T/aac_out.mkv" --preset fast -q
eq "aac mkv: exit code" "$?" 0
eq "aac mkv: chapters at the input's times" "$(ffprobe -v error -show_chapters -of csv=p=0 "$T/aac_out.mkv")" "$(ffprobe -v error -show_chapters -of csv=p=0 "$T/aac.mkv")"
eq "aac mkv: video starts where it did" "$(probe "$T/aac_out.mkv" stream=start_time v:0)" "$(probe "$T/aac.mkv" stream=start_time v:0)"
# Chapters measured from the video's start (ms; cut at 0, as an output cannot start before it)
chapters_from_video() {
    ffprobe -v error -show_chapters -of csv=p=0 "$1" |
        awk -F, -v v="$(probe "$1" stream=start_time v:0)" \
            '{ s = $4 - v; e = $6 - v; printf "%.3f,%.3f,%s\n", s < 0 ? 0 : s, e, $7 }'
}
# The same AAC clip into .mp4: the mp4 output has no muxer shift (the audio keeps its -21 ms in
# an edit list) and the video moves to 0: the chapters move with it (they stayed at the input's
# times: 2.669 s instead of 2.648 s)
"$AIM" enhance "$T/aac.mkv" --out "$T/aac_out.mp4" --preset fast -q 2>/dev/null
eq "aac mkv -> mp4: exit code" "$?" 0
eq "aac mkv -> mp4: chapters stay with the video" "$(chapters_from_video "$T/aac_out.mp4")" \
    "$(chapters_from_video "$T/aac.mkv")"
# AAC re-encoded into .mp4 (what ffmpeg -c:a aac writes): its priming is an edit list, the first
# audio packet at -21 ms before the video (at 0 from FLAC, at 21 ms from aac.mkv) while
# start_time is 0. Into .mkv the muxer shifts every packet up; the chapters must move with them
# (they stayed: 2.669 s became 2.648 s after the video's start)
"$GEN" "$T/flac.mkv" --frames 72 --size 160x96 >/dev/null || bad "aim_gen flac"
for src in flac aac; do
    ffmpeg -v error -i "$T/$src.mkv" -map 0:v -map 0:a -c:v copy -c:a aac "$T/$src.mp4" ||
        bad "ffmpeg $src -> aac mp4"
    for ext in mkv mp4; do
        "$AIM" enhance "$T/$src.mp4" --out "$T/${src}_mp4_out.$ext" --preset fast -q 2>/dev/null
        eq "$src -> aac mp4 -> $ext: exit code" "$?" 0
        eq "$src -> aac mp4 -> $ext: chapters stay with the video" \
            "$(chapters_from_video "$T/${src}_mp4_out.$ext")" "$(chapters_from_video "$T/$src.mp4")"
    done
done
finish
