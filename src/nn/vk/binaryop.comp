#version 450
// BinaryOp of two tensors with broadcasting (ops.c binop_fwd): element (q, y, x) of an input
// is at q * sa0 + y * sa1 + x * sa2 (b: sb0..2), a broadcast axis having stride 0 (the CPU
// op's strides).
#include "common.glsl"
#include "binop.glsl"
layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer A { sfp a[]; };
layout(binding = 1) readonly buffer B { sfp b[]; };
layout(binding = 2) writeonly buffer Out { sfp dst[]; };
layout(push_constant) uniform P { int w, h, c, cstep, op, sa0, sa1, sa2, sb0, sb1, sb2; } p;

void main()
{
    int i = GLOBAL_X, q = int(gl_GlobalInvocationID.y);
    if (i >= p.w * p.h || q >= p.c)
        return;
    ivec3 g = ivec3(i % p.w, i / p.w, q);
    float va = float(a[g.z * p.sa0 + g.y * p.sa1 + g.x * p.sa2]);
    float vb = float(b[g.z * p.sb0 + g.y * p.sb1 + g.x * p.sb2]);
    dst[g.z * p.cstep + g.y * p.w + g.x] = sfp(binop(p.op, va, vb));
}
