#!/usr/bin/env bash
# Dissolve frames at cuts on real anime: at every hand-checked cut of ../shared/clips a blended
# frame (A + B) / 2 is put between shot A's last frame and shot B's first
# (tests/golden/dissolve_clip.sh), then `ainimotion analyze` classifies the two
# intervals around it (A -> D, D -> B), which must be cut or fade, never motion; other cuts in
# the clip are listed (only the truth's may appear: dbz 340 inside the clip of 350).
# usage: bench/gate_dissolve.sh [BUILD_DIR] [SHARED_DIR]
set -euo pipefail
B=${1:-build}; S=${2:-../shared}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
for truth in "$S"/clips/truth/*.csv; do
    name=$(basename "$truth" .csv); clip=$S/clips/$name.mp4
    for c in $(grep -v '^#' "$truth" | awk -F, '$2 == "cut" { print $1 }'); do
        a0=$((c - 16)); [ $a0 -lt 0 ] && a0=0; d=$((c - a0))
        bash "$(dirname "$0")/../tests/golden/dissolve_clip.sh" "$clip" "$c" "$W/d.mkv"
        "$B/ainimotion" analyze "$W/d.mkv" --csv "$W/d.csv" -q
        r=$(awk -F, -v d=$d '$1 == d || $1 == d + 1 { printf "%s(%s) ", $2, $3 }' "$W/d.csv")
        o=$(awk -F, -v d=$d 'NR > 1 && $1 != d && $1 != d + 1 && $2 == "cut" { printf "%s ", $1 }' "$W/d.csv")
        echo "$name cut $c: A->D, D->B: $r${o:+ (other cuts at clip frames: $o)}"
    done
done
