#!/usr/bin/env bash
# Text subtitles into MP4/MOV: converted to mov_text (the only subtitle format they carry), the
# same events with the same text and times; ASS warns that its styling is lost, SRT converts
# quietly. (They used to be dropped.) MKV still copies them untouched (test_enhance_streams).
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/ass.mkv" --frames 96 --size 160x96 --audio-codec aac >/dev/null || { bad "aim_gen"; finish; exit; }
ffmpeg -nostdin -v error -i "$T/ass.mkv" -map 0:v -map 0:a -map 0:s -c copy -c:s srt "$T/srt.mkv" -y || bad "ffmpeg srt"
md5_in=$(md5sum < "$T/ass.mkv")
# events as "start --> end|text" without markup, times relative to the video's start
events() {
    local v0; v0=$(probe "$1" stream=start_time v:0)
    ffmpeg -nostdin -v error -i "$1" -map 0:s:0 -f srt - | tr -d '\r' | awk -v v0="$v0" '
        function sec(t) { split(t, a, /[:,]/); return a[1]*3600 + a[2]*60 + a[3] + a[4]/1000 }
        / --> / { split($0, p, " --> "); s = sec(p[1]) - v0; e = sec(p[2]) - v0; next }
        NF && $0 !~ /^[0-9]+$/ { gsub(/<[^>]*>/, ""); printf "%.2f %.2f|%s\n", s, e, $0 }'
}
want=$(events "$T/ass.mkv")
check "input has events" test -n "$want"
for c in mp4 mov; do
    "$AIM" enhance "$T/ass.mkv" --out "$T/o.$c" --scale 1 -q 2>"$T/err"
    eq "ass -> .$c: exit code" "$?" 0
    eq "ass -> .$c: subtitle stream" "$(probe "$T/o.$c" stream=codec_name s:0)" mov_text
    eq "ass -> .$c: same events, text and times" "$(events "$T/o.$c")" "$want"
    eq "ass -> .$c: one warning: styling lost" "$(grep -c 'subtitle ass.*converted to mov_text.*styling.*lost' "$T/err")" 1
done
"$AIM" enhance "$T/srt.mkv" --out "$T/srt.mp4" --scale 1 -q 2>"$T/err"
eq "srt -> .mp4: exit code" "$?" 0
eq "srt -> .mp4: subtitle stream" "$(probe "$T/srt.mp4" stream=codec_name s:0)" mov_text
eq "srt -> .mp4: same events" "$(events "$T/srt.mp4")" "$(events "$T/srt.mkv")"
check "srt -> .mp4: no warning" test ! -s "$T/err"
# a clip: events cut to the range, still in sync
"$AIM" enhance "$T/ass.mkv" --out "$T/clip.mp4" --clip 1-3 --scale 1 -q 2>/dev/null
eq "clip: exit code" "$?" 0
check "clip: events present" test -n "$(events "$T/clip.mp4")"
eq "input unchanged" "$(md5sum < "$T/ass.mkv")" "$md5_in"
check "nothing left" test -z "$(ls -A "$T" | grep part)"
finish
