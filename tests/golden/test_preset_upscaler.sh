#!/usr/bin/env bash
# `--preset anime-strong` picks its upscaler from "waifu2x-cunet|lanczos" (bench/RESULTS-nn.md,
# "Restoration for anime-strong"): without the model it says so and runs classic Lanczos with
# the preset's classic restoration; with the model installed (the rest skips otherwise) it runs
# waifu2x-cunet at noise level 2 with no classic deblock/denoise before it (no double denoise)
# and no sharpen after it.
# An explicit --upscaler wins over the preset.
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/in.mkv" --frames 3 --size 64x48 --no-audio --no-subs >/dev/null || { bad "aim_gen"; finish; exit; }

"$AIM" enhance "$T/in.mkv" --out "$T/a.y4m" --preset anime-strong --fps source --interp dup \
    --models-dir "$T/none" -v >"$T/stdout" 2>"$T/stderr" </dev/null
eq "without the model: exit code" "$?" 0
check "without the model: says so" grep -q "waifu2x-cunet is not installed" "$T/stderr"
check "without the model: lanczos" grep -q "upscaler lanczos" "$T/stderr"
check "without the model: the preset's classic restoration settings" grep -q "deblock 0.60 denoise 0.45" "$T/stderr"

"$AIM" enhance "$T/in.mkv" --out "$T/a0.y4m" --preset anime-strong --fps source --interp dup \
    --models-dir "$T/none" --denoise 0 -v >"$T/stdout" 2>"$T/stderr" </dev/null
eq "--denoise 0: exit code" "$?" 0
check "--denoise 0: no classic denoise" grep -q "deblock 0.60 denoise 0.00" "$T/stderr"
"$AIM" enhance "$T/in.mkv" --out "$T/a4.y4m" --fps source --denoise 4 </dev/null 2>"$T/stderr"
eq "--denoise 4: usage error" "$?" 1

"$AIM" enhance "$T/in.mkv" --out "$T/b.y4m" --preset anime-strong --fps source --interp dup \
    --upscaler bicubic -v >"$T/stdout" 2>"$T/stderr" </dev/null
eq "explicit --upscaler: exit code" "$?" 0
check "explicit --upscaler wins" grep -q "upscaler bicubic" "$T/stderr"

models=${AINIMOTION_MODELS:-${XDG_DATA_HOME:-$HOME/.local/share}/ainimotion/models}
if [ ! -f "$models/waifu2x-cunet/noise2_scale2.0x_model.bin" ]; then
    finish || exit 1
    skip "waifu2x-cunet not installed in $models: run \`ainimotion models install waifu2x-cunet\`"
fi
"$AIM" enhance "$T/in.mkv" --out "$T/c.y4m" --preset anime-strong --fps source --interp dup \
    -v >"$T/stdout" 2>"$T/stderr" </dev/null
eq "with the model: exit code" "$?" 0
check "with the model: waifu2x-cunet" grep -q "upscaler waifu2x-cunet" "$T/stderr"
check "with the model: says a neural model is used" grep -q "waifu2x-cunet is installed and used" "$T/stderr"
check "with the model: no classic deblock/denoise before it" \
    grep -q "waifu2x-cunet restores itself: classic deblock, denoise and sharpen skipped" "$T/stderr"
eq "with the model: frames" "$(ffmpeg -v error -i "$T/c.y4m" -f framemd5 - | grep -vc '^#')" 3
check "with the model: anime-strong's noise level 2" grep -q "waifu2x-cunet noise level 2" "$T/stderr"
# waifu2x-cunet asked for by name: noise level 0 unless --denoise says otherwise (issue #4)
"$AIM" enhance "$T/in.mkv" --out "$T/d.y4m" --fps source --interp dup --upscaler waifu2x-cunet \
    -v >"$T/stdout" 2>"$T/stderr" </dev/null
check "--upscaler waifu2x-cunet: noise level 0" grep -q "waifu2x-cunet noise level 0" "$T/stderr"
"$AIM" enhance "$T/in.mkv" --out "$T/e.y4m" --fps source --interp dup --upscaler waifu2x-cunet \
    --denoise 3 -v >"$T/stdout" 2>"$T/stderr" </dev/null
check "--denoise 3: noise level 3" grep -q "waifu2x-cunet noise level 3" "$T/stderr"
check "--denoise 3: a different picture" test "$(md5sum < "$T/d.y4m")" != "$(md5sum < "$T/e.y4m")"
finish
