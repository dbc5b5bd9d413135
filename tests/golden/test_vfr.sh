#!/usr/bin/env bash
# Variable frame rate input (a 23.976 fps part followed by a 29.97 fps part, as in episodes whose
# credits were cut at another rate): the output is constant-rate, so the pictures of the second
# part drift from the audio. That must be said (a warning when the first frame leaves the grid by
# more than half a frame, and the largest distance at the end), not done silently. Constant-rate
# input (here and the shared clips) gets no such warning.
. "$(dirname "$0")/lib.sh"
enc() { ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=s=160x96:r=$1:d=2" -c:v libx264 -pix_fmt yuv420p "$2"; }
enc 24000/1001 "$T/a.mkv" && enc 30000/1001 "$T/b.mkv" || { bad "ffmpeg inputs"; finish; exit; }
printf "file '%s'\nfile '%s'\n" "$T/a.mkv" "$T/b.mkv" > "$T/list.txt"
ffmpeg -nostdin -v error -y -f concat -safe 0 -i "$T/list.txt" -c copy "$T/vfr.mkv" || { bad "concat"; finish; exit; }

"$AIM" enhance "$T/vfr.mkv" --out "$T/o.mkv" --scale 1 -q </dev/null 2>"$T/err"
eq "VFR: still runs (exit code)" "$?" 0
check "VFR: warned where the drift starts (frame 48 or so)" \
    grep -Eq "variable frame rate: frame (4[89]|5[0-9]) is at" "$T/err"
# 2 s at 29.97 fps = 60 frames, placed at 23.976 fps they end 0.5 s late
check "VFR: the largest drift (~0.5 s) at the end" \
    grep -Eq "pictures were up to 0\.(4[6-9]|5[0-2])[0-9] s away" "$T/err"
eq "VFR: two warning lines" "$(grep -c "variable frame rate" "$T/err")" 2

"$AIM" enhance "$T/a.mkv" --out "$T/c.mkv" --scale 1 -q </dev/null 2>"$T/err"
eq "CFR: exit code" "$?" 0
eq "CFR: no warning" "$(grep -c "variable frame rate" "$T/err")" 0
finish
