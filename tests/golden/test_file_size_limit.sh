#!/usr/bin/env bash
# Side files (enhance --report, analyze --csv/--json/--timeline) that cannot be written whole:
# a file-size limit (ulimit -f, RLIMIT_FSIZE: the program ignores SIGXFSZ, so a write past it
# fails with EFBIG, as a full disk fails with ENOSPC; no root needed, unlike test_disk_full).
# Each ends with exit 3 and one line naming the file and the cause, nothing half written under
# the file's name (the report is filled under a temporary name and renamed), a file that was
# there before left as it was, and no temporary file. Before: the report's write errors were
# not checked (exit 0, half a JSON), and SIGXFSZ killed the process.
. "$(dirname "$0")/lib.sh"
# 32x32 without audio at crf 51: the video is ~4 KB, the report of its 96 frames ~30 KB
"$GEN" "$T/in.mkv" --frames 96 --size 32x32 --no-subs --no-audio >/dev/null ||
    { bad "aim_gen"; finish; exit; }
lim=16 # KiB (bash's ulimit -f unit is 1024 bytes)
leftovers() { ls -A "$T" | grep -v '^in.mkv$\|^stderr$'; }

echo "an older report" > "$T/r.json"
(ulimit -f $lim; exec "$AIM" enhance "$T/in.mkv" --out "$T/o.mkv" --report "$T/r.json" \
    --fps source --scale 1 --crf 51 -q) 2>"$T/stderr"
eq "report over the limit: exit code" "$?" 3
eq "report over the limit: the one line" "$(cat "$T/stderr")" \
   "ainimotion: error: File too large while writing $T/r.json ($T/o.mkv was written)"
eq "report over the limit: the older report untouched" "$(cat "$T/r.json")" "an older report"
eq "report over the limit: the video is whole" "$(frames "$T/o.mkv")" 96
eq "report over the limit: no temporary file" "$(leftovers | grep part)" ""
rm -f "$T/o.mkv" "$T/r.json"
(ulimit -f $lim; exec "$AIM" enhance "$T/in.mkv" --out "$T/o.mkv" --report "$T/r.json" \
    --fps source --scale 1 --crf 51 -q) 2>"$T/stderr"
eq "report over the limit, none before: exit code" "$?" 3
eq "report over the limit, none before: nothing under its name" "$(leftovers)" "o.mkv"
rm -f "$T/o.mkv"
# the same run with room: the report is there and whole
(ulimit -f 1024; exec "$AIM" enhance "$T/in.mkv" --out "$T/o.mkv" --report "$T/r.json" \
    --fps source --scale 1 --crf 51 -q) 2>"$T/stderr"
eq "report within the limit: exit code" "$?" 0
check "report within the limit: a whole JSON" python3 -c \
    "import json, sys; r = json.load(open(sys.argv[1])); assert len(r['frames']) == 96" "$T/r.json"
rm -f "$T/o.mkv" "$T/r.json"

# analyze: each file over a 1 KiB limit (the CSV and JSON of 96 frames are ~10-30 KB, the
# timeline PNG ~100 KB)
for opt in --csv --json --timeline; do
    echo "older" > "$T/g"
    (ulimit -f 1; exec "$AIM" analyze "$T/in.mkv" -q "$opt" "$T/g") 2>"$T/stderr"
    eq "analyze $opt over the limit: exit code" "$?" 3
    eq "analyze $opt over the limit: the one line" "$(cat "$T/stderr")" \
       "ainimotion analyze: File too large while writing $T/g"
    eq "analyze $opt over the limit: the older file untouched" "$(cat "$T/g")" "older"
    eq "analyze $opt over the limit: no temporary file" "$(leftovers)" "g"
    rm -f "$T/g"
done
# A device path is written as it is, never renamed over nor removed (before, analyze unlinked
# the path after a failed write: run as root on /dev/full, it deleted the device). The test
# makes its own node of /dev/full's device (1,7: ENOSPC on every write), so a regression
# removes only that; skipped where mknod is not permitted.
if mknod "$T/full" c 1 7 2>/dev/null; then
    "$AIM" analyze "$T/in.mkv" -q --json "$T/full" 2>"$T/stderr"
    eq "analyze --json DEVICE: exit code" "$?" 3
    eq "analyze --json DEVICE: the one line" "$(cat "$T/stderr")" \
       "ainimotion analyze: No space left on device while writing $T/full"
    check "analyze --json DEVICE: still the device" test -c "$T/full"
    "$AIM" enhance "$T/in.mkv" --out "$T/o.mkv" --report "$T/full" --fps source --scale 1 -q \
        2>"$T/stderr"
    eq "enhance --report DEVICE: exit code" "$?" 3
    eq "enhance --report DEVICE: the one line" "$(cat "$T/stderr")" \
       "ainimotion: error: No space left on device while writing $T/full ($T/o.mkv was written)"
    check "enhance --report DEVICE: still the device" test -c "$T/full"
else
    echo "note: mknod not permitted: the device-path cases are skipped" >&2
fi
finish
