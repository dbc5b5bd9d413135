#!/usr/bin/env bash
# The lists a person reads agree with the code: every model of the registry (as `ainimotion
# models` lists it) is in `enhance --help`, in README's `--upscaler` / `--interp` rows and in
# docs/models.md's list of known models, and README names no engine the binary does not know;
# README and --help document `--gate-metric` and `models verify`; README's CSV columns are
# analyze's.
# Fails when a model is added to the table but not to README (or README drifts).
. "$(dirname "$0")/lib.sh"
README=$AIM_SRC/README.md
MODELS_DOC=$AIM_SRC/docs/models.md
"$AIM" models --models-dir "$T/none" >"$T/list" || bad "models list"
"$AIM" enhance --help >"$T/help" || bad "enhance --help"
# the option's paragraph of --help / the option's row of README, as one line
help_para() { awk -v o="  $1 " 'index($0, o) == 1 {p = 1; printf "%s", $0; next}
    p && /^  [^ ]/ {exit} p {printf " %s", $0} END {print ""}' "$T/help"; }
readme_row() { grep "^| \`$1 " "$README"; }
known=$(awk '/^project records. Nothing third-party/,/^`--interp rife`/' "$MODELS_DOC" |
        tr '\n' ' ')
check "docs/models.md has the known-models paragraph" test -n "$known"

up_help=$(help_para --upscaler); up_row=$(readme_row --upscaler)
in_help=$(help_para --interp); in_row=$(readme_row --interp)
n=0
while read -r name state use engine rest; do
    case $name in models|install) continue ;; esac
    n=$((n+1))
    check "$name: in docs/models.md's known models" grep -q "\`$name\`" <<<"$known"
    if [ "$use" = --upscaler ]; then
        check "$name: in --help's --upscaler" grep -qw -- "$name" <<<"$up_help"
        check "$name: in README's --upscaler row" grep -q "\`$name\`" <<<"$up_row"
    else
        eq "$name: used by --interp" "$use" --interp
        check "$name: --interp $engine in --help" grep -qw -- "$engine" <<<"$in_help"
        check "$name: --interp $engine in README" grep -q "\`$engine\`" <<<"$in_row"
        check "$name: install name in --help's --interp" grep -qw -- "$name" <<<"$in_help"
    fi
done < <(sed 's/  */ /g; s/not installed/not-installed/' "$T/list")
check "the registry lists models ($n)" test "$n" -ge 11
# the reverse: every engine README's rows name is one --help names
for e in $(grep -o '`[a-z0-9.-]*`' <<<"$up_row" | tr -d '`'); do
    check "README's --upscaler $e is in --help" grep -qw -- "$e" <<<"$up_help"
done
for e in $(grep -o '`[a-z0-9.-]*`' <<<"$in_row" | tr -d '`'); do
    check "README's --interp $e is in --help" grep -qw -- "$e" <<<"$in_help"
done
check "--help documents --gate-metric" grep -q -- "--gate-metric" "$T/help"
check "README documents --gate-metric" grep -q '^| `--gate-metric ' "$README"
check "ainimotion --help names models verify" sh -c "'$AIM' --help | grep -q verify"
check "README documents models verify" grep -q "ainimotion models verify" "$README"
# README's CSV columns are the ones analyze writes
"$GEN" "$T/in.mkv" --frames 6 >/dev/null || bad "aim_gen"
"$AIM" analyze "$T/in.mkv" --csv "$T/a.csv" >/dev/null 2>&1 || bad "analyze"
# (the paragraph that starts with `analyze` prints, its lines joined: the list may wrap)
cols=$(awk '/^`analyze` prints/,/^$/' "$README" | tr -d '\n' | grep -o '`frame,[^`]*`' |
       tr -d '`')
eq "README's CSV columns" "$cols" "$(head -1 "$T/a.csv")"
finish
