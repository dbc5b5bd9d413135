// Scale on the GPU (scale.comp): the scales from the layer's weights or from a second input.
#include "nn/vk/vkop.h"

static int scale_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                        const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    int blob = l->nin == 2;
    struct { int32_t w, h, c, cstep, dims, blob, has_bias; } pc = {
        in->w, in->h, in->c, in->cstep, in->dims, blob, l->nw > 1,
    };
    // bindings the variant does not read get the input's
    AimVkBinding bind[5] = { in[0].bind, out->bind, blob ? in[1].bind : in[0].bind,
                             aim_nn_vk_weight(priv, 0, in[0].bind),
                             aim_nn_vk_weight(priv, 1, in[0].bind) };
    return aim_nn_vk_dispatch(rc, l, "scale", NULL, 0, bind, 5, &pc, sizeof(pc),
                              aim_nn_vk_groups((int64_t)in->w * in->h, 64), (uint32_t)in->c, 1);
}

const AimNnVkOp aim_nn_vk_op_scale = { "Scale", aim_nn_vk_weights_init, aim_nn_vk_weights_uninit,
                                       scale_record };
