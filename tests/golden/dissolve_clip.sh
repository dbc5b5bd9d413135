#!/usr/bin/env bash
# dissolve_clip.sh CLIP CUT OUT: a clip with a dissolve frame at the cut before frame CUT of CLIP
# (23.976 fps): frames CUT-16 .. CUT-1 (shot A), the average of frames CUT-1 and CUT, then frames
# CUT .. CUT+15 (shot B); libx264 crf 10. Used by test_shared_dissolve.sh and
# bench/gate_dissolve.sh. The blended frame is frame min(CUT, 16) of OUT.
set -eu
clip=$1; c=$2; out=$3
a0=$((c - 16)); [ $a0 -lt 0 ] && a0=0
ffmpeg -nostdin -v error -y -i "$clip" -filter_complex "
    [0:v]split=3[x][y][z];
    [x]select='between(n,$a0,$((c - 1)))',setpts=N/(24000/1001)/TB[a];
    [y]select='between(n,$((c - 1)),$c)',tblend=all_mode=average,select='eq(n,0)',setpts=N/(24000/1001)/TB[d];
    [z]select='between(n,$c,$((c + 15)))',setpts=N/(24000/1001)/TB[b];
    [a][d][b]concat=n=3:v=1:a=0,format=yuv420p[o]" \
    -map "[o]" -c:v libx264 -crf 10 -preset veryfast -r 24000/1001 "$out"
