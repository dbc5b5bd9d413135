// The element-wise ops of one input on the GPU (unary.comp): Sigmoid, and BinaryOp with a
// scalar operand.
#include "nn/vk/vkop.h"

// unary.comp's op code for Sigmoid (0..9 are BinaryOp's types).
#define OP_SIGMOID 100

int aim_nn_vk_unary(const AimNnVkRec *rc, const AimNnLayer *l, int op, float b,
                    const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    struct { int32_t w, h, c, cstep, op; float b; } pc = {
        in->w, in->h, in->c, in->cstep, op, b,
    };
    AimVkBinding bind[2] = { in->bind, out->bind };
    return aim_nn_vk_dispatch(rc, l, "unary", NULL, 0, bind, 2, &pc, sizeof(pc),
                              aim_nn_vk_groups((int64_t)in->w * in->h, 64), (uint32_t)in->c, 1);
}

static int sigmoid_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                          const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    return aim_nn_vk_unary(rc, l, OP_SIGMOID, 0, in, out);
}

const AimNnVkOp aim_nn_vk_op_sigmoid = { "Sigmoid", NULL, NULL, sigmoid_record };
