#!/usr/bin/env bash
# A full disk in the job folder, made with a file size limit (ulimit -f: writes over it fail
# with EFBIG, as ENOSPC does on a full disk; the program ignores SIGXFSZ, which would otherwise
# kill it with its partial file and lock left behind). plan, render, join and enhance --resume
# each give exit 3 and one line naming the file and the cause, leave no segment marked done,
# no partial, lock or temporary file; once the limit is lifted the same commands complete the
# job, and the result is the one-piece run's frames. No root needed (unlike test_disk_full).
. "$(dirname "$0")/lib.sh"
"$GEN" "$T/in.mkv" --frames 96 --size 320x180 >/dev/null 2>&1 || { bad "aim_gen"; finish; exit; }
cd "$T" || exit 1
"$AIM" enhance in.mkv --out one.mkv --crf 0 -q
eq "one-piece exit code" "$?" 0
vmd5() { ffmpeg -nostdin -v error -i "$1" -map 0:v -f framemd5 - | grep -v '^#' | md5sum; }
# limited FILE KIB CMD...: runs CMD with files capped at KIB KiB (1024-byte units in bash)
limited() { local kib=$1; shift; ( ulimit -f "$kib"; exec "$@" ); }
# only the job's own finished files: no partial, lock or temporary file
clean() { test -z "$(ls -A "$1" | grep -v -e '^plan.json$' -e '^gate.bin$' -e '^seg-[0-9]*\.mkv$' -e '^seg-[0-9]*\.done$')"; }

# plan: gate.bin (~24 KiB for 96 frames) over an 8 KiB limit
limited 8 "$AIM" plan in.mkv --job J --segments 2 --crf 0 -q >/dev/null 2>plan.log
eq "plan over the limit: exit code" "$?" 3
eq "plan: one line ($(cat plan.log))" "$(grep -c . plan.log)" 1
check "plan: names the file and the cause" grep -q "J/gate.bin: cannot write the plan: File too large" plan.log
eq "plan: nothing left in the job folder" "$(ls -A J)" ""
n=$("$AIM" plan in.mkv --job J --segments 2 --crf 0 -q)
eq "plan without the limit: exit code" "$?" 0
check "plan: at least two segments" test "$n" -ge 2

# render: each lossless segment is over 64 KiB; plan.json, the lock and the record are not
limited 64 "$AIM" render J --segment 0 -q 2>render.log
eq "render over the limit: exit code" "$?" 3
eq "render: one line ($(cat render.log))" "$(grep -c . render.log)" 1
check "render: names the file and the cause" grep -q "File too large while writing J/seg-00000.mkv" render.log
check "render: the segment is not marked done" test ! -e J/seg-00000.done
check "render: status says pending" sh -c "'$AIM' status J | grep -q '^ *0 .*pending'"
check "render: no partial, lock or temporary file left" clean J
rc=0
for k in $(seq 0 $((n - 1))); do "$AIM" render J --segment "$k" -q || rc=$?; done
eq "render without the limit: exit codes" "$rc" 0

# join: the joined file is over the limit
limited 64 "$AIM" join J --out joined.mkv -q 2>join.log
eq "join over the limit: exit code" "$?" 3
eq "join: one line ($(cat join.log))" "$(grep -c . join.log)" 1
check "join: names the file and the cause" grep -q "joined.mkv.*File too large" join.log
check "join: no output" test -z "$(ls -A | grep joined)"
"$AIM" join J --out joined.mkv -q
eq "join without the limit: exit code" "$?" 0
eq "joined frames bit-identical to the one-piece run" "$(vmd5 joined.mkv)" "$(vmd5 one.mkv)"

# enhance --resume: its hidden job keeps what was done; the same command then completes it
limited 64 "$AIM" enhance in.mkv --out res.mkv --resume --crf 0 -q 2>res.log
eq "resume over the limit: exit code" "$?" 3
eq "resume: one line ($(cat res.log))" "$(grep -c . res.log)" 1
check "resume: names the file and the cause" grep -q "File too large while writing ./.res.mkv.aimjob/seg-00000.mkv" res.log
check "resume: the job folder is kept, clean" clean .res.mkv.aimjob
check "resume: no segment marked done" test -z "$(ls -A .res.mkv.aimjob | grep '\.done$')"
"$AIM" enhance in.mkv --out res.mkv --resume --crf 0 -q
eq "resume without the limit: exit code" "$?" 0
eq "resumed frames bit-identical to the one-piece run" "$(vmd5 res.mkv)" "$(vmd5 one.mkv)"
check "resume: the job folder is removed" test ! -e .res.mkv.aimjob
finish
