#version 450
// Interp (ops.c interp_fwd / interp_coeffs): type 1 nearest, 2 bilinear, 3 bicubic (A = -0.75),
// ncnn's coefficients (half-pixel centres or align_corner, source indices clamped). The CPU
// computes the source position in double and rounds it to float; here it is fp32 throughout
// (`precise`: no contraction), so the taps agree to rounding and the weights to ~1e-7.
#include "common.glsl"
layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer In { sfp src[]; };
layout(binding = 1) writeonly buffer Out { sfp dst[]; };
layout(push_constant) uniform P {
    int w, h, c, cstep, iw, ih, icstep, type, align;
    float sx, sy;   // source pixels per output pixel (the CPU's `scale`)
    float nx, ny;   // nearest: the CPU's `s` (1 / user scale, or in / out)
} p;

// Taps (clamped) and weights of output coordinate d along one axis.
void coeffs(int d, int n, float scale, float ns, out ivec4 ix, out vec4 wt)
{
    if (p.type == 1) {
        precise float f = float(d) * ns;
        int s = min(int(f), n - 1);
        ix = ivec4(s);
        wt = vec4(1.0, 0.0, 0.0, 0.0);
        return;
    }
    precise float f = p.align != 0 ? float(d) * scale : (float(d) + 0.5) * scale - 0.5;
    int s = int(floor(f));
    f -= float(s);
    if (p.type == 2) {
        if (s < 0) { s = 0; f = 0.0; }
        if (s >= n - 1) { s = n - 2; f = 1.0; }
        ix = clamp(ivec4(s, s + 1, s + 2, s + 3), 0, n - 1);
        wt = vec4(1.0 - f, f, 0.0, 0.0);
        return;
    }
    const float A = -0.75;
    float t0 = f + 1.0, t1 = f, t2 = 1.0 - f;
    wt.x = ((A * t0 - 5.0 * A) * t0 + 8.0 * A) * t0 - 4.0 * A;
    wt.y = ((A + 2.0) * t1 - (A + 3.0)) * t1 * t1 + 1.0;
    wt.z = ((A + 2.0) * t2 - (A + 3.0)) * t2 * t2 + 1.0;
    wt.w = 1.0 - wt.x - wt.y - wt.z;
    ix = clamp(ivec4(s - 1, s, s + 1, s + 2), 0, n - 1);
}

void main()
{
    int i = GLOBAL_X, q = int(gl_GlobalInvocationID.y);
    if (i >= p.w * p.h || q >= p.c)
        return;
    ivec3 g = ivec3(i % p.w, i / p.w, q);
    ivec4 xi, yi;
    vec4 xw, yw;
    coeffs(g.x, p.iw, p.sx, p.nx, xi, xw);
    coeffs(g.y, p.ih, p.sy, p.ny, yi, yw);
    int base = g.z * p.icstep;
    float sum = 0.0;
    for (int ky = 0; ky < 4; ky++) {
        if (yw[ky] == 0.0)
            continue;
        int row = base + yi[ky] * p.iw;
        float hsum = 0.0;
        for (int kx = 0; kx < 4; kx++)
            hsum += float(src[row + xi[kx]]) * xw[kx];
        sum += hsum * yw[ky];
    }
    dst[g.z * p.cstep + g.y * p.w + g.x] = sfp(sum);
}
