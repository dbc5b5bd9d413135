#!/usr/bin/env bash
# The device hand-off between Model A and Model B (issue 11, src/pipeline/pipeline.c): with
# `--interp rife --upscaler anime4k-cnn-m --device vulkan` both run on one device and RIFE's
# in-between frames go to the upscaler there. The output must equal the host path's
# (AIM_VK_FRAMES=host: download, then upload) byte for byte, 8-bit and 10-bit, the -v log must
# show the frames were handed over on the device (so this fails where the pipeline has no
# hand-off), and the validation layer must be on (off under TSan, see below) and silent. Part of
# the TSan suite: the interp and scale threads share the device. Small clips (96x64, 64x32: a few
# RIFE runs each on lavapipe). Skips without a Vulkan device or without the two models.
. "$(dirname "$0")/lib.sh"
models=${AINIMOTION_MODELS:-${XDG_DATA_HOME:-$HOME/.local/share}/ainimotion/models}
[ -f "$models/rife-v4.6/flownet.bin" ] || skip "rife-v4.6 not installed in $models"
[ -d "$models/anime4k-cnn-m" ] || skip "anime4k-cnn-m not installed in $models"
"$AIM" devices >/dev/null 2>&1 || skip "no Vulkan device ('ainimotion devices' failed)"
# In the TSan suite (scripts/test.sh) the validation layer stays off: its own locks, taken on
# every Vulkan call, order the interp and scale threads for TSan, which then misses races in our
# code between those calls (measured: aim_vk_cmd_dispatch's pipeline cache used without the
# device lock gave 10 TSan reports here without the layer, none with it). The other suites run
# the layer.
val=1
grep -q '^AIM_TSAN:BOOL=ON' "$AIM_BUILD/CMakeCache.txt" 2>/dev/null && val=0

# run NAME DEPTH FRAMES SIZE [env...]: enhance with both models on the device
run() {
    local name=$1 depth=$2 frames=$3 size=$4
    shift 4
    [ -f "$T/in$depth.mkv" ] || "$GEN" "$T/in$depth.mkv" --frames "$frames" --size "$size" \
        --depth "$depth" --no-audio --no-subs >/dev/null || bad "aim_gen $depth-bit"
    env AIM_VK_VALIDATION=$val "$@" "$AIM" enhance "$T/in$depth.mkv" --out "$T/$name.y4m" \
        --interp rife --upscaler anime4k-cnn-m --device vulkan --preset fast --scale 2 -v \
        </dev/null 2>"$T/$name.err"
    local rc=$?
    eq "$name: exit code" "$rc" 0
    # a failure shows its cause in ctest's log (CI keeps nothing else): TSan's first report
    # (exit 66), else the log's end
    if [ "$rc" != 0 ]; then
        if grep -q "WARNING: ThreadSanitizer" "$T/$name.err"; then
            sed -n '/WARNING: ThreadSanitizer/,$p' "$T/$name.err" | head -120 >&2
        else
            tail -20 "$T/$name.err" >&2
        fi
    fi
    local want=on
    [ "$val" = 1 ] || want=off
    check "$name: the validation layer is $want" grep -q "validation $want" "$T/$name.err"
    check "$name: no validation message" test "$(grep -c "validation" "$T/$name.err")" = 1
}

# "N M" from the log line: N of M interpolated frames handed over, N > 0 and N = M
all_handed() {
    [ -n "$1" ] && [ "${1% *}" -gt 0 ] && [ "${1% *}" = "${1#* }" ]
}

for depth in 8 10; do
    if [ "$depth" = 8 ]; then frames=6 size=96x64; else frames=6 size=64x32; fi
    run host$depth $depth $frames $size AIM_VK_FRAMES=host
    run dev$depth $depth $frames $size
    check "$depth-bit host path: says so" grep -q "AIM_VK_FRAMES=host" "$T/host$depth.err"
    check "$depth-bit host path: no hand-off" \
        test "$(grep -c "handed to the upscaler" "$T/host$depth.err")" = 0
    n=$(sed -n 's/.*pipeline: \([0-9]*\) of \([0-9]*\) interpolated frames handed.*/\1 \2/p' \
        "$T/dev$depth.err")
    check "$depth-bit: every interpolated frame handed over on the device ('$n')" all_handed "$n"
    check "$depth-bit: the output equals the host path's" cmp "$T/host$depth.y4m" "$T/dev$depth.y4m"
done
finish
