#!/usr/bin/env bash
# Bad input and safety: every case gets a one-line error, its documented exit code, the input
# is never modified and nothing is left under the output name (nor a temporary file).
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/in.mkv" --frames 24 --size 160x90 >/dev/null || { bad "aim_gen"; finish; exit; }
md5_in=$(md5sum < "$T/in.mkv")

# expect CODE DESCRIPTION ainimotion-args...: exit code, one error line, nothing at OUT
expect() {
    local want=$1 d=$2; shift 2
    "$AIM" "$@" -q >"$T/stdout" 2>"$T/stderr" </dev/null
    local got=$?
    eq "$d: exit code" "$got" "$want"
    local lines; lines=$(grep -c . "$T/stderr")
    if [ "$lines" -lt 1 ] || [ "$lines" -gt 2 ]; then bad "$d: want a one-line error, got: $(cat "$T/stderr")"; else ok; fi
    check "$d: message names the problem" grep -qi "ainimotion" "$T/stderr"
}
nothing_left() { # dir: no output and no hidden temp file
    check "$2: no temp file in $1" test -z "$(ls -A "$1" | grep -i part)"
}

expect 1 "no arguments" enhance
expect 1 "no output" enhance "$T/in.mkv"
expect 1 "unknown option" enhance "$T/in.mkv" --out "$T/o.mkv" --frobnicate 3
expect 1 "scale 0" enhance "$T/in.mkv" --out "$T/o.mkv" --scale 0
expect 1 "negative fps" enhance "$T/in.mkv" --out "$T/o.mkv" --fps -1
expect 1 "fps garbage" enhance "$T/in.mkv" --out "$T/o.mkv" --fps fast
expect 1 "bad preset" enhance "$T/in.mkv" --out "$T/o.mkv" --preset ultra
expect 1 "unknown upscaler" enhance "$T/in.mkv" --out "$T/o.mkv" --upscaler nope
expect 1 "unknown interpolator" enhance "$T/in.mkv" --out "$T/o.mkv" --interp nope
expect 6 "model not installed" enhance "$T/in.mkv" --out "$T/o.mkv" --upscaler realesr-animevideov3 --models-dir "$T/no-models"
expect 1 "clip end before start" enhance "$T/in.mkv" --out "$T/o.mkv" --clip 00:00:02-00:00:01
expect 1 "clip past the end" enhance "$T/in.mkv" --out "$T/o.mkv" --clip 00:10:00-00:11:00
expect 1 "clip garbage" enhance "$T/in.mkv" --out "$T/o.mkv" --clip soon
expect 4 "fps 20 on 23.976 input (below the source)" enhance "$T/in.mkv" --out "$T/o.mkv" --fps 20
expect 4 "fps 200 on 23.976 input (above 8x)" enhance "$T/in.mkv" --out "$T/o.mkv" --fps 200
expect 4 "fps 0.5x" enhance "$T/in.mkv" --out "$T/o.mkv" --fps 0.5x
expect 4 "fps 9x" enhance "$T/in.mkv" --out "$T/o.mkv" --fps 9x
expect 1 "fps garbage multiplier" enhance "$T/in.mkv" --out "$T/o.mkv" --fps 2xx
expect 2 "missing input" enhance "$T/nope.mkv" --out "$T/o.mkv"
printf 'this is not a video\n' > "$T/text.mkv"
expect 2 "not a media file" enhance "$T/text.mkv" --out "$T/o.mkv"
ffmpeg -v error -f lavfi -i "sine=d=1" -c:a flac "$T/audio.mka" -y
expect 2 "no video stream" enhance "$T/audio.mka" --out "$T/o.mkv"
expect 3 "output is the input" enhance "$T/in.mkv" --out "$T/in.mkv" -y
ln -sf in.mkv "$T/link.mkv"
expect 3 "output is the input through a symlink" enhance "$T/in.mkv" --out "$T/link.mkv" -y
echo keep > "$T/exists.mkv"
expect 3 "output exists without -y" enhance "$T/in.mkv" --out "$T/exists.mkv"
eq "existing output untouched" "$(cat "$T/exists.mkv")" "keep"
expect 3 "output folder missing" enhance "$T/in.mkv" --out "$T/no/such/dir/o.mkv"
mkdir -p "$T/ro"; chmod 555 "$T/ro"
if [ "$(id -u)" != 0 ]; then
    expect 3 "output folder not writable" enhance "$T/in.mkv" --out "$T/ro/o.mkv"
else # root ignores permissions: use a path under a regular file instead
    expect 3 "output folder is a file" enhance "$T/in.mkv" --out "$T/exists.mkv/o.mkv"
fi
expect 3 "unknown container" enhance "$T/in.mkv" --out "$T/o.xyz"
expect 3 "encoder not available" enhance "$T/in.mkv" --out "$T/o.mkv" --encoder h264_nvenc
check "no output after failures" test ! -e "$T/o.mkv"
nothing_left "$T" "after failures"

# truncated / corrupt input: warns, keeps going, succeeds with the frames that decode
head -c $(( $(stat -c %s "$T/in.mkv") * 2 / 3 )) "$T/in.mkv" > "$T/trunc.mkv"
"$AIM" enhance "$T/trunc.mkv" --out "$T/trunc_out.mkv" --scale 1 -q 2>"$T/stderr"
rc=$?
check "truncated input: exit 0 or 2, not a crash (rc=$rc)" test "$rc" = 0 -o "$rc" = 2
[ "$rc" = 0 ] && check "truncated input: output exists" test -s "$T/trunc_out.mkv"
cp "$T/in.mkv" "$T/corrupt.mkv"
size=$(stat -c %s "$T/corrupt.mkv")
# overwrite a stretch in the middle of the file with garbage
dd if=/dev/urandom of="$T/corrupt.mkv" bs=1 seek=$((size / 2)) count=2000 conv=notrunc 2>/dev/null
"$AIM" enhance "$T/corrupt.mkv" --out "$T/corrupt_out.mkv" --scale 1 -q 2>"$T/stderr"
rc=$?
check "corrupt input: exit 0 or 2, not a crash (rc=$rc)" test "$rc" = 0 -o "$rc" = 2

eq "input never modified" "$(md5sum < "$T/in.mkv")" "$md5_in"
finish
