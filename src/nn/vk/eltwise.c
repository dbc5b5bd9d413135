// Eltwise on the GPU (eltwise.comp): two inputs per dispatch; a third and later input is
// combined with the output so far (a chain of dispatches with barriers).
#include "nn/vk/vkop.h"

static int eltwise_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                          const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    int op = aim_nn_pi(l, 0, 0);
    const AimNnParam *cp = &l->p[1];
    int coef = cp->type == AIM_NN_P_ARRAY && cp->n;
    struct { int32_t w, h, c, cstep, op; float ca, cb; } pc = {
        out->w, out->h, out->c, out->cstep, op, coef ? cp->af[0] : 1.f, 1.f,
    };
    if (l->nin == 1) { // out = in * c0: a sum with a zero second term
        pc.op = 1;
        pc.cb = 0.f;
    }
    int err = 0;
    for (int k = 1; k < (l->nin > 1 ? l->nin : 2) && !err; k++) {
        if (k > 1) {
            aim_vk_cmd_barrier(rc->cmd);
            pc.ca = 1.f;
        }
        pc.cb = l->nin == 1 ? 0.f : coef ? cp->af[k] : 1.f;
        AimVkBinding bind[3] = { k > 1 ? out->bind : in[0].bind,
                                 l->nin > 1 ? in[k].bind : in[0].bind, out->bind };
        err = aim_nn_vk_dispatch(rc, l, "eltwise", NULL, 0, bind, 3, &pc, sizeof(pc),
                                 aim_nn_vk_groups((int64_t)out->w * out->h, 64),
                                 (uint32_t)out->c, 1);
    }
    return err;
}

const AimNnVkOp aim_nn_vk_op_eltwise = { "Eltwise", NULL, NULL, eltwise_record };
