#!/usr/bin/env python3
"""Splits the drawings protocol's triplets by what the removed drawing is.

Input: the output of
    AIM_BENCH_VERBOSE=1 build/bench/interp_bench score --raw R --size WxH --truth CSV \
        --name NAME --engines dup,dup:next,blend,classic
(per-triplet FRAME lines). A triplet is a "copy" when one neighbour, copied, is within 30 dB of
the removed drawing and beats both the blend and the classic engine by 3 dB or more: the
removed drawing is (nearly) one of its neighbours, so no in-between at t = 0.5 can be right
and a 50/50 blend, which halves the error of the wrong choice, wins by construction. The
others are "in-between" triplets. For each class: the pooled PSNR-Y and mean SSIM-Y of every
method, so the two kinds of triplet can be compared apart.

Usage: bench/interp_split.py FILE...
"""
import collections
import math
import sys

METHODS = ['dup', 'dup:next', 'blend', 'classic']


def main(paths):
    for path in paths:
        frames = collections.defaultdict(dict)
        clip = path
        for line in open(path):
            p = line.split()
            if p and p[0] == 'FRAME':
                frames[int(p[2])][p[1]] = (float(p[4]), float(p[6]))
            elif p and p[0] == 'ROW':
                clip = p[1]
        classes = {'copy': [], 'in-between': []}
        for k, v in frames.items():
            if any(m not in v for m in METHODS):
                sys.exit('%s: triplet %d lacks one of %s' % (path, k, ','.join(METHODS)))
            copy = max(v['dup'][0], v['dup:next'][0])
            other = max(v['blend'][0], v['classic'][0])
            classes['copy' if copy >= 30 and copy >= other + 3 else 'in-between'].append(k)
        for name, ks in classes.items():
            if not ks:
                continue
            cells = []
            for m in METHODS:
                mse = sum(10 ** (-frames[k][m][0] / 10) for k in ks) / len(ks)
                ssim = sum(frames[k][m][1] for k in ks) / len(ks)
                cells.append('%s %.2f / %.4f' % (m, -10 * math.log10(mse), ssim))
            print('%s %s (%d triplets): %s' % (clip, name, len(ks), ' | '.join(cells)))


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
