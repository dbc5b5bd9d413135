#!/usr/bin/env bash
# Referee for the U-Net upscalers: our runtime, the reference tool and an independent float64
# numpy interpreter (bench/ncnn_ref.py) on the same small crops, all as one tile.
#   crops: 96x96 of the dark areas where waifu2x-ncnn-vulkan differs from us (One Piece frame 40:
#          black hair; DBZ frame 300: eyebrows/outlines), one 96x96 of a bright still, and the
#          24x24 golden input (tests/data/nn/input24.rgb)
#   models: waifu2x-cunet x2 noise 0 (tool: waifu2x-ncnn-vulkan on llvmpipe, fp16 storage) and,
#           to validate the referee itself, realcugan-se-conservative x2 (tool: its fp32 CPU path)
# numpy variants: np64 = float64 with the image-edge padding of src/nn/upscaler.c (realcugan
# reflect-101, waifu2x-cunet clamp: each tool's own); np64r = float64 with reflect-101 padding
# (what we used for waifu2x-cunet before); np16 = np64 with the tool's fp16 storage and its
# negative -> 255 wrap (ncnn_ref.py --fp16 --tool-wrap; waifu2x-cunet only, realcugan's tool
# runs in fp32). Each cell is "PSNR over all samples / without the 0-vs-255 pairs" (RGB 8-bit,
# bench/nn_psnr.c); 999 = identical.
# usage: bench/nn_referee.sh [BUILD_DIR]   (needs python3-numpy; env AIM_SHARED, NN_TMP,
#        NN_REFEREE_MODELS: default "realcugan-se-conservative waifu2x-cunet")
set -uo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
SHARED=${AIM_SHARED:-../shared}
T=${NN_TMP:-$(mktemp -d /tmp/nn_referee.XXXXXX)}
mkdir -p "$T"
PY=/usr/bin/python3
$PY -c 'import numpy' 2>/dev/null || { echo "needs Debian python3-numpy"; exit 77; }
UP=$B/bench/nn_upscale
PS=$B/bench/nn_psnr
[ -x "$UP" ] && [ -x "$PS" ] || { echo "build first: $UP missing"; exit 1; }
MD=${AINIMOTION_MODELS:-${XDG_DATA_HOME:-$HOME/.local/share}/ainimotion/models}
for m in realcugan-se-conservative waifu2x-cunet; do
    $B/ainimotion models verify $m >/dev/null || { echo "install the models: $B/ainimotion models install"; exit 77; }
done
R=$T/ref
. "$(dirname "$0")/ref_tools.sh"
ref_tools "$R"
# name:clip:frame:x:y (crop of the frame at full size, 96x96)
crops=(op-hair:onepiece_demo:40:40:16 dbz-brows:dbz_640x342:300:192:40)
inputs=()
for c in "${crops[@]}"; do
    IFS=: read -r n f k x y <<<"$c"
    [ -f "$SHARED/clips/$f.mp4" ] || continue
    ffmpeg -loglevel error -y -i "$SHARED/clips/$f.mp4" -vf "select=eq(n\,$k),crop=96:96:$x:$y" \
        -frames:v 1 -f rawvideo -pix_fmt rgb24 "$T/$n.rgb"
    inputs+=("$n:96")
done
s="$SHARED/clips/stills/a4k_1080p_0.png"
if [ -f "$s" ]; then
    ffmpeg -loglevel error -y -i "$s" -vf crop=96:96:900:480 -f rawvideo -pix_fmt rgb24 "$T/still0.rgb"
    inputs+=("still0:96")
fi
cp tests/data/nn/input24.rgb "$T/golden24.rgb"
inputs+=("golden24:24")
p() { "$PS" "$1" "$2" | awk '{ print $1 "/" $2 }'; }
printf '%-26s %-9s %-13s %-13s %-13s %-13s %-13s %-13s\n' model crop ours-np64 tool-np64 \
    tool-np64r ours-tool np16-tool np16-np64
for m in ${NN_REFEREE_MODELS:-realcugan-se-conservative waifu2x-cunet}; do
    case $m in
    realcugan-se-conservative) base=$MD/$m/up2x-conservative; pm=reflect ;;
    waifu2x-cunet) base=$MD/$m/noise0_scale2.0x_model; pm=edge ;;
    esac
    for i in "${inputs[@]}"; do
        n=${i%%:*}; w=${i##*:}; o=$T/$n.$m
        ffmpeg -loglevel error -y -f rawvideo -pix_fmt rgb24 -s ${w}x$w -i "$T/$n.rgb" "$T/$n.png"
        rm -f "$o.tool.png"
        case $m in
        realcugan-se-conservative) "$P/real-cugan/realcugan-ncnn-vulkan" -i "$T/$n.png" \
            -o "$o.tool.png" -m "$P/real-cugan/models-se" -n -1 -s 2 -t 512 -c 0 -g -1 ;;
        waifu2x-cunet) "$P/waifu2x/waifu2x-ncnn-vulkan" -i "$T/$n.png" -o "$o.tool.png" \
            -m "$P/waifu2x/models-cunet" -n 0 -s 2 -t 512 ;;
        esac >/dev/null 2>&1
        ffmpeg -loglevel error -y -i "$o.tool.png" -f rawvideo -pix_fmt rgb24 "$o.tool.rgb"
        "$UP" $m 2 "$T/$n.rgb" $w $w "$o.ours.rgb" --tile 512 --threads 1 >/dev/null
        ref() { $PY bench/ncnn_ref.py $base.param $base.bin "$T/$n.rgb" $w $w "$@" >/dev/null; }
        ref "$o.np64.rgb" --pad-mode $pm
        ref "$o.np64r.rgb" --pad-mode reflect
        np16=-
        if [ $m = waifu2x-cunet ]; then
            ref "$o.np16.rgb" --pad-mode $pm --fp16 --tool-wrap
            np16="$(p $o.np16.rgb $o.tool.rgb) $(p $o.np16.rgb $o.np64.rgb)"
        fi
        printf '%-26s %-9s %-13s %-13s %-13s %-13s %-13s %-13s\n' $m $n "$(p $o.ours.rgb $o.np64.rgb)" \
            "$(p $o.tool.rgb $o.np64.rgb)" "$(p $o.tool.rgb $o.np64r.rgb)" \
            "$(p $o.ours.rgb $o.tool.rgb)" $np16
    done
done
# waifu2x-ncnn-vulkan against us by image size: squares from the top-left of One Piece frame 40,
# one tile each; "270in272" is the 270 square edge-extended to 272 (a multiple of 4), the tool's
# output cropped back to 540x540. NN_REFEREE_BIG=1 adds the float64 referee at 270 (minutes).
f=$SHARED/clips/onepiece_demo.mp4
if [ -f "$f" ] && [[ " ${NN_REFEREE_MODELS:-waifu2x-cunet} " = *" waifu2x-cunet "* ]]; then
    base=$MD/waifu2x-cunet/noise0_scale2.0x_model
    echo "waifu2x-cunet by size (ours-tool, all/no-wrap):"
    for s in 96 160 240 248 256 264 270 270in272; do
        n=size$s; w=${s%in*}; pw=${s#*in}; o=$T/$n
        ffmpeg -loglevel error -y -i "$f" -vf "select=eq(n\,40),crop=$w:$w:0:0" -frames:v 1 \
            -f rawvideo -pix_fmt rgb24 "$o.rgb"
        ffmpeg -loglevel error -y -f rawvideo -pix_fmt rgb24 -s ${w}x$w -i "$o.rgb" \
            -vf "pad=$pw:$pw:0:0,fillborders=right=$((pw - w)):bottom=$((pw - w)):mode=smear" "$o.png"
        rm -f "$o.tool.png"
        "$P/waifu2x/waifu2x-ncnn-vulkan" -i "$o.png" -o "$o.tool.png" -m "$P/waifu2x/models-cunet" \
            -n 0 -s 2 -t 512 >/dev/null 2>&1
        ffmpeg -loglevel error -y -i "$o.tool.png" -vf crop=$((2 * w)):$((2 * w)):0:0 -f rawvideo \
            -pix_fmt rgb24 "$o.tool.rgb"
        "$UP" waifu2x-cunet 2 "$o.rgb" $w $w "$o.ours.rgb" --tile 512 --threads 1 >/dev/null
        extra=
        if [ "${NN_REFEREE_BIG:-0}" = 1 ] && [ $s = 270 ]; then
            $PY bench/ncnn_ref.py $base.param $base.bin "$o.rgb" $w $w "$o.np64.rgb" --pad-mode edge \
                >/dev/null
            extra="  ours-np64 $(p $o.ours.rgb $o.np64.rgb)  tool-np64 $(p $o.tool.rgb $o.np64.rgb)"
        fi
        printf '  %-9s %s%s\n' $s "$(p $o.ours.rgb $o.tool.rgb)" "$extra"
    done
fi
echo "work files in $T"
