#!/usr/bin/env bash
# One schema for per-frame records: `enhance --report` and `analyze --json` write the same
# top-level keys and the same record keys with the same values (the report's `on` is real, not
# 0); every record has its time in seconds, the summary's cuts their timecodes; the report's
# settings name --clip, encoder, crf, input and output size.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 needed to read the JSON"
"$GEN" "$T/in.mkv" --frames 96 --size 160x96 --no-subs >/dev/null || { bad "aim_gen"; finish; exit; }
"$AIM" enhance "$T/in.mkv" --out "$T/o.mkv" --clip 0-3.5 --crf 20 --report "$T/r.json" -q
eq "enhance: exit code" "$?" 0
"$AIM" analyze "$T/in.mkv" --clip 0-3.5 --json "$T/a.json" -q
eq "analyze: exit code" "$?" 0
check "same schema and records" python3 - "$T/r.json" "$T/a.json" <<'PY'
import json, sys
r, a = (json.load(open(p)) for p in sys.argv[1:3])
for k in ('settings', 'gate', 'frames', 'summary'):
    assert k in r and k in a, k
assert 'run' in r
assert len(r['frames']) == len(a['frames']) == 84, (len(r['frames']), len(a['frames']))
for x, y in zip(r['frames'], a['frames']):
    assert x.keys() == y.keys(), (x.keys(), y.keys())
    for k in x:
        assert x[k] == y[k], (k, x, y)   # same decisions, same numbers
assert any(x['on'] > 1 for x in r['frames']), 'on is real in the report'
assert abs(r['frames'][24]['time'] - 24 * 1001 / 24000) < 1e-3
assert r['summary']['cuts'] == a['summary']['cuts'] == [{'frame': 64, 'time': 2.669, 'timecode': '00:00:02.669'}]
s = r['settings']
assert s['clip'] == {'start': 0.0, 'end': 3.5} and s['crf'] == 20 and s['encoder'] == 'default', s
assert s['input_size'] == [160, 96] and s['output_size'] == [214, 128], s
assert r['run']['status'] == 'ok' and r['run']['output_frames'] == 168
PY
finish
