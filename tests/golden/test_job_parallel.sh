#!/usr/bin/env bash
# GNU parallel as the job engine (docs/jobs.md recipe): plan, render every segment with two
# parallel workers, join; the result decodes to exactly the frames of a one-piece enhance
# (--crf 0), with the same timestamps and streams.
. "$(dirname "$0")/lib.sh"
command -v parallel >/dev/null || skip "GNU parallel is not installed (scripts/install-deps.sh installs it)"
"$GEN" "$T/in.mkv" --frames 144 --size 320x180 >/dev/null 2>&1 || { bad "aim_gen"; finish; exit; }
cd "$T" || exit 1
"$AIM" enhance in.mkv --out one.mkv --crf 0 --fps 72 -q
eq "one-piece exit code" "$?" 0
n=$("$AIM" plan in.mkv --job J --segments 4 --crf 0 --fps 72 -q)
eq "plan exit code" "$?" 0
parallel --will-cite --halt now,fail=1 -j2 "$AIM" render J --segment {} -q ::: $(seq 0 $((n - 1)))
eq "parallel render: exit code" "$?" 0
"$AIM" join J --out joined.mkv -q
eq "join exit code" "$?" 0
vmd5() { ffmpeg -nostdin -v error -i "$1" -map 0:v -f framemd5 - | grep -v '^#' | md5sum; }
eq "frames bit-identical to the one-piece run" "$(vmd5 joined.mkv)" "$(vmd5 one.mkv)"
vts() { ffprobe -v error -select_streams v:0 -show_entries frame=pts -of csv=p=0 "$1" | grep -v '^$' | cut -d, -f1; }
eq "video timestamps" "$(vts joined.mkv | md5sum)" "$(vts one.mkv | md5sum)"
eq "frame count (3x)" "$(frames joined.mkv)" 432
eq "audio and subtitles as in the one-piece output" \
   "$(side_packets joined.mkv a | md5sum) $(side_packets joined.mkv s | md5sum)" \
   "$(side_packets one.mkv a | md5sum) $(side_packets one.mkv s | md5sum)"

# lossy (--preset fast: crf 20, B-frames): Matroska stores no decode timestamps, so join
# rebuilds them; the frames' timestamps are the one-piece run's in .mkv and .mp4
"$AIM" enhance in.mkv --out lossy.mkv --preset fast -q
"$AIM" enhance in.mkv --out lossy.mp4 --preset fast -q 2>/dev/null
n=$("$AIM" plan in.mkv --job L --segments 3 --preset fast -q)
parallel --will-cite -j2 "$AIM" render L --segment {} -q ::: $(seq 0 $((n - 1)))
for ext in mkv mp4; do
    "$AIM" join L --out "joined_lossy.$ext" -q 2>/dev/null
    eq "lossy join to .$ext: exit code" "$?" 0
    eq "lossy join to .$ext: frame timestamps" "$(vts "joined_lossy.$ext" | md5sum)" "$(vts "lossy.$ext" | md5sum)"
done
finish
