#!/usr/bin/env bash
# Every encoder of the --encoder table in every container: the ones the container allows encode
# the clip (frame count, size, codec); the others are refused with exit 3 and one line. Encoders
# libavcodec lacks are skipped; NVENC without a usable GPU must fail cleanly at open (exit 3).
# (AV1 cannot go into .mov with FFmpeg 5.1's muxer: refused before anything is written.)
# Each encoder gets its own speed setting (x264's preset names are SVT-AV1 numbers, NVENC p1-p7):
# webm and libsvtav1 used to fail on "medium". .mov cannot carry FLAC (refused, naming the codec),
# and a refused SVT-AV1 run must not hang in the encoder's close.
. "$(dirname "$0")/lib.sh"
# libx265 3.5 leaks its own allocations at encoder close (x265::x265_malloc, seen under ASan):
# not ours, so LeakSanitizer is told to ignore leaks allocated inside libx265 only
echo "leak:libx265.so" > "$T/lsan.supp"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$T/lsan.supp:print_suppressions=0"
"$GEN" "$T/in.mkv" --frames 12 --size 160x96 --no-subs --audio-codec aac >/dev/null || { bad "aim_gen"; finish; exit; }
"$GEN" "$T/flac.mkv" --frames 12 --size 160x96 --no-subs >/dev/null || { bad "aim_gen"; finish; exit; }
md5_in=$(md5sum < "$T/in.mkv")
nin=$(frames "$T/in.mkv")
have() { ffmpeg -hide_banner -encoders 2>/dev/null | grep -q " $1 "; }
codec_of() { case $1 in libx264|h264_nvenc) echo h264;; libx265|hevc_nvenc) echo hevc;; libsvtav1) echo av1;; esac; }
allowed() { # encoder container
    case $2 in webm) [ "$1" = libsvtav1 ];; mov) [ "$1" != libsvtav1 ];; *) true;; esac
}
one_line() { # description, stderr file
    local n; n=$(grep -c . "$2")
    if [ "$n" = 1 ]; then ok; else bad "$1: want one line, got: $(cat "$2")"; fi
}
for enc in libx264 libx265 libsvtav1 h264_nvenc hevc_nvenc; do
    if ! have "$enc"; then echo "skip $enc: not in this libavcodec" >&2; continue; fi
    for c in mkv mp4 mov webm; do
        o=$T/o_$enc.$c
        timeout 120 "$AIM" enhance "$T/in.mkv" --out "$o" --encoder "$enc" --scale 1.5 -q 2>"$T/err"
        rc=$?
        if ! allowed "$enc" "$c"; then
            eq "$enc in .$c: refused" "$rc" 3
            one_line "$enc in .$c" "$T/err"
            check "$enc in .$c: nothing written" test ! -e "$o"
        elif [ "${enc%_nvenc}" != "$enc" ] && [ "$rc" = 3 ]; then
            one_line "$enc (no usable GPU)" "$T/err"
            # it said only libavcodec's "Operation not permitted"
            check "$enc (no usable GPU): names the cause ($(cat "$T/err"))" \
                grep -q "cannot run here: it needs an NVIDIA GPU and its driver" "$T/err"
            check "$enc: nothing written" test ! -e "$o"
        else
            eq "$enc in .$c: exit code ($(head -c 300 "$T/err"))" "$rc" 0
            eq "$enc in .$c: codec" "$(probe "$o" stream=codec_name v:0)" "$(codec_of "$enc")"
            eq "$enc in .$c: size" "$(probe "$o" stream=width,height v:0 | tr '\n' x)" "240x144x"
            eq "$enc in .$c: frames" "$(frames "$o")" "$((2 * nin))"
            if [ "$c" = webm ]; then # AAC does not fit: dropped with a warning
                check "$enc in .$c: dropped audio named" grep -q "audio aac" "$T/err"
            else
                eq "$enc in .$c: audio kept" "$(probe "$o" stream=codec_type | grep -c audio)" 1
            fi
            check "$enc in .$c: no encoder banner with -q" test -z "$(grep -v '^ainimotion: warning' "$T/err")"
        fi
    done
done
# the default encoder of .webm, and every preset's speed setting on SVT-AV1
if have libsvtav1; then
    for p in anime-clean anime-strong fast; do
        timeout 120 "$AIM" enhance "$T/in.mkv" --out "$T/p_$p.webm" --preset "$p" --upscaler bicubic --scale 1 -q 2>"$T/err"
        eq "webm, --preset $p: exit code ($(head -c 200 "$T/err"))" "$?" 0
        eq "webm, --preset $p: av1" "$(probe "$T/p_$p.webm" stream=codec_name v:0)" av1
    done
    # a refusal after SVT-AV1 opened (the .mov stream check) used to hang in its close
    timeout 60 "$AIM" enhance "$T/flac.mkv" --out "$T/f.mov" --encoder libsvtav1 -q 2>"$T/err"
    eq "svt + flac in .mov: refused, no hang" "$?" 3
fi
# .webm under 64x64 (SVT-AV1's minimum) falls back to VP9, with its own speed setting
if have libvpx-vp9; then
    ffmpeg -nostdin -v error -f lavfi -i "testsrc2=s=32x32:r=24:d=0.5" -c:v ffv1 "$T/s32.mkv" -y
    timeout 60 "$AIM" enhance "$T/s32.mkv" --out "$T/s32.webm" --scale 1 -q 2>"$T/err"
    eq "32x32 .webm: exit code ($(head -c 200 "$T/err"))" "$?" 0
    eq "32x32 .webm: vp9" "$(probe "$T/s32.webm" stream=codec_name v:0)" vp9
fi
timeout 60 "$AIM" enhance "$T/flac.mkv" --out "$T/f.mov" -q 2>"$T/err"
eq "flac in .mov: exit code" "$?" 3
one_line "flac in .mov" "$T/err"
check "flac in .mov: names the codec and suggests .mkv" grep -q "flac.*\.mkv" "$T/err"
check "flac in .mov: nothing written" test -z "$(ls -A "$T" | grep -e 'f\.mov' -e part)"
timeout 60 "$AIM" enhance "$T/flac.mkv" --out "$T/f.mp4" --scale 1 -q 2>"$T/err"
eq "flac in .mp4: carried" "$?:$(probe "$T/f.mp4" stream=codec_name a:0)" "0:flac"
eq "input unchanged" "$(md5sum < "$T/in.mkv")" "$md5_in"
finish
