// ReLU (leaky with param 0) on the GPU.
#include "nn/vk/vkop.h"

static int relu_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                       const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    struct { int32_t plane, c, cstep; float slope; } pc = {
        in[0].w * in[0].h, in[0].c, in[0].cstep, aim_nn_pf(l, 0, 0),
    };
    AimVkBinding b[2] = { in[0].bind, out[0].bind };
    return aim_nn_vk_dispatch(rc, l, "relu", NULL, 0, b, 2, &pc, sizeof(pc),
                              aim_nn_vk_groups(pc.plane, 64), (uint32_t)pc.c, 1);
}

const AimNnVkOp aim_nn_vk_op_relu = { "ReLU", NULL, NULL, relu_record };
