// The ops that copy windows of tensors on the GPU (copy.comp): Crop, Slice, Concat.
#include "nn/ops.h"
#include "nn/ops_rife.h"
#include "nn/vk/vkop.h"

// Copies the w x h x c window at (ix, iy, ic) of `in` to (ox, oy, oc) of `out`.
static int copy_window(const AimNnVkRec *rc, const AimNnLayer *l, const AimNnVkTensor *in,
                       int ix, int iy, int ic, const AimNnVkTensor *out, int ox, int oy, int oc,
                       int w, int h, int c)
{
    struct { int32_t w, h, c, iw, icstep, ix, iy, ic, ow, ocstep, ox, oy, oc; } pc = {
        w, h, c, in->w, in->cstep, ix, iy, ic, out->w, out->cstep, ox, oy, oc,
    };
    AimVkBinding bind[2] = { in->bind, out->bind };
    return aim_nn_vk_dispatch(rc, l, "copy", NULL, 0, bind, 2, &pc, sizeof(pc),
                              aim_nn_vk_groups((int64_t)w * h, 64), (uint32_t)c, 1);
}

static int crop_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                       const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    AimNnMat a = aim_nn_vk_mat(&in[0]), ref;
    if (l->nin > 1)
        ref = aim_nn_vk_mat(&in[1]);
    AimNnCropWin r;
    int err = aim_nn_crop_window(l, &a, l->nin > 1 ? &ref : NULL, &r, rc->log);
    if (err < 0)
        return err;
    return copy_window(rc, l, &in[0], r.x0, r.y0, r.c0, out, 0, 0, 0, r.w, r.h, r.c);
}

static int slice_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                        const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    AimNnMat a = aim_nn_vk_mat(&in[0]);
    int k, sz[256], off = 0, err = aim_nn_slice_sizes(l, &a, &k, sz, rc->log);
    for (int i = 0; i < l->nout && !err; i++) {
        err = copy_window(rc, l, &in[0], k == 2 ? off : 0, k == 1 ? off : 0, k == 0 ? off : 0,
                          &out[i], 0, 0, 0, out[i].w, out[i].h, out[i].c);
        off += sz[i];
    }
    return err;
}

static int concat_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                         const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    int dims = in[0].dims, ax = aim_nn_pi(l, 0, 0);
    ax = ax < 0 ? ax + dims : ax;
    int k = ax + 3 - dims, off = 0, err = 0; // k: 0 channels, 1 rows, 2 columns
    for (int i = 0; i < l->nin && !err; i++) {
        err = copy_window(rc, l, &in[i], 0, 0, 0, out, k == 2 ? off : 0, k == 1 ? off : 0,
                          k == 0 ? off : 0, in[i].w, in[i].h, in[i].c);
        off += k == 0 ? in[i].c : k == 1 ? in[i].h : in[i].w;
    }
    return err;
}

const AimNnVkOp aim_nn_vk_op_crop = { "Crop", NULL, NULL, crop_record };
const AimNnVkOp aim_nn_vk_op_slice = { "Slice", NULL, NULL, slice_record };
const AimNnVkOp aim_nn_vk_op_concat = { "Concat", NULL, NULL, concat_record };
