#!/usr/bin/env bash
# A full disk: exit 3, the one line "No space left on device while writing OUT" (libav's and
# the encoder's own lines only with -v), nothing left, for the muxed and the raw outputs and
# analyze's CSV and JSON.
# A 64 KiB tmpfs; CI runs as root. Skipped (77) where mounting is not permitted.
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/in.mkv" --duration 4 --size 320x180 --no-subs >/dev/null || { bad "aim_gen"; finish; exit; }
mkdir -p "$T/full"
mount -t tmpfs -o size=64k aimfull "$T/full" 2>/dev/null ||
    skip "cannot mount a tmpfs here (needs root): the disk-full cases need one"
trap 'umount "$T/full" 2>/dev/null' EXIT
for out in o.mkv o.mp4 o.y4m; do
    "$AIM" enhance "$T/in.mkv" --out "$T/full/$out" --scale 1 -q 2>"$T/stderr"
    eq "disk full ($out): exit code" "$?" 3
    eq "disk full ($out): one line ($(cat "$T/stderr"))" "$(grep -c . "$T/stderr")" 1
    check "disk full ($out): names the cause" \
        grep -q "No space left on device while writing $T/full/$out\$" "$T/stderr"
    eq "disk full ($out): nothing left" "$(ls -A "$T/full")" ""
done
# analyze's records are a few KiB: a one-page tmpfs
umount "$T/full"
mount -t tmpfs -o size=4k aimfull "$T/full" || { bad "mount 4k"; finish; exit; }
for opt in --csv --json; do
    "$AIM" analyze "$T/in.mkv" -q "$opt" "$T/full/gate" 2>"$T/stderr"
    eq "disk full (analyze $opt): exit code" "$?" 3
    eq "disk full (analyze $opt): the one line" "$(cat "$T/stderr")" \
        "ainimotion analyze: No space left on device while writing $T/full/gate"
    eq "disk full (analyze $opt): nothing left" "$(ls -A "$T/full")" ""
done
finish
