#!/usr/bin/env bash
# Batches: enhance FOLDER --out DIR/ and enhance A B --out DIR/. Names are kept, a broken input
# fails alone (the others are written, exit 5), existing outputs are skipped unless -y, the
# summary table lists every input, exit 0 only when every input succeeded or was skipped.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
mkdir src
"$GEN" src/a.mkv --frames 24 --size 160x96 >/dev/null 2>&1 || { bad "aim_gen"; finish; exit; }
"$GEN" src/b.mp4 --frames 12 --size 160x96 >/dev/null 2>&1
echo "not a video" > src/c.mkv
echo "notes" > src/notes.txt
cp src/a.mkv src/.hidden.mkv

"$AIM" enhance src --out out/ --scale 1 2>run1.log
eq "folder batch with a broken input: exit code" "$?" 5
eq "outputs keep the names" "$(ls out | tr '\n' ' ')" "a.mkv b.mp4 "
eq "a.mkv: frames" "$(frames out/a.mkv)" 48
eq "b.mp4: frames" "$(frames out/b.mp4)" 24
check "table: a ok" grep -Eq '^1 +ok .* src/a.mkv -> out/a.mkv$' run1.log
check "table: c failed with its exit code" grep -Eq '^3 +exit 2 .* src/c.mkv -> out/c.mkv$' run1.log
check "summary line" grep -q '^2 done, 0 skipped (exist), 1 failed, 0 not run$' run1.log
check "the broken input left nothing" test ! -e out/c.mkv

before=$(stat -c %Y out/a.mkv)
sleep 1
"$AIM" enhance src/a.mkv src/b.mp4 --out out --scale 1 -q 2>run2.log
eq "list batch, outputs exist: exit code" "$?" 0
check "existing outputs skipped" grep -q '^0 done, 2 skipped (exist), 0 failed, 0 not run$' run2.log
eq "skipped output untouched" "$(stat -c %Y out/a.mkv)" "$before"
"$AIM" enhance src/a.mkv src/b.mp4 --out out --scale 1 -q -y 2>run3.log
eq "list batch with -y: exit code" "$?" 0
check "-y renders again" test "$(stat -c %Y out/a.mkv)" != "$before"

"$AIM" enhance src/a.mkv src/b.mp4 --out single.mkv -q 2>/dev/null
eq "batch into a file, not a folder: exit code" "$?" 3
"$AIM" enhance src/a.mkv src/b.mp4 --out out/ --frobnicate 3 -q 2>unk.log
eq "batch with an unknown option: exit code" "$?" 1
eq "...one line from enhance's parser" "$(grep -c 'try .ainimotion enhance --help' unk.log)" 1
finish
