// Pooling on the GPU: global max/average (pooling_global.comp, a workgroup per channel) and
// windowed max/average (pooling.comp).
#include "nn/ops.h"
#include "nn/vk/vkop.h"

static int pool_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                       const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    AimNnPool p;
    int err = aim_nn_pool_params(l, &p, rc->log);
    if (err < 0)
        return err;
    AimVkBinding bind[2] = { in->bind, out->bind };
    if (p.global) {
        struct { int32_t w, h, c, cstep, type; } pc = { in->w, in->h, in->c, in->cstep, p.type };
        return aim_nn_vk_dispatch(rc, l, "pooling_global", NULL, 0, bind, 2, &pc, sizeof(pc),
                                  (uint32_t)in->c, 1, 1);
    }
    // the tail padding of pad_mode 0 only extends the output; windows skip pixels outside
    struct {
        int32_t w, h, c, cstep, iw, ih, icstep, type, kw, kh, sw, sh, pl, pt, pr, pb, incl;
    } pc = {
        out->w, out->h, out->c, out->cstep, in->w, in->h, in->cstep, p.type, p.kw, p.kh, p.sw,
        p.sh, p.pl, p.pt, p.pr, p.pb, p.incl,
    };
    return aim_nn_vk_dispatch(rc, l, "pooling", NULL, 0, bind, 2, &pc, sizeof(pc),
                              aim_nn_vk_groups((int64_t)out->w * out->h, 64),
                              (uint32_t)out->c, 1);
}

const AimNnVkOp aim_nn_vk_op_pooling = { "Pooling", NULL, NULL, pool_record };
