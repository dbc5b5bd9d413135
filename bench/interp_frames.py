#!/usr/bin/env python3
"""Per-triplet view of an interp_bench.sh run made with AIM_BENCH_VERBOSE=1 (FRAME lines).

usage: interp_frames.py ROWS.txt SHARED_DIR [METHOD ...]

For each clip: the drawings' spacing of every scored triplet from the truth file (the same rule
as bench/interp_bench.c: drawings = frames not labelled hold, triplet i = drawings 2i, 2i+1,
2i+2), the pooled PSNR-Y of each method on the triplets whose removed drawing lies at t = 0.5
and on the others, and how often each method beats `blend` triplet by triplet. Then the
triplets where the first METHOD (default rife) loses most against blend.
"""
import math
import sys
from collections import OrderedDict, defaultdict


def drawings(truth):
    lab = {}
    for line in open(truth):
        if line.startswith('#') or line.startswith('frame'):
            continue
        p = line.strip().split(',')
        if len(p) >= 2:
            lab[int(p[0])] = p[1]
    n = max(lab) + 1
    return lab, [i for i in range(n) if lab[i] != 'hold']


def pooled(psnrs):
    # frames have equal size: pooled MSE = mean of the per-frame MSEs
    if not psnrs:
        return float('nan')
    mse = sum(255.0 ** 2 / 10 ** (p / 10) for p in psnrs) / len(psnrs)
    return 10 * math.log10(255.0 ** 2 / mse) if mse > 0 else 99.0


def main():
    rows, shared = sys.argv[1], sys.argv[2]
    focus = sys.argv[3:] or ['rife']
    clip = None
    frames = OrderedDict()  # clip -> method -> {triplet: psnr}
    for line in open(rows):
        f = line.split()
        if not f:
            continue
        if f[0] == 'PREP':
            clip = f[1]
            frames[clip] = defaultdict(dict)
        elif f[0] == 'FRAME' and clip and len(f) >= 5:
            frames[clip][f[1]][int(f[2])] = float(f[4])
    for clip, methods in frames.items():
        lab, d = drawings(f'{shared}/clips/truth/{clip}.csv')
        t = {}
        for i in methods.get('dup', {}):
            a, b, c = d[2 * i], d[2 * i + 1], d[2 * i + 2]
            t[i] = (b - a) / (c - a)
        half = [i for i in t if t[i] == 0.5]
        other = [i for i in t if t[i] != 0.5]
        print(f'\n### {clip}: {len(t)} triplets, {len(half)} at t = 0.5, {len(other)} not '
              f'(t in {min(t.values()):.3f}..{max(t.values()):.3f})\n')
        print('| method | PSNR-Y all | PSNR-Y, t = 0.5 triplets | PSNR-Y, other triplets '
              '| triplets above blend |')
        print('|---|---|---|---|---|')
        blend = methods.get('blend', {})
        for m, v in methods.items():
            win = sum(1 for i in v if i in blend and v[i] > blend[i])
            print(f'| {m} | {pooled(list(v.values())):.2f} | '
                  f'{pooled([v[i] for i in half if i in v]):.2f} | '
                  f'{pooled([v[i] for i in other if i in v]):.2f} | {win}/{len(v)} |')
        for m in focus:
            if m not in methods or not blend:
                continue
            v = methods[m]
            worst = sorted(v, key=lambda i: v[i] - blend.get(i, v[i]))[:8]
            print(f'\nworst {m} - blend (triplet: drawings, t, {m} dB, blend dB, dup dB):')
            for i in worst:
                print(f'- {i}: {d[2 * i]},{d[2 * i + 1]},{d[2 * i + 2]} t={t[i]:.2f} '
                      f'{v[i]:.2f} {blend[i]:.2f} {methods["dup"].get(i, 0):.2f}')


if __name__ == '__main__':
    main()
