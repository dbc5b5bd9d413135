// Pooling on the GPU: global max/average (pooling_global.comp, a two-pass parallel reduction)
// and windowed max/average (pooling.comp).
#include "nn/ops.h"
#include "nn/vk/vkop.h"

// Global pooling's pass 0 gives each work group (256 invocations) a chunk of at least
// CHUNK_MIN elements, 16 per invocation, so the serial loads outweigh the group's 8-step tree;
// and at most PARTS_MAX groups per channel, so pass 1's one group per channel reduces the
// partials with one load per invocation. A 1080p plane: 256 groups of 8100 elements.
#define CHUNK_MIN 4096
#define PARTS_MAX 256

static int pool_global(const AimNnVkRec *rc, const AimNnLayer *l, const AimNnVkTensor *in,
                       const AimNnVkTensor *out, int type)
{
    int64_t n = (int64_t)in->w * in->h;
    int64_t parts = n > CHUNK_MIN ? (n + CHUNK_MIN - 1) / CHUNK_MIN : 1;
    parts = parts < PARTS_MAX ? parts : PARTS_MAX;
    int64_t chunk = (n + parts - 1) / parts;
    chunk = (chunk + 255) / 256 * 256; // whole rounds of the group's loop
    parts = n > 0 ? (n + chunk - 1) / chunk : 1;
    struct { int32_t w, h, c, cstep, type, parts, chunk, pass; } pc = {
        in->w, in->h, in->c, in->cstep, type, (int32_t)parts, (int32_t)chunk, 0,
    };
    AimVkBinding bind[3] = { in->bind, out->bind, out->bind }; // binding 2 unread: one part
    if (parts > 1) {
        int err = aim_vk_cmd_scratch(rc->cmd, sizeof(float) * (size_t)parts * (size_t)in->c,
                                     &bind[2]);
        if (err < 0)
            return err;
    }
    int err = aim_nn_vk_dispatch(rc, l, "pooling_global", NULL, 0, bind, 3, &pc, sizeof(pc),
                                 (uint32_t)parts, (uint32_t)in->c, 1);
    if (err < 0 || parts == 1)
        return err;
    aim_vk_cmd_barrier(rc->cmd);
    pc.pass = 1;
    return aim_nn_vk_dispatch(rc, l, "pooling_global", NULL, 0, bind, 3, &pc, sizeof(pc), 1,
                              (uint32_t)in->c, 1);
}

static int pool_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                       const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    AimNnPool p;
    int err = aim_nn_pool_params(l, &p, rc->log);
    if (err < 0)
        return err;
    AimVkBinding bind[2] = { in->bind, out->bind };
    if (p.global)
        return pool_global(rc, l, in, out, p.type);
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
