#!/usr/bin/env bash
# Every shipped model on the Vulkan backend against the CPU executor, in the same run on the
# same machine, at a small size (issue 11: context, not a target; on a machine without a GPU
# the Vulkan device is lavapipe, Mesa's CPU driver, so this compares two CPU implementations).
# Times are steady state: the upscalers' frames after the first (nn_upscale --frames, the first
# creates the pipelines), RIFE's best of --repeat runs (the first included: rife_run).
# Input: a SIZE crop of ../shared/clips/stills/a4k_1080p_0.png (and the crop 8 px to the right
# as RIFE's second frame).
# usage: bench/vk_ops_bench.sh [BUILD_DIR] [SIZE, default 64x64] [N frames, default 3]
# env: AIM_SHARED, AINIMOTION_MODELS, VK_TMP
set -uo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
SIZE=${2:-64x64}
W=${SIZE%x*}; H=${SIZE#*x}
N=${3:-3}
SHARED=${AIM_SHARED:-../shared}
T=${VK_TMP:-$(mktemp -d /tmp/vk_ops_bench.XXXXXX)}
still=$SHARED/clips/stills/a4k_1080p_0.png
[ -f "$still" ] || { echo "no $still"; exit 77; }
for k in a:800 b:808; do
    ffmpeg -loglevel error -y -i "$still" -vf "crop=$W:$H:${k#*:}:400" -f rawvideo \
        -pix_fmt rgb24 "$T/${k%:*}.rgb"
done
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
echo "machine: $(nproc) cores, $cpu, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input ${W}x${H}, $N frames; cpu = the CPU executor (2 threads), vulkan = the first" \
     "Vulkan device"
printf '%-34s %12s %12s %8s\n' model "cpu s/frame" "vk s/frame" "vk/cpu"
# steady seconds per frame of one nn_upscale run (its frames/s line)
up() { # model scale device [extra]
    "$B/bench/nn_upscale" "$1" "$2" "$T/a.rgb" "$W" "$H" "$T/o.rgb" --frames "$N" --threads 2 \
        --device "$3" ${4:-} 2>/dev/null | awk '/frames\/s over/ { for (i = 1; i <= NF; i++)
        if ($i == "frames/s") { printf "%.3f", 1 / $(i - 1); exit } }'
}
rf() { # device
    "$B/bench/rife_run" "$T/a.rgb" "$T/b.rgb" "$W" "$H" "$T/o.rgb" --repeat "$N" --threads 2 \
        --device "$1" 2>/dev/null | sed -n 's/.*run \([0-9.]*\) s (best.*/\1/p'
}
row() { # name cpu vk
    r=$(awk -v c="$2" -v v="$3" 'BEGIN { if (c > 0 && v > 0) printf "%.2f", v / c
                                         else print "-" }')
    printf '%-34s %12s %12s %8s\n' "$1" "${2:--}" "${3:--}" "$r"
}
for m in "realesr-animevideov3 2" "realcugan-se-conservative 2" "realcugan-se-conservative 3" \
         "realcugan-se-conservative 4" "waifu2x-cunet 2 --noise 0" "waifu2x-cunet 2 --noise 3" \
         "anime4k-cnn-m 2" "anime4k-restore-s 1" "anime4k-restore-m 1"; do
    set -- $m
    name="$1 x$2${4:+ noise $4}"
    row "$name" "$(up "$1" "$2" cpu "${3:-} ${4:-}")" "$(up "$1" "$2" vulkan "${3:-} ${4:-}")"
done
row "rife-v4.6 t=0.5" "$(rf cpu)" "$(rf vulkan)"
rm -rf "$T"
