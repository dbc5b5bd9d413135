#!/usr/bin/env bash
# The whole test suite: install dependencies if missing, build (Release) and run ctest, then
# build and run it again under AddressSanitizer + UndefinedBehaviorSanitizer.
# Ends with ctest's summary and a plain "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || { echo "install-deps failed"; exit 1; }
jobs=$(nproc)
pass=0; fail=0; skip=0
run_suite() { # name, build dir, cmake args...
    local name=$1 dir=$2; shift 2
    echo "=== $name: configure + build ($dir)"
    cmake -S . -B "$dir" "$@" >/dev/null || { fail=$((fail+1)); return; }
    cmake --build "$dir" -j"$jobs" >"$dir.log" 2>&1 || { tail -50 "$dir.log"; fail=$((fail+1)); return; }
    echo "=== $name: ctest"
    (cd "$dir" && ctest --output-on-failure -j"$jobs" 2>&1) | tee "$dir.ctest.log"
    local p f s
    p=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' "$dir.ctest.log")
    f=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .*(Failed|Timeout|Exception|Not Run|SEGFAULT|Child aborted)' "$dir.ctest.log")
    s=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .*Skipped' "$dir.ctest.log")
    pass=$((pass+p)); fail=$((fail+f)); skip=$((skip+s))
}
run_suite release build -DCMAKE_BUILD_TYPE=Release
run_suite asan+ubsan build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIM_SANITIZE=ON
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
