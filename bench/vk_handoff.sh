#!/usr/bin/env bash
# The pipeline's device hand-off between RIFE and a neural upscaler (issue 11,
# src/pipeline/pipeline.c): `enhance --interp rife --upscaler MODEL --device DEV --preset fast`
# with the in-between frames kept on the device (the default) against AIM_VK_FRAMES=host
# (download, then upload), alternated ROUNDS times in one run on a generated clip (aim_gen,
# FRAMES frames of SIZE, 2x the rate). Prints the wall and CPU (user + sys: lavapipe's work is
# CPU time, less disturbed by a loaded machine than wall time) seconds of each run, the medians
# and their ratio host/device (> 1: the hand-off is faster), whether the hand-off was on (its
# start line; no -v: the timestamp queries would slow both), and whether the outputs are
# identical (they must be).
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
printf '%-6s %-6s %9s %9s  %s\n' round path wall_s cpu_s hand-off
run() { # MODE ROUND
    local e=()
    [ "$1" = host ] && e=(AIM_VK_FRAMES=host)
    /usr/bin/time -f "%e %U %S" -o "$D/time" env "${e[@]}" "$B/ainimotion" enhance \
        "$D/in.mkv" --out "$D/$1.y4m" --interp rife --upscaler "$MODEL" --device "$DEV" \
        --preset fast --scale 2 -y </dev/null 2>"$D/$1.err" ||
        { echo "enhance failed:"; grep -v debug "$D/$1.err" | tail -3; exit 1; }
    local n=no
    grep -q "frames stay on the Vulkan device" "$D/$1.err" && n=yes
    read -r wall user sys <"$D/time"
    local cpu=$(echo "$user + $sys" | bc)
    printf '%-6s %-6s %9.2f %9.2f  %s\n' "$2" "$1" "$wall" "$cpu" "$n"
    echo "$wall" >>"$D/$1.times"
    echo "$cpu" >>"$D/$1.cpu"
}
for r in $(seq 1 "$ROUNDS"); do
    run host "$r"
    run device "$r"
    cmp -s "$D/host.y4m" "$D/device.y4m" || echo "OUTPUTS DIFFER in round $r"
done
med() {
    sort -g "$1" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'
}
for k in times cpu; do
    h=$(med "$D/host.$k"); d=$(med "$D/device.$k")
    printf "median %-5s: host %.2f s, device %.2f s, host/device %.3fx\n" "$k" "$h" "$d" \
        "$(echo "$h / $d" | bc -l)"
done
echo "outputs identical: $(cmp -s "$D/host.y4m" "$D/device.y4m" && echo yes || echo NO)"
