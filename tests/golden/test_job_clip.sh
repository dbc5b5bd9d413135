#!/usr/bin/env bash
# plan --clip: a job over a range of the input, as enhance --clip renders it. Joined at --crf 0
# it decodes to exactly the frames of enhance --clip with the same settings, with the same
# timestamps, and audio, subtitles and chapters cut as enhance --clip cuts them; the range
# starts and ends between frames, and at --fps 60 (a rational rate) too. enhance --resume
# takes --clip the same way.
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/in.mkv" --frames 168 --size 320x180 >/dev/null 2>&1 || { bad "aim_gen"; finish; exit; }
cd "$T" || exit 1
vmd5() { ffmpeg -nostdin -v error -i "$1" -map 0:v -f framemd5 - | grep -v '^#' | md5sum; }
vts() { ffprobe -v error -select_streams v:0 -show_entries frame=pts,pkt_duration -of csv=p=0 "$1" | grep -v '^$' | cut -d, -f1,2; }
chapters() { ffprobe -v error -show_chapters -of csv=p=0 "$1"; }
# job NAME ENHANCE-OPTIONS...
job() {
    local name=$1; shift
    "$AIM" enhance in.mkv --out "$name-one.mkv" --crf 0 -q "$@"
    eq "$name: enhance --clip exit code" "$?" 0
    local n
    n=$("$AIM" plan in.mkv --job "$name" --segments 3 --crf 0 -q "$@")
    eq "$name: plan --clip exit code" "$?" 0
    check "$name: at least 2 segments ($n)" test "${n:-0}" -ge 2
    local rc=0
    for k in $(seq 0 $((n - 1))); do "$AIM" render "$name" --segment "$k" -q || rc=$?; done
    eq "$name: render every segment: exit codes" "$rc" 0
    "$AIM" join "$name" --out "$name-joined.mkv" -q
    eq "$name: join exit code" "$?" 0
    eq "$name: frames bit-identical to enhance --clip" "$(vmd5 "$name-joined.mkv")" "$(vmd5 "$name-one.mkv")"
    eq "$name: frame count" "$(frames "$name-joined.mkv")" "$(frames "$name-one.mkv")"
    eq "$name: video timestamps" "$(vts "$name-joined.mkv" | md5sum)" "$(vts "$name-one.mkv" | md5sum)"
    eq "$name: audio packets as enhance --clip" "$(side_packets "$name-joined.mkv" a | md5sum)" "$(side_packets "$name-one.mkv" a | md5sum)"
    check "$name: audio present" test -n "$(side_packets "$name-joined.mkv" a)"
    eq "$name: subtitle packets as enhance --clip" "$(side_packets "$name-joined.mkv" s | md5sum)" "$(side_packets "$name-one.mkv" s | md5sum)"
    eq "$name: chapters as enhance --clip" "$(chapters "$name-joined.mkv")" "$(chapters "$name-one.mkv")"
}
job mid --clip 2.03-5.49
check "mid: the clip is shorter than the input" test "$(frames mid-one.mkv)" -lt 336
check "mid: chapters present" test -n "$(chapters mid-joined.mkv)"
job rate --clip 00:00:01.5-00:00:04 --fps 60
"$AIM" enhance in.mkv --out res.mkv --resume --crf 0 -q --clip 2.03-5.49
eq "enhance --resume --clip: exit code" "$?" 0
eq "enhance --resume --clip: frames of enhance --clip" "$(vmd5 res.mkv)" "$(vmd5 mid-one.mkv)"
eq "enhance --resume --clip: audio" "$(side_packets res.mkv a | md5sum)" "$(side_packets mid-one.mkv a | md5sum)"
finish
