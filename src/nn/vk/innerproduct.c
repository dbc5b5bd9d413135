// InnerProduct on the GPU (innerproduct.comp): a workgroup per output, weights in fp32.
#include "nn/ops.h"
#include "nn/vk/vkop.h"

static int ip_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                     const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    AimNnAct act;
    int err = aim_nn_act_parse(l, &act, rc->log);
    if (err < 0)
        return err;
    int32_t nout = aim_nn_pi(l, 0, 0);
    struct { int32_t plane, c, cstep, has_bias, act; float a, b; int32_t nout; } pc = {
        in->w * in->h, in->c, in->cstep, l->nw > 1, act.type, act.a, act.b, nout,
    };
    AimVkBinding bind[4] = { in->bind, out->bind, aim_nn_vk_weight(priv, 0, in->bind),
                             aim_nn_vk_weight(priv, 1, in->bind) };
    return aim_nn_vk_dispatch(rc, l, "innerproduct", NULL, 0, bind, 4, &pc, sizeof(pc),
                              (uint32_t)nout, 1, 1);
}

const AimNnVkOp aim_nn_vk_op_innerproduct = { "InnerProduct", aim_nn_vk_weights_init,
                                              aim_nn_vk_weights_uninit, ip_record };
