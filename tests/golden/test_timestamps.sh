#!/usr/bin/env bash
# Timestamps: output frame k sits at exactly k/out_fps; on a 24-minute input the audio still
# ends within one output frame of the video; --clip starts at zero with audio cut to match;
# 3x, 60 (59.94), 2.5x, 50 on 25 and --fps source work.
. "$(dirname "$0")/lib.sh"

# vframes FILE: number of video packets; vlast FILE: last video pts (s); aend FILE: audio end (s)
vpts() { ffprobe -v error -select_streams v:0 -show_entries packet=pts_time -of csv=p=0 "$1" | sort -g; }
aend() { ffprobe -v error -select_streams a:0 -show_entries packet=pts_time,duration_time -of csv=p=0 "$1" |
         awk -F, 'BEGIN{m=0} {e=$1+$2; if (e>m) m=e} END{printf "%.6f", m}'; }
astart() { ffprobe -v error -select_streams a:0 -show_entries packet=pts_time -of csv=p=0 "$1" | sort -g | head -1; }

# --- a 24-minute input, tiny picture so it runs in CI's time
"$GEN" "$T/long.mkv" --duration 1440 --size 64x48 --no-subs >/dev/null || { bad "aim_gen long"; finish; exit; }
"$AIM" enhance "$T/long.mkv" --out "$T/long_out.mkv" --fps 48 --scale 1 -q
eq "long: exit" "$?" 0
vpts "$T/long.mkv" > "$T/in_pts"
vpts "$T/long_out.mkv" > "$T/out_pts"
nin=$(wc -l < "$T/in_pts"); nout=$(wc -l < "$T/out_pts")
eq "long: 2x frames" "$nout" "$((2 * nin))"
# every output pts is k * 1001/48000; Matroska stores milliseconds, so within 0.5 ms
bad_pts=$(awk '{ want = (NR-1) * 1001 / 48000; d = $1 - want; if (d < 0) d = -d; if (d > 0.000501) n++ } END { print n+0 }' "$T/out_pts")
eq "long: pts = k/out_fps for every frame" "$bad_pts" 0
v_end=$(awk 'END{printf "%.6f", $1 + 1001/48000}' "$T/out_pts")
a_end=$(aend "$T/long_out.mkv"); a_in_end=$(aend "$T/long.mkv")
eq "long: audio end unchanged" "$a_end" "$a_in_end"
check "long: A/V ends within one output frame ($v_end vs $a_end)" \
    awk -v v="$v_end" -v a="$a_end" 'BEGIN{d=v-a; if(d<0)d=-d; exit !(d <= 1001/48000 + 1e-6)}'

# --- 3x and --fps source on a short clip
"$GEN" "$T/s.mkv" --frames 48 --size 160x90 >/dev/null
"$AIM" enhance "$T/s.mkv" --out "$T/s3.mkv" --fps 72 --scale 1 -q
eq "3x: exit" "$?" 0
eq "3x: frames" "$(vpts "$T/s3.mkv" | wc -l)" 144
rate_eq "3x: rate" "$(probe "$T/s3.mkv" stream=r_frame_rate v:0)" "72000/1001"
"$AIM" enhance "$T/s.mkv" --out "$T/s1.mkv" --fps source --scale 2 -q
eq "source rate: exit" "$?" 0
eq "source rate: frames" "$(vpts "$T/s1.mkv" | wc -l)" 48
eq "source rate: size" "$(probe "$T/s1.mkv" stream=width,height v:0 | tr '\n' x)" "320x180x"

# --- 60 (59.94) and 2.5x on 23.976: k/out_fps for every frame, ceil(N * 5/2) frames, the audio
# untouched and ending with the video; 50 on 25 is 2x
"$AIM" enhance "$T/s.mkv" --out "$T/s60.mkv" --fps 60 --scale 1 -q
eq "60: exit" "$?" 0
vpts "$T/s60.mkv" > "$T/s60_pts"
eq "60: frames" "$(wc -l < "$T/s60_pts")" 120
rate_eq "60: rate" "$(probe "$T/s60.mkv" stream=r_frame_rate v:0)" "60000/1001"
bad_pts=$(awk '{ want = (NR-1) * 1001 / 60000; d = $1 - want; if (d < 0) d = -d; if (d > 0.000501) n++ } END { print n+0 }' "$T/s60_pts")
eq "60: pts = k/out_fps for every frame" "$bad_pts" 0
eq "60: audio end unchanged" "$(aend "$T/s60.mkv")" "$(aend "$T/s.mkv")"
v_end=$(awk 'END{printf "%.6f", $1 + 1001/60000}' "$T/s60_pts")
check "60: video ends with the source video ($v_end, Matroska ms)" \
    awk -v v="$v_end" 'BEGIN{d = v - 48 * 1001 / 24000; if (d < 0) d = -d; exit !(d <= 0.000501)}'
"$AIM" enhance "$T/s.mkv" --out "$T/s25x.mkv" --fps 2.5x --scale 1 -q
eq "2.5x: exit" "$?" 0
eq "2.5x: frames" "$(vpts "$T/s25x.mkv" | wc -l)" 120
rate_eq "2.5x: rate" "$(probe "$T/s25x.mkv" stream=r_frame_rate v:0)" "60000/1001"
"$AIM" enhance "$T/s.mkv" --out "$T/s2x.y4m" --fps 2x --scale 1 -q
"$AIM" enhance "$T/s.mkv" --out "$T/s48.y4m" --fps 48 --scale 1 -q
eq "2x is --fps 48" "$(md5sum < "$T/s2x.y4m")" "$(md5sum < "$T/s48.y4m")"
"$GEN" "$T/p.mkv" --frames 25 --size 160x90 --fps 25 >/dev/null
"$AIM" enhance "$T/p.mkv" --out "$T/p50.mkv" --fps 50 --scale 1 -q
eq "50 on 25: exit" "$?" 0
eq "50 on 25: frames" "$(vpts "$T/p50.mkv" | wc -l)" 50
rate_eq "50 on 25: rate" "$(probe "$T/p50.mkv" stream=r_frame_rate v:0)" "50/1"

# --- --clip 1-3 s: 2 s at 48000/1001 = 96 frames (+-1 for frame alignment), audio 2 s, from 0
"$AIM" enhance "$T/long.mkv" --out "$T/clip.mkv" --clip 00:00:01-00:00:03 --fps 48 --scale 1 -q
eq "clip: exit" "$?" 0
n=$(vpts "$T/clip.mkv" | wc -l)
check "clip: ~96 frames ($n)" test "$n" -ge 94 -a "$n" -le 98
eq "clip: file starts at zero" "$(probe "$T/clip.mkv" format=start_time)" "0.000000"
# the audio packet that straddles the start is kept whole, so video may start up to one
# source frame later, in sync
check "clip: video starts within a source frame ($(vpts "$T/clip.mkv" | head -1))" \
    awk -v v="$(vpts "$T/clip.mkv" | head -1)" 'BEGIN{exit !(v >= 0 && v < 1001/24000)}'
# and the picture at clip time 0 is the source picture at 1 s: the y4m route keeps exact frames
"$AIM" enhance "$T/long.mkv" --out "$T/clip.y4m" --clip 1-3 --fps source --scale 1 -q
ffmpeg -nostdin -v error -ss 1 -i "$T/long.mkv" -frames:v 1 -f rawvideo -pix_fmt yuv420p "$T/src1.yuv"
ffmpeg -nostdin -v error -i "$T/clip.y4m" -frames:v 1 -f rawvideo -pix_fmt yuv420p "$T/clip1.yuv"
eq "clip: first frame is the source frame at START" "$(md5sum < "$T/clip1.yuv")" "$(md5sum < "$T/src1.yuv")"
check "clip: audio starts near 0 ($(astart "$T/clip.mkv"))" awk -v a="$(astart "$T/clip.mkv")" 'BEGIN{exit !(a > -0.1 && a < 0.1)}'
check "clip: audio ends near 2 s ($(aend "$T/clip.mkv"))" awk -v a="$(aend "$T/clip.mkv")" 'BEGIN{exit !(a > 1.9 && a < 2.15)}'
finish
