// Interp on the GPU (interp.comp): nearest, bilinear and bicubic with the CPU op's steps.
#include "nn/ops.h"
#include "nn/vk/vkop.h"

static int interp_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                         const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    int align = aim_nn_pi(l, 6, 0);
    float nx, ny;
    float sx = (float)aim_nn_interp_step(align, in->w, out->w, aim_nn_interp_user_scale(l, 0),
                                         &nx);
    float sy = (float)aim_nn_interp_step(align, in->h, out->h, aim_nn_interp_user_scale(l, 1),
                                         &ny);
    struct { int32_t w, h, c, cstep, iw, ih, icstep, type, align; float sx, sy, nx, ny; } pc = {
        out->w, out->h, out->c, out->cstep, in->w, in->h, in->cstep, aim_nn_pi(l, 0, 0), align,
        sx, sy, nx, ny,
    };
    AimVkBinding bind[2] = { in->bind, out->bind };
    return aim_nn_vk_dispatch(rc, l, "interp", NULL, 0, bind, 2, &pc, sizeof(pc),
                              aim_nn_vk_groups((int64_t)out->w * out->h, 64),
                              (uint32_t)out->c, 1);
}

const AimNnVkOp aim_nn_vk_op_interp = { "Interp", NULL, NULL, interp_record };
