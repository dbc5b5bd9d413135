#!/usr/bin/env bash
# enhance --resume: killed (SIGKILL) after two of its segments, the same command continues
# from the finished ones (none redone: the work lost is the segment in progress, at most one)
# and the result decodes to exactly the frames of a run without --resume (--crf 0, lossless),
# with the same streams; the hidden job folder is gone afterwards. Ctrl-C keeps it (exit 130).
. "$(dirname "$0")/lib.sh"
# 40 s of source: 4-5 segments of about 10 s
"$GEN" "$T/in.mkv" --frames 960 --size 160x96 >/dev/null 2>&1 || { bad "aim_gen"; finish; exit; }
cd "$T" || exit 1
"$AIM" enhance in.mkv --out one.mkv --crf 0 -q
eq "one-piece exit code" "$?" 0

job=.out.mkv.aimjob
"$AIM" enhance in.mkv --out out.mkv --crf 0 --resume 2>run1.log & pid=$!
for _ in $(seq 600); do [ -e $job/seg-00001.done ] && break; sleep 0.05; done
kill -9 $pid; wait $pid 2>/dev/null
n=$(grep -o '"segment_count": [0-9]*' $job/plan.json | awk '{ print $2 }')
done_at_kill=$(ls $job | grep -c '\.done$')
check "killed after 2 of $n segments, before the end" test "$done_at_kill" -ge 2 -a "$done_at_kill" -lt "$n"
check "no output after the kill" test ! -e out.mkv

"$AIM" enhance in.mkv --out out.mkv --crf 0 --resume 2>run2.log
eq "resumed run: exit code" "$?" 0
check "resumed from every finished segment" grep -q "resuming out.mkv: $done_at_kill of $n segments already done" run2.log
eq "segments rendered again: only those not finished" "$(grep -c 'segment [0-9]* of [0-9]* done' run2.log)" "$n"
check "job folder removed on success" test ! -e $job
vmd5() { ffmpeg -nostdin -v error -i "$1" -map 0:v -f framemd5 - | grep -v '^#' | md5sum; }
eq "frames bit-identical to a run without --resume" "$(vmd5 out.mkv)" "$(vmd5 one.mkv)"
eq "audio as in a run without --resume" "$(side_packets out.mkv a | md5sum)" "$(side_packets one.mkv a | md5sum)"
eq "subtitles as in a run without --resume" "$(side_packets out.mkv s | md5sum)" "$(side_packets one.mkv s | md5sum)"

# Ctrl-C: exit 130, the finished segments stay for the next run
"$AIM" enhance in.mkv --out out2.mkv --crf 0 --resume 2>int.log & pid=$!
for _ in $(seq 600); do [ -e .out2.mkv.aimjob/seg-00000.done ] && break; sleep 0.05; done
kill -INT $pid; wait $pid; rc=$?
eq "Ctrl-C: exit code" "$rc" 130
check "Ctrl-C: finished segments kept" test -e .out2.mkv.aimjob/seg-00000.done
check "Ctrl-C: no output" test ! -e out2.mkv
# another input under the same output: the old job is not reused
"$GEN" in2.mkv --frames 48 --size 160x96 >/dev/null 2>&1
"$AIM" enhance in2.mkv --out out2.mkv --crf 0 --resume 2>other.log
eq "other input: exit code" "$?" 0
check "other input: starts over" grep -q "for another input, settings or build: starting over" other.log
eq "other input: its own frames" "$(frames out2.mkv)" 96
finish
