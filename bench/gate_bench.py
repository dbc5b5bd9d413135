#!/usr/bin/env python3
"""Gate benchmark: `ainimotion analyze` over every clip of ../shared/clips that has a truth file,
next to ffmpeg's own detectors measured in the same run:
  cuts:  scdet (threshold 10): a frame it marks (lavfi.scd.time) is a cut
  holds: mpdecimate (defaults): a frame it drops repeats its predecessor (a hold)
Prints precision and recall per clip and overall (holds only where the truth file does not mark
its hold labels unreliable), and the speed of analyze next to a plain ffmpeg decode of the same
file (wall time and CPU time, since the machine may be shared).

usage: bench/gate_bench.py [--build DIR] [--shared DIR] [--metrics mc,mad,ssim,hist]
Only the Python standard library and the ffmpeg CLI are needed. Run it once: it decodes each clip
six times (analyze, two plain decodes, scdet, mpdecimate twice).
"""
import argparse
import csv
import glob
import os
import re
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run(cmd):
    """Runs cmd, returns (stdout, stderr, wall seconds, cpu seconds of the child)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
    return p.stdout, p.stderr, wall, cpu


def read_truth(path):
    labels, reliable = {}, True
    with open(path) as f:
        for line in f:
            if line.startswith('# hold-labels: unreliable'):
                reliable = False
            if line.startswith('#') or line.startswith('frame'):
                continue
            p = line.strip().split(',')
            if len(p) >= 2:
                labels[int(p[0])] = p[1]
    return labels, reliable


def pr(pred, truth, label):
    """Precision, recall, tp, fp, fn of the frames predicted as `label` (frame 0 unscored)."""
    frames = [i for i in truth if i > 0]
    tp = sum(1 for i in frames if truth[i] == label and i in pred)
    fp = sum(1 for i in frames if truth[i] != label and i in pred)
    fn = sum(1 for i in frames if truth[i] == label and i not in pred)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, tp, fp, fn


def gate(aim, clip, metric, tmp):
    out = os.path.join(tmp, 'gate.csv')
    cmd = [aim, 'analyze', clip, '--csv', out]
    if metric != 'mc':
        cmd += ['--gate-metric', metric]
    so, se, wall, cpu = run(cmd)
    with open(out) as f:
        rows = list(csv.DictReader(f))
    m = re.search(r'\(([0-9.]+) ms CPU per frame\)', so)
    return rows, wall, cpu, float(m.group(1)) if m else 0.0


def scdet(clip):
    so, _, _, _ = run(['ffmpeg', '-hide_banner', '-nostats', '-i', clip, '-an', '-sn', '-vf',
                       'scdet=threshold=10,metadata=mode=print:key=lavfi.scd.time:file=-',
                       '-f', 'null', '-'])
    return {int(m.group(1)) for m in re.finditer(r'^frame:(\d+)', so, re.M)}


def showinfo_pts(clip, vf):
    _, se, _, _ = run(['ffmpeg', '-hide_banner', '-nostats', '-i', clip, '-an', '-sn', '-vf',
                       vf + ('showinfo' if not vf else ',showinfo'), '-fps_mode', 'passthrough',
                       '-f', 'null', '-'])
    return [int(m.group(1)) for m in re.finditer(r'\] n:\s*\d+ pts:\s*(-?\d+)', se)]


def mpdecimate(clip):
    every = showinfo_pts(clip, '')
    kept = set(showinfo_pts(clip, 'mpdecimate'))
    return {i for i, p in enumerate(every) if p not in kept}, len(every)


def decode(clip, threads=None):
    t = ['-threads', str(threads)] if threads else []
    _, _, wall, cpu = run(['ffmpeg', '-hide_banner', '-nostats'] + t + ['-i', clip, '-an', '-sn',
                           '-f', 'null', '-'])
    return wall, cpu


def fmt(p, r):
    return f'{p:5.3f} {r:5.3f}'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--shared', default=os.path.join(ROOT, '..', 'shared'))
    ap.add_argument('--metrics', default='mc', help='gate metrics to run (comma list)')
    a = ap.parse_args()
    aim = os.path.join(a.build, 'ainimotion')
    truths = sorted(glob.glob(os.path.join(a.shared, 'clips', 'truth', '*.csv')))
    if not os.path.exists(aim) or not truths:
        print(f'SKIP: need {aim} and {a.shared}/clips/truth/*.csv')
        return 77
    metrics = a.metrics.split(',')
    tmp = os.path.join(a.build, 'bench-gate')
    os.makedirs(tmp, exist_ok=True)
    tot = {}  # (detector, label) -> [tp, fp, fn]

    def acc(key, res):
        t = tot.setdefault(key, [0, 0, 0])
        for k in range(3):
            t[k] += res[2 + k]

    print('per clip: precision recall (tp/fp/fn); holds only where the truth labels are reliable')
    speed = []
    for tpath in truths:
        name = os.path.splitext(os.path.basename(tpath))[0]
        clips = [c for c in glob.glob(os.path.join(a.shared, 'clips', name + '.*'))]
        if not clips:
            continue
        clip = clips[0]
        truth, reliable = read_truth(tpath)
        sc = scdet(clip)
        mp, _ = mpdecimate(clip)
        dwall, dcpu = decode(clip)
        _, dcpu1 = decode(clip, 1)
        line = [f'{name}:']
        res = pr(sc, truth, 'cut')
        acc(('scdet', 'cut'), res)
        cuts = [f'scdet {fmt(*res[:2])} ({res[2]}/{res[3]}/{res[4]})']
        holds = []
        if reliable:
            res = pr(mp, truth, 'hold')
            acc(('mpdecimate', 'hold'), res)
            holds.append(f'mpdecimate {fmt(*res[:2])} ({res[2]}/{res[3]}/{res[4]})')
        for m in metrics:
            rows, wall, cpu, gms = gate(aim, clip, m, tmp)
            n = len(rows)
            pred_c = {int(r['frame']) for r in rows if r['class'] == 'cut'}
            pred_h = {int(r['frame']) for r in rows if r['class'] == 'hold'}
            res = pr(pred_c, truth, 'cut')
            acc((f'gate:{m}', 'cut'), res)
            cuts.insert(len(cuts) - 1, f'gate[{m}] {fmt(*res[:2])} ({res[2]}/{res[3]}/{res[4]})')
            if res[3] or res[4]:
                fps_ = sorted(i for i in pred_c if truth.get(i) != 'cut')
                fns_ = sorted(i for i in truth if truth[i] == 'cut' and i not in pred_c)
                cuts[-2] += f' fp={fps_} fn={fns_}'
            if reliable:
                res = pr(pred_h, truth, 'hold')
                acc((f'gate:{m}', 'hold'), res)
                holds.insert(len(holds) - 1,
                             f'gate[{m}] {fmt(*res[:2])} ({res[2]}/{res[3]}/{res[4]})')
            if m == 'mc':
                speed.append((name, n, wall, cpu, dwall, dcpu, dcpu1, gms))
        print(' '.join(line))
        print('  cuts : ' + ' | '.join(cuts))
        print('  holds: ' + (' | '.join(holds) if holds else 'not scored (truth marks hold labels '
                                                               'unreliable)'))
    print('overall (pooled):')
    for key in sorted(tot):
        tp, fp, fn = tot[key]
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        print(f'  {key[1]:4} {key[0]:12} precision {p:.3f} recall {r:.3f} (tp {tp} fp {fp} fn {fn})')
    print('speed, same run (frames/s by wall clock on a possibly shared machine, and per CPU-second;'
          ' the gate\'s own CPU time per frame as analyze measures it, next to the decode\'s):')
    for name, n, wall, cpu, dwall, dcpu, dcpu1, gms in speed:
        print(f'  {name}: analyze {n / wall:6.1f} fps wall, {n / cpu:6.1f} per CPU-s | '
              f'ffmpeg decode {n / dwall:6.1f} fps wall, {n / dcpu:6.1f} per CPU-s '
              f'(1 thread: {n / dcpu1:6.1f}) | gate {gms:.2f} ms/frame = '
              f'{100 * gms / (1000 * dcpu1 / n):.0f}% of a 1-thread decode '
              f'({1000 * dcpu1 / n:.2f} ms/frame), {100 * gms / (1000 * dcpu / n):.0f}% of the '
              f'threaded decode\'s CPU')
    return 0


if __name__ == '__main__':
    sys.exit(main())
