#!/usr/bin/env bash
# `--interp rife` end to end. Without the model: exit code 6 and the install command. RIFE is
# opt-in: the anime-strong preset keeps classic flow whether or not the model is installed.
# With the model (`ainimotion models install rife-v4.6`; the rest skips otherwise): a 2x run
# on a synthetic clip with holds and a cut; per the gate's report, every hold and cut
# interval's in-between is a duplicate of its source frame and every motion interval's comes
# from the model (differs from it).
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/in.mkv" --frames 72 --size 160x96 --no-audio --no-subs >/dev/null || { bad "aim_gen"; finish; exit; }

"$AIM" enhance "$T/in.mkv" --out "$T/o.mkv" --interp rife --models-dir "$T/none" -q \
    >"$T/stdout" 2>"$T/stderr" </dev/null
eq "missing model: exit code" "$?" 6
check "missing model: the install command" grep -q '`ainimotion models install rife-v4.6`' "$T/stderr"
check "missing model: nothing written" test ! -e "$T/o.mkv"

# the installed models (if any): anime-strong may pick waifu2x-cunet, not rife (--upscaler
# lanczos keeps this fast: this is about Model A)
"$AIM" enhance "$T/in.mkv" --out "$T/p.mkv" --preset anime-strong --scale 1 --upscaler lanczos \
    >"$T/stdout" 2>"$T/stderr" </dev/null
eq "anime-strong: exit code" "$?" 0
check "anime-strong: classic" grep -q "interp classic" "$T/stderr"
check "anime-strong: rife not considered" sh -c "! grep -q 'preset: rife' '$T/stderr'"

models=${AINIMOTION_MODELS:-${XDG_DATA_HOME:-$HOME/.local/share}/ainimotion/models}
if [ ! -f "$models/rife-v4.6/flownet.bin" ]; then
    finish || exit 1
    skip "rife-v4.6 not installed in $models: run \`ainimotion models install rife-v4.6\`"
fi

"$AIM" enhance "$T/in.mkv" --out "$T/r.y4m" --interp rife --scale 1 \
    --report "$T/r.json" >"$T/stdout" 2>"$T/stderr" </dev/null
eq "rife run: exit code" "$?" 0
check "rife run: rife" grep -q "interp rife" "$T/stderr"
ffmpeg -v error -i "$T/r.y4m" -f framemd5 - | grep -v '^#' | awk -F', *' '{print $6}' >"$T/md5"
eq "rife run: 2x frames" "$(wc -l <"$T/md5")" 144
mapfile -t md5 <"$T/md5"
dup=0; interp=0; nmotion=0; ndup=0
while read -r f cls; do
    [ "$f" -ge 1 ] || continue
    a=${md5[$((2 * f - 2))]}; b=${md5[$((2 * f - 1))]}
    case $cls in
    hold|cut)
        ndup=$((ndup + 1))
        [ "$a" = "$b" ] && dup=$((dup + 1)) ;;
    motion)
        nmotion=$((nmotion + 1))
        [ "$a" != "$b" ] && interp=$((interp + 1)) ;;
    esac
done < <(sed -n 's/.*"frame": \([0-9]*\),.*"class": "\([a-z]*\)".*/\1 \2/p' "$T/r.json")
echo "holds/cuts duplicated: $dup/$ndup, motion interpolated: $interp/$nmotion" >&2
check "some holds and cuts" test "$ndup" -ge 10
check "some motion" test "$nmotion" -ge 10
eq "every hold and cut in-between is a duplicate" "$dup" "$ndup"
eq "every motion in-between comes from the model" "$interp" "$nmotion"
finish
