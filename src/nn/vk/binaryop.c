// BinaryOp on the GPU: with a scalar (unary.comp), or of two tensors with ncnn's broadcasting
// (binaryop.comp, the CPU op's strides from aim_nn_binop_strides).
#include "nn/ops.h"
#include "nn/vk/vkop.h"

static int binop_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                        const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    int op = aim_nn_pi(l, 0, 0);
    if (l->nin == 1)
        return aim_nn_vk_unary(rc, l, op, aim_nn_pf(l, 2, 0), in, out);
    AimNnMat a = aim_nn_vk_mat(&in[0]), b = aim_nn_vk_mat(&in[1]);
    size_t sa[3], sb[3];
    aim_nn_binop_strides(&a, &b, sa);
    aim_nn_binop_strides(&b, &a, sb);
    struct { int32_t w, h, c, cstep, op, sa0, sa1, sa2, sb0, sb1, sb2; } pc = {
        out->w, out->h, out->c, out->cstep, op, (int32_t)sa[0], (int32_t)sa[1],
        (int32_t)sa[2], (int32_t)sb[0], (int32_t)sb[1], (int32_t)sb[2],
    };
    AimVkBinding bind[3] = { in[0].bind, in[1].bind, out->bind };
    return aim_nn_vk_dispatch(rc, l, "binaryop", NULL, 0, bind, 3, &pc, sizeof(pc),
                              aim_nn_vk_groups((int64_t)out->w * out->h, 64),
                              (uint32_t)out->c, 1);
}

const AimNnVkOp aim_nn_vk_op_binaryop = { "BinaryOp", NULL, NULL, binop_record };
