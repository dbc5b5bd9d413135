#!/usr/bin/env bash
# aim_gen (tests/gen): streams, metadata, chapters, frame counts and rates, the truth CSV (row
# count, label counts, and labels against the decoded pixels of a lossless clip), determinism
# (same args -> same decoded video and audio), sample-exact beep onsets, size/rate/depth
# variants, MP4, and argument errors. Needs ffmpeg/ffprobe (Debian package ffmpeg).
set -u
G=${AIM_BUILD:?}/aim_gen
T=${AIM_TMP:?}/test_gen
command -v ffprobe >/dev/null && command -v ffmpeg >/dev/null || { echo "SKIP: ffmpeg/ffprobe not installed"; exit 77; }
[ -x "$G" ] || { echo "FAIL: $G not built"; exit 1; }
rm -rf "$T" && mkdir -p "$T" || exit 1

checks=0 failed=0
ok() { # description, command...
    local d=$1; shift
    checks=$((checks + 1))
    if ! "$@"; then failed=$((failed + 1)); echo "FAIL: $d"; fi
}
eq() { [ "$1" = "$2" ] || { echo "  got '$1', expected '$2'"; return 1; }; }
# value of one entry, e.g. pv a.mkv v:0 stream=pix_fmt
pv() { ffprobe -v error -select_streams "$2" -show_entries "$3" -of default=nw=1:nk=1 "$1" | head -1; }
streams() { ffprobe -v error -show_entries stream=codec_type,codec_name -of csv=p=0 "$1" | tr '\n' ';'; }
nframes() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of default=nw=1:nk=1 "$1"; }
rows() { grep -v '^#' "$1" | tail -n +2; }           # frame,label rows without the header
count() { rows "$1" | grep -c ",$2\$"; }
label() { rows "$1" | awk -F, -v f="$2" '$1 == f { print $2 }'; }
vmd5() { ffmpeg -v error -i "$1" -map 0:v -f framemd5 - | grep -v '^#' | awk -F, '{ print $NF }'; }
amd5() { ffmpeg -v error -i "$1" -map 0:a -f framemd5 - | grep -v '^#' | awk -F, '{ print $NF }'; }

# --- the default clip -------------------------------------------------------------------------
ok "default run" "$G" "$T/a.mkv" --truth "$T/a.csv"   # prints its time
A=$T/a.mkv
ok "stream list" eq "$(streams "$A")" "h264,video;flac,audio;ass,subtitle;ttf,attachment;"
ok "frame count" eq "$(nframes "$A")" 120
ok "fps" eq "$(pv "$A" v:0 stream=r_frame_rate)" 24000/1001
ok "size" eq "$(pv "$A" v:0 stream=width),$(pv "$A" v:0 stream=height)" 640,360
ok "pix_fmt" eq "$(pv "$A" v:0 stream=pix_fmt)" yuv420p
ok "colour tags" eq "$(pv "$A" v:0 stream=color_range),$(pv "$A" v:0 stream=color_space)" tv,bt709
ok "audio format" eq "$(pv "$A" a:0 stream=sample_rate),$(pv "$A" a:0 stream=channels)" 48000,2
ok "audio language" eq "$(pv "$A" a:0 stream_tags=language)" jpn
ok "audio title" eq "$(pv "$A" a:0 stream_tags=title)" "Main audio"
ok "subtitle language" eq "$(pv "$A" s:0 stream_tags=language)" eng
ok "subtitle events" eq "$(ffmpeg -v error -i "$A" -map 0:s -f ass - | grep -c '^Dialogue:')" 4
ffmpeg -v error -i "$A" -map 0:s -c copy -f ass - > "$T/a.ass"
ok "subtitle header" eq "$(grep -c -e '^\[Script Info\]' -e '^\[V4+ Styles\]' -e '^\[Events\]' -e '^Style: Default,DejaVu Sans,' "$T/a.ass")" 4
ok "attachment filename" eq "$(pv "$A" t:0 stream_tags=filename)" DejaVuSans.ttf
ok "attachment mimetype" eq "$(pv "$A" t:0 stream_tags=mimetype)" application/x-truetype-font
ok "global title" eq "$(ffprobe -v error -show_entries format_tags=title -of default=nw=1:nk=1 "$A")" "AInimotion sample"
ok "chapters" eq "$(ffprobe -v error -show_chapters -of csv=p=0 "$A" | cut -d, -f4,6,7 | tr '\n' ';')" \
    "0.000000,2.669333,Part A;2.669333,5.005000,Part B;"
ok "video duration" eq "$(ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 "$A")" 5.005000

# --- truth ------------------------------------------------------------------------------------
C=$T/a.csv
ok "truth header" eq "$(grep -v '^#' "$C" | head -1)" frame,label
ok "truth rows 0..119 in order" eq "$(rows "$C" | awk -F, '$1 != NR - 1 { bad = 1 } END { print NR, bad + 0 }')" "120 0"
ok "truth counts" eq "$(for l in start cut hold motion fade; do printf '%s=%s ' $l "$(count "$C" $l)"; done)" \
    "start=1 cut=1 hold=60 motion=42 fade=16 "
ok "truth counts comment" grep -q '^# counts: start=1 cut=1 hold=60 motion=42 fade=16$' "$C"
ok "layout" eq "$(for f in 0 1 2 24 25 26 27 36 37 48 49 63 64 65 76 77 78 88 95 96 97 112 119; do printf '%s ' "$(label "$C" $f)"; done)" \
    "start hold motion motion hold hold motion motion hold motion hold hold cut hold motion motion motion fade fade motion hold fade fade "

# Labels against pixels: on a lossless clip, 'hold' <=> the decoded frame equals the previous one.
ok "lossless run" "$G" "$T/l.mkv" --crf 0 --size 160x90 --no-audio --no-subs --truth "$T/l.csv"
vmd5 "$T/l.mkv" > "$T/l.md5"
ok "lossless: labels match the pixels" eq "$(rows "$T/l.csv" | cut -d, -f2 | paste -d, - "$T/l.md5" | awk -F, '
    NR > 1 && (($1 == "hold") != ($2 == prev)) { bad++; print "  frame " NR - 1 ": " $1 > "/dev/stderr" }
    { prev = $2 } END { print NR, bad + 0 }')" "120 0"
ok "lossless: same labels as 640x360" eq "$(rows "$T/l.csv" | md5sum)" "$(rows "$C" | md5sum)"

# --- determinism, seed (384x216: above 320x240, so the same "veryfast" x264 preset as the default)
B="--size 384x216 --frames 96"
ok "run 1" "$G" "$T/b1.mkv" $B --truth "$T/b1.csv"
ok "run 2" "$G" "$T/b2.mkv" $B
vmd5 "$T/b1.mkv" > "$T/b1.v"; vmd5 "$T/b2.mkv" > "$T/b2.v"
ok "same args, same decoded video" cmp -s "$T/b1.v" "$T/b2.v"
ok "same args, same decoded audio" eq "$(amd5 "$T/b1.mkv" | md5sum)" "$(amd5 "$T/b2.mkv" | md5sum)"
ok "seed 2 run" "$G" "$T/s.mkv" $B --seed 2 --truth "$T/s.csv"
ok "another seed, other pictures" eval "! cmp -s '$T/b1.v' <(vmd5 '$T/s.mkv')"
ok "another seed, same layout" eq "$(rows "$T/s.csv" | md5sum)" "$(rows "$T/b1.csv" | md5sum)"
ok "96 frames: the first 96 rows of the 120-frame truth" eq "$(rows "$T/b1.csv" | md5sum)" "$(rows "$C" | head -96 | md5sum)"

# --- audio: beeps start exactly on frames 0, 64 (cut) and 76 (flash) --------------------------
ffmpeg -v error -i "$A" -map 0:a -f s16le -af pan="mono|c0=c0" - | od -An -v -td2 -w2 > "$T/a.pcm"
# first non-zero sample of each burst after >= 1000 zero samples; 2002 samples per frame
ok "beep onsets" eq "$(awk '$1 != 0 && z >= 1000 || $1 != 0 && NR == 1 { printf "%d ", NR - 1 } { z = $1 == 0 ? z + 1 : 0 }' "$T/a.pcm")" \
    "0 128128 152152 "
ok "audio length" eq "$(wc -l < "$T/a.pcm")" 240240

# --- variants ---------------------------------------------------------------------------------
V=$T/odd.mkv
ok "odd 10-bit 30000/1001 run" "$G" "$V" --size 321x181 --depth 10 --fps 30000/1001 --frames 30 --no-audio
ok "odd: streams" eq "$(streams "$V")" "h264,video;ass,subtitle;ttf,attachment;"
ok "odd: size" eq "$(pv "$V" v:0 stream=width),$(pv "$V" v:0 stream=height)" 321,181
ok "odd: pix_fmt" eq "$(pv "$V" v:0 stream=pix_fmt)" yuv444p10le
ok "odd: fps" eq "$(pv "$V" v:0 stream=r_frame_rate)" 30000/1001
ok "odd: frames" eq "$(nframes "$V")" 30
V=$T/ffv1.mkv
ok "odd ffv1 run" "$G" "$V" --size 321x181 --encoder ffv1 --frames 6 --no-subs
ok "odd ffv1: 4:2:0" eq "$(pv "$V" v:0 stream=codec_name),$(pv "$V" v:0 stream=pix_fmt),$(pv "$V" v:0 stream=width)" ffv1,yuv420p,321
V=$T/d10.mkv
ok "10-bit run" "$G" "$V" --depth 10 --size 160x90 --frames 12 --fps 24
ok "10-bit: pix_fmt, profile, fps" eq "$(pv "$V" v:0 stream=pix_fmt),$(pv "$V" v:0 stream=profile),$(pv "$V" v:0 stream=r_frame_rate)" "yuv420p10le,High 10,24/1"
V=$T/m.mp4
ok "mp4 run" "$G" "$V" --frames 24
ok "mp4: streams (chapters add a text data track)" eq "$(streams "$V")" "h264,video;aac,audio;bin_data,data;"
ok "mp4: audio language" eq "$(pv "$V" a:0 stream_tags=language)" jpn
ok "mp4: frames" eq "$(nframes "$V")" 24
ok "mp4: chapters" eq "$(ffprobe -v error -show_chapters -of csv=p=0 "$V" | wc -l)" 2
V=$T/dur.mkv
ok "duration run" "$G" "$V" --duration 10 --size 64x48 --truth "$T/dur.csv"
ok "duration: frames = round(10 * 24000/1001)" eq "$(nframes "$V")" 240
ok "duration: truth rows and cuts (64, 120, 184)" eq "$(rows "$T/dur.csv" | wc -l) $(rows "$T/dur.csv" | grep ',cut$' | cut -d, -f1 | tr '\n' ' ')" \
    "240 64 120 184 "

# --- argument errors: usage errors exit 2, runtime errors 1, nothing written ------------------
for args in "" "--size 0x0" "--depth 9" "--fps 0/1" "--frames 0" "--crf 99" "--bogus" "--frames" \
            "--frames 10 --duration 1"; do
    # shellcheck disable=SC2086
    "$G" $( [ -n "$args" ] && echo "$T/e.mkv" ) $args 2>/dev/null
    ok "usage error exits 2: '$args'" eq "$?" 2
done
"$G" "$T/e.xyz" --frames 2 2>/dev/null
ok "unknown container exits 1" eq "$?" 1
ok "no output left by failed runs" eval "! ls '$T'/e.* 2>/dev/null | grep -q ."
ok "--help" eval "'$G' --help | grep -q -- --truth"

echo "test_gen: $checks checks, $failed failed"
[ "$failed" = 0 ]
