#!/usr/bin/env bash
# The issue's acceptance run on real anime: onepiece_demo.mp4 wrapped into an MKV with extra
# subtitle, attachment and chapter streams; enhance --fps 48 --scale 1.333 gives 2x the frames at
# 48000/1001, 854x640, all other streams bit-identical. (Frame-level checks against the truth
# labels are in test_e2e_frames.)
. "$(dirname "$0")/lib.sh"
clip=$AIM_SHARED/clips/onepiece_demo.mp4
[ -f "$clip" ] || skip "$clip not found (../shared absent)"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
[ -f "$font" ] || skip "$font missing (fonts-dejavu-core)"
cat > "$T/subs.ass" <<'ASS'
[Script Info]
ScriptType: v4.00+
PlayResX: 640
PlayResY: 480

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,DejaVu Sans,28,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,0,2,10,10,20,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:00.50,0:00:02.50,Default,,0,0,0,,First line
Dialogue: 0,0:00:03.00,0:00:05.00,Default,,0,0,0,,Second line
Dialogue: 0,0:00:05.50,0:00:07.40,Default,,0,0,0,,Third line
ASS
cat > "$T/meta.txt" <<'META'
;FFMETADATA1
title=One Piece demo (AInimotion test wrap)
[CHAPTER]
TIMEBASE=1/1000
START=0
END=4170
title=Part A
[CHAPTER]
TIMEBASE=1/1000
START=4170
END=7500
title=Part B
META
ffmpeg -nostdin -v error -i "$clip" -i "$T/subs.ass" -i "$T/meta.txt" -map 0 -map 1 \
    -map_metadata 2 -map_chapters 2 -c copy -metadata:s:a:0 language=jpn -metadata:s:s:0 language=eng \
    -attach "$font" -metadata:s:t mimetype=application/x-truetype-font "$T/in.mkv" \
    || { bad "wrapping the clip"; finish; exit; }
"$AIM" enhance "$T/in.mkv" --out "$T/out.mkv" --fps 48 --scale 1.333 -q
eq "exit code" "$?" 0
eq "frames" "$(frames "$T/out.mkv")" 362
rate_eq "rate" "$(probe "$T/out.mkv" stream=r_frame_rate v:0)" "48000/1001"
eq "size" "$(probe "$T/out.mkv" stream=width,height v:0 | tr '\n' x)" "854x640x"
check_passthrough "$T/in.mkv" "$T/out.mkv"
finish
