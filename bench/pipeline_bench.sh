#!/usr/bin/env bash
# End-to-end throughput and memory of `ainimotion enhance`, against peers in the same run:
#   - a plain transcode (ffmpeg, decode + libx264 at the same crf/preset): the floor
#   - ffmpeg's own route to the same result: minterpolate (mci) + lanczos scale + libx264
# and peak RSS for a short and a 4x longer input (memory must not grow with length).
# usage: bench/pipeline_bench.sh [BUILD_DIR] [SIZE] [SECONDS]   (default build 1280x720 10)
set -euo pipefail
B=${1:-build}; SIZE=${2:-1280x720}; SECS=${3:-10}
AIM=$B/ainimotion; GEN=$B/aim_gen
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
"$GEN" "$W/in.mkv" --duration "$SECS" --size "$SIZE" --no-subs >/dev/null 2>&1
"$GEN" "$W/in4.mkv" --duration $((SECS * 4)) --size "$SIZE" --no-subs >/dev/null 2>&1
frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$W/in.mkv")
w=${SIZE%x*}; h=${SIZE#*x}
ow=$(( (w * 1333 / 1000 + 1) / 2 * 2 )); oh=$(( (h * 1333 / 1000 + 1) / 2 * 2 ))
x264="-c:v libx264 -crf 16 -preset medium"
# run NAME CMD...: wall seconds, user+sys CPU seconds, peak RSS (MiB)
run() {
    local name=$1; shift
    /usr/bin/time -f "%e %U %S %M" -o "$W/time" "$@" >/dev/null 2>"$W/err" || { echo "$name failed:"; tail -3 "$W/err"; return; }
    read -r wall user sys rss < "$W/time"
    printf '%-44s %8.2f %8.2f %8.1f %9.0f\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" \
        "$(echo "scale=2; $((${N:-$frames} * 2)) / $wall" | bc)" "$((rss / 1024))"
    echo "$wall" > "$W/wall_$(echo "$name" | tr -c "a-zA-Z0-9\n" _)"
    echo "$user + $sys" | bc > "$W/cpu_$(echo "$name" | tr -c "a-zA-Z0-9\n" _)"
}
echo "input: $SIZE, $frames frames (${SECS} s at 24000/1001) -> ${ow}x${oh} at 48000/1001; $(nproc) cores"
printf '%-44s %8s %8s %8s %9s\n' "route" "wall s" "cpu s" "out fps" "peak MiB"
run "plain transcode (ffmpeg, x264 crf16 medium)" ffmpeg -nostdin -y -i "$W/in.mkv" -an $x264 "$W/t.mkv"
run "ffmpeg minterpolate mci + lanczos + x264" ffmpeg -nostdin -y -i "$W/in.mkv" -an \
    -vf "minterpolate=fps=48000/1001:mi_mode=mci,scale=${ow}:${oh}:flags=lanczos" $x264 "$W/m.mkv"
run "ainimotion enhance (anime-clean)" "$AIM" enhance "$W/in.mkv" --out "$W/a.mkv" --fps 48 --scale 1.333 -q -y
run "ainimotion enhance (fast)" "$AIM" enhance "$W/in.mkv" --out "$W/f.mkv" --fps 48 --scale 1.333 --preset fast -q -y
run "ainimotion enhance, no encode (.y4m to /dev/null)" "$AIM" enhance "$W/in.mkv" --out - --fps 48 --scale 1.333 -q
N=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$W/in4.mkv") run "ainimotion enhance (anime-clean), 4x longer" "$AIM" enhance "$W/in4.mkv" --out "$W/a4.mkv" --fps 48 --scale 1.333 -q -y
key() { echo "$1" | tr -c "a-zA-Z0-9\n" _; }
a=$(cat "$W/wall_$(key "ainimotion enhance (anime-clean)")"); m=$(cat "$W/wall_$(key "ffmpeg minterpolate mci + lanczos + x264")")
ac=$(cat "$W/cpu_$(key "ainimotion enhance (anime-clean)")"); mc=$(cat "$W/cpu_$(key "ffmpeg minterpolate mci + lanczos + x264")")
echo "ratio: ainimotion anime-clean vs ffmpeg minterpolate+lanczos (same run): $(echo "scale=2; $m / $a" | bc)x wall, $(echo "scale=2; $mc / $ac" | bc)x less CPU time"
