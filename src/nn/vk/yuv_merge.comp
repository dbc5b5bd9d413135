#version 450
// Model A's RGB frame (an AimNnGpuImage, fp32) -> the pipeline's YUV 4:2:0 frame on the device
// (AimNnGpuYuv, nn/gpu.h), merged with the source frame: a sample inside the region the network
// ran on (the image, at rx, ry) whose mask block moves is quantised from the RGB, every other
// sample is the base frame's (f0). The host path this must equal bit for bit:
// aim_nn_rgb_to_yuv (src/nn/color.c) over the region, then the dispatcher's static-block copy
// (src/interp/interp.c copy_static). `precise` keeps the host's order of operations (no fused
// multiply-adds): the host's float arithmetic is plain IEEE single precision.
// The frame's samples are 16 bits, two to a uint32 (yuv16.glsl), so an invocation owns whole
// words: z = 0: one per luma word (two horizontally adjacent samples), z = 1: one per chroma word
// of each of Cb and Cr. A padding half (the last word of an odd-width row) is written 0.
#include "yuv16.glsl"
layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer Base { uint base[]; };
layout(binding = 1) readonly buffer Rgb { float rgb[]; };
layout(binding = 2) readonly buffer Mask { uint mask[]; };
layout(binding = 3) writeonly buffer Dst { uint dst[]; };
layout(push_constant) uniform P {
    int w, h, cw, ch;          // the frame (luma) and its chroma planes
    int yrw, crw;              // their rows' words: (w + 1) / 2, (cw + 1) / 2
    int rx, ry, rw, rh;        // the region: the image's frame, at (rx, ry) (even) of the frame
    int istride, icstep;       // the image's planes
    int mw, block, has_mask;   // the mask (blocks of block x block luma pixels)
    float kr, kg, kb;          // color.h's AimNnColor, and the factors rgb_to_yuv derives
    float ys, yoff, cs, coff, sb, sr, maxv;
} p;

bool moving(int lx, int ly, int bx, int by)
{
    if (lx < p.rx || lx >= p.rx + p.rw || ly < p.ry || ly >= p.ry + p.rh)
        return false;
    return p.has_mask == 0 || mask[by * p.mw + bx] != 0u;
}

uint quant(float v)
{
    return v <= 0.0 ? 0u : v >= p.maxv ? uint(p.maxv) : uint(v);
}

uint luma(int x, int y)
{
    if (!moving(x, y, x / p.block, y / p.block))
        return YUV16_AT(base, y * p.yrw, x);
    int s = (y - p.ry) * p.istride + (x - p.rx);
    precise float Y = p.kr * rgb[s] + p.kg * rgb[p.icstep + s] + p.kb * rgb[2 * p.icstep + s];
    precise float v = Y * p.ys + p.yoff + 0.5;
    return quant(v);
}

// Cb (low half) and Cr (high half) of chroma sample x, y
uint chroma(int x, int y, int ru, int rv)
{
    int cb = p.block / 2;
    if (!moving(2 * x, 2 * y, x / cb, y / cb))
        return YUV16_AT(base, ru, x) | YUV16_AT(base, rv, x) << 16;
    // the 2x2 average of rgb_to_yuv, summed in its order (rows, then columns)
    int lx = 2 * x - p.rx, ly = 2 * y - p.ry;
    int nx = lx + 1 < p.rw ? 2 : 1, ny = ly + 1 < p.rh ? 2 : 1;
    precise float r = 0.0, g = 0.0, b = 0.0;
    for (int j = 0; j < ny; j++)
        for (int k = 0; k < nx; k++) {
            int s = (ly + j) * p.istride + lx + k;
            r += rgb[s];
            g += rgb[p.icstep + s];
            b += rgb[2 * p.icstep + s];
        }
    float n = nx * ny == 4 ? 0.25 : nx * ny == 2 ? 0.5 : 1.0; // 1 / (nx * ny), exact
    r *= n;
    g *= n;
    b *= n;
    precise float Y = p.kr * r + p.kg * g + p.kb * b;
    precise float u = (b - Y) * p.sb * p.cs + p.coff + 0.5;
    precise float v = (r - Y) * p.sr * p.cs + p.coff + 0.5;
    return quant(u) | quant(v) << 16;
}

void main()
{
    int wx = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y), x = 2 * wx;
    if (gl_GlobalInvocationID.z == 0u) {
        if (wx >= p.yrw)
            return;
        uint hi = x + 1 < p.w ? luma(x + 1, y) : 0u;
        dst[y * p.yrw + wx] = luma(x, y) | hi << 16;
        return;
    }
    if (wx >= p.crw || y >= p.ch)
        return;
    int ru = p.h * p.yrw + y * p.crw, rv = ru + p.ch * p.crw;
    uint a = chroma(x, y, ru, rv), b = x + 1 < p.cw ? chroma(x + 1, y, ru, rv) : 0u;
    dst[ru + wx] = (a & 0xffffu) | b << 16;
    dst[rv + wx] = a >> 16 | (b & 0xffff0000u);
}
