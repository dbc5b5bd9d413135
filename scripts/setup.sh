#!/usr/bin/env bash
# One command from a fresh Debian 12 machine: install the packages, build, make a synthetic
# sample clip and run the main job on it. Prints where the result is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
mkdir -p sample
build/aim_gen sample/sample.mkv --frames 240 --size 960x540 --truth sample/sample_truth.csv
build/ainimotion enhance sample/sample.mkv --out sample/sample_enhanced.mkv \
    --fps 48 --scale 1.333 --preset anime-clean --report sample/sample_report.json -y
echo
echo "input:  $(pwd)/sample/sample.mkv"
echo "result: $(pwd)/sample/sample_enhanced.mkv"
echo "report: $(pwd)/sample/sample_report.json"
