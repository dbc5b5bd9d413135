#version 450
// Element-wise ops of one input (ops.c): Sigmoid, and BinaryOp with a scalar operand (nin 1,
// with_scalar 1): out = binop(in, b). op: 0..9 BinaryOp types, 100 Sigmoid.
#include "common.glsl"
#include "binop.glsl"
layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer In { sfp src[]; };
layout(binding = 1) writeonly buffer Out { sfp dst[]; };
layout(push_constant) uniform P { int w, h, c, cstep, op; float b; } p;

void main()
{
    int i = GLOBAL_X, q = int(gl_GlobalInvocationID.y);
    if (i >= p.w * p.h || q >= p.c)
        return;
    int k = q * p.cstep + i;
    float v = float(src[k]);
    dst[k] = sfp(p.op == 100 ? 1.0 / (1.0 + exp(-v)) : binop(p.op, v, p.b));
}
