#version 450
// A window of an fp32 RGB frame on the device (AimNnGpuImage, nn/gpu.h) -> an input tensor of
// the run's precision: pixel (x0 + x, y0 + y) of the frame, indices outside it reflected
// (reflect-101: the mirror does not repeat the edge sample) or clamped. The upscaler cuts its
// tiles this way when the frame is already on the device (Model A's output). CPU reference:
// aim_nn_window_c (src/nn/upscaler.c); the conversion is the "upload" shader's.
#include "common.glsl"

// x along the row, one row per y, one channel per z: no division per element
layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer Src { float s[]; };
layout(binding = 1) writeonly buffer Dst { sfp d[]; };
layout(push_constant) uniform P {
    int w, h, stride, cstep;  // the frame and its planes
    int x0, y0, bw, bh;       // the window (may reach outside the frame)
    int dst_cstep, clamp_edge;
} p;

int edge(int i, int n)
{
    // uniform branch; the host also asks for clamping when the window lies inside the frame
    // (same indices, and no per-pixel branch: on lavapipe that halved the shader's time)
    if (p.clamp_edge != 0)
        return clamp(i, 0, n - 1);
    if (uint(i) < uint(n))
        return i;
    if (n == 1)
        return 0;
    // reflect-101 is even (index -k is k) with period 2n - 2; abs keeps % on non-negatives
    int period = 2 * n - 2;
    i = abs(i) % period;
    return i < n ? i : period - i;
}

void main()
{
    int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y);
    int q = int(gl_GlobalInvocationID.z);
    if (x >= p.bw)
        return;
    int sx = edge(p.x0 + x, p.w), sy = edge(p.y0 + y, p.h);
    d[q * p.dst_cstep + y * p.bw + x] = sfp(s[q * p.cstep + sy * p.stride + sx]);
}
