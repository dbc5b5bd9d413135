#!/usr/bin/env bash
# The output is published only whole, and never over someone else's file: OUT appearing during
# a run (exit 3, OUT untouched, the result kept where the one error line says) and SIGHUP
# (like SIGTERM: exit 130, nothing left). The input is never changed. Disk full:
# test_disk_full.sh.
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/in.mkv" --duration 10 --size 320x180 --no-subs >/dev/null || { bad "aim_gen"; finish; exit; }
md5_in=$(md5sum < "$T/in.mkv")
nothing_left() { # dir, description: no hidden temporary file
    check "$2: no temp file in $1" test -z "$(ls -A "$1" | grep -i '\.part')"
}
# wait_part NAME: until the run's hidden temporary file exists (the run is under way)
wait_part() {
    for _ in $(seq 200); do
        ls -A "$T" | grep -q "^\.$1\.part" && return 0
        sleep 0.05
    done
    return 1
}

# OUT appears while the run writes (another program, another run): it is left alone
"$AIM" enhance "$T/in.mkv" --out "$T/race.mkv" --scale 1 -q 2>"$T/stderr" &
pid=$!
check "race: the run started" wait_part race.mkv
echo "someone else's" > "$T/race.mkv"
wait "$pid"
eq "race: exit code" "$?" 3
eq "race: OUT untouched" "$(cat "$T/race.mkv")" "someone else's"
eq "race: one error line" "$(grep -c . "$T/stderr")" 1
kept=$(sed -n 's/.*the finished result is kept as \(.*\)$/\1/p' "$T/stderr")
check "race: the line says where the result is ($(cat "$T/stderr"))" test -n "$kept" -a -s "$kept"
[ -n "$kept" ] && eq "race: the kept result is whole" "$(frames "$kept")" 480
rm -f "$T/race.mkv" "$kept"
# with -y the finished result replaces it
"$AIM" enhance "$T/in.mkv" --out "$T/race.mkv" --scale 1 -q -y 2>"$T/stderr" &
pid=$!
check "race -y: the run started" wait_part race.mkv
echo "old" > "$T/race.mkv"
wait "$pid"
eq "race -y: exit code" "$?" 0
eq "race -y: replaced" "$(frames "$T/race.mkv")" 480
rm -f "$T/race.mkv"
# two runs to the same OUT: one publishes, the other finds it there (exit 3, result kept)
"$AIM" enhance "$T/in.mkv" --out "$T/two.mkv" --scale 1 -q 2>"$T/stderr1" &
p1=$!
"$AIM" enhance "$T/in.mkv" --out "$T/two.mkv" --scale 1 -q 2>"$T/stderr2" &
p2=$!
wait "$p1"; r1=$?
wait "$p2"; r2=$?
eq "two runs: one succeeds, one exits 3" "$(printf '%s\n' "$r1" "$r2" | sort | paste -sd,)" "0,3"
eq "two runs: OUT is whole" "$(frames "$T/two.mkv")" 480
kept=$(sed -n 's/.*the finished result is kept as \(.*\)$/\1/p' "$T/stderr1" "$T/stderr2")
check "two runs: the other result is kept where its line says" test -n "$kept" -a -s "$kept"
rm -f "$T/two.mkv" "$kept"
nothing_left "$T" "after the races"

# SIGHUP (terminal closed) is handled like SIGTERM
"$AIM" enhance "$T/in.mkv" --out "$T/hup.mkv" --scale 2 -q 2>"$T/stderr" &
pid=$!
check "SIGHUP: the run started" wait_part hup.mkv
kill -HUP "$pid"
wait "$pid"
eq "SIGHUP: exit code" "$?" 130
eq "SIGHUP: one line" "$(grep -c . "$T/stderr")" 1
check "SIGHUP: no output" test ! -e "$T/hup.mkv"
nothing_left "$T" "after SIGHUP"

eq "input never modified" "$(md5sum < "$T/in.mkv")" "$md5_in"
finish
