#version 450
// Eltwise of two inputs (ops.c eltwise_fwd): op 0 product, 1 sum with coefficients, 2 max.
// More inputs run as a chain with the output as the first input (ca = 1 after the first).
#include "common.glsl"
layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer A { sfp a[]; };
layout(binding = 1) readonly buffer B { sfp b[]; };
layout(binding = 2) writeonly buffer Out { sfp dst[]; };
layout(push_constant) uniform P { int w, h, c, cstep, op; float ca, cb; } p;

void main()
{
    int i = GLOBAL_X, q = int(gl_GlobalInvocationID.y);
    if (i >= p.w * p.h || q >= p.c)
        return;
    int k = q * p.cstep + i;
    float va = float(a[k]) * p.ca, vb = float(b[k]);
    dst[k] = sfp(p.op == 0 ? va * vb : p.op == 2 ? max(va, vb) : va + vb * p.cb);
}
