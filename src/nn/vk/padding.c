// Padding on the GPU (padding.comp): constant, replicate, reflect.
#include "nn/vk/vkop.h"

static int pad_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                      const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    struct { int32_t w, h, c, cstep, iw, ih, icstep, top, left, type; float value; } pc = {
        out->w, out->h, out->c, out->cstep, in->w, in->h, in->cstep, aim_nn_pi(l, 0, 0),
        aim_nn_pi(l, 2, 0), aim_nn_pi(l, 4, 0), aim_nn_pf(l, 5, 0),
    };
    AimVkBinding bind[2] = { in->bind, out->bind };
    return aim_nn_vk_dispatch(rc, l, "padding", NULL, 0, bind, 2, &pc, sizeof(pc),
                              aim_nn_vk_groups((int64_t)out->w * out->h, 64),
                              (uint32_t)out->c, 1);
}

const AimNnVkOp aim_nn_vk_op_padding = { "Padding", NULL, NULL, pad_record };
