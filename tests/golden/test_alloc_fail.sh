#!/usr/bin/env bash
# Allocation failure anywhere in a short enhance (our code, libav, x264, the C library): every
# run ends with exit 5 and the one line "out of memory", leaves nothing under OUT's name and no
# temporary file, and never crashes (under the ASan build: no sanitizer report, which would
# change the exit code and add lines). The program's allocation functions (alloc_hook.c) fail
# the Nth allocation (AIM_TEST_ALLOC_FAIL=N) or every one from the Nth (N+, like a memory
# limit). Sampled, not exhaustive: N in a geometric series over the whole run, each once and
# from-then-on, plus a window of consecutive N in the middle (about 90 runs, two at a time).
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/in.mkv" --frames 6 --size 64x48 >/dev/null || { bad "aim_gen"; finish; exit; }
md5_in=$(md5sum < "$T/in.mkv")

total=$(AIM_TEST_ALLOC_FAIL=count "$AIM" enhance "$T/in.mkv" --out "$T/count.mkv" -q 2>&1 |
        sed -n 's/^allocations: //p')
[ -n "$total" ] || { bad "the allocation count (AIM_TEST_ALLOC_FAIL=count) is missing"; finish; exit; }
check "the count run succeeded" test -s "$T/count.mkv"
rm -f "$T/count.mkv"
# The count varies by a few between runs (thread timing): stay below 95 % of it, so every
# sampled N is an allocation the run really makes.
last=$((total * 95 / 100))

cases=()
n=1
while [ "$n" -le "$last" ]; do
    cases+=("$n" "$n+")
    n=$(( n * 5 / 4 > n ? n * 5 / 4 : n + 1 ))
done
mid=$((total / 2))
for k in $(seq 0 23); do cases+=("$((mid + k))"); done

run_one() { # N: its own folder, exit code and stderr
    local d=$T/run_$1
    mkdir -p "$d"
    AIM_TEST_ALLOC_FAIL=$1 "$AIM" enhance "$T/in.mkv" --out "$d/o.mkv" -q 2>"$d/stderr"
    echo $? > "$d/rc"
}
export -f run_one
export T AIM
printf '%s\n' "${cases[@]}" | xargs -P 2 -I{} bash -c 'run_one "$1"' _ {}

for n in "${cases[@]}"; do
    d=$T/run_$n
    eq "N=$n of $total: exit code" "$(cat "$d/rc")" 5
    eq "N=$n: the one line" "$(cat "$d/stderr")" "ainimotion: error: out of memory"
    eq "N=$n: nothing left" "$(ls -A "$d" | grep -v '^stderr$\|^rc$')" ""
done
echo "$((${#cases[@]})) runs over $total allocations" >&2
eq "input never modified" "$(md5sum < "$T/in.mkv")" "$md5_in"
finish
