// The simple engines, kept for comparison and debugging (--interp dup|blend):
//   dup:   out = f0.
//   blend: out = (1-t)*f0 + t*f1, 12-bit fixed-point weights, rounded (exact where f0 == f1).
#include <stdlib.h>
#include <string.h>

#include "engine.h"

typedef struct Simple {
    AimPool *pool;
    const AimFrame *f0, *f1;
    int blend;
    // per render call
    AimFrame *out;
    int w1; ///< weight of f1 in 1/4096
} Simple;

static int simple_create(void **priv, const AimInterpSettings *s, int blend)
{
    Simple *e = calloc(1, sizeof(*e));
    if (!e)
        return AIM_ERR(ENOMEM);
    e->pool = s->pool;
    e->blend = blend;
    *priv = e;
    return 0;
}
static int dup_create(void **priv, const AimInterpSettings *s) { return simple_create(priv, s, 0); }
static int blend_create(void **priv, const AimInterpSettings *s) { return simple_create(priv, s, 1); }

static int simple_set_pair(void *priv, const AimFrame *f0, const AimFrame *f1,
                           const AimMotionMask *mask)
{
    Simple *e = priv;
    e->f0 = f0;
    e->f1 = f1;
    return 0;
}

static void simple_job(void *ctx, int job, int njobs)
{
    Simple *e = ctx;
    for (int p = 0; p < 3; p++) {
        int w = aim_plane_w(e->out, p), y0, y1;
        aim_interp_band(aim_plane_h(e->out, p), job, njobs, &y0, &y1);
        for (int y = y0; y < y1; y++) {
            uint16_t *d = e->out->data[p] + y * e->out->stride[p];
            const uint16_t *a = e->f0->data[p] + y * e->f0->stride[p];
            if (!e->blend) {
                memcpy(d, a, (size_t)w * 2);
                continue;
            }
            const uint16_t *b = e->f1->data[p] + y * e->f1->stride[p];
            const int w1 = e->w1, w0 = 4096 - w1;
            for (int x = 0; x < w; x++)
                d[x] = (uint16_t)((a[x] * w0 + b[x] * w1 + 2048) >> 12);
        }
    }
}

static int simple_render(void *priv, double t, AimFrame *out)
{
    Simple *e = priv;
    e->out = out;
    e->w1 = (int)(t * 4096.0 + 0.5);
    aim_pool_run(e->pool, simple_job, e, 4 * aim_pool_threads(e->pool));
    return 0;
}

static void simple_destroy(void **priv)
{
    if (priv && *priv) {
        free(*priv);
        *priv = NULL;
    }
}

const AimInterpEngine aim_interp_engine_dup = {
    .name = "dup", .create = dup_create, .set_pair = simple_set_pair,
    .render = simple_render, .destroy = simple_destroy,
};
const AimInterpEngine aim_interp_engine_blend = {
    .name = "blend", .create = blend_create, .set_pair = simple_set_pair,
    .render = simple_render, .destroy = simple_destroy,
};
