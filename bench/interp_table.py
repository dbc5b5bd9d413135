#!/usr/bin/env python3
"""Turns the ROW/EVEN/TIME/PREP/STAGES/THREADS2/RSS lines of interp_bench.sh into markdown tables."""
import sys
from collections import OrderedDict

rows = OrderedDict()
even = {}
prep, times, stages, thr2, thr2cpu, thr2n, rss, align = {}, {}, {}, {}, {}, {}, [], []
for line in open(sys.argv[1]):
    f = line.split()
    if not f:
        continue
    if f[0] == 'ROW':
        clip, name = f[1], f[2]
        kv = dict(zip(f[3::2], f[4::2]))
        rows.setdefault(clip, OrderedDict())[name] = kv
    elif f[0] == 'EVEN':
        even[(f[1], f[2])] = dict(zip(f[3::2], f[4::2]))
    elif f[0] == 'PREP':
        kv = dict(zip(f[2::2], f[3::2]))
        prep[f[1]] = kv
    elif f[0] == 'TIME':  # TIME clip method wall W cpu C
        times[(f[1], f[2])] = float(f[6])
    elif f[0] == 'STAGES':
        stages[(f[1], f[2])] = ' '.join(f[3:])
    elif f[0] == 'THREADS2':  # THREADS2 clip engine fps F frames N cpu_per_frame_ms C
        thr2[(f[1], f[2])] = float(f[4])
        thr2cpu[(f[1], f[2])] = float(f[8])
        thr2n[(f[1], f[2])] = int(f[6])
    elif f[0] == 'RSS':
        rss.append(line.strip())
    elif f[0] in ('ALIGN', 'REUSED'):
        align.append(line.strip())

order = ['dup', 'blend', 'minterpolate_blend', 'minterpolate_mci', 'classic', 'classic:blendfb',
         'rife']
def harm(kv):
    """harm in % of changed blocks, and the frames with any harmed block"""
    if 'harm' not in kv:
        return '-'
    return f"{float(kv['harm']):.2f} % ({kv['hframes']} of {kv['frames']})"


print('| clip (scored / even triplets) | method | PSNR-Y | SSIM-Y | edge PSNR-Y | edge F1 | harm (frames) | even: PSNR-Y / SSIM-Y / edge F1 | frames/s, 1 thread (CPU time) |')
print('|---|---|---|---|---|---|---|---|---|')
for clip, methods in rows.items():
    n = prep.get(clip, {}).get('scored', '?')
    ne = prep.get(clip, {}).get('even', '?')
    half = int(prep.get(clip, {}).get('half', 0))
    for name in order + [m for m in methods if m not in order]:
        if name not in methods:
            continue
        kv = methods[name]
        fps = float(kv['fps'])
        if name.startswith('minterpolate_'):
            t = times.get((clip, name), 0)
            fps = half / t if t > 0 else 0  # every pair of the half-rate input is interpolated
        label = 'ffmpeg ' + name if name.startswith('minterpolate_') else 'ours: ' + name
        fmt = f'{fps:.1f}' if fps >= 10 else f'{fps:.2f}'
        ev = even.get((clip, name))
        evs = f"{ev['psnr']} / {ev['ssim']} / {ev['f1']}" if ev else '-'
        print(f"| {clip} ({n} / {ne}) | {label} | {kv['psnr']} | {kv['ssim']} | {kv.get('epsnr', '-')} | {kv['f1']} | {harm(kv)} | {evs} | {fmt} |")
print()
# The harm targets: ours at most 1/3 of minterpolate mci's on each clip, and pooled
# over the clips (harmed / changed blocks summed) below 0.5 %.
if any('harm' in kv for ms in rows.values() for kv in ms.values()):
    print('| clip | harm: classic | harm: minterpolate mci | classic / mci | even: SSIM-Y classic / mci | even: edge F1 classic / mci |')
    print('|---|---|---|---|---|---|')
    pool = {}
    for clip, methods in rows.items():
        if 'classic' not in methods or 'minterpolate_mci' not in methods:
            continue
        c, m = methods['classic'], methods['minterpolate_mci']
        for k, kv in (('classic', c), ('minterpolate_mci', m)):
            a = pool.setdefault(k, [0, 0])
            a[0] += int(kv['harmed'])
            a[1] += int(kv['changed'])
        hc, hm = float(c['harm']), float(m['harm'])
        ec, em = even.get((clip, 'classic'), {}), even.get((clip, 'minterpolate_mci'), {})
        print(f"| {clip} | {hc:.2f} % | {hm:.2f} % | {hc / hm if hm else 0:.2f} | "
              f"{ec.get('ssim', '-')} / {em.get('ssim', '-')} | {ec.get('f1', '-')} / {em.get('f1', '-')} |")
    if pool:
        p = {k: 100.0 * v[0] / v[1] if v[1] else 0 for k, v in pool.items()}
        print(f"| pooled | {p.get('classic', 0):.2f} % ({pool.get('classic', [0, 0])[0]} of {pool.get('classic', [0, 0])[1]} blocks) | "
              f"{p.get('minterpolate_mci', 0):.2f} % ({pool.get('minterpolate_mci', [0, 0])[0]} of {pool.get('minterpolate_mci', [0, 0])[1]}) | | | |")
print()
print('| clip | classic fps, 1 thread (CPU time) | minterpolate mci fps, 1 thread (CPU time) | ratio | classic fps, 2 threads (wall) | CPU ms per frame, 2 threads |')
print('|---|---|---|---|---|---|')
for clip, methods in rows.items():
    if 'classic' not in methods:
        continue
    c1 = float(methods['classic']['fps'])
    half = int(prep.get(clip, {}).get('half', 0))
    t = times.get((clip, 'minterpolate_mci'), 0)
    mi = half / t if t > 0 else 0
    k = (clip, 'classic')
    print(f"| {clip} | {c1:.1f} | {mi:.2f} | {c1 / mi if mi else 0:.1f}x | {thr2.get(k, 0):.1f} | {thr2cpu.get(k, 0):.1f} |")
print()
if any(m.startswith('rife') for ms in rows.values() for m in ms):
    print('| clip | engine | CPU s per pair, 1 thread | 2 threads: wall s per pair (pairs) | 2 threads: CPU s per pair |')
    print('|---|---|---|---|---|')
    for clip, methods in rows.items():
        for name, kv in methods.items():
            if not name.startswith('rife'):
                continue
            fps = float(kv['fps'])
            k = (clip, name)
            two = (f"{1 / thr2[k]:.2f} ({thr2n[k]})" if thr2.get(k) else '-')
            cpu2 = f"{thr2cpu[k] / 1000:.2f}" if k in thr2cpu else '-'
            print(f"| {clip} | {name} | {1 / fps if fps > 0 else 0:.2f} | {two} | {cpu2} |")
    print()
# Per-stage times are wall clock inside the engine; on a shared machine they include waiting.
# For the single-thread run they are rescaled so that they add up to the measured CPU time per
# frame (the proportions stay as measured).
for k, v in stages.items():
    kv = dict(x.rsplit('=', 1) for x in v.replace('patch search', 'patch_search')
              .replace('field at t', 'field_at_t').split())
    ms = {a: float(b[:-2]) for a, b in kv.items()}
    parts = {a: b for a, b in ms.items() if a not in ('set_pair', 'render')}
    total = sum(parts.values())
    if k[1] == '1thread' and 'classic' in rows.get(k[0], {}) and total > 0:
        cpu = 1000.0 / float(rows[k[0]]['classic']['fps'])
        scaled = ', '.join(f'{a} {b * cpu / total:.2f}' for a, b in parts.items())
        print(f'- stages {k[0]}, 1 thread, CPU ms per frame (total {cpu:.2f}): {scaled}')
    else:
        wall = ', '.join(f'{a} {b:.2f}' for a, b in parts.items())
        print(f'- stages {k[0]}, {k[1]}, wall ms per frame (total {total:.2f}): {wall}')
for l in rss:
    print(f'- {l}')
for l in align:
    print(f'- {l}')
