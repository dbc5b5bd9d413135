#!/usr/bin/env bash
# Ctrl-C during a run: exit 130, nothing under the output name, no temporary file left.
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/in.mkv" --duration 120 --size 320x180 --no-subs >/dev/null || { bad "aim_gen"; finish; exit; }
"$AIM" enhance "$T/in.mkv" --out "$T/out.mkv" --scale 2 -q &
pid=$!
sleep 2
kill -INT "$pid"
wait "$pid"
eq "exit code after SIGINT" "$?" 130
check "no output" test ! -e "$T/out.mkv"
check "no temp file" test -z "$(ls -A "$T" | grep -v '^in.mkv$')"
finish
