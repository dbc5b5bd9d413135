// PReLU on the GPU (prelu.comp): the slopes uploaded once per net, in fp32.
#include "nn/vk/vkop.h"

static int prelu_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                        const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    struct { int32_t w, h, c, cstep, dims, n; } pc = {
        in->w, in->h, in->c, in->cstep, in->dims, (int32_t)l->wn[0],
    };
    AimVkBinding bind[3] = { in->bind, out->bind, aim_nn_vk_weight(priv, 0, in->bind) };
    return aim_nn_vk_dispatch(rc, l, "prelu", NULL, 0, bind, 3, &pc, sizeof(pc),
                              aim_nn_vk_groups((int64_t)in->w * in->h, 64), (uint32_t)in->c, 1);
}

const AimNnVkOp aim_nn_vk_op_prelu = { "PReLU", aim_nn_vk_weights_init, aim_nn_vk_weights_uninit,
                                       prelu_record };
