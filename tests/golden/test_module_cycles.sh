#!/usr/bin/env bash
# No dependency cycles (#11): from the built objects' symbols (nm), which file of src/ calls or
# reads what another defines. Fails on a cycle between modules (src/<module>/; a SIMD file
# src/x86/<module>_*.c counts as its module's) and on a cycle between the portable files of any
# one module (src/x86 is left out there: an init file assigns the kernels and a kernel's tail
# calls the C reference, by design, as dav1d's layout does). Examples of what it catches:
# src/nn calling into src/scale while src/scale calls src/nn; ops.c and ncnn.c calling each
# other; src/io's reader.c handing packets to writer.c while writer.c reads the reader.
. "$(dirname "$0")/lib.sh"
command -v nm >/dev/null || skip "nm (binutils) not installed"
ls "$AIM_BUILD"/CMakeFiles/aimcore.dir/src/nn/*.o >/dev/null 2>&1 ||
    skip "no objects under $AIM_BUILD/CMakeFiles/aimcore.dir (another generator?)"
python3 - "$AIM_BUILD/CMakeFiles" "$AIM_SRC" <<'EOF' >"$T/out"
import collections, os, subprocess, sys
objroot, srcroot = sys.argv[1], sys.argv[2]
objs = {}
for lib in os.listdir(objroot):
    base = os.path.join(objroot, lib)
    for root, _, files in os.walk(os.path.join(base, 'src')):
        for f in files:
            if f.endswith('.c.o'):
                rel = os.path.relpath(os.path.join(root, f), base)[:-2]  # src/nn/ncnn.c
                if os.path.exists(os.path.join(srcroot, rel)):  # not a stale object
                    objs[rel] = os.path.join(root, f)
defs, uses = {}, collections.defaultdict(set)
for rel, path in objs.items():
    for line in subprocess.run(['nm', path], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in 'TDRBC':
            defs[p[2]] = rel
        elif len(p) == 2 and p[0] == 'U':
            uses[rel].add(p[1])

def module(rel):
    d, f = rel.split('/')[1:3]
    return f.split('_')[0] if d == 'x86' else d

def cycles(edges):  # Tarjan's strongly connected components of more than one node
    idx, low, stack, on, out = {}, {}, [], set(), []
    def visit(v):
        idx[v] = low[v] = len(idx)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in idx:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], idx[w])
        if low[v] == idx[v]:
            c = []
            while not c or c[-1] != v:
                c.append(stack.pop())
                on.discard(c[-1])
            if len(c) > 1:
                out.append(sorted(c))
    for v in sorted(edges):
        if v not in idx:
            visit(v)
    return out

medges, fedges, why = collections.defaultdict(set), collections.defaultdict(set), {}
for rel in objs:
    medges[module(rel)]
    fedges[rel]
    for s in sorted(uses[rel]):
        t = defs.get(s)
        if not t or t == rel:
            continue
        if module(t) != module(rel):
            medges[module(rel)].add(module(t))
            why.setdefault((module(rel), module(t)), '%s uses %s of %s' % (rel, s, t))
        elif not rel.startswith('src/x86/') and not t.startswith('src/x86/'):
            fedges[rel].add(t)
            why.setdefault((rel, t), '%s uses %s of %s' % (rel, s, t))
print('%d objects, %d modules' % (len(objs), len(medges)))
for kind, edges in (('module', medges), ('file', fedges)):
    for c in cycles(edges):
        print('%s cycle: %s' % (kind, ' <-> '.join(c)))
        for a in c:
            for b in c:
                if (a, b) in why:
                    print('    ' + why[(a, b)])
EOF
eq "python ran" "$?" 0
cat "$T/out" >&2
check "objects found" grep -q "^[1-9][0-9]* objects" "$T/out"
check "no cycle" sh -c "! grep -q cycle '$T/out'"
finish
