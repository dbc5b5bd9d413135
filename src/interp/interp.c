// Model A dispatcher: validates, owns the pair's references and the mask copy, calls the
// engine, then copies the mask's static blocks bit-exactly from f0 (every engine).
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "engine.h"

static const AimInterpEngine *const engines[] = {
    &aim_interp_engine_classic,
    &aim_interp_engine_blend,
    &aim_interp_engine_dup,
    &aim_interp_engine_rife,
};

struct AimInterp {
    AimInterpSettings s;
    const AimInterpEngine *eng;
    void *priv;
    AimFrame *f0, *f1;
    AimMotionMask mask;   ///< copy; data points to mask_buf
    int has_mask;
    size_t mask_cap;
    AimInterpStats st;
};

void aim_interp_default_settings(AimInterpSettings *s)
{
    memset(s, 0, sizeof(*s));
    s->engine = "classic";
    s->depth = 8;
}

static const char *const fallback_names[] = { "nearest", "blend" };

const char *aim_interp_fallback_name(AimInterpFallback f)
{
    return (unsigned)f < 2 ? fallback_names[f] : "?";
}

int aim_interp_fallback_parse(const char *s, AimInterpFallback *f)
{
    for (int i = 0; s && i < 2; i++)
        if (!strcmp(s, fallback_names[i])) {
            *f = (AimInterpFallback)i;
            return 0;
        }
    return AIM_ERR(EINVAL);
}

static const AimInterpEngine *find_engine(const char *name)
{
    for (size_t i = 0; name && i < sizeof(engines) / sizeof(engines[0]); i++)
        if (!strcmp(name, engines[i]->name))
            return engines[i];
    return NULL;
}

const char *aim_interp_engine_name_at(int i)
{
    return i >= 0 && (size_t)i < sizeof(engines) / sizeof(engines[0]) ? engines[i]->name : NULL;
}

int aim_interp_engine_known(const char *name) { return find_engine(name) != NULL; }

int aim_interp_create(AimInterp **out, const AimInterpSettings *s)
{
    if (!out || !s)
        return AIM_ERR(EINVAL);
    const char *name = s->engine ? s->engine : "classic";
    const AimInterpEngine *eng = find_engine(name);
    if (!eng) {
        aim_log(&s->log, AIM_LOG_ERROR, "interp: unknown engine '%s' (classic, blend, dup, rife)", name);
        return AIM_ERR(EINVAL);
    }
    if (s->width < 16 || s->height < 16 || s->width > 16384 || s->height > 16384 ||
        (s->depth != 8 && s->depth != 10)) {
        aim_log(&s->log, AIM_LOG_ERROR, "interp: bad size %dx%d or depth %d (16x16 or more, "
                "8 or 10 bit)", s->width, s->height, s->depth);
        return AIM_ERR(EINVAL);
    }
    if (s->flow_downscale != 0 && s->flow_downscale != 1 && s->flow_downscale != 2 &&
        s->flow_downscale != 4 && s->flow_downscale != 8) {
        aim_log(&s->log, AIM_LOG_ERROR, "interp: flow_downscale %d not in {0,1,2,4,8}",
                s->flow_downscale);
        return AIM_ERR(EINVAL);
    }
    if (s->fallback != AIM_INTERP_FALLBACK_NEAREST && s->fallback != AIM_INTERP_FALLBACK_BLEND) {
        aim_log(&s->log, AIM_LOG_ERROR, "interp: unknown fallback %d", (int)s->fallback);
        return AIM_ERR(EINVAL);
    }
    AimInterp *ip = calloc(1, sizeof(*ip));
    if (!ip)
        return AIM_ERR(ENOMEM);
    ip->s = *s;
    ip->s.engine = eng->name;
    ip->s.models_dir = NULL; // not kept: the caller's string need not outlive create
    ip->eng = eng;
    int err = eng->create(&ip->priv, s);
    if (err < 0) {
        free(ip);
        return err;
    }
    *out = ip;
    return 0;
}

void aim_interp_destroy(AimInterp **pip)
{
    if (!pip || !*pip)
        return;
    AimInterp *ip = *pip;
    ip->eng->destroy(&ip->priv);
    aim_frame_unref(&ip->f0);
    aim_frame_unref(&ip->f1);
    free(ip->mask.data);
    free(ip);
    *pip = NULL;
}

static int frame_ok(const AimInterp *ip, const AimFrame *f)
{
    return f && f->width == ip->s.width && f->height == ip->s.height && f->depth == ip->s.depth;
}

int aim_interp_set_pair(AimInterp *ip, AimFrame *f0, AimFrame *f1, const AimMotionMask *mask)
{
    if (!ip)
        return AIM_ERR(EINVAL);
    aim_frame_unref(&ip->f0);
    aim_frame_unref(&ip->f1);
    ip->has_mask = 0;
    if (!frame_ok(ip, f0) || !frame_ok(ip, f1))
        return AIM_ERR(EINVAL);
    if (mask) {
        if (!mask->data || mask->block < 2 || (mask->block & 1) ||
            mask->w != (ip->s.width + mask->block - 1) / mask->block ||
            mask->h != (ip->s.height + mask->block - 1) / mask->block)
            return AIM_ERR(EINVAL);
        size_t n = (size_t)mask->w * (size_t)mask->h;
        if (n > ip->mask_cap) {
            uint8_t *d = realloc(ip->mask.data, n);
            if (!d)
                return AIM_ERR(ENOMEM);
            ip->mask.data = d;
            ip->mask_cap = n;
        }
        memcpy(ip->mask.data, mask->data, n);
        ip->mask.w = mask->w;
        ip->mask.h = mask->h;
        ip->mask.block = mask->block;
        ip->has_mask = 1;
    }
    double t0 = aim_now_s();
    int err = ip->eng->set_pair(ip->priv, f0, f1, ip->has_mask ? &ip->mask : NULL);
    if (err < 0) {
        ip->has_mask = 0;
        return err;
    }
    ip->st.set_pair_s += aim_now_s() - t0;
    ip->st.pairs++;
    ip->f0 = aim_frame_ref(f0);
    ip->f1 = aim_frame_ref(f1);
    return 0;
}

// Copies the blocks with mask 0 from f0, all three planes (chroma blocks are block/2).
static void copy_static(const AimMotionMask *m, const AimFrame *f0, AimFrame *out)
{
    for (int p = 0; p < 3; p++) {
        int pw = aim_plane_w(f0, p), ph = aim_plane_h(f0, p);
        int b = p ? m->block / 2 : m->block;
        for (int by = 0; by < m->h; by++) {
            int y0 = by * b, y1 = y0 + b < ph ? y0 + b : ph;
            const uint8_t *mrow = m->data + (size_t)by * m->w;
            int bx = 0, b0, b1;
            while (aim_mask_next_run(mrow, m->w, 0, &bx, &b0, &b1)) {
                // a run of static blocks: one memcpy per row
                int x0 = b0 * b, x1 = b1 * b < pw ? b1 * b : pw;
                for (int y = y0; y < y1; y++)
                    memcpy(out->data[p] + y * out->stride[p] + x0,
                           f0->data[p] + y * f0->stride[p] + x0, (size_t)(x1 - x0) * 2);
            }
        }
    }
}

// Render into `out`, or on the device when `dev` is set (render_device's 1). Not checked
// against aim_interp_device: an engine that fell back to the CPU since still takes `dev` (and
// renders into `out`).
static int render(AimInterp *ip, double t, AimFrame *out, struct AimNnGpuYuv *dev)
{
    if (!ip || !ip->f0 || !(t > 0.0 && t < 1.0) || !frame_ok(ip, out) ||
        (dev && !ip->eng->render_device))
        return AIM_ERR(EINVAL);
    double t0 = aim_now_s();
    int err = dev ? ip->eng->render_device(ip->priv, t, out, dev)
                  : ip->eng->render(ip->priv, t, out);
    if (err < 0)
        return err;
    if (ip->has_mask && !err)
        copy_static(&ip->mask, ip->f0, out);
    aim_frame_copy_props(out, ip->f0);
    ip->st.render_s += aim_now_s() - t0;
    ip->st.frames++;
    return err;
}

int aim_interp_render(AimInterp *ip, double t, AimFrame *out)
{
    return render(ip, t, out, NULL);
}

struct AimVkDevice *aim_interp_device(const AimInterp *ip)
{
    return ip && ip->eng->device && ip->eng->render_device ? ip->eng->device(ip->priv) : NULL;
}

int aim_interp_render_device(AimInterp *ip, double t, AimFrame *out, struct AimNnGpuYuv *dev)
{
    return dev ? render(ip, t, out, dev) : AIM_ERR(EINVAL);
}

const char *aim_interp_engine_name(const AimInterp *ip) { return ip ? ip->eng->name : "none"; }

void aim_interp_get_stats(const AimInterp *ip, AimInterpStats *st)
{
    memset(st, 0, sizeof(*st));
    if (!ip)
        return;
    *st = ip->st;
    if (ip->eng->get_stats)
        ip->eng->get_stats(ip->priv, st);
}
