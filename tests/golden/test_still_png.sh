#!/usr/bin/env bash
# Single images in and out: `enhance still.png --out up.png --fps source --scale 2` goes through
# the same pipeline as video (4:2:0 inside, converted back to RGB by swscale), so models can be
# checked on stills. A .png output holds one image: anything that would make more is refused
# up front. Thresholds: measured 51.9 dB (luma) / 38.1 dB (RGB) for the scale-1 round trip and
# 45.5 dB (luma) against ffmpeg's own Lanczos at scale 2 on this picture; the limits leave
# ~6 dB of margin and fail on a wrong matrix, range, channel order or size.
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/g.mkv" --frames 12 --size 160x96 --no-audio --no-subs >/dev/null || { bad "aim_gen"; finish; exit; }
ffmpeg -nostdin -v error -y -i "$T/g.mkv" -vf "select=eq(n\,9)" -frames:v 1 -pix_fmt rgb24 "$T/g.png" \
    || { bad "ffmpeg still"; finish; exit; }

# psnr A B gray|rgb24: PSNR average of A against B
psnr() {
    ffmpeg -nostdin -v info -i "$1" -i "$2" -lavfi "[0]format=$3[a];[1]format=$3[b];[a][b]psnr" \
        -f null - 2>&1 | sed -n 's/.*average:\([0-9.]*\|inf\).*/\1/p' | tail -1
}
ge() { # description, value, minimum
    if [ -n "$2" ] && { [ "$2" = inf ] || [ "$(echo "$2 >= $3" | bc)" = 1 ]; }; then ok
    else bad "$1: $2 < $3"; fi
}

"$AIM" enhance "$T/g.png" --out "$T/up.png" --fps source --scale 2 -q </dev/null
eq "scale 2: exit code" "$?" 0
eq "scale 2: size and format" "$(probe "$T/up.png" stream=width,height,pix_fmt | tr '\n' ' ')" "320 192 rgb24 "
ffmpeg -nostdin -v error -y -i "$T/g.png" -vf scale=320:192:flags=lanczos "$T/ref.png"
ge "scale 2: luma PSNR against ffmpeg lanczos" "$(psnr "$T/up.png" "$T/ref.png" gray)" 40

"$AIM" enhance "$T/g.png" --out "$T/same.png" --fps source --scale 1 --preset fast -q </dev/null
eq "scale 1: exit code" "$?" 0
ge "scale 1 round trip: luma PSNR" "$(psnr "$T/same.png" "$T/g.png" gray)" 45
ge "scale 1 round trip: RGB PSNR" "$(psnr "$T/same.png" "$T/g.png" rgb24)" 33

# 16-bit PNG: 10-bit inside, 16-bit RGB out
ffmpeg -nostdin -v error -y -i "$T/g.png" -pix_fmt rgb48be "$T/g16.png"
"$AIM" enhance "$T/g16.png" --out "$T/up16.png" --fps source --scale 2 -q </dev/null
eq "16-bit: exit code" "$?" 0
eq "16-bit: format" "$(probe "$T/up16.png" stream=pix_fmt)" "rgb48be"
ge "16-bit: luma PSNR against the 8-bit result" "$(psnr "$T/up16.png" "$T/up.png" gray)" 40

# refusals: one line, exit code 1, nothing written
"$AIM" enhance "$T/g.png" --out "$T/two.png" --scale 2 -q </dev/null 2>"$T/err"
eq "default --fps to png: exit code" "$?" 1
check "default --fps to png: says --fps source" grep -q "add --fps source" "$T/err"
eq "default --fps to png: one line" "$(wc -l < "$T/err")" 1
"$AIM" enhance "$T/g.mkv" --out "$T/video.png" --fps source -q </dev/null 2>"$T/err"
eq "video to png: exit code" "$?" 1
check "video to png: says why" grep -q "holds one image" "$T/err"
"$AIM" enhance "$T/g.png" --out "$T/up.png" --fps source --scale 2 -q </dev/null 2>"$T/err"
eq "existing png without -y: exit code" "$?" 3
check "nothing left behind" test -z "$(ls -A "$T" | grep -e '^two.png$' -e '^video.png$' -e '\.part')"
finish
