// The "rife" Model A engine (src/interp/engine_rife.c) through the interp API.
// Without the model: create fails with AIM_ERR_MODEL_MISSING and logs the exact install
// command; scale settings RIFE has no level for are refused.
// With the model (skips otherwise): 8- and 10-bit YUV pairs of odd sizes (padding), a disc
// moving by (12, 4): the disc's centroid lands where t puts it for t = 1/4, 1/2, 3/4 (3x and
// 4x need no recursion); blocks the mask marks static are bit-exact copies of f0, the others
// come from the model; an identical pair renders f0 exactly; flow_downscale 2 (scale 0.5) runs;
// a small mask runs the network on its region only, with the whole frame's result there.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "core/cpu.h"
#include "core/pool.h"
#include "interp/interp.h"
#include "nn/models.h"

static char logbuf[8192];
static void log_cb(void *o, AimLogLevel l, const char *m)
{
    fprintf(stderr, "  log: %s\n", m);
    if (strlen(logbuf) + strlen(m) + 2 < sizeof(logbuf)) {
        strcat(logbuf, m);
        strcat(logbuf, "\n");
    }
}

// A luma gradient with a few static lines at irregular places (drawn background; periodic
// stripes would make any flow ambiguous), a disc (outlined, chroma-coloured) centred at
// (cx, cy). BT.709 limited-range-like values, scaled to the depth.
static void draw(AimFrame *f, double cx, double cy, double r)
{
    int sh = f->depth - 8;
    for (int p = 0; p < 3; p++) {
        int pw = aim_plane_w(f, p), ph = aim_plane_h(f, p), s = p ? 2 : 1;
        for (int y = 0; y < ph; y++)
            for (int x = 0; x < pw; x++) {
                double X = (x + 0.5) * s - 0.5, Y = (y + 0.5) * s - 0.5, v;
                v = p ? 128 : 140 + 40 * X / f->width;
                if (!p && (fabs(X - 37) < 1 || fabs(X - 141) < 1 || fabs(X - 229) < 1 ||
                           fabs(Y - 101) < 1))
                    v = 40;
                double d = hypot(X - cx, Y - cy);
                if (d < r + 2.0)
                    v = d < r - 1.0 ? (p == 0 ? 110 : p == 1 ? 90 : 170) : (p ? 128 : 25);
                f->data[p][y * f->stride[p] + x] = (uint16_t)lrint(v * (1 << sh));
            }
    }
    f->color = (AimColor){ 1, 1, 1, 1, 1 };
}

// Centroid of the pixels darker than the background and lighter than the outline: the disc's
// fill (luma 110) against 150/180 background, 40/25 lines.
static void centroid(const AimFrame *f, double *cx, double *cy)
{
    double sx = 0, sy = 0, n = 0;
    int sh = f->depth - 8;
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++) {
            int v = f->data[0][y * f->stride[0] + x] >> sh;
            if (v > 95 && v < 125) {
                sx += x;
                sy += y;
                n++;
            }
        }
    *cx = n ? sx / n : -1;
    *cy = n ? sy / n : -1;
}

static int make_interp(AimInterp **ip, int w, int h, int depth, int down, AimPool *pool,
                       const char *models_dir)
{
    AimInterpSettings s;
    aim_interp_default_settings(&s);
    s.engine = "rife";
    s.width = w;
    s.height = h;
    s.depth = depth;
    s.pool = pool;
    s.cpu_flags = aim_cpu_detect();
    s.flow_downscale = down;
    s.models_dir = models_dir;
    s.log = (AimLog){ log_cb, NULL, AIM_LOG_INFO };
    return aim_interp_create(ip, &s);
}

static void test_missing(void)
{
    AimInterp *ip = NULL;
    logbuf[0] = 0;
    CHECK_EQ_INT(make_interp(&ip, 64, 48, 8, 0, NULL, "/nonexistent/models"),
                 AIM_ERR_MODEL_MISSING);
    CHECK(ip == NULL);
    CHECK_MSG(strstr(logbuf, "`ainimotion models install rife-v4.6`") != NULL, "log: %s", logbuf);
    CHECK_EQ_INT(make_interp(&ip, 64, 48, 8, 8, NULL, NULL), AIM_ERR(EINVAL));
}

static void test_pair(int w, int h, int depth, int down, AimPool *pool)
{
    AimInterp *ip = NULL;
    CHECK(make_interp(&ip, w, h, depth, down, pool, NULL) == 0);
    if (!ip)
        return;
    CHECK(!strcmp(aim_interp_engine_name(ip), "rife"));
    AimFrame *f0 = NULL, *f1 = NULL, *out = NULL;
    aim_frame_alloc(&f0, w, h, depth, 0);
    aim_frame_alloc(&f1, w, h, depth, 0);
    aim_frame_alloc(&out, w, h, depth, 0);
    const double x0 = 40, y0 = 30, dx = 12, dy = 4, r = 14;
    draw(f0, x0, y0, r);
    draw(f1, x0 + dx, y0 + dy, r);
    // Mask: 16-pixel blocks; the disc's path (plus a margin) moves, the rest is static.
    AimMotionMask m = { NULL, (w + 15) / 16, (h + 15) / 16, 16 };
    m.data = malloc((size_t)m.w * m.h);
    for (int by = 0; by < m.h; by++)
        for (int bx = 0; bx < m.w; bx++) {
            int cx = bx * 16 + 8, cy = by * 16 + 8;
            m.data[by * m.w + bx] = cx > x0 - r - 16 && cx < x0 + dx + r + 16 &&
                                    cy > y0 - r - 16 && cy < y0 + dy + r + 16;
        }
    CHECK(aim_interp_set_pair(ip, f0, f1, &m) == 0);
    double c0x, c0y, c1x, c1y;
    centroid(f0, &c0x, &c0y);
    centroid(f1, &c1x, &c1y);
    fprintf(stderr, "f0 disc at (%.2f, %.2f), f1 at (%.2f, %.2f)\n", c0x, c0y, c1x, c1y);
    const double ts[3] = { 0.25, 0.5, 0.75 };
    for (int i = 0; i < 3; i++) {
        CHECK(aim_interp_render(ip, ts[i], out) == 0);
        double cx, cy;
        centroid(out, &cx, &cy);
        double ex = x0 + dx * ts[i], ey = y0 + dy * ts[i];
        fprintf(stderr, "%dx%d %d-bit scale 1/%d t=%.2f: disc at (%.2f, %.2f), expected "
                "(%.2f, %.2f)\n", w, h, depth, down ? down : 1, ts[i], cx, cy, ex, ey);
        // Measured at most 0.8 px off at scale 1 and 1.36 px at 0.5 (RIFE's own bias on this
        // flat disc: rife-ncnn-vulkan -s 0.25 gives the same frames as ours, see
        // bench/RESULTS-rife.md); a blend or a copy of either frame is 3+ pixels off.
        CHECK(fabs(cx - ex) < 1.5 && fabs(cy - ey) < 1.5);
        // static blocks: bit-exact copies of f0, all planes
        int bad = 0, moved = 0;
        for (int p = 0; p < 3; p++) {
            int b = p ? 8 : 16;
            for (int y = 0; y < aim_plane_h(out, p); y++)
                for (int x = 0; x < aim_plane_w(out, p); x++) {
                    uint16_t o = out->data[p][y * out->stride[p] + x];
                    uint16_t a = f0->data[p][y * f0->stride[p] + x];
                    if (!m.data[(y / b) * m.w + x / b])
                        bad += o != a;
                    else
                        moved += o != a;
                }
        }
        CHECK_EQ_INT(bad, 0);
        CHECK(moved > 100); // the moving blocks really come from the model
        int maxv = (1 << depth) - 1, over = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                over += out->data[0][y * out->stride[0] + x] > maxv;
        CHECK_EQ_INT(over, 0);
    }
    // an identical pair renders f0 exactly
    CHECK(aim_interp_set_pair(ip, f0, f0, NULL) == 0);
    CHECK(aim_interp_render(ip, 0.5, out) == 0);
    int diff = 0;
    for (int p = 0; p < 3; p++)
        for (int y = 0; y < aim_plane_h(out, p); y++)
            diff += memcmp(out->data[p] + y * out->stride[p], f0->data[p] + y * f0->stride[p],
                           sizeof(uint16_t) * aim_plane_w(out, p)) != 0;
    CHECK_EQ_INT(diff, 0);
    AimInterpStats st;
    aim_interp_get_stats(ip, &st);
    CHECK(st.nstages == 3 && st.frames == 4 && st.pairs == 2);
    free(m.data);
    aim_frame_unref(&f0);
    aim_frame_unref(&f1);
    aim_frame_unref(&out);
    aim_interp_destroy(&ip);
    CHECK(ip == NULL);
}

// A mask that moves in a small part of a larger frame: the network runs on that region only
// (engine_rife.c pick_region); inside the moving blocks the result must match the whole-frame
// run (the same mask plus two corner blocks stretches the region to the frame).
static void test_region(AimPool *pool)
{
    const int w = 320, h = 192;
    AimInterp *ip = NULL;
    CHECK(make_interp(&ip, w, h, 8, 0, pool, NULL) == 0);
    if (!ip)
        return;
    AimFrame *f0 = NULL, *f1 = NULL, *a = NULL, *b = NULL;
    aim_frame_alloc(&f0, w, h, 8, 0);
    aim_frame_alloc(&f1, w, h, 8, 0);
    aim_frame_alloc(&a, w, h, 8, 0);
    aim_frame_alloc(&b, w, h, 8, 0);
    draw(f0, 60, 50, 14);
    draw(f1, 70, 54, 14);
    AimMotionMask m = { NULL, w / 16, h / 16, 16 };
    m.data = calloc((size_t)m.w * m.h, 1);
    for (int by = 1; by <= 5; by++)
        for (int bx = 2; bx <= 6; bx++)
            m.data[by * m.w + bx] = 1;
    CHECK(aim_interp_set_pair(ip, f0, f1, &m) == 0);
    CHECK(aim_interp_render(ip, 0.5, a) == 0);
    AimInterpStats st;
    aim_interp_get_stats(ip, &st);
    double net_region = st.stage[1].seconds;
    m.data[0] = m.data[m.w * m.h - 1] = 1;
    CHECK(aim_interp_set_pair(ip, f0, f1, &m) == 0);
    CHECK(aim_interp_render(ip, 0.5, b) == 0);
    aim_interp_get_stats(ip, &st);
    double net_full = st.stage[1].seconds - net_region;
    m.data[0] = m.data[m.w * m.h - 1] = 0;
    double se = 0, n = 0;
    int outside = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int va = a->data[0][y * a->stride[0] + x], vb = b->data[0][y * b->stride[0] + x];
            if (m.data[(y / 16) * m.w + x / 16]) {
                se += (double)(va - vb) * (va - vb);
                n++;
            } else {
                outside += va != f0->data[0][y * f0->stride[0] + x];
            }
        }
    double psnr = se > 0 ? 10 * log10(255.0 * 255 * n / se) : 99;
    double cx, cy;
    centroid(a, &cx, &cy);
    fprintf(stderr, "region vs whole frame inside the moving blocks: %.2f dB; network %.3f s vs "
            "%.3f s; disc at (%.2f, %.2f), expected (65, 52)\n", psnr, net_region, net_full,
            cx, cy);
    // measured 48.5 dB on this pair (54.6 dB pooled on real anime, bench/RESULTS-rife.md);
    // periodic stripes in the background instead gave 25 dB (an ambiguous flow, which the
    // context changes), hence the irregular lines
    CHECK(psnr >= 40);
    CHECK_EQ_INT(outside, 0);
    CHECK(fabs(cx - 65) < 1.5 && fabs(cy - 52) < 1.5);
    free(m.data);
    aim_frame_unref(&f0);
    aim_frame_unref(&f1);
    aim_frame_unref(&a);
    aim_frame_unref(&b);
    aim_interp_destroy(&ip);
}

int main(void)
{
    test_missing();
    char dir[4096];
    if (aim_models_dir(dir, sizeof(dir), NULL) != 0 ||
        aim_models_check(dir, aim_models_find("rife-v4.6"), 0, NULL) != 0) {
        test_finish("test_interp_rife");
        TEST_SKIP("the engine tests need rife-v4.6 in %s: run `ainimotion models install "
                  "rife-v4.6`", dir);
    }
    AimPool *pool = NULL;
    CHECK(aim_pool_create(&pool, 1) == 0);
    test_pair(98, 70, 8, 0, pool);  // padded to 128x96
    test_pair(98, 70, 10, 0, pool);
    test_pair(250, 150, 8, 2, pool); // scale 0.5: padded to 256x192
    test_region(pool);
    aim_pool_destroy(&pool);
    return test_finish("test_interp_rife");
}
