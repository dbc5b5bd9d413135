#version 450
// The pipeline's YUV 4:2:0 frame on the device (AimNnGpuYuv, nn/gpu.h) -> fp32 RGB planes (an
// AimNnGpuImage) for Model B, chroma bilinear-upsampled by its siting. The host path this must
// equal bit for bit: aim_nn_yuv_to_rgb (src/nn/color.c); `precise` keeps its order of
// operations (no fused multiply-adds). One invocation per pixel. The frame's samples are 16
// bits, two to a uint32 (yuv16.glsl).
#include "yuv16.glsl"
layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer Src { uint src[]; };
layout(binding = 1) writeonly buffer Dst { float dst[]; };
layout(push_constant) uniform P {
    int w, h, cw, ch;
    int yrw, crw;               // the planes' rows' words: (w + 1) / 2, (cw + 1) / 2
    int stride, cstep;          // the image's planes
    int cx_center, cy_mode;     // color.h's AimNnColor
    float yoff, yscale, coff, cscale;
    float crr, cgr, cgb, cbb;   // the matrix's factors, as aim_nn_yuv_to_rgb derives them
} p;

// sample x of the row that starts at word r, as a float
float sample_at(int r, int x) { return float(YUV16_AT(src, r, x)); }

void main()
{
    int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y);
    if (x >= p.w)
        return;
    precise float fy = p.cy_mode == 0 ? (float(y) - 0.5) * 0.5
                     : p.cy_mode == 1 ? float(y) * 0.5 : (float(y) - 1.0) * 0.5;
    int cy0 = int(floor(fy));
    precise float wy = fy - float(cy0);
    int ya = clamp(cy0, 0, p.ch - 1), yb = clamp(cy0 + 1, 0, p.ch - 1);
    precise float fx = p.cx_center != 0 ? (float(x) - 0.5) * 0.5 : float(x) * 0.5;
    int cx0 = int(floor(fx));
    precise float wx = fx - float(cx0);
    int xa = clamp(cx0, 0, p.cw - 1), xb = clamp(cx0 + 1, 0, p.cw - 1);
    int u0 = p.h * p.yrw, v0 = u0 + p.ch * p.crw;
    int ua = u0 + ya * p.crw, ub = u0 + yb * p.crw, va = v0 + ya * p.crw, vb = v0 + yb * p.crw;
    float uaa = sample_at(ua, xa), uab = sample_at(ua, xb);
    float uba = sample_at(ub, xa), ubb = sample_at(ub, xb);
    float vaa = sample_at(va, xa), vab = sample_at(va, xb);
    float vba = sample_at(vb, xa), vbb = sample_at(vb, xb);
    precise float u = (1.0 - wy) * ((1.0 - wx) * uaa + wx * uab) +
                      wy * ((1.0 - wx) * uba + wx * ubb);
    precise float v = (1.0 - wy) * ((1.0 - wx) * vaa + wx * vab) +
                      wy * ((1.0 - wx) * vba + wx * vbb);
    precise float Y = (sample_at(y * p.yrw, x) - p.yoff) * p.yscale;
    precise float Cb = (u - p.coff) * p.cscale, Cr = (v - p.coff) * p.cscale;
    precise float R = Y + p.crr * Cr, G = Y + p.cgr * Cr + p.cgb * Cb, B = Y + p.cbb * Cb;
    int o = y * p.stride + x;
    dst[o] = R;
    dst[p.cstep + o] = G;
    dst[2 * p.cstep + o] = B;
}
