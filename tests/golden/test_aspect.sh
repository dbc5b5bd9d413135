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
# --square-pixels: resampled to square pixels instead (the width times the SAR, even, then
# --scale), tagged 1:1; the display aspect stays within a pixel of 15:11
for sc in 1:654x480 1.333:872x640; do
    "$AIM" enhance "$T/dvd.mkv" --out "$T/sq.mkv" --fps source --scale "${sc%%:*}" --square-pixels -q -y
    eq "--square-pixels --scale ${sc%%:*}: exit code" "$?" 0
    eq "--square-pixels --scale ${sc%%:*}: size" \
       "$(probe "$T/sq.mkv" stream=width,height v:0 | tr '\n' x)" "${sc#*:}x"
    eq "--square-pixels --scale ${sc%%:*}: SAR" "$(probe "$T/sq.mkv" stream=sample_aspect_ratio v:0)" 1:1
done
# the picture is the whole frame resampled (not cropped or padded): against ffmpeg's bicubic
# resample to the same size 30.6 dB here (the engines differ), a crop of the width 14.4 dB
"$AIM" enhance "$T/dvd.mkv" --out "$T/sq.y4m" --fps source --scale 1 --square-pixels --preset fast -q -y
psnr=$(ffmpeg -nostdin -i "$T/sq.y4m" -i "$T/dvd.mkv" -lavfi \
    "[1:v]scale=654:480:flags=bicubic,setsar=1[r];[0:v][r]psnr" -f null - 2>&1 |
    sed -n 's/.*PSNR y:\([0-9.]*\).*/\1/p')
check "--square-pixels: the whole picture resampled (PSNR-Y $psnr dB against ffmpeg's, > 25)" \
    awk -v p="$psnr" 'BEGIN { exit !(p + 0 > 25) }'
"$AIM" enhance "$T/sq.y4m" --out "$T/sq2.mkv" --fps source --scale 1 --square-pixels -q
eq "--square-pixels on square pixels: the size kept" \
   "$(probe "$T/sq2.mkv" stream=width,height v:0 | tr '\n' x)" "654x480x"
eq "input unchanged" "$(md5sum < "$T/dvd.mkv")" "$md5_in"
finish
