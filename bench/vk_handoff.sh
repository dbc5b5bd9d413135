#!/usr/bin/env bash
# The pipeline's device hand-off between RIFE and a neural upscaler (issue 11,
# src/pipeline/pipeline.c): `enhance --interp rife --upscaler MODEL --device DEV --preset fast`
# with the in-between frames kept on the device (the default) against AIM_VK_FRAMES=host
# (download, then upload), alternated ROUNDS times in one run on a generated clip (aim_gen,
# FRAMES frames of SIZE, 2x the rate). Prints the wall seconds of each run, the median ratio
# host/device (> 1: the hand-off is faster), whether the hand-off was on (its start line; no -v:
# the timestamp queries would slow both), and whether the outputs
# are identical (they must be).
# usage: bench/vk_handoff.sh [BUILD] [SIZE, default 256x144] [FRAMES, default 12]
#                            [ROUNDS, default 3] [DEVICE, default vulkan] [MODEL, anime4k-cnn-m]
set -uo pipefail
B=${1:-build}; SIZE=${2:-256x144}; FRAMES=${3:-12}; ROUNDS=${4:-3}; DEV=${5:-vulkan}
MODEL=${6:-anime4k-cnn-m}
D=$(mktemp -d); trap 'rm -rf "$D"' EXIT
"$B/aim_gen" "$D/in.mkv" --frames "$FRAMES" --size "$SIZE" --no-audio --no-subs >/dev/null 2>&1 ||
    exit 1
echo "# $(date -u '+%F %H:%M UTC'), $SIZE, $FRAMES frames -> 2x, $MODEL, --device $DEV," \
     "load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %-6s %9s  %s\n' round path seconds hand-off
run() { # MODE ROUND
    local e=()
    [ "$1" = host ] && e=(AIM_VK_FRAMES=host)
    local t0=$(date +%s.%N)
    env "${e[@]}" "$B/ainimotion" enhance "$D/in.mkv" --out "$D/$1.y4m" --interp rife \
        --upscaler "$MODEL" --device "$DEV" --preset fast --scale 2 -y </dev/null \
        2>"$D/$1.err" || { echo "enhance failed:"; grep -v debug "$D/$1.err" | tail -3; exit 1; }
    local t1=$(date +%s.%N)
    local s=$(echo "$t1 - $t0" | bc)
    local n=no
    grep -q "frames stay on the Vulkan device" "$D/$1.err" && n=yes
    printf '%-6s %-6s %9.2f  %s\n' "$2" "$1" "$s" "$n"
    echo "$s" >>"$D/$1.times"
}
for r in $(seq 1 "$ROUNDS"); do
    run host "$r"
    run device "$r"
    cmp -s "$D/host.y4m" "$D/device.y4m" || echo "OUTPUTS DIFFER in round $r"
done
med() {
    sort -g "$1" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'
}
h=$(med "$D/host.times"); d=$(med "$D/device.times")
printf "median: host %.2f s, device %.2f s, host/device %.3fx; " "$h" "$d" \
    "$(echo "$h / $d" | bc -l)"
echo "outputs identical: $(cmp -s "$D/host.y4m" "$D/device.y4m" && echo yes || echo NO)"
