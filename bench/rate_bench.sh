#!/usr/bin/env bash
# Output rates end to end (issue 14): `ainimotion enhance` with the default preset (anime-clean,
# --scale 1.333) on a 23.976 input at --fps 60 (59.94, ratio 5/2) beside the same at --fps 48
# (2x), and beside ffmpeg's route to the same two results (minterpolate mci at 60000/1001 and
# 48000/1001 + lanczos to the same size + libx264 at the same crf/preset), all in one run.
# Also the no-encode route (y4m to /dev/null) at both rates, which isolates gate + Model A +
# Model B from the x264 encode of the larger output.
# out fps = output frames (counted in the file) / wall seconds.
# usage: bench/rate_bench.sh [BUILD_DIR] [SIZE] [SECONDS]   (default build 1920x1080 2)
set -euo pipefail
B=${1:-build}; SIZE=${2:-1920x1080}; SECS=${3:-2}
AIM=$B/ainimotion; GEN=$B/aim_gen
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
"$GEN" "$W/in.mkv" --duration "$SECS" --size "$SIZE" --no-subs >/dev/null 2>&1
count() { ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$1"; }
frames=$(count "$W/in.mkv")
w=${SIZE%x*}; h=${SIZE#*x}
ow=$(( (w * 1333 / 1000 + 1) / 2 * 2 )); oh=$(( (h * 1333 / 1000 + 1) / 2 * 2 ))
x264="-c:v libx264 -crf 16 -preset medium"
# run NAME OUTFILE|-N CMD...: wall seconds, user+sys CPU seconds, output frames, out fps, peak MiB
run() {
    local name=$1 out=$2; shift 2
    /usr/bin/time -f "%e %U %S %M" -o "$W/time" "$@" >/dev/null 2>"$W/err" || { echo "$name failed:"; tail -3 "$W/err"; return; }
    read -r wall user sys rss < "$W/time"
    local n
    case $out in -*) n=${out#-} ;; *) n=$(count "$out") ;; esac
    printf '%-46s %8.2f %8.2f %6d %8.2f %9.0f\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" \
        "$n" "$(echo "scale=2; $n / $wall" | bc)" "$((rss / 1024))"
    echo "scale=4; $n / $wall" | bc > "$W/fps_$(echo "$name" | tr -c "a-zA-Z0-9\n" _)"
}
key() { echo "$1" | tr -c "a-zA-Z0-9\n" _; }
fps() { cat "$W/fps_$(key "$1")"; }
n48=$((frames * 2)); n60=$(( (frames * 5 + 1) / 2 ))
echo "input: $SIZE, $frames frames (${SECS} s at 24000/1001) -> ${ow}x${oh}; $(nproc) cores;" \
     "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-46s %8s %8s %6s %8s %9s\n' "route" "wall s" "cpu s" "frames" "out fps" "peak MiB"
run "ainimotion enhance, 48 (anime-clean)" "$W/a48.mkv" "$AIM" enhance "$W/in.mkv" --out "$W/a48.mkv" --fps 48 -q -y
run "ainimotion enhance, 60 (anime-clean)" "$W/a60.mkv" "$AIM" enhance "$W/in.mkv" --out "$W/a60.mkv" --fps 60 -q -y
run "ainimotion enhance, 48, no encode" -$n48 "$AIM" enhance "$W/in.mkv" --out - --fps 48 -q
run "ainimotion enhance, 60, no encode" -$n60 "$AIM" enhance "$W/in.mkv" --out - --fps 60 -q
run "ffmpeg minterpolate mci 48000/1001 + lanczos" "$W/m48.mkv" ffmpeg -nostdin -y -i "$W/in.mkv" -an \
    -vf "minterpolate=fps=48000/1001:mi_mode=mci,scale=${ow}:${oh}:flags=lanczos" $x264 "$W/m48.mkv"
run "ffmpeg minterpolate mci 60000/1001 + lanczos" "$W/m60.mkv" ffmpeg -nostdin -y -i "$W/in.mkv" -an \
    -vf "minterpolate=fps=60000/1001:mi_mode=mci,scale=${ow}:${oh}:flags=lanczos" $x264 "$W/m60.mkv"
echo "ainimotion 60 vs 48 (out fps): $(echo "scale=3; $(fps "ainimotion enhance, 60 (anime-clean)") / $(fps "ainimotion enhance, 48 (anime-clean)")" | bc)x;" \
     "no encode: $(echo "scale=3; $(fps "ainimotion enhance, 60, no encode") / $(fps "ainimotion enhance, 48, no encode")" | bc)x"
echo "ainimotion vs ffmpeg minterpolate (out fps, same run): 60: $(echo "scale=2; $(fps "ainimotion enhance, 60 (anime-clean)") / $(fps "ffmpeg minterpolate mci 60000/1001 + lanczos")" | bc)x;" \
     "48: $(echo "scale=2; $(fps "ainimotion enhance, 48 (anime-clean)") / $(fps "ffmpeg minterpolate mci 48000/1001 + lanczos")" | bc)x"
