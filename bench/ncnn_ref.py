#!/usr/bin/python3
"""Independent float64 referee for the ncnn upscalers (bench only, not used by any test).

A plain numpy interpreter of ncnn .param/.bin files, written from ncnn's layer semantics (not
from src/nn/), for the layers the U-Net upscalers use: Input, Convolution, Deconvolution,
InnerProduct (with their fused activations), ReLU, Sigmoid, Pooling (global average), Scale
(per-channel, from a second blob), BinaryOp, Eltwise, Crop (offsets + reference blob, or
starts/ends/axes), Split, Concat, Padding. Anything else is refused.

Pre/post-processing as waifu2x-ncnn-vulkan / realcugan-ncnn-vulkan and src/nn/upscaler.c: RGB
/ 255, pad the whole image by PAD pixels (reflect-101, or --pad-mode edge: clamp), right and
bottom further to a multiple of --align, one tile, crop the model's output to W*f x H*f
centred like upscaler.c, out = floor(v * 255 + 0.5) clamped to 0..255.

--fp16 simulates ncnn's Vulkan "fp16 storage, fp32 arithmetic" (waifu2x-ncnn-vulkan sets
use_fp16_storage=true, use_fp16_arithmetic=false): weights, biases, the input blob and every
layer's output are rounded to IEEE half; arithmetic stays float64. --tool-wrap also copies the
tool's int8 post-processing, clamp(uint(floor(v*255+0.5)), 0, 255), where a negative float
converted to uint wraps to a huge value on llvmpipe, so negative outputs become 255.

Dependency: Debian python3-numpy (bench only; not in scripts/install-deps.sh). Runs in
seconds for a 64x64 crop, about a minute for 128x128 (waifu2x-cunet) with one BLAS thread.

usage: ncnn_ref.py MODEL.param MODEL.bin IN.rgb W H OUT.rgb [--scale F] [--pad N]
                   [--pad-mode reflect|edge]
                   [--align N] [--fp16] [--tool-wrap] [--stats] [--float OUT.f32]
                   [--compare A.rgb ...]
  --stats     per layer: output shape, max |x|, and (with --fp16) how many values overflow
              half (|x| > 65504) or fall below its normal range
  --float     also write the float output (planar C,H,W float32, before *255) for analysis
  --compare   print PSNR (RGB 8-bit) of OUT against each given raw RGB file of the same size
"""
import argparse
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the machine is shared: one core
import numpy as np  # noqa: E402

F16_MAX = 65504.0
F16_MIN_NORMAL = 6.103515625e-05


def parse_param(path):
    with open(path) as f:
        lines = [ln.split() for ln in f if ln.strip()]
    if lines[0] != ["7767517"]:
        sys.exit(f"{path}: not an ncnn text param (magic)")
    nlayers = int(lines[1][0])
    layers = []
    for tok in lines[2:2 + nlayers]:
        typ, name, nin, nout = tok[0], tok[1], int(tok[2]), int(tok[3])
        ins = tok[4:4 + nin]
        outs = tok[4 + nin:4 + nin + nout]
        params = {}
        for kv in tok[4 + nin + nout:]:
            k, v = kv.split("=", 1)
            k = int(k)
            if k <= -23300:  # array: -23300 - id = count,values
                vals = v.split(",")
                params[-23300 - k] = [float(x) for x in vals[1:1 + int(vals[0])]]
            elif any(c in v for c in ".eE"):
                params[k] = float(v)
            else:
                params[k] = int(v)
        layers.append(dict(type=typ, name=name, ins=ins, outs=outs, p=params))
    return layers


class Bin:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.d = f.read()
        self.o = 0

    def take(self, n):
        if self.o + n > len(self.d):
            sys.exit("bin: truncated")
        b = self.d[self.o:self.o + n]
        self.o += n
        return b

    def load(self, n, typ):
        """ncnn ModelBin::load(n, type): type 1 = raw float32; type 0 = 4-byte tag first."""
        if typ == 1:
            return np.frombuffer(self.take(4 * n), "<f4").astype(np.float64)
        tag = int.from_bytes(self.take(4), "little")
        if tag in (0, 0x0002C056):
            return np.frombuffer(self.take(4 * n), "<f4").astype(np.float64)
        if tag == 0x01306B47:
            w = np.frombuffer(self.take(2 * n), "<f2").astype(np.float64)
            self.take((-2 * n) % 4)  # aligned to 4 bytes
            return w
        if tag == 0x000D4B38:
            sys.exit("bin: int8 weights not supported")
        table = np.frombuffer(self.take(1024), "<f4").astype(np.float64)
        idx = np.frombuffer(self.take(n), np.uint8)
        self.take((-n) % 4)
        return table[idx]


def load_weights(layers, binpath):
    b = Bin(binpath)
    for L in layers:
        p, t = L["p"], L["type"]
        if t in ("Convolution", "Deconvolution", "InnerProduct"):
            L["w"] = b.load(p[6] if t != "InnerProduct" else p[2], 0)
            L["b"] = b.load(p[0], 1) if p.get(5 if t != "InnerProduct" else 1, 0) else None
        elif t == "Scale" and p.get(0, 0) != -233:
            L["w"] = b.load(p[0], 1)
            L["b"] = b.load(p[0], 1) if p.get(1, 0) else None
        elif t not in ("Input", "Split", "Pooling", "Crop", "Eltwise", "BinaryOp", "ReLU",
                       "Sigmoid", "Concat", "Padding", "Scale"):
            sys.exit(f"layer type {t} ({L['name']}) not supported by this referee")
    if b.o != len(b.d):
        print(f"warning: {len(b.d) - b.o} bytes left in the .bin", file=sys.stderr)


def activate(x, typ, prm):
    if typ == 0:
        return x
    if typ == 1:
        return np.maximum(x, 0)
    if typ == 2:
        slope = prm[0] if prm else 0.0
        return np.where(x > 0, x, x * slope)
    if typ == 3:
        return np.clip(x, prm[0], prm[1])
    if typ == 4:
        return 1.0 / (1.0 + np.exp(-x))
    sys.exit(f"activation {typ} not supported")


def conv_params(p):
    """(De)convolution parameters: cout, kw, kh, dilation w/h, stride w/h, pads l/r/t/b."""
    cout, kw = p[0], p[1]
    kh = p.get(11, kw)
    dw = p.get(2, 1)
    dh = p.get(12, dw)
    sw = p.get(3, 1)
    sh = p.get(13, sw)
    pl = p.get(4, 0)
    pr, pt = p.get(15, pl), p.get(14, pl)
    pb = p.get(16, pt)
    return cout, kw, kh, dw, dh, sw, sh, pl, pr, pt, pb


def conv(x, L):
    p = L["p"]
    cout, kw, kh, dw, dh, sw, sh, pl, pr, pt, pb = conv_params(p)
    if p.get(7, 1) != 1:
        sys.exit("grouped convolution not supported")
    if min(pl, pr, pt, pb) < 0:
        sys.exit("SAME padding (-233/-234) not supported")
    if pl or pr or pt or pb:
        x = np.pad(x, ((0, 0), (pt, pb), (pl, pr)), constant_values=p.get(18, 0.0))
    cin, h, w = x.shape
    oh = (h - (dh * (kh - 1) + 1)) // sh + 1
    ow = (w - (dw * (kw - 1) + 1)) // sw + 1
    wt = L["w"].reshape(cout, cin, kh, kw)
    out = np.zeros((cout, oh * ow))
    for ky in range(kh):
        for kx in range(kw):
            xs = x[:, ky * dh:ky * dh + (oh - 1) * sh + 1:sh, kx * dw:kx * dw + (ow - 1) * sw + 1:sw]
            out += wt[:, :, ky, kx] @ xs.reshape(cin, -1)
    out = out.reshape(cout, oh, ow)
    if L["b"] is not None:
        out += L["b"][:, None, None]
    return activate(out, p.get(9, 0), p.get(10))


def deconv(x, L):
    # scatter form: out[y*s + ky*d] += w[o][i][ky][kx] * in[i][y]  (ncnn flips the kernel and
    # gathers, which is the same sum), then the pads are cut from the full output
    p = L["p"]
    cout, kw, kh, dw, dh, sw, sh, pl, pr, pt, pb = conv_params(p)
    if p.get(7, 1) != 1 or p.get(20, 0) or p.get(21, 0):
        sys.exit("grouped / output-size deconvolution not supported")
    cin, h, w = x.shape
    fh = (h - 1) * sh + dh * (kh - 1) + 1 + p.get(19, p.get(18, 0))
    fw = (w - 1) * sw + dw * (kw - 1) + 1 + p.get(18, 0)
    wt = L["w"].reshape(cout, cin, kh, kw)
    out = np.zeros((cout, fh, fw))
    xf = x.reshape(cin, -1)
    for ky in range(kh):
        for kx in range(kw):
            c = (wt[:, :, ky, kx] @ xf).reshape(cout, h, w)
            out[:, ky * dh:ky * dh + (h - 1) * sh + 1:sh, kx * dw:kx * dw + (w - 1) * sw + 1:sw] += c
    if L["b"] is not None:
        out += L["b"][:, None, None]
    out = out[:, pt:fh - pb, pl:fw - pr]
    return activate(out, p.get(9, 0), p.get(10))


def crop(xs, L):
    x = xs[0]
    p = L["p"]
    c, h, w = x.shape
    if len(xs) == 2:  # size of the reference blob, offsets from the params
        r = xs[1]
        x0, y0 = p.get(0, 0), p.get(1, 0)
        return x[:, y0:y0 + r.shape[1], x0:x0 + r.shape[2]]
    if 9 in p:  # starts / ends / axes (axes -2, -1 or 1, 2 = h, w)
        lo = [0, 0, 0]
        hi = [c, h, w]
        axes = [int(a) for a in p.get(11, range(len(p[9])))]
        for s, e, a in zip(p[9], p[10], axes):
            a = a + 3 if a < 0 else a
            n = x.shape[a]
            s, e = int(s), int(e)
            lo[a] = s + n if s < 0 else s
            hi[a] = e + n if e < 0 else min(e, n)
        return x[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]]
    x0, y0, c0 = p.get(0, 0), p.get(1, 0), p.get(2, 0)
    ow, oh, oc = p.get(3, w - x0), p.get(4, h - y0), p.get(5, c - c0)
    return x[c0:c0 + oc, y0:y0 + oh, x0:x0 + ow]


def bcast(a, b):
    # ncnn broadcasting between a C x H x W blob and a 1-D blob of C (per channel)
    if a.ndim == 3 and b.ndim == 1:
        return a, b[:, None, None]
    if b.ndim == 3 and a.ndim == 1:
        return a[:, None, None], b
    return a, b


def global_mean(x, stats):
    v = x.reshape(x.shape[0], -1)
    s = v.sum(axis=1)
    if stats:  # half storage would overflow a per-channel sum above 65504
        print(f"    sums: max {s.max():.6g}, {int((np.abs(s) > F16_MAX).sum())} channels above "
              f"65504, {v.shape[1]} samples each", file=sys.stderr)
    return s / v.shape[1]


def forward(layers, inp, fp16=False, stats=False):
    q = (lambda a: a.astype(np.float16).astype(np.float64)) if fp16 else (lambda a: a)
    blobs = {}
    for L in layers:
        t, p = L["type"], L["p"]
        xs = [blobs[i] for i in L["ins"]]
        if t == "Input":
            y = q(inp)
        elif t == "Convolution":
            y = conv(xs[0], L)
        elif t == "Deconvolution":
            y = deconv(xs[0], L)
        elif t == "InnerProduct":
            v = xs[0].reshape(-1)
            y = L["w"].reshape(p[0], v.size) @ v
            if L["b"] is not None:
                y = y + L["b"]
            y = activate(y, p.get(9, 0), p.get(10))
        elif t == "ReLU":
            y = activate(xs[0], 2 if p.get(0, 0.0) else 1, [p.get(0, 0.0)])
        elif t == "Sigmoid":
            y = activate(xs[0], 4, None)
        elif t == "Pooling":
            if not p.get(4, 0) or p.get(0, 0) != 1:
                sys.exit("only global average pooling is supported")
            y = global_mean(xs[0], stats)
        elif t == "Scale":
            if p.get(0, 0) == -233:
                a, s = bcast(xs[0], xs[1])
                y = a * s
            else:
                y = xs[0] * L["w"][:, None, None]
                if L["b"] is not None:
                    y = y + L["b"][:, None, None]
        elif t == "BinaryOp":
            a = xs[0]
            b = xs[1] if len(xs) > 1 else np.float64(p.get(2, 0.0))
            if len(xs) > 1:
                a, b = bcast(a, b)
            op = p.get(0, 0)
            y = {0: np.add, 1: np.subtract, 2: np.multiply, 3: np.divide,
                 4: np.maximum, 5: np.minimum}[op](a, b)
        elif t == "Eltwise":
            op, coef = p.get(0, 1), p.get(1)
            if op == 0:
                y = np.prod(xs, axis=0)
            elif op == 1:
                y = sum((coef[i] if coef else 1.0) * a for i, a in enumerate(xs))
            else:
                y = np.maximum.reduce(xs)
        elif t == "Crop":
            y = crop(xs, L)
        elif t == "Split":
            y = xs[0]
        elif t == "Concat":
            y = np.concatenate(xs, axis=p.get(0, 0))
        elif t == "Padding":
            pt, pb, pl, pr, mode = p.get(0, 0), p.get(1, 0), p.get(2, 0), p.get(3, 0), p.get(4, 0)
            m = {0: "constant", 1: "edge", 2: "reflect"}[mode]
            kw = {"constant_values": p.get(5, 0.0)} if mode == 0 else {}
            y = np.pad(xs[0], ((0, 0), (pt, pb), (pl, pr)), mode=m, **kw)
        else:
            sys.exit(f"layer type {t} not supported")
        if stats:
            mx = float(np.abs(y).max())
            nz = y[y != 0]
            extra = ""
            if fp16:
                extra = (f" overflow={int((np.abs(y) > F16_MAX).sum())}"
                         f" subnormal={int(((np.abs(nz) < F16_MIN_NORMAL)).sum())}")
            print(f"  {L['name']:<16} {t:<14} {str(y.shape):<16} max|x|={mx:10.4g}{extra}",
                  file=sys.stderr)
        y = q(y) if t not in ("Split", "Input") else y
        for o in L["outs"]:
            blobs[o] = y
    return blobs[layers[-1]["outs"][0]]


def reflect101(i, n):
    if n == 1:
        return np.zeros_like(i)
    period = 2 * n - 2
    i = np.mod(i, period)
    return np.where(i < n, i, period - i)


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 999.0 if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("param")
    ap.add_argument("bin")
    ap.add_argument("input")
    ap.add_argument("w", type=int)
    ap.add_argument("h", type=int)
    ap.add_argument("output")
    ap.add_argument("--scale", type=int, default=2)
    ap.add_argument("--pad", type=int, default=18)
    ap.add_argument("--pad-mode", choices=["reflect", "edge"], default="reflect")
    ap.add_argument("--align", type=int, default=4)
    ap.add_argument("--fp16", action="store_true")
    ap.add_argument("--tool-wrap", action="store_true")
    ap.add_argument("--stats", action="store_true")
    ap.add_argument("--float")
    ap.add_argument("--compare", nargs="*", default=[])
    a = ap.parse_args()

    layers = parse_param(a.param)
    load_weights(layers, a.bin)
    if a.fp16:
        for L in layers:
            for k in ("w", "b"):
                if L.get(k) is not None:
                    L[k] = L[k].astype(np.float16).astype(np.float64)
    W, H = a.w, a.h
    img = np.fromfile(a.input, np.uint8)
    if img.size != W * H * 3:
        sys.exit(f"{a.input}: {img.size} bytes, expected {W * H * 3}")
    img = img.reshape(H, W, 3).transpose(2, 0, 1).astype(np.float64) / 255.0
    bw = (W + 2 * a.pad + a.align - 1) // a.align * a.align
    bh = (H + 2 * a.pad + a.align - 1) // a.align * a.align
    xi, yi = np.arange(bw) - a.pad, np.arange(bh) - a.pad
    if a.pad_mode == "reflect":
        xi, yi = reflect101(xi, W), reflect101(yi, H)
    else:
        xi, yi = np.clip(xi, 0, W - 1), np.clip(yi, 0, H - 1)
    tile = img[:, yi][:, :, xi]
    out = forward(layers, tile, a.fp16, a.stats)
    c, oh, ow = out.shape
    f = a.scale
    mx2, my2 = bw * f - ow, bh * f - oh
    ox, oy = (a.pad - mx2 // (2 * f)) * f, (a.pad - my2 // (2 * f)) * f
    out = out[:, oy:oy + H * f, ox:ox + W * f]
    if a.float:
        out.astype(np.float32).tofile(a.float)
    v = np.floor(out * 255.0 + 0.5)
    if a.tool_wrap:
        v = np.where(v < 0, 255.0, v)
    u8 = np.clip(v, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    u8.tofile(a.output)
    neg = int((out * 255.0 + 0.5 < 0).sum())
    print(f"{os.path.basename(a.param)} x{f} {W}x{H}{' fp16' if a.fp16 else ''}: output "
          f"min {out.min():.4f} max {out.max():.4f}, {neg} samples < -0.5/255")
    for cmp in a.compare:
        other = np.fromfile(cmp, np.uint8)
        if other.size != u8.size:
            print(f"  {cmp}: size differs")
            continue
        print(f"  vs {cmp}: {psnr(u8.reshape(-1), other):.2f} dB")


if __name__ == "__main__":
    main()
