// rife.Warp on the GPU (warp.comp).
#include "nn/vk/vkop.h"

static int warp_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                       const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    struct { int32_t w, h, c, cstep, fcstep; } pc = {
        in[0].w, in[0].h, in[0].c, in[0].cstep, in[1].cstep,
    };
    AimVkBinding bind[3] = { in[0].bind, in[1].bind, out->bind };
    return aim_nn_vk_dispatch(rc, l, "warp", NULL, 0, bind, 3, &pc, sizeof(pc),
                              aim_nn_vk_groups((int64_t)in[0].w * in[0].h, 64), 1, 1);
}

const AimNnVkOp aim_nn_vk_op_rife_warp = { "rife.Warp", NULL, NULL, warp_record };
