#!/usr/bin/env bash
# A damaged model of the right size is refused at load (#12 item 4), by every loader: the ncnn
# upscalers (realesr x2), Anime4K's JSON, RIFE. Copies of the installed files go into a
# temporary models folder; bits flipped in place (fp16 sign bits, the size kept) must give exit
# 6 and one line naming the model, the file and the reinstall command, with nothing left under
# OUT. A good model is hashed once: the load writes the folder's .verified stamp, and the next
# load trusts it (no "hashed" debug line, stamp unchanged) until the file changes.
. "$(dirname "$0")/lib.sh"
SRC=${AINIMOTION_MODELS:-${XDG_DATA_HOME:-$HOME/.local/share}/ainimotion/models}
M=$T/m
"$GEN" "$T/in.mkv" --frames 4 --size 64x48 >/dev/null || { bad "aim_gen"; finish; exit; }
tested=0
framemd5() { ffmpeg -nostdin -v error -i "$1" -map 0:v -f framemd5 - | grep -v '^#'; }

# flip BYTE... : xor 0x80 into the bytes at these offsets (keeps the size)
flip() {
    local f=$1; shift
    for off in "$@"; do
        local b
        b=$(od -An -tu1 -j "$off" -N1 "$f" | tr -d ' ')
        printf "$(printf '\\%03o' $((b ^ 128)))" | dd of="$f" bs=1 seek="$off" conv=notrunc 2>/dev/null
    done
}

# case MODEL FILE OPTION...: a good load hashes and stamps, the next one does not hash, a
# damaged FILE is exit 6 with one line
case_model() {
    local model=$1 file=$2; shift 2
    local d=$M/$model
    [ -f "$SRC/$model/$file" ] || { echo "$model not installed in $SRC: skipped" >&2; return; }
    tested=$((tested+1))
    mkdir -p "$d"
    cp "$SRC/$model"/* "$d/"
    rm -f "$d/.verified"
    "$AIM" enhance "$T/in.mkv" --out "$T/$model.1.mkv" "$@" --models-dir "$M" -v 2>"$T/err1"
    eq "$model: good model runs" "$?" 0
    check "$model: first load hashes $file" grep -q "hashed $d/$file " "$T/err1"
    check "$model: stamp written" grep -q " $file\$" "$d/.verified"
    local before; before=$(stat -c '%Y.%y' "$d/.verified"; md5sum <"$d/.verified")
    "$AIM" enhance "$T/in.mkv" --out "$T/$model.2.mkv" "$@" --models-dir "$M" -v 2>"$T/err2"
    eq "$model: second run" "$?" 0
    check "$model: second load trusts the stamp" grep -q "$d/$file verified earlier" "$T/err2"
    check "$model: second load hashes nothing" sh -c "! grep -q 'models: hashed' '$T/err2'"
    eq "$model: stamp unchanged" "$(stat -c '%Y.%y' "$d/.verified"; md5sum <"$d/.verified")" "$before"
    eq "$model: same frames both runs" "$(framemd5 "$T/$model.2.mkv")" "$(framemd5 "$T/$model.1.mkv")"
    # damaged: the top bits of a few bytes spread over the file
    local size; size=$(stat -c %s "$d/$file")
    flip "$d/$file" $((size / 3)) $((size / 2)) $((size - 5))
    eq "$model: size kept" "$(stat -c %s "$d/$file")" "$size"
    "$AIM" enhance "$T/in.mkv" --out "$T/$model.3.mkv" "$@" --models-dir "$M" -q 2>"$T/err3"
    eq "$model: damaged exit code" "$?" 6
    eq "$model: damaged message" "$(cat "$T/err3")" \
       "ainimotion: error: $model: $file is damaged: reinstall with \`ainimotion models install $model\` (with --models-dir $M)"
    check "$model: nothing under OUT" sh -c "! ls -A '$T' | grep -q '$model.3'"
    "$AIM" models verify "$model" --models-dir "$M" >"$T/verify" 2>/dev/null
    eq "$model: models verify exit code" "$?" 6
    check "$model: models verify says DAMAGED" grep -q "^$model *DAMAGED" "$T/verify"
    "$AIM" models --models-dir "$M" >"$T/list"
    check "$model: models lists it DAMAGED" grep -q "^$model *DAMAGED" "$T/list"
    # the good file back (a new mtime): hashed again, accepted
    cp "$SRC/$model/$file" "$d/$file"
    "$AIM" enhance "$T/in.mkv" --out "$T/$model.4.mkv" "$@" --models-dir "$M" -v 2>"$T/err4"
    eq "$model: repaired runs" "$?" 0
    check "$model: repaired file hashed again" grep -q "hashed $d/$file " "$T/err4"
}

case_model realesr-animevideov3 realesr-animevideov3-x2.bin --scale 2 --upscaler realesr-animevideov3
case_model anime4k-cnn-m cnn-2x-m-an.json --scale 2 --upscaler anime4k-cnn-m
case_model rife-v4.6 flownet.bin --scale 1 --interp rife
[ "$tested" -gt 0 ] || skip "no model installed in $SRC (ainimotion models install)"
finish
