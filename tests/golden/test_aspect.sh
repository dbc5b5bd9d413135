#!/usr/bin/env bash
# Anamorphic input (a 720x480 DVD picture, SAR 10:11) keeps its display aspect: the sample
# aspect ratio is carried (the scale is uniform: same pixel shape) and tagged in every container (it used to come
# out as 960x640 with no SAR: ~10% too wide). Square-pixel input stays untagged.
. "$(dirname "$0")/lib.sh"
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=s=720x480:r=30000/1001:d=0.4" -vf setsar=10/11 \
    -c:v libx264 -preset ultrafast "$T/dvd.mkv" -y || { bad "ffmpeg"; finish; exit; }
md5_in=$(md5sum < "$T/dvd.mkv")
for o in out.mkv out.mp4 out.mov out.y4m; do
    "$AIM" enhance "$T/dvd.mkv" --out "$T/$o" --fps source --scale 1.333 -q
    eq "$o: exit code" "$?" 0
    eq "$o: size, SAR, display aspect" \
       "$(probe "$T/$o" stream=width,height,sample_aspect_ratio,display_aspect_ratio v:0 | tr '\n' ' ')" \
       "960 640 10:11 15:11 "
done
"$AIM" enhance "$T/dvd.mkv" --out "$T/s1.mkv" --fps source --scale 1 -q
eq "--scale 1: SAR kept" "$(probe "$T/s1.mkv" stream=width,sample_aspect_ratio v:0 | tr '\n' ' ')" "720 10:11 "
"$GEN" "$T/sq.mkv" --frames 6 --size 160x96 --no-subs --no-audio >/dev/null
"$AIM" enhance "$T/sq.mkv" --out "$T/sq_out.mkv" --fps source -q
eq "square pixels: untagged as before" "$(probe "$T/sq_out.mkv" stream=sample_aspect_ratio v:0)" \
   "$(probe "$T/sq.mkv" stream=sample_aspect_ratio v:0)"
eq "input unchanged" "$(md5sum < "$T/dvd.mkv")" "$md5_in"
finish
