#!/usr/bin/env bash
# Model A benchmark on every clip in ../shared/clips (protocol: ../shared/README.md, metrics:
# bench/interp_bench.c). For each clip: decode to raw yuv420p with the ffmpeg CLI, take the
# drawings (truth label != hold), write the half-rate sequence (every other drawing), run the
# peers on exactly that sequence (ffmpeg minterpolate mi_mode=mci and mi_mode=blend at twice
# the rate, single thread, timed), then run ours (dup, blend, classic; classic timed on one
# thread and on two; rife too when `ainimotion models install rife-v4.6` has installed its
# model) and score everything with one implementation. Prints a markdown table.
# Usage: bench/interp_bench.sh [BUILD_DIR] [SHARED_DIR]
#   env AIM_BENCH_ENGINES: our engines (default dup,blend,classic,classic:blendfb[,rife]);
#       suffixes :t :s2 :next are explained in bench/interp_bench.c
#   env AIM_BENCH_KEEP=1: keep the decoded clips and the peers' outputs in AIM_TMP (to score
#       engine changes against them with `interp_bench score ... --peer`)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
shared=${2:-$here/../../shared}
bench=$build/bench/interp_bench
[ -x "$bench" ] || { echo "build first: $bench missing"; exit 1; }
[ -d "$shared/clips" ] || { echo "no $shared/clips: skipping"; exit 77; }
tmp=${AIM_TMP:-$(mktemp -d)}
mkdir -p "$tmp"
out=$tmp/rows.txt
: >"$out"
engines=dup,blend,classic,classic:blendfb
models=${AINIMOTION_MODELS:-${XDG_DATA_HOME:-$HOME/.local/share}/ainimotion/models}
if [ -f "$models/rife-v4.6/flownet.bin" ]; then
    engines=$engines,rife
else
    echo "no rife row: rife-v4.6 is not installed in $models (\`ainimotion models install rife-v4.6\`)"
fi
engines=${AIM_BENCH_ENGINES:-$engines}
for clip in "$shared"/clips/*.mp4; do
    name=$(basename "$clip" .mp4)
    truth=$shared/clips/truth/$name.csv
    [ -f "$truth" ] || continue
    size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$clip")
    raw=$tmp/$name.yuv
    ffmpeg -nostdin -loglevel error -y -i "$clip" -map 0:v:0 -pix_fmt yuv420p -f rawvideo "$raw"
    "$bench" prep --raw "$raw" --size "$size" --truth "$truth" --half "$tmp/$name.half.yuv" \
        --name "$name" | tee -a "$out"
    peers=()
    for mode in mci blend; do
        # The half-rate drawings at 12000/1001 in, 24000/1001 out: output frame 2i is drawing
        # 2i, frame 2i+1 the peer's t = 0.5 frame (checked: ALIGN lines). One thread.
        # CPU time (user + sys) as for ours: the machine is shared, wall time would count
        # other jobs; wall time is printed too.
        TIMEFORMAT="%R %U %S"
        { time ffmpeg -nostdin -loglevel error -y -threads 1 -filter_threads 1 \
            -f rawvideo -pix_fmt yuv420p -s "$size" -r 12000/1001 -i "$tmp/$name.half.yuv" \
            -vf "minterpolate=fps=24000/1001:mi_mode=$mode" -f rawvideo "$tmp/$name.$mode.yuv" \
            ; } 2>"$tmp/time.txt"
        read -r wall user sys <"$tmp/time.txt"
        echo "TIME $name minterpolate_$mode wall $wall cpu $(echo "$user + $sys" | bc)" | tee -a "$out"
        peers+=(--peer "minterpolate_$mode=$tmp/$name.$mode.yuv")
    done
    "$bench" score --raw "$raw" --size "$size" --truth "$truth" --name "$name" --threads2 \
        --engines "$engines" "${peers[@]}" | tee -a "$out"
    if [ "${size#*x}" -ge 1080 ]; then
        "$bench" rss --raw "$raw" --size "$size" --name "$name" | tee -a "$out"
    fi
    [ -n "${AIM_BENCH_KEEP:-}" ] || rm -f "$raw" "$tmp"/$name.*.yuv
done
python3 "$here/interp_table.py" "$out"
