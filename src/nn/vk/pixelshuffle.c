// PixelShuffle on the GPU (pixelshuffle.comp).
#include "nn/vk/vkop.h"

static int ps_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                     const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    struct { int32_t w, h, c, cstep, iw, icstep, r, mode; } pc = {
        out->w, out->h, out->c, out->cstep, in->w, in->cstep, aim_nn_pi(l, 0, 1),
        aim_nn_pi(l, 1, 0),
    };
    AimVkBinding bind[2] = { in->bind, out->bind };
    return aim_nn_vk_dispatch(rc, l, "pixelshuffle", NULL, 0, bind, 2, &pc, sizeof(pc),
                              aim_nn_vk_groups((int64_t)out->w * out->h, 64),
                              (uint32_t)out->c, 1);
}

const AimNnVkOp aim_nn_vk_op_pixelshuffle = { "PixelShuffle", NULL, NULL, ps_record };
