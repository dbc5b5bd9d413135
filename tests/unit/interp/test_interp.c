// Model A: engines on synthetic pairs with known motion (fast; no ../shared needed).
#include <math.h>
#include <string.h>

#include "core/cpu.h"
#include "frames.h"
#include "interp/flow.h"
#include "interp/interp.h"
#include "test.h"

// Smooth texture with features at several scales (no aliasing at the sizes used).
static double tex(double x, double y)
{
    return 128 + 40 * sin(0.11 * x + 0.07 * y) + 30 * sin(0.05 * x - 0.13 * y + 1.0) +
           20 * sin(0.23 * x + 0.19 * y + 2.0) + 10 * cos(0.31 * x - 0.27 * y);
}

typedef struct Scene {
    double dx, dy;     ///< translation of the texture
    double rot;        ///< rotation (radians) about the centre
    int shape;         ///< draw an outlined disc over a flat background instead
    double cx, cy, r;  ///< disc
} Scene;

// Draws the scene into f (luma; chroma gets a related pattern so all planes move).
static void draw(AimFrame *f, const Scene *sc)
{
    int w = f->width, h = f->height, sh = f->depth - 8;
    for (int p = 0; p < 3; p++) {
        int pw = aim_plane_w(f, p), ph = aim_plane_h(f, p), s = p ? 2 : 1;
        for (int y = 0; y < ph; y++)
            for (int x = 0; x < pw; x++) {
                double X = (x + 0.5) * s - 0.5, Y = (y + 0.5) * s - 0.5, v;
                if (sc->shape) {
                    // flat background with a few static dark lines (line art that never moves)
                    v = (((int)X / 40 + (int)Y / 40) & 1) ? 200 : 170;
                    if (((int)X % 40) < 2)
                        v = 30;
                    double d = hypot(X - sc->cx, Y - sc->cy);
                    if (d < sc->r + 2.0)
                        v = d < sc->r - 1.0 ? 90 + p * 20 : 20; // disc with a 3 px outline
                } else {
                    double cx = w / 2.0, cy = h / 2.0, c = cos(sc->rot), sn = sin(sc->rot);
                    double xr = cx + c * (X - cx) + sn * (Y - cy) - sc->dx;
                    double yr = cy - sn * (X - cx) + c * (Y - cy) - sc->dy;
                    v = tex(xr + p * 17, yr - p * 11);
                }
                v = v < 0 ? 0 : v > 255 ? 255 : v;
                f->data[p][y * f->stride[p] + x] = (uint16_t)lrint(v * (1 << sh));
            }
    }
    (void)h;
}

static AimFrame *make(int w, int h, int depth, const Scene *sc)
{
    AimFrame *f = NULL;
    if (aim_frame_alloc(&f, w, h, depth, 0) < 0)
        return NULL;
    draw(f, sc);
    return f;
}

// Mean endpoint error (frame pixels) of the flow f0 -> f1 over the interior (a margin of
// `margin` frame pixels left out: there the motion leaves the picture).
static double flow_epe(const AimFrame *f0, const AimFrame *f1, int d, unsigned cpu,
                       double (*truth)(double x, double y, int comp, const void *ctx),
                       const void *ctx, int margin)
{
    AimInterpDsp dsp;
    aim_interp_dsp_init(&dsp, cpu);
    int fw = f0->width / d, fh = f0->height / d;
    AimFlowSettings fs;
    aim_flow_default_settings(&fs, fw, fh, &dsp);
    AimFlowPyr p0, p1;
    AimFlow *fl = NULL;
    if (aim_flow_pyr_alloc(&p0, fw, fh, fs.levels) < 0 || aim_flow_pyr_alloc(&p1, fw, fh, fs.levels) < 0 ||
        aim_flow_create(&fl, &fs) < 0)
        return 1e9;
    aim_flow_pyr_build(&p0, f0, d, &dsp);
    aim_flow_pyr_build(&p1, f1, d, &dsp);
    aim_flow_compute(fl, &p0, &p1);
    const float *u = aim_flow_u(fl), *v = aim_flow_v(fl);
    double sum = 0;
    int n = 0;
    for (int y = 0; y < fh; y++)
        for (int x = 0; x < fw; x++) {
            double X = (x + 0.5) * d - 0.5, Y = (y + 0.5) * d - 0.5;
            if (X < margin || Y < margin || X >= f0->width - margin || Y >= f0->height - margin)
                continue;
            double tu = truth(X, Y, 0, ctx), tv = truth(X, Y, 1, ctx);
            if (isnan(tu)) // no defined truth there (next to a motion boundary)
                continue;
            double eu = u[y * fw + x] * d - tu;
            double ev = v[y * fw + x] * d - tv;
            sum += sqrt(eu * eu + ev * ev);
            n++;
        }
    aim_flow_destroy(&fl);
    aim_flow_pyr_free(&p0);
    aim_flow_pyr_free(&p1);
    return n ? sum / n : 1e9;
}

static double truth_scene(double x, double y, int comp, const void *ctx)
{
    // f0 shows the scene s0, f1 the scene s1: for a translation the flow is the shift
    // difference; for a rotation by a about the centre, f1(x) = f0(R^-1 x) so a point at x in
    // f0 moves to R x.
    const Scene *s = ctx; // s[0] for f0, s[1] for f1
    if (s[1].rot != s[0].rot) {
        double a = s[1].rot - s[0].rot, c = cos(a), sn = sin(a);
        double cx = s[2].cx, cy = s[2].cy; // centre stored in s[2]
        double xr = cx + c * (x - cx) - sn * (y - cy), yr = cy + sn * (x - cx) + c * (y - cy);
        return comp ? yr - y : xr - x;
    }
    return comp ? s[1].dy - s[0].dy : s[1].dx - s[0].dx;
}

// The disc scene: the disc's inside moves with the disc, the background far from both of its
// positions stays; the band around the outlines (where f0 and f1 disagree about what is
// visible) has no single truth and is left out.
static double truth_disc(double x, double y, int comp, const void *ctx)
{
    const Scene *s = ctx;
    double d0 = hypot(x - s[0].cx, y - s[0].cy), d1 = hypot(x - s[1].cx, y - s[1].cy);
    if (d0 < s[0].r - 4)
        return comp ? s[1].cy - s[0].cy : s[1].cx - s[0].cx;
    if (d0 > s[0].r + 40 && d1 > s[1].r + 40)
        return 0;
    return NAN;
}

static void test_flow_disc(unsigned cpu)
{
    Scene s[2] = { { .shape = 1, .cx = 100, .cy = 90, .r = 24 },
                   { .shape = 1, .cx = 124, .cy = 100, .r = 24 } };
    AimFrame *f0 = make(320, 192, 8, &s[0]), *f1 = make(320, 192, 8, &s[1]);
    double epe = flow_epe(f0, f1, 1, cpu, truth_disc, s, 0);
    // Bound: measured 0.03 px; 0.15 leaves room for the smoothness fill of the flat parts
    // (only the outlines constrain them), a wrong motion gives several px.
    fprintf(stderr, "  flow outlined disc (24,10) cpu %u: mean EPE %.3f px (bound 0.15)\n", cpu, epe);
    CHECK_MSG(epe < 0.15, "disc EPE %.3f", epe);
    aim_frame_unref(&f0);
    aim_frame_unref(&f1);
}

static void test_flow_accuracy(unsigned cpu)
{
    const int w = 320, h = 240;
    struct {
        const char *name;
        Scene s0, s1;
        int d;
        double bound; // mean EPE bound in frame pixels
    } cases[] = {
        // Bounds: measured EPE (printed below) with about 2x headroom; a broken search or a
        // sign error gives several pixels.
        { "translation (7,-4)", { 0 }, { .dx = 7, .dy = -4 }, 1, 0.10 },
        { "sub-pixel (2.5,1.25)", { 0 }, { .dx = 2.5, .dy = 1.25 }, 1, 0.10 },
        { "large (23,11) at 1/2", { 0 }, { .dx = 23, .dy = 11 }, 2, 0.30 },
        { "rotation 3 deg", { 0 }, { .rot = 3 * M_PI / 180 }, 1, 0.30 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        AimFrame *f0 = make(w, h, 8, &cases[i].s0), *f1 = make(w, h, 8, &cases[i].s1);
        Scene ctx[3] = { cases[i].s0, cases[i].s1, { .cx = w / 2.0 - 0.5, .cy = h / 2.0 - 0.5 } };
        // The texture is drawn with the rotation about (w/2, h/2) in pixel-centre coordinates
        // shifted by half a pixel; use the same centre as draw().
        ctx[2].cx = w / 2.0;
        ctx[2].cy = h / 2.0;
        double epe = flow_epe(f0, f1, cases[i].d, cpu, truth_scene, ctx, 32);
        fprintf(stderr, "  flow %-22s cpu %u: mean EPE %.3f px (bound %.2f)\n", cases[i].name,
                cpu, epe, cases[i].bound);
        CHECK_MSG(epe < cases[i].bound, "%s EPE %.3f", cases[i].name, epe);
        aim_frame_unref(&f0);
        aim_frame_unref(&f1);
    }
}

static AimInterp *mk(const char *engine, int w, int h, int depth, unsigned cpu, AimPool *pool)
{
    AimInterpSettings s;
    aim_interp_default_settings(&s);
    s.engine = engine;
    s.width = w;
    s.height = h;
    s.depth = depth;
    s.cpu_flags = cpu;
    s.pool = pool;
    AimInterp *ip = NULL;
    int err = aim_interp_create(&ip, &s);
    CHECK_EQ_INT(err, 0);
    return ip;
}


static void test_api(void)
{
    AimInterpSettings s;
    aim_interp_default_settings(&s);
    CHECK(!strcmp(s.engine, "classic"));
    AimInterp *ip = NULL;
    s.width = 64;
    s.height = 48;
    s.engine = "rife-nope";
    CHECK_EQ_INT(aim_interp_create(&ip, &s), AIM_ERR(EINVAL));
    s.engine = "classic";
    s.depth = 9;
    CHECK_EQ_INT(aim_interp_create(&ip, &s), AIM_ERR(EINVAL));
    s.depth = 8;
    s.flow_downscale = 3;
    CHECK_EQ_INT(aim_interp_create(&ip, &s), AIM_ERR(EINVAL));
    s.flow_downscale = 0;
    s.fallback = (AimInterpFallback)7;
    CHECK_EQ_INT(aim_interp_create(&ip, &s), AIM_ERR(EINVAL));
    s.fallback = AIM_INTERP_FALLBACK_NEAREST;
    CHECK(ip == NULL);
    CHECK_EQ_INT(aim_interp_create(&ip, &s), 0);
    CHECK(!strcmp(aim_interp_engine_name(ip), "classic"));
    AimFrame *a = NULL, *b = NULL, *o = NULL;
    aim_frame_alloc(&a, 64, 48, 8, 1);
    aim_frame_alloc(&b, 64, 40, 8, 1);
    aim_frame_alloc(&o, 64, 48, 8, 1);
    CHECK_EQ_INT(aim_interp_render(ip, 0.5, o), AIM_ERR(EINVAL)); // no pair yet
    CHECK_EQ_INT(aim_interp_set_pair(ip, a, b, NULL), AIM_ERR(EINVAL));
    AimMotionMask bad = { .data = (uint8_t[4]){ 0 }, .w = 2, .h = 2, .block = 16 };
    CHECK_EQ_INT(aim_interp_set_pair(ip, a, a, &bad), AIM_ERR(EINVAL)); // 64/16 = 4 blocks wide
    CHECK_EQ_INT(aim_interp_set_pair(ip, a, a, NULL), 0);
    CHECK_EQ_INT(aim_interp_render(ip, 0.0, o), AIM_ERR(EINVAL));
    CHECK_EQ_INT(aim_interp_render(ip, 1.0, o), AIM_ERR(EINVAL));
    CHECK_EQ_INT(aim_interp_render(ip, 0.5, b), AIM_ERR(EINVAL));
    CHECK_EQ_INT(aim_interp_render(ip, 0.5, o), 0);
    AimInterpStats st;
    aim_interp_get_stats(ip, &st);
    CHECK_EQ_INT(st.pairs, 1);
    CHECK_EQ_INT(st.frames, 1);
    CHECK_EQ_INT(st.nstages, 7);
    aim_interp_destroy(&ip);
    CHECK(ip == NULL);
    aim_interp_destroy(&ip);
    aim_frame_unref(&a);
    aim_frame_unref(&b);
    aim_frame_unref(&o);
}

// I0 == I1 renders I0 exactly, in every engine, 8 and 10 bit, at several t.
static void test_identity(unsigned cpu)
{
    const char *engines[] = { "classic", "blend", "dup" };
    for (int depth = 8; depth <= 10; depth += 2)
        for (int e = 0; e < 3; e++) {
            Scene sc = { .dx = 3 };
            AimFrame *f0 = make(200, 120, depth, &sc), *f1 = make(200, 120, depth, &sc), *o = NULL;
            aim_frame_alloc(&o, 200, 120, depth, 0);
            AimInterp *ip = mk(engines[e], 200, 120, depth, cpu, NULL);
            CHECK_EQ_INT(aim_interp_set_pair(ip, f0, f1, NULL), 0);
            double ts[] = { 0.25, 0.5, 0.75 };
            for (int i = 0; i < 3; i++) {
                CHECK_EQ_INT(aim_interp_render(ip, ts[i], o), 0);
                CHECK_MSG(test_frames_same(o, f0), "%s %d-bit t=%.2f", engines[e], depth, ts[i]);
            }
            aim_interp_destroy(&ip);
            aim_frame_unref(&f0);
            aim_frame_unref(&f1);
            aim_frame_unref(&o);
        }
}

// Blend is the rounded weighted average; dup is f0.
static void test_simple_engines(void)
{
    AimFrame *f0 = NULL, *f1 = NULL, *o = NULL;
    aim_frame_alloc(&f0, 40, 30, 10, 1);
    aim_frame_alloc(&f1, 40, 30, 10, 1);
    aim_frame_alloc(&o, 40, 30, 10, 1);
    for (int p = 0; p < 3; p++)
        for (int y = 0; y < aim_plane_h(f0, p); y++)
            for (int x = 0; x < aim_plane_w(f0, p); x++) {
                f0->data[p][y * f0->stride[p] + x] = (uint16_t)((x * 37 + y * 11 + p) % 1024);
                f1->data[p][y * f1->stride[p] + x] = (uint16_t)((x * 5 + y * 91) % 1024);
            }
    AimInterp *ip = mk("blend", 40, 30, 10, 0, NULL);
    aim_interp_set_pair(ip, f0, f1, NULL);
    aim_interp_render(ip, 0.25, o);
    int bad = 0;
    for (int p = 0; p < 3; p++)
        for (int y = 0; y < aim_plane_h(f0, p); y++)
            for (int x = 0; x < aim_plane_w(f0, p); x++) {
                double ref = 0.75 * f0->data[p][y * f0->stride[p] + x] +
                             0.25 * f1->data[p][y * f1->stride[p] + x];
                bad += fabs(o->data[p][y * o->stride[p] + x] - ref) > 0.5;
            }
    CHECK_EQ_INT(bad, 0);
    aim_interp_destroy(&ip);
    ip = mk("dup", 40, 30, 10, 0, NULL);
    aim_interp_set_pair(ip, f0, f1, NULL);
    aim_interp_render(ip, 0.5, o);
    CHECK(test_frames_same(o, f0));
    aim_interp_destroy(&ip);
    aim_frame_unref(&f0);
    aim_frame_unref(&f1);
    aim_frame_unref(&o);
}

// Centroid and area of the disc's fill in luma.
static void disc_centroid(const AimFrame *f, double *cx, double *cy, double *area)
{
    double sx = 0, sy = 0, n = 0;
    int sh = f->depth - 8;
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++) {
            int v = f->data[0][y * f->stride[0] + x] >> sh;
            if (v >= 60 && v <= 120) { // the disc fill (90); background 170/200, lines 20/30
                sx += x;
                sy += y;
                n++;
            }
        }
    *cx = n ? sx / n : -1;
    *cy = n ? sy / n : -1;
    *area = n;
}

// A moving outlined disc over a static background with static line art: the disc lands where
// it should at t, and every static block is bit-exact, in every engine and with the pool.
static void test_moving_shape(unsigned cpu, AimPool *pool)
{
    const int w = 320, h = 192, B = 16;
    for (int depth = 8; depth <= 10; depth += 2) {
        Scene s0 = { .shape = 1, .cx = 100, .cy = 90, .r = 24 };
        Scene s1 = s0;
        s1.cx += 24;
        s1.cy += 10;
        AimFrame *f0 = make(w, h, depth, &s0), *f1 = make(w, h, depth, &s1), *o = NULL;
        aim_frame_alloc(&o, w, h, depth, 0);
        // the gate's mask: blocks where f0 and f1 differ
        AimMotionMask m = { .w = w / B, .h = h / B, .block = B };
        uint8_t mdata[(320 / 16) * (192 / 16)];
        m.data = mdata;
        for (int by = 0; by < m.h; by++)
            for (int bx = 0; bx < m.w; bx++) {
                int diff = 0;
                for (int y = by * B; y < (by + 1) * B; y++)
                    for (int x = bx * B; x < (bx + 1) * B; x++)
                        diff |= f0->data[0][y * f0->stride[0] + x] != f1->data[0][y * f1->stride[0] + x];
                mdata[by * m.w + bx] = (uint8_t)diff;
            }
        const char *engines[] = { "classic", "blend", "dup" };
        for (int e = 0; e < 3; e++) {
            AimInterp *ip = mk(engines[e], w, h, depth, cpu, pool);
            CHECK_EQ_INT(aim_interp_set_pair(ip, f0, f1, &m), 0);
            double ts[] = { 0.5, 0.25, 0.75 };
            for (int i = 0; i < 3; i++) {
                CHECK_EQ_INT(aim_interp_render(ip, ts[i], o), 0);
                int bad = 0;
                for (int p = 0; p < 3; p++) {
                    int bs = p ? B / 2 : B;
                    for (int y = 0; y < aim_plane_h(o, p); y++)
                        for (int x = 0; x < aim_plane_w(o, p); x++)
                            if (!mdata[(y / bs) * m.w + x / bs])
                                bad += o->data[p][y * o->stride[p] + x] !=
                                       f0->data[p][y * f0->stride[p] + x];
                }
                CHECK_MSG(bad == 0, "%s t=%.2f: %d static pixels changed", engines[e], ts[i], bad);
                if (!strcmp(engines[e], "classic")) {
                    double cx, cy, area, a0, dummy;
                    disc_centroid(o, &cx, &cy, &area);
                    disc_centroid(f0, &dummy, &dummy, &a0);
                    double ex = s0.cx + ts[i] * (s1.cx - s0.cx) - 0.5;
                    double ey = s0.cy + ts[i] * (s1.cy - s0.cy) - 0.5;
                    fprintf(stderr, "  disc %d-bit t=%.2f: centroid (%.2f, %.2f), expected "
                            "(%.2f, %.2f), area %.0f (source %.0f)\n", depth, ts[i], cx, cy, ex,
                            ey, area, a0);
                    // One disc, not two and not a blend of two (a ghost halves the fill's
                    // contrast, a duplicate doubles its area): area within 15%.
                    CHECK_NEAR(area / a0, 1.0, 0.15);
                    // At t = 0.5 it lands where it should. Measured 0.7 px off in x: the flow
                    // of a flat disc over flat squares is only known at their outlines. At
                    // 0.25/0.75 parts of the trailing side fall back to the nearer frame (the
                    // no-ghost rule), so only the area is checked there.
                    if (ts[i] == 0.5) {
                        CHECK_NEAR(cx, ex, 1.0);
                        CHECK_NEAR(cy, ey, 1.0);
                    }
                }
            }
            aim_interp_destroy(&ip);
        }
        // The classic engine warps only the mask's moving blocks: inside them the result is
        // the same as without a mask (bit for bit), outside it is f0.
        AimInterp *ia = mk("classic", w, h, depth, cpu, pool), *ib = mk("classic", w, h, depth, cpu, pool);
        AimFrame *o2 = NULL;
        aim_frame_alloc(&o2, w, h, depth, 0);
        CHECK_EQ_INT(aim_interp_set_pair(ia, f0, f1, &m), 0);
        CHECK_EQ_INT(aim_interp_set_pair(ib, f0, f1, NULL), 0);
        CHECK_EQ_INT(aim_interp_render(ia, 0.5, o), 0);
        CHECK_EQ_INT(aim_interp_render(ib, 0.5, o2), 0);
        int moving = 0, differ = 0;
        for (int p = 0; p < 3; p++) {
            int bs = p ? B / 2 : B;
            for (int y = 0; y < aim_plane_h(o, p); y++)
                for (int x = 0; x < aim_plane_w(o, p); x++)
                    if (mdata[(y / bs) * m.w + x / bs]) {
                        moving++;
                        differ += o->data[p][y * o->stride[p] + x] != o2->data[p][y * o2->stride[p] + x];
                    }
        }
        CHECK_MSG(moving > 0 && differ == 0, "%d of %d moving-block samples differ with the mask",
                  differ, moving);
        aim_interp_destroy(&ia);
        aim_interp_destroy(&ib);
        aim_frame_unref(&o2);
        aim_frame_unref(&f0);
        aim_frame_unref(&f1);
        aim_frame_unref(&o);
    }
}

// t = 0.5 of a pure translation: the rendered frame matches the scene shifted halfway.
static void test_half_translation(unsigned cpu)
{
    const int w = 256, h = 160;
    Scene s0 = { 0 }, s1 = { .dx = 9, .dy = -5 }, sm = { .dx = 4.5, .dy = -2.5 };
    AimFrame *f0 = make(w, h, 8, &s0), *f1 = make(w, h, 8, &s1), *o = NULL;
    aim_frame_alloc(&o, w, h, 8, 0);
    AimInterp *ip = mk("classic", w, h, 8, cpu, NULL);
    aim_interp_set_pair(ip, f0, f1, NULL);
    aim_interp_render(ip, 0.5, o);
    // Find the sub-pixel shift (0.25 px steps) of the analytic texture that best explains the
    // output's interior: it must be within 0.5 px of (4.5, -2.5).
    double best = 1e30, bx = 0, by = 0;
    for (double dx = 3.0; dx <= 6.0; dx += 0.25)
        for (double dy = -4.0; dy <= -1.0; dy += 0.25) {
            double se = 0;
            for (int y = 24; y < h - 24; y += 2)
                for (int x = 24; x < w - 24; x += 2) {
                    double v = tex(x - dx, y - dy);
                    v = v < 0 ? 0 : v > 255 ? 255 : v;
                    double d = o->data[0][y * o->stride[0] + x] - v;
                    se += d * d;
                }
            if (se < best)
                best = se, bx = dx, by = dy;
        }
    fprintf(stderr, "  half translation: best shift (%.2f, %.2f), expected (%.2f, %.2f)\n", bx, by,
            sm.dx, sm.dy);
    CHECK_NEAR(bx, sm.dx, 0.5);
    CHECK_NEAR(by, sm.dy, 0.5);
    aim_interp_destroy(&ip);
    aim_frame_unref(&f0);
    aim_frame_unref(&f1);
    aim_frame_unref(&o);
}

// ANIME RULE "no ghosts": a redraw (f1 unrelated to f0: two different drawings) has no flow to
// trust, so classic shows the nearer frame (f0 at t <= 0.5, f1 after) instead of a blend of
// both; with AIM_INTERP_FALLBACK_BLEND it shows the blend.
static void test_redraw_fallback(unsigned cpu)
{
    const int w = 256, h = 144;
    Scene a = { .shape = 1, .cx = 80, .cy = 70, .r = 30 };
    AimFrame *f0 = make(w, h, 8, &a), *f1 = NULL, *o = NULL, *ob = NULL;
    aim_frame_alloc(&f1, w, h, 8, 0);
    aim_frame_alloc(&o, w, h, 8, 0);
    aim_frame_alloc(&ob, w, h, 8, 0);
    for (int p = 0; p < 3; p++) // another drawing: bold diagonal stripes, no relation to f0
        for (int y = 0; y < aim_plane_h(f1, p); y++)
            for (int x = 0; x < aim_plane_w(f1, p); x++)
                f1->data[p][y * f1->stride[p] + x] = (uint16_t)(((x + 2 * y) / 9) % 2 ? 230 : 25);
    AimInterp *bl = mk("blend", w, h, 8, cpu, NULL);
    aim_interp_set_pair(bl, f0, f1, NULL);
    for (int fb = 0; fb < 2; fb++) {
        AimInterpSettings s;
        aim_interp_default_settings(&s);
        s.width = w;
        s.height = h;
        s.cpu_flags = cpu;
        s.fallback = fb ? AIM_INTERP_FALLBACK_BLEND : AIM_INTERP_FALLBACK_NEAREST;
        AimInterp *ip = NULL;
        CHECK_EQ_INT(aim_interp_create(&ip, &s), 0);
        CHECK_EQ_INT(aim_interp_set_pair(ip, f0, f1, NULL), 0);
        double ts[] = { 0.25, 0.5, 0.75 };
        for (int i = 0; i < 3; i++) {
            aim_interp_render(ip, ts[i], o);
            aim_interp_render(bl, ts[i], ob);
            // the nearer frame; at t = 0.5 either, but one for the whole region
            const AimFrame *near = ts[i] < 0.5 ? f0 : f1;
            if (ts[i] == 0.5 && o->data[0][70 * o->stride[0] + 80] == f0->data[0][70 * f0->stride[0] + 80])
                near = f0;
            long same = 0, n = 0;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++, n++) {
                    int v = o->data[0][y * o->stride[0] + x];
                    int ref = fb ? ob->data[0][y * ob->stride[0] + x]
                                 : near->data[0][y * near->stride[0] + x];
                    same += abs(v - ref) <= (fb ? 1 : 0);
                }
            fprintf(stderr, "  redraw, fallback %s, t=%.2f: %.1f%% of luma from the %s\n",
                    fb ? "blend" : "nearest", ts[i], 100.0 * same / n,
                    fb ? "blend" : near == f0 ? "f0, bit-exact" : "f1, bit-exact");
            // 95%: a few flow pixels may find accidental matches in the stripes
            CHECK(same >= 0.95 * n);
        }
        aim_interp_destroy(&ip);
    }
    aim_interp_destroy(&bl);
    aim_frame_unref(&f0);
    aim_frame_unref(&f1);
    aim_frame_unref(&o);
    aim_frame_unref(&ob);
}

// ANIME RULE "no ghosts" for a whole redrawn area: an object whose upper half is drawn anew
// while its lower half moves. The lower half's flow is right and trusted, the upper half's is
// not; warping the one and showing a source frame in the other would put two drawings into one
// object (a chimera). The whole changed area shows the nearer frame instead, bit-exact.
static void partial_redraw_draw(AimFrame *f, double cx, int redraw)
{
    for (int p = 0; p < 3; p++) {
        int s = p ? 2 : 1;
        for (int y = 0; y < aim_plane_h(f, p); y++)
            for (int x = 0; x < aim_plane_w(f, p); x++) {
                double X = (x + 0.5) * s - 0.5, Y = (y + 0.5) * s - 0.5, v = 170;
                double d = hypot(X - cx, Y - 72);
                if (d < 42)
                    v = d > 39 ? 20 : redraw && Y < 72 ? ((((int)X + 2 * (int)Y) / 7) % 2 ? 235 : 40)
                                                     : tex(X - cx + p * 17, Y - p * 11);
                f->data[p][y * f->stride[p] + x] = (uint16_t)lrint(v);
            }
    }
}

static void test_partial_redraw(unsigned cpu)
{
    const int w = 256, h = 144;
    AimFrame *f0 = NULL, *f1 = NULL, *o = NULL;
    aim_frame_alloc(&f0, w, h, 8, 0);
    aim_frame_alloc(&f1, w, h, 8, 0);
    aim_frame_alloc(&o, w, h, 8, 0);
    partial_redraw_draw(f0, 120, 0);
    partial_redraw_draw(f1, 128, 1);
    AimInterp *ip = mk("classic", w, h, 8, cpu, NULL);
    CHECK_EQ_INT(aim_interp_set_pair(ip, f0, f1, NULL), 0);
    double ts[] = { 0.5, 0.75 };
    for (int i = 0; i < 2; i++) {
        CHECK_EQ_INT(aim_interp_render(ip, ts[i], o), 0);
        const AimFrame *near = ts[i] <= 0.5 ? f0 : f1;
        // the object's area in either frame, where the frames differ by more than the
        // fallback's "same colour" margin (24 levels)
        long n = 0, same = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int a = f0->data[0][y * f0->stride[0] + x], b = f1->data[0][y * f1->stride[0] + x];
                if (abs(a - b) <= 24)
                    continue;
                n++;
                same += o->data[0][y * o->stride[0] + x] == near->data[0][y * near->stride[0] + x];
            }
        fprintf(stderr, "  partial redraw, t=%.2f: %.1f%% of the changed area from %s, bit-exact\n",
                ts[i], 100.0 * same / n, near == f0 ? "f0" : "f1");
        // 93-94% (the rest is the one-block trust ramp at the area's rim); without the area
        // rule the moving lower half is warped: 65-69%
        CHECK(n > 3000 && same >= 0.90 * n);
    }
    aim_interp_destroy(&ip);
    aim_frame_unref(&f0);
    aim_frame_unref(&f1);
    aim_frame_unref(&o);
}

int main(void)
{
    unsigned cpu = aim_cpu_detect();
    test_api();
    test_simple_engines();
    test_flow_accuracy(0);
    test_flow_disc(0);
    if (cpu & AIM_CPU_AVX2) {
        test_flow_accuracy(cpu);
        test_flow_disc(cpu);
    }
    test_identity(cpu);
    test_identity(0);
    test_half_translation(cpu);
    test_redraw_fallback(cpu);
    test_partial_redraw(cpu);
    test_partial_redraw(0);
    test_moving_shape(cpu, NULL);
    AimPool *pool = NULL;
    aim_pool_create(&pool, 2);
    test_moving_shape(0, pool);
    aim_pool_destroy(&pool);
    return test_finish("test_interp");
}
