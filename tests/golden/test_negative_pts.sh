#!/usr/bin/env bash
# Negative timestamps: an MKV whose first 0.5 s lie before 0 (ffmpeg -output_ts_offset -0.5
# -avoid_negative_ts disabled). libavformat's Matroska demuxer returns no timestamp for those
# pictures; they used to be numbered from 0, take the slots of the first real pictures (which
# were dropped) and the video ended 0.5 s before the audio. Now every picture is kept, as
# ffmpeg -fps_mode cfr keeps them (count within 1), and video and audio start and end together.
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/syn.mkv" --frames 48 --size 160x96 --no-subs >/dev/null || { bad "aim_gen"; finish; exit; }
ffmpeg -nostdin -v error -i "$T/syn.mkv" -c:v libx264 -bf 3 -output_ts_offset -0.5 \
    -avoid_negative_ts disabled -c:a aac "$T/negpts.mkv" -y || { bad "ffmpeg"; finish; exit; }
md5_in=$(md5sum < "$T/negpts.mkv")
ref=$(ffmpeg -nostdin -v error -i "$T/negpts.mkv" -fps_mode cfr -an -f framemd5 - | grep -c '^0,')
within1() { # description got want
    if [ "$2" -ge $(($3 - 1)) ] && [ "$2" -le $(($3 + 1)) ]; then ok; else bad "$1: got $2, want $3 +-1"; fi
}
# end of a stream in seconds: last packet's pts + duration
stream_end() {
    ffprobe -v error -select_streams "$2" -show_entries packet=pts_time,duration_time -of csv=p=0 "$1" |
        awk -F, '$1 != "N/A" { e = $1 + ($2 == "N/A" ? 0 : $2); if (e > m) m = e } END { print m }'
}
near() { # description a b tolerance
    if awk -v a="$2" -v b="$3" -v t="$4" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; then ok
    else bad "$1: $2 vs $3 (tolerance $4)"; fi
}
"$AIM" enhance "$T/negpts.mkv" --out "$T/src.mkv" --fps source --scale 1 -q
eq "--fps source: exit code" "$?" 0
within1 "--fps source: frames as ffmpeg -fps_mode cfr" "$(frames "$T/src.mkv")" "$ref"
# sync: the video starts where it started against the audio (0.021 s after it) and ends with it
vs=$(probe "$T/src.mkv" stream=start_time v:0); as=$(probe "$T/src.mkv" stream=start_time a:0)
near "video start vs audio start" "$(awk -v v="$vs" -v a="$as" 'BEGIN { print v - a }')" 0.021 0.021
near "video end vs audio end" "$(stream_end "$T/src.mkv" v:0)" "$(stream_end "$T/src.mkv" a:0)" 0.1
"$AIM" enhance "$T/negpts.mkv" --out "$T/x2.mkv" --scale 1 -q
eq "2x: exit code" "$?" 0
eq "2x: frames" "$(frames "$T/x2.mkv")" "$((2 * $(frames "$T/src.mkv")))"
near "2x: video end vs audio end" "$(stream_end "$T/x2.mkv" v:0)" "$(stream_end "$T/x2.mkv" a:0)" 0.1
eq "input unchanged" "$(md5sum < "$T/negpts.mkv")" "$md5_in"
check "nothing else left" test -z "$(ls -A "$T" | grep part)"
finish
