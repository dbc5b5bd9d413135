#!/usr/bin/env bash
# --device and `ainimotion devices` (issue 11): a bad value is a usage error; a device that does
# not exist is one line and exit 5 with nothing written; auto never picks a CPU Vulkan driver
# (lavapipe: the only device in CI), so the neural upscaler runs on the CPU there; `vulkan`
# takes lavapipe. Skips the model parts when realesr-animevideov3 is not installed.
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/in.mkv" --frames 2 --size 32x24 --no-audio --no-subs >/dev/null || { bad "aim_gen"; finish; exit; }

"$AIM" enhance "$T/in.mkv" --out "$T/x.y4m" --device gpu0 </dev/null 2>"$T/stderr"
eq "--device gpu0: usage error" "$?" 1
check "--device gpu0: says what is allowed" grep -q "auto, cpu, vulkan, vulkan:N" "$T/stderr"
"$AIM" enhance "$T/in.mkv" --out "$T/x.y4m" --device vulkan:64 </dev/null 2>"$T/stderr"
eq "--device vulkan:64: usage error" "$?" 1

"$AIM" devices >"$T/devices" 2>"$T/stderr"
code=$?
have_vk=0
if [ "$code" = 0 ]; then
    have_vk=1
    check "devices: a header and a device line" test "$(wc -l <"$T/devices")" -ge 2
    check "devices: columns" grep -q "index.*name.*type.*memory.*fp16.*coopmat" "$T/devices"
else
    eq "devices without Vulkan: exit 5" "$code" 5
    check "devices without Vulkan: one line" test "$(wc -l <"$T/stderr")" = 1
fi

models=${AINIMOTION_MODELS:-${XDG_DATA_HOME:-$HOME/.local/share}/ainimotion/models}
if [ ! -f "$models/realesr-animevideov3/realesr-animevideov3-x2.bin" ]; then
    finish || exit 1
    skip "realesr-animevideov3 not installed in $models"
fi
up=(--upscaler realesr-animevideov3 --scale 2 --fps source --interp dup)

"$AIM" enhance "$T/in.mkv" --out "$T/a.y4m" "${up[@]}" --device vulkan:63 </dev/null 2>"$T/stderr"
eq "--device vulkan:63 (absent): exit 5" "$?" 5
check "--device vulkan:63: nothing written" test ! -e "$T/a.y4m"
check "--device vulkan:63: says so" grep -q "no usable Vulkan device" "$T/stderr"
check "--device vulkan:63: one error line" test "$(grep -c error "$T/stderr")" = 1

"$AIM" enhance "$T/in.mkv" --out "$T/b.y4m" "${up[@]}" </dev/null 2>"$T/stderr"
eq "--device auto: exit code" "$?" 0
if grep -q "llvmpipe\|lavapipe" "$T/devices" && ! grep -q "GPU" "$T/devices"; then
    check "--device auto skips lavapipe: the CPU" grep -q "upscaler realesr-animevideov3 on the CPU" "$T/stderr"
fi

if [ "$have_vk" = 1 ]; then
    "$AIM" enhance "$T/in.mkv" --out "$T/c.y4m" "${up[@]}" --device vulkan </dev/null 2>"$T/stderr"
    code=$?
    if grep -q "has no Vulkan implementation yet" "$T/stderr"; then
        eq "--device vulkan, an op without a shader: unsupported" "$code" 4
        check "--device vulkan, an op without a shader: nothing written" test ! -e "$T/c.y4m"
    else
        eq "--device vulkan: exit code" "$code" 0
        check "--device vulkan: start line names the device" grep -q "upscaler realesr-animevideov3 on vulkan:" "$T/stderr"
        check "--device vulkan: runs there" grep -q "x2 on vulkan" "$T/stderr"
    fi
fi
finish
