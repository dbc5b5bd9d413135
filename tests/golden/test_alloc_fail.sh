#!/usr/bin/env bash
# Allocation failure anywhere in a short enhance (our code, libav, x264, the C library): every
# run ends with exit 5 and the one line "out of memory", leaves nothing under OUT's name and no
# temporary file, and never crashes (under the ASan build: no sanitizer report, which would
# change the exit code and add lines). The program's allocation functions (alloc_hook.c) fail
# the Nth allocation (AIM_TEST_ALLOC_FAIL=N) or every one from the Nth (N+, like a memory
# limit). Sampled, not exhaustive: N in a geometric series over the whole run, each once and
# from-then-on, plus a window of consecutive N in the middle (about 90 runs, two at a time).
# Under the sanitizers: single failures only, fewer of them (ASan's own thread start-up
# allocates through malloc and aborts when that fails for good; the runs are ~3x slower), and
# a leak x264 has when its own allocation fails is suppressed (not ours: x264_encoder_open
# returns without freeing). Then real memory limits (ulimit -v, Release only: ASan reserves
# terabytes of address space).
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/in.mkv" --frames 6 --size 64x48 >/dev/null || { bad "aim_gen"; finish; exit; }
md5_in=$(md5sum < "$T/in.mkv")
sanitized=0
grep -qE '^AIM_(SANITIZE|TSAN|FUZZ):BOOL=ON' "$AIM_BUILD/CMakeCache.txt" 2>/dev/null && sanitized=1
printf 'leak:libx264.so\n' > "$T/lsan.supp"
export LSAN_OPTIONS="suppressions=$T/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

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
    if [ "$sanitized" = 1 ]; then
        cases+=("$n")
        n=$(( n * 3 / 2 > n ? n * 3 / 2 : n + 1 ))
    else
        cases+=("$n" "$n+")
        n=$(( n * 5 / 4 > n ? n * 5 / 4 : n + 1 ))
    fi
done
mid=$((total / 2))
for k in $(seq 0 $((sanitized ? 11 : 23))); do cases+=("$((mid + k))"); done

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

# analyze too (its decoder-only run is where libavcodec 5.1 once aborted while closing a
# frame-threaded H.264 decoder after a failed allocation): exit 5, one line, no CSV/JSON
atotal=$(AIM_TEST_ALLOC_FAIL=count "$AIM" analyze "$T/in.mkv" -q --csv "$T/count.csv" 2>&1 |
         sed -n 's/^allocations: //p')
check "analyze: the allocation count" test -n "$atotal"
acases=()
n=1
while [ -n "$atotal" ] && [ "$n" -le "$((atotal * 95 / 100))" ]; do
    acases+=("$n")
    n=$(( n * 3 / 2 > n ? n * 3 / 2 : n + 1 ))
done
[ -n "$atotal" ] && for k in $(seq 0 $((sanitized ? 5 : 15))); do acases+=("$((atotal * 97 / 100 - k))"); done
run_analyze() {
    local d=$T/arun_$1
    mkdir -p "$d"
    AIM_TEST_ALLOC_FAIL=$1 "$AIM" analyze "$T/in.mkv" -q --csv "$d/g.csv" --json "$d/g.json" \
        2>"$d/stderr"
    echo $? > "$d/rc"
}
export -f run_analyze
printf '%s\n' "${acases[@]}" | xargs -P 2 -I{} bash -c 'run_analyze "$1"' _ {}
for n in "${acases[@]}"; do
    d=$T/arun_$n
    eq "analyze N=$n of $atotal: exit code" "$(cat "$d/rc")" 5
    eq "analyze N=$n: the one line" "$(cat "$d/stderr")" "ainimotion: error: out of memory"
    eq "analyze N=$n: no CSV or JSON" "$(ls -A "$d" | grep -v '^stderr$\|^rc$')" ""
done

# Under a real memory limit the failures come from everywhere at once: x264 prints its own
# "[error]: malloc of size N failed", thread stacks cannot be mapped (pthread_create: EAGAIN).
# Each limit either suffices (exit 0, the whole output) or gives exit 5 and the one line; too
# small a limit stops the dynamic loader before the program starts (127, its own message).
if [ "$sanitized" = 0 ]; then
    "$GEN" "$T/big.mkv" --duration 2 --size 320x180 --no-subs >/dev/null || bad "aim_gen big"
    for v in 200000 250000 300000 350000 400000 450000 500000 550000; do
        (ulimit -v "$v"; exec "$AIM" enhance "$T/big.mkv" --out "$T/lim.mkv" --scale 2 -q) \
            2>"$T/stderr"
        rc=$?
        case $rc in
        0) eq "ulimit -v $v: whole output" "$(frames "$T/lim.mkv")" 96 ;;
        5) eq "ulimit -v $v: the one line" "$(cat "$T/stderr")" "ainimotion: error: out of memory"
           check "ulimit -v $v: no output" test ! -e "$T/lim.mkv" ;;
        127) check "ulimit -v $v: the loader's message" grep -q "loading shared libraries" "$T/stderr" ;;
        *) bad "ulimit -v $v: exit code $rc: $(cat "$T/stderr")" ;;
        esac
        rm -f "$T/lim.mkv"
        check "ulimit -v $v: no temp file" test -z "$(ls -A "$T" | grep '\.part')"
    done
fi
eq "input never modified" "$(md5sum < "$T/in.mkv")" "$md5_in"
finish
