#!/usr/bin/env bash
# --interp-fallback nearest|blend reaches the classic engine (it logs its choice) and changes
# only interpolated frames: the source frames (even output frames at 2x) are the same in both
# runs and some in-betweens differ (the synthetic clip's occlusions are untrusted flow; what the
# engine shows there is checked in tests/unit/interp). A bad value is a usage error.
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/in.mkv" --frames 24 --size 320x180 --no-audio --no-subs >/dev/null || { bad "aim_gen"; finish; exit; }

for m in nearest blend; do
    "$AIM" enhance "$T/in.mkv" --out "$T/$m.y4m" --fps 48 --scale 1 --interp classic \
        --interp-fallback "$m" --report "$T/$m.json" -v >"$T/$m.out" 2>"$T/$m.err" </dev/null
    eq "$m: exit code" "$?" 0
    check "$m: the report records it" grep -q "\"interp_fallback\": \"$m\"" "$T/$m.json"
done
check "blend: the start line says so" grep -q "interp classic (fallback blend)" "$T/blend.err"
check "blend: the engine uses it" grep -q "untrusted flow: blend" "$T/blend.err"
check "nearest (default): the engine uses it" grep -q "untrusted flow: nearest frame" "$T/nearest.err"

python3 - "$T/nearest.y4m" "$T/blend.y4m" <<'EOF' || bad "frame comparison"
import sys
def frames(path):
    data = open(path, 'rb').read()
    head, _, rest = data.partition(b'\n')
    w = int([t for t in head.split() if t.startswith(b'W')][0][1:])
    h = int([t for t in head.split() if t.startswith(b'H')][0][1:])
    size = w * h * 3 // 2
    out, pos = [], 0
    while pos < len(rest):
        nl = rest.index(b'\n', pos)
        out.append(rest[nl + 1:nl + 1 + size])
        pos = nl + 1 + size
    return out
a = frames(sys.argv[1])
b = frames(sys.argv[2])
assert len(a) == len(b) == 48, (len(a), len(b))
assert all(a[i] == b[i] for i in range(0, 48, 2)), "a source frame changed"
diff = [i for i in range(1, 47, 2) if a[i] != b[i]]
assert diff, "no in-between changed: the option did nothing"
print("in-betweens changed by the fallback: %d of 23" % len(diff), file=sys.stderr)
EOF

"$AIM" enhance "$T/in.mkv" --out "$T/x.y4m" --interp-fallback soft >"$T/bad.out" 2>"$T/bad.err" </dev/null
eq "bad value: exit code" "$?" 1
check "bad value: says which values" grep -q "nearest or blend" "$T/bad.err"
finish
