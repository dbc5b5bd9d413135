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
    if [ "$lines" != 1 ]; then bad "$d: want a one-line error, got: $(cat "$T/stderr")"; else ok; fi
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
# a model file of the wrong size: one line (it was two: the file's size, then the advice)
mkdir -p "$T/bad-models/realesr-animevideov3"
for x in 2 3 4; do for e in param bin; do echo junk > "$T/bad-models/realesr-animevideov3/realesr-animevideov3-x$x.$e"; done; done
expect 6 "model damaged (wrong size)" enhance "$T/in.mkv" --out "$T/o.mkv" --upscaler realesr-animevideov3 --models-dir "$T/bad-models"
check "damaged model: says so" grep -q "is damaged: reinstall with" "$T/stderr"
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
# side outputs: never the input (also through a symlink or a hard link), never each other
ln -f "$T/in.mkv" "$T/hard.mkv"
expect 3 "--report is the input" enhance "$T/in.mkv" --out "$T/o.mkv" --report "$T/in.mkv"
expect 3 "--report is the input through a hard link" enhance "$T/in.mkv" --out "$T/o.mkv" --report "$T/hard.mkv"
expect 3 "--report is the input through a symlink" enhance "$T/in.mkv" --out "$T/o.mkv" --report "$T/link.mkv"
expect 1 "--report is OUT" enhance "$T/in.mkv" --out "$T/o.mkv" --report "$T/o.mkv"
expect 1 "--report is OUT by another name" enhance "$T/in.mkv" --out "$T/o.mkv" --report "$T/../$(basename "$T")/./o.mkv"
expect 3 "analyze --csv is the input" analyze "$T/in.mkv" --csv "$T/in.mkv"
expect 3 "analyze --json is the input" analyze "$T/in.mkv" --json "$T/link.mkv"
expect 3 "analyze --timeline is the input" analyze "$T/in.mkv" --timeline "$T/hard.mkv"
expect 1 "analyze --csv and --json the same file" analyze "$T/in.mkv" --csv "$T/g.txt" --json "$T/g.txt"
expect 1 "analyze --csv and --json both stdout" analyze "$T/in.mkv" --csv - --json -
check "no side output written" test ! -e "$T/g.txt"
# values the gate or the encoder would refuse later are refused by the parser
expect 1 "cut threshold 0" enhance "$T/in.mkv" --out "$T/o.mkv" --cut-threshold 0
expect 1 "hold threshold 1" enhance "$T/in.mkv" --out "$T/o.mkv" --hold-threshold 1
expect 1 "analyze cut threshold 0" analyze "$T/in.mkv" --cut-threshold 0
expect 1 "analyze hold threshold 1" analyze "$T/in.mkv" --hold-threshold 1
expect 1 "crf 52 for libx264" enhance "$T/in.mkv" --out "$T/o.mkv" --crf 52
expect 1 "crf 60 for libx265" enhance "$T/in.mkv" --out "$T/o.mkv" --crf 60 --encoder libx265
expect 1 "crf 64" enhance "$T/in.mkv" --out "$T/o.mkv" --crf 64
expect 1 "unknown letter in a cluster" enhance "$T/in.mkv" --out "$T/o.mkv" -qx
check "no output after failures" test ! -e "$T/o.mkv"
nothing_left "$T" "after failures"
eq "the input, its links and the side outputs' targets unchanged" "$(md5sum < "$T/hard.mkv")" "$md5_in"

# getopt-style options: clusters (-qy, -qyo OUT, -oOUT) and "--" before a name starting with '-'
cp "$T/in.mkv" "$T/-dash.mkv"
echo keep > "$T/c.mkv"
"$AIM" enhance -qy --scale 1 --fps source -o"$T/c.mkv" -- "$T/-dash.mkv" 2>"$T/stderr"
eq "-q -y -oOUT -- -NAME: exit code" "$?" 0
eq "-q -y -oOUT -- -NAME: quiet" "$(cat "$T/stderr")" ""
eq "-y replaced OUT" "$(frames "$T/c.mkv")" 24
"$AIM" enhance --scale 1 --fps source -qyo "$T/c.mkv" -- "$T/in.mkv" 2>"$T/stderr"
eq "-qyo OUT: exit code" "$?" 0
"$AIM" analyze -qv --csv "$T/c.csv" -- "$T/-dash.mkv" >"$T/stdout" 2>&1
eq "analyze -qv -- -NAME: exit code" "$?" 0
eq "analyze -qv -- -NAME: 24 rows" "$(tail -n +2 "$T/c.csv" | wc -l)" 24
rm -f "$T/c.mkv" "$T/c.csv" "$T/-dash.mkv"

# a legal OUT of 250 bytes: the hidden temporary name is shortened, not refused
long=$(printf 'n%.0s' $(seq 246)).mkv
"$AIM" enhance "$T/in.mkv" --out "$T/$long" --scale 1 --fps source -q 2>"$T/stderr"
eq "250-byte OUT name: exit code ($(cat "$T/stderr"))" "$?" 0
eq "250-byte OUT name: all frames" "$(frames "$T/$long")" 24
rm -f "$T/$long"
nothing_left "$T" "after the long name"

# a closed stdout: exit 3 (EPIPE is an output error, SIGPIPE does not kill), one line
"$AIM" enhance "$T/in.mkv" --out - --scale 1 -q 2>"$T/stderr" | head -c 100 >/dev/null
eq "--out - with the reader gone: exit code" "${PIPESTATUS[0]}" 3
eq "--out - with the reader gone: one line" "$(grep -c . "$T/stderr")" 1
check "--out - with the reader gone: names the cause" grep -q "Broken pipe while writing -" "$T/stderr"
# (the reader closes its end at once; analyze writes the CSV after the whole clip)
"$AIM" analyze "$T/in.mkv" --csv - -q 2>"$T/stderr" | (exec 0<&-)
eq "analyze --csv - with the reader gone: exit code" "${PIPESTATUS[0]}" 3
# a closed stderr: the run still succeeds (nothing to report), no SIGPIPE
"$AIM" enhance "$T/in.mkv" --out "$T/e.mkv" --scale 1 -q 2>&-
eq "closed stderr: exit code" "$?" 0
rm -f "$T/e.mkv"
# stderr into a pipe nobody reads (was: SIGPIPE, exit 141, a .part left): the run completes
"$AIM" enhance "$T/in.mkv" --out "$T/e.mkv" --scale 1 2>&1 >/dev/null | (exec 0<&-)
eq "stderr to a closed pipe: exit code" "${PIPESTATUS[0]}" 0
eq "stderr to a closed pipe: the whole output" "$(frames "$T/e.mkv")" 48
rm -f "$T/e.mkv"
nothing_left "$T" "after the closed pipes"

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

# odd inputs that already behave: each converts or is refused in one line, nothing left
# lavfi SRC PIXFMT CODEC FILE: a 1 s clip
mk() { ffmpeg -nostdin -v error -y -f lavfi -i "$1" -vf "$2" -c:v "$3" "$4"; }
mk testsrc2=s=160x90:d=1:r=24 format=yuv420p10le libx264 "$T/t10.mkv"
mk testsrc2=s=160x90:d=1:r=24 format=yuv444p libx264 "$T/t444.mkv"
mk testsrc2=s=160x90:d=1:r=24 scale=161:91,format=yuv444p ffv1 "$T/todd.mkv"
for c in "t10:160,90,yuv420p10le" "t444:160,90,yuv420p" "todd:162,92,yuv420p"; do
    name=${c%%:*} want=${c#*:}
    sum=$(md5sum < "$T/$name.mkv")
    "$AIM" enhance "$T/$name.mkv" --out "$T/o_$name.mkv" --scale 1 -q 2>"$T/stderr"
    eq "$name: exit code ($(cat "$T/stderr"))" "$?" 0
    eq "$name: size and pixel format" "$(probe "$T/o_$name.mkv" stream=width,height,pix_fmt v:0 | paste -sd,)" "$want"
    eq "$name: frames" "$(frames "$T/o_$name.mkv")" 48
    eq "$name: input unchanged" "$(md5sum < "$T/$name.mkv")" "$sum"
    rm -f "$T/o_$name.mkv"
done
ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=s=160x90:d=1:r=24 -frames:v 0 -c:v ffv1 "$T/zero.mkv"
expect 2 "zero frames" enhance "$T/zero.mkv" --out "$T/o.mkv"
ffmpeg -nostdin -v error -y -f lavfi -i sine=d=1 -f lavfi -i testsrc2=s=64x64:d=0.04 -map 0 -map 1 \
    -c:a aac -c:v png -disposition:v attached_pic "$T/cover.m4a"
expect 2 "cover art only" enhance "$T/cover.m4a" --out "$T/o.mkv"
check "no output after the odd inputs" test ! -e "$T/o.mkv"
nothing_left "$T" "after the odd inputs"

eq "input never modified" "$(md5sum < "$T/in.mkv")" "$md5_in"
finish
