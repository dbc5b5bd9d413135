#!/usr/bin/env bash
# Frame sizes: under 16x16 is refused at open (exit 4, one line naming the limits, nothing
# written) by enhance and analyze; a 2000x16 strip and 16x16 itself work (Model A's flow grid
# keeps two patches of rows instead of failing late with exit 5).
. "$(dirname "$0")/lib.sh"
mk() { ffmpeg -nostdin -v error -f lavfi -i "testsrc2=s=$1:r=24:d=0.5" -c:v ffv1 "$T/s_$1.mkv" -y; }
for s in 8x8 15x32 32x15 16x16 2000x16; do mk "$s" || bad "ffmpeg $s"; done
for s in 8x8 15x32 32x15; do
    "$AIM" enhance "$T/s_$s.mkv" --out "$T/o_$s.mkv" --scale 1 -q 2>"$T/err"
    eq "$s: exit code" "$?" 4
    eq "$s: one line" "$(grep -c . "$T/err")" 1
    check "$s: names the limits" grep -q "16x16 to 16384x16384" "$T/err"
    check "$s: nothing written" test -z "$(ls -A "$T" | grep -e "^o_$s" -e part)"
    "$AIM" analyze "$T/s_$s.mkv" -q 2>"$T/err"
    eq "analyze $s: exit code" "$?" 4
    eq "analyze $s: one line" "$(grep -c . "$T/err")" 1
done
for s in 16x16 2000x16; do
    "$AIM" enhance "$T/s_$s.mkv" --out "$T/o_$s.mkv" --scale 1 -q 2>"$T/err"
    eq "$s: exit code ($(head -c 200 "$T/err"))" "$?" 0
    eq "$s: size kept" "$(probe "$T/o_$s.mkv" stream=width,height v:0 | tr '\n' x)" "${s}x"
    eq "$s: frames doubled" "$(frames "$T/o_$s.mkv")" "$((2 * $(frames "$T/s_$s.mkv")))"
done
finish
