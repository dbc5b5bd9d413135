// RIFE v4.6 (src/nn/rife.h, src/nn/ops_rife.c).
// Without the model: rife.Warp's meaning (identity, integer shifts, half-pixel averages, the
// border clamp, non-finite flow) in the reference and the fast op; a missing model.
// With the model (`ainimotion models install rife-v4.6`; skips otherwise):
//  - golden: a synthetic 64x64 pair (an outlined disc moving by (8, 4) over a static
//    background) at t = 0.5 against tests/data/rife/golden64_t05.rgb, written by this runtime
//    after it matched rife-ncnn-vulkan on the same input (bench/RESULTS-rife.md); PSNR floor
//    45 dB, the agreement required with the reference tool;
//  - the C reference ops give the same frame as the fast ops;
//  - the scale rewrite at scale 1 reproduces the shipped graph bit-exactly, and other scales
//    change what they should;
//  - padding: a 70x50 pair (padded to 96x64) matches the 64x64-aligned result's meaning:
//    identical frames come back, the disc lands where t puts it (t is really an input).
// AIM_RIFE_WRITE_GOLDEN=1 rewrites the golden and writes the inputs (in0_64.rgb, in1_64.rgb)
// next to it for the reference tool (they are not committed: the test makes them).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "core/cpu.h"
#include "core/pool.h"
#include "nn/models.h"
#include "nn/ops_rife.h"
#include "nn/rife.h"

static char logbuf[4096];
static void log_cb(void *o, AimLogLevel l, const char *m)
{
    fprintf(stderr, "  log: %s\n", m);
    if (strlen(logbuf) + strlen(m) + 2 < sizeof(logbuf)) {
        strcat(logbuf, m);
        strcat(logbuf, "\n");
    }
}
static const AimLog LOG = { log_cb, NULL, AIM_LOG_INFO };

// --- rife.Warp semantics

static const AimNnOpDesc *warp_op(void)
{
    for (int i = 0; i < aim_nn_rife_nops; i++)
        if (!strcmp(aim_nn_rife_ops[i].type, "rife.Warp"))
            return &aim_nn_rife_ops[i];
    return NULL;
}

// Warps a w x h 2-channel ramp image (v = 10 y + x, and its negative) by a constant flow.
static void warp_const(float fx, float fy, int ref, AimNnMat *out, AimPool *pool)
{
    int w = 13, h = 9;
    AimNnMat in[2];
    aim_nn_mat_alloc(&in[0], 3, w, h, 2);
    aim_nn_mat_alloc(&in[1], 3, w, h, 2);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            aim_nn_chan(&in[0], 0)[y * w + x] = (float)(10 * y + x);
            aim_nn_chan(&in[0], 1)[y * w + x] = -(float)(10 * y + x);
            aim_nn_chan(&in[1], 0)[y * w + x] = fx;
            aim_nn_chan(&in[1], 1)[y * w + x] = fy;
        }
    AimNnLayer l;
    memset(&l, 0, sizeof(l));
    strcpy(l.name, "w");
    aim_nn_mat_alloc(out, 3, w, h, 2);
    AimNnOpt o = { ref, aim_cpu_detect(), pool, 0 };
    CHECK(warp_op()->forward(&l, in, out, &o) == 0);
    aim_nn_mat_free(&in[0]);
    aim_nn_mat_free(&in[1]);
}

static void test_warp(AimPool *pool)
{
    CHECK(warp_op() != NULL);
    for (int ref = 0; ref < 2; ref++) {
        AimNnMat o;
        // zero flow: the identity, exactly
        warp_const(0, 0, ref, &o, pool);
        for (int y = 0; y < 9; y++)
            for (int x = 0; x < 13; x++)
                CHECK(aim_nn_chan(&o, 0)[y * 13 + x] == (float)(10 * y + x));
        aim_nn_mat_free(&o);
        // integer flow (+2, -1): out(x, y) = in(x + 2, y - 1), clamped to the border
        warp_const(2, -1, ref, &o, pool);
        for (int y = 0; y < 9; y++)
            for (int x = 0; x < 13; x++) {
                int sx = x + 2 > 12 ? 12 : x + 2, sy = y - 1 < 0 ? 0 : y - 1;
                CHECK_NEAR(aim_nn_chan(&o, 0)[y * 13 + x], 10 * sy + sx, 1e-5);
                CHECK_NEAR(aim_nn_chan(&o, 1)[y * 13 + x], -(10 * sy + sx), 1e-5);
            }
        aim_nn_mat_free(&o);
        // half a pixel right and down: the mean of the 2x2 neighbours (linear ramp: +0.5, +5)
        warp_const(0.5f, 0.5f, ref, &o, pool);
        CHECK_NEAR(aim_nn_chan(&o, 0)[3 * 13 + 4], 10 * 3 + 4 + 5.5, 1e-5);
        CHECK_NEAR(aim_nn_chan(&o, 0)[8 * 13 + 12], 10 * 8 + 12, 1e-5); // clamped corner
        aim_nn_mat_free(&o);
        // far outside and non-finite flows read the border (NaN counts as coordinate 0)
        warp_const(-1e9f, 1e9f, ref, &o, pool);
        CHECK_NEAR(aim_nn_chan(&o, 0)[4 * 13 + 5], 10 * 8 + 0, 1e-5);
        aim_nn_mat_free(&o);
        warp_const(NAN, INFINITY, ref, &o, pool);
        CHECK_NEAR(aim_nn_chan(&o, 0)[4 * 13 + 5], 10 * 8 + 0, 1e-5);
        aim_nn_mat_free(&o);
    }
}

// --- synthetic frames

// 8-bit RGB: a static gradient background with a dark diagonal band, and a light disc with a
// dark outline at (cx, cy), 4x4 supersampled so edges are anti-aliased like drawn cels.
static void scene(unsigned char *rgb, int w, int h, double cx, double cy, double rad)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double acc[3] = { 0, 0, 0 };
            for (int sy = 0; sy < 4; sy++)
                for (int sx = 0; sx < 4; sx++) {
                    double px = x + (sx + 0.5) / 4, py = y + (sy + 0.5) / 4;
                    double c[3] = { 110 + 90 * py / h, 160 + 50 * px / w, 225 };
                    if (fabs((px - py) - w * 0.4) < 2.5) {
                        c[0] = 60; c[1] = 50; c[2] = 90;
                    }
                    double d = hypot(px - cx, py - cy);
                    if (d < rad - 2) {
                        c[0] = 245; c[1] = 195; c[2] = 150;
                    } else if (d < rad) {
                        c[0] = 35; c[1] = 25; c[2] = 40;
                    }
                    for (int k = 0; k < 3; k++)
                        acc[k] += c[k];
                }
            for (int k = 0; k < 3; k++)
                rgb[((size_t)y * w + x) * 3 + k] = (unsigned char)(acc[k] / 16 + 0.5);
        }
}

static double psnr8(const unsigned char *a, const unsigned char *b, size_t n)
{
    double se = 0;
    for (size_t i = 0; i < n; i++)
        se += (double)(a[i] - b[i]) * (a[i] - b[i]);
    return se == 0 ? 99 : 10 * log10(255.0 * 255.0 * n / se);
}

static int make_rife(AimNnRife **r, int w, int h, float scale, int ref, AimPool *pool)
{
    AimNnRifeSettings s;
    aim_nn_rife_default_settings(&s);
    s.width = w;
    s.height = h;
    s.scale = scale;
    s.opt = (AimNnOpt){ ref, aim_cpu_detect(), pool, 0 };
    s.log = LOG;
    return aim_nn_rife_create(r, &s);
}

// Runs r on two RGB24 frames at t; out: RGB24 (reference tool's rounding).
static void run_rgb(AimNnRife *r, const unsigned char *a, const unsigned char *b, int w, int h,
                    float t, unsigned char *out)
{
    for (int k = 0; k < 2; k++) {
        float *p[3];
        ptrdiff_t st;
        aim_nn_rife_input(r, k, p, &st);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                    p[c][y * st + x] = (k ? b : a)[((size_t)y * w + x) * 3 + c] * (1 / 255.f);
    }
    const float *o[3];
    ptrdiff_t st;
    CHECK(aim_nn_rife_run(r, t, o, &st) == 0);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                float v = o[c][y * st + x] * 255.f + 0.5f;
                out[((size_t)y * w + x) * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : (unsigned char)v;
            }
}

static int rw_file(const char *path, void *buf, size_t n, int write)
{
    FILE *f = fopen(path, write ? "wb" : "rb");
    if (!f)
        return -1;
    size_t k = write ? fwrite(buf, 1, n, f) : fread(buf, 1, n, f);
    fclose(f);
    return k == n ? 0 : -1;
}

static void test_golden(const char *datadir, AimPool *pool, int write)
{
    enum { W = 64, H = 64, N = W * H * 3 };
    static unsigned char a[N], b[N], out[N], gold[N], refout[N];
    scene(a, W, H, 26, 30, 14);
    scene(b, W, H, 34, 34, 14);
    AimNnRife *r = NULL;
    CHECK(make_rife(&r, W, H, 0, 0, pool) == 0);
    if (!r)
        return;
    CHECK(aim_nn_rife_scale(r) == 1.f);
    run_rgb(r, a, b, W, H, 0.5f, out);
    char path[4200];
    snprintf(path, sizeof(path), "%s/golden64_t05.rgb", datadir);
    if (write) {
        CHECK(rw_file(path, out, N, 1) == 0);
        snprintf(path, sizeof(path), "%s/in0_64.rgb", datadir);
        CHECK(rw_file(path, a, N, 1) == 0);
        snprintf(path, sizeof(path), "%s/in1_64.rgb", datadir);
        CHECK(rw_file(path, b, N, 1) == 0);
        fprintf(stderr, "wrote the golden and its inputs in %s\n", datadir);
    } else {
        CHECK_MSG(rw_file(path, gold, N, 0) == 0, "cannot read %s", path);
        double p = psnr8(out, gold, N);
        fprintf(stderr, "golden 64x64 t=0.5: %.2f dB against %s\n", p, path);
        CHECK_MSG(p >= 45, "golden PSNR %.2f dB < 45", p);
    }
    // The output really is an in-between: closer to the disc at (30, 32) than either input.
    unsigned char mid[N];
    scene(mid, W, H, 30, 32, 14);
    double pm = psnr8(out, mid, N), pa = psnr8(out, a, N), pb = psnr8(out, b, N);
    fprintf(stderr, "t=0.5 vs drawn midpoint %.2f dB, vs f0 %.2f dB, vs f1 %.2f dB\n", pm, pa, pb);
    CHECK(pm > pa + 3 && pm > pb + 3);
    aim_nn_rife_destroy(&r);
    CHECK(r == NULL);

    // The C reference ops give the same frame (float rounding only).
    CHECK(make_rife(&r, W, H, 1, 1, pool) == 0);
    if (r) {
        run_rgb(r, a, b, W, H, 0.5f, refout);
        double p = psnr8(out, refout, N);
        fprintf(stderr, "reference ops vs fast ops: %.2f dB\n", p);
        // measured: 1 value in 12288 differs by 1 (rounding at .5): 88 dB; floor 60 dB
        CHECK(p >= 60);
        aim_nn_rife_destroy(&r);
    }
}

// The graph rewrite: scale 1 must be the shipped graph exactly; 0.5 must change the factors.
static void test_rewrite(const char *mdir, AimPool *pool)
{
    const AimModelInfo *m = aim_models_find(AIM_NN_RIFE_MODEL);
    char pp[4200], bp[4200];
    aim_models_path(pp, sizeof(pp), mdir, m, "flownet.param");
    aim_models_path(bp, sizeof(bp), mdir, m, "flownet.bin");
    char *param = NULL, *bin = NULL, *rw = NULL;
    size_t plen = 0, blen = 0, rwlen = 0;
    CHECK(aim_nn_read_file(pp, 1 << 20, &param, &plen) == 0);
    CHECK(aim_nn_read_file(bp, 1 << 30, &bin, &blen) == 0);
    if (!param || !bin)
        return;
    AimNetSettings ns;
    aim_net_default_settings(&ns);
    ns.log = LOG;
    ns.extra_ops = aim_nn_rife_ops;
    ns.n_extra_ops = aim_nn_rife_nops;
    AimNet *orig = NULL, *same = NULL, *half = NULL;
    CHECK(aim_net_load_ncnn_mem(&orig, param, plen, bin, blen, &ns) == 0);
    CHECK(aim_nn_rife_rewrite_param(param, plen, 1.f, &rw, &rwlen, &LOG) == 0);
    CHECK(aim_net_load_ncnn_mem(&same, rw, rwlen, bin, blen, &ns) == 0);
    free(rw);
    CHECK(aim_nn_rife_rewrite_param(param, plen, 0.5f, &rw, &rwlen, &LOG) == 0);
    CHECK(aim_net_load_ncnn_mem(&half, rw, rwlen, bin, blen, &ns) == 0);
    free(rw);
    if (!orig || !same || !half)
        goto done;
    CHECK_EQ_INT(same->nlayers, orig->nlayers + 9);
    for (int i = 0; i < half->nlayers; i++) {
        const AimNnLayer *l = &half->layers[i];
        if (!strcmp(l->name, "upsample_9"))
            CHECK_NEAR(aim_nn_pf(l, 1, 0), 0.0625, 1e-9);
        if (!strcmp(l->name, "upsample_16"))
            CHECK_NEAR(aim_nn_pf(l, 2, 0), 4, 1e-6);
        if (!strcmp(l->name, "mul_16"))
            CHECK_NEAR(aim_nn_pf(l, 2, 0), 16, 1e-6);
        if (!strcmp(l->name, "weighted_sum_1"))
            CHECK_NEAR(l->p[1].af[1], 4, 1e-6);
        if (!strcmp(l->name, "rs_out_up"))
            CHECK_NEAR(aim_nn_pf(l, 1, 0), 2, 1e-6);
    }
    {
        // scale-1 rewrite == shipped graph, bit for bit, on a 64x32 pair
        int w = 64, h = 32;
        AimNnMat in[3];
        for (int k = 0; k < 3; k++) {
            aim_nn_mat_alloc(&in[k], 3, w, h, k < 2 ? 3 : 1);
            for (int q = 0; q < in[k].c; q++)
                for (int i = 0; i < w * h; i++)
                    aim_nn_chan(&in[k], q)[i] = k == 2 ? 0.3f :
                        0.5f + 0.4f * sinf(0.1f * (i % w + (k ? 3 : 0)) + q) * cosf(0.13f * (i / w));
        }
        AimNnOpt o = { 0, aim_cpu_detect(), pool, 0 };
        AimNnRun *r1 = NULL, *r2 = NULL;
        CHECK(aim_nn_run_create(&r1, orig, &o) == 0);
        CHECK(aim_nn_run_create(&r2, same, &o) == 0);
        int ib1[3] = { aim_net_blob(orig, "in0"), aim_net_blob(orig, "in1"), aim_net_blob(orig, "in2") };
        int ib2[3] = { aim_net_blob(same, "in0"), aim_net_blob(same, "in1"), aim_net_blob(same, "in2") };
        int ob1 = aim_net_blob(orig, "out0"), ob2 = aim_net_blob(same, "out0");
        const AimNnMat *o1 = NULL, *o2 = NULL;
        CHECK(aim_nn_run(r1, ib1, in, 3, &ob1, &o1, 1) == 0);
        CHECK(aim_nn_run(r2, ib2, in, 3, &ob2, &o2, 1) == 0);
        if (o1 && o2) {
            int diff = 0;
            for (int q = 0; q < 3; q++)
                diff += memcmp(aim_nn_chan(o1, q), aim_nn_chan(o2, q), sizeof(float) * w * h) != 0;
            CHECK_MSG(diff == 0, "scale-1 rewrite differs from the shipped graph");
        }
        aim_nn_run_destroy(&r1);
        aim_nn_run_destroy(&r2);
        for (int k = 0; k < 3; k++)
            aim_nn_mat_free(&in[k]);
    }
done:
    aim_net_destroy(&orig);
    aim_net_destroy(&same);
    aim_net_destroy(&half);
    // not rife-v4.6's graph: refused
    const char *other = "7767517\n2 2\nInput in0 0 1 in0\nReLU r 1 1 in0 out0\n";
    rw = NULL;
    CHECK_EQ_INT(aim_nn_rife_rewrite_param(other, strlen(other), 0.5f, &rw, &rwlen, &LOG),
                 AIM_ERR_UNSUPPORTED);
    CHECK(rw == NULL);
    free(param);
    free(bin);
}

// Odd sizes are padded and cropped back; identical frames come back; t is an input; every
// scale runs and puts the disc where it belongs.
static void test_padding_and_t(AimPool *pool)
{
    enum { W = 200, H = 120, N = W * H * 3 };
    static unsigned char a[N], b[N], out[N], truth[N];
    scene(a, W, H, 70, 60, 30);
    scene(b, W, H, 94, 64, 30);
    const float scales[3] = { 1, 0.5f, 0.25f };
    const int pads[3][2] = { { 224, 128 }, { 256, 128 }, { 256, 128 } };
    for (int si = 0; si < 3; si++) {
        AimNnRife *r = NULL;
        CHECK(make_rife(&r, W, H, scales[si], 0, pool) == 0);
        if (!r)
            continue;
        int pw, ph;
        aim_nn_rife_padded_size(r, &pw, &ph);
        CHECK_EQ_INT(pw, pads[si][0]);
        CHECK_EQ_INT(ph, pads[si][1]);
        run_rgb(r, a, a, W, H, 0.5f, out);
        double same = psnr8(out, a, N);
        for (int k = 0; k < 2; k++) {
            float t = k ? 0.75f : 0.25f;
            run_rgb(r, a, b, W, H, t, out);
            scene(truth, W, H, 70 + 24 * t, 60 + 4 * t, 30);
            double pt = psnr8(out, truth, N);
            scene(truth, W, H, 70 + 24 * (1 - t), 60 + 4 * (1 - t), 30);
            double pother = psnr8(out, truth, N);
            fprintf(stderr, "scale %g: same-frame %.2f dB; t=%g vs truth %.2f dB, vs the "
                    "mirror time %.2f dB\n", scales[si], same, t, pt, pother);
            // The disc is where t says, not where 1-t would put it (12 pixels apart); a drawn
            // in-between, not a blend. On this 200x120 frame the coarsest level is 7x4 pixels at
            // scale 1 and 2x1 at 0.25, so lower scales lose accuracy here (they are for large
            // frames). Measured t-truth / mirror-time dB: 1: 37.2/19.2, 35.3/19.1;
            // 0.5: 28.6/19.3, 27.0/19.1; 0.25: 22.5/18.9, 20.0/18.3.
            const double min_pt[3] = { 30, 24, 0 }, min_gap[3] = { 10, 5, 0.5 };
            CHECK_MSG(pt >= min_pt[si] && pt > pother + min_gap[si], "scale %g t %g",
                      scales[si], t);
        }
        // identical inputs come back: measured 57.5, 50.3, 33.9 dB
        const double min_same[3] = { 50, 44, 30 };
        CHECK(same >= min_same[si]);
        aim_nn_rife_destroy(&r);
    }
}

int main(void)
{
    char datadir[4096];
    snprintf(datadir, sizeof(datadir), "%s", __FILE__);
    char *slash = strrchr(datadir, '/');
    if (slash)
        *slash = 0;
    strncat(datadir, "/../../data/rife", sizeof(datadir) - strlen(datadir) - 1);
    AimPool *pool = NULL;
    CHECK(aim_pool_create(&pool, 1) == 0);
    test_warp(pool);

    // A missing model: AIM_ERR_MODEL_MISSING and the install command in the log.
    AimNnRifeSettings s;
    aim_nn_rife_default_settings(&s);
    s.width = s.height = 64;
    s.models_dir = "/nonexistent/models";
    s.log = LOG;
    AimNnRife *r = NULL;
    logbuf[0] = 0;
    CHECK_EQ_INT(aim_nn_rife_create(&r, &s), AIM_ERR_MODEL_MISSING);
    CHECK(r == NULL);
    CHECK(strstr(logbuf, "rife-v4.6") != NULL);
    s.models_dir = NULL;
    s.scale = 0.3f;
    CHECK_EQ_INT(aim_nn_rife_create(&r, &s), AIM_ERR(EINVAL));
    CHECK(aim_nn_rife_auto_scale(1920, 1080) == 1.f);
    CHECK(aim_nn_rife_auto_scale(3840, 2160) == 0.5f);
    CHECK(aim_nn_rife_auto_scale(7680, 4320) == 0.25f);

    char dir[4096];
    if (aim_models_dir(dir, sizeof(dir), NULL) != 0 ||
        aim_models_check(dir, aim_models_find(AIM_NN_RIFE_MODEL), 0, NULL) != 0) {
        aim_pool_destroy(&pool);
        test_finish("test_rife");
        TEST_SKIP("the model tests need rife-v4.6 in %s: run `ainimotion models install "
                  "rife-v4.6`", dir);
    }
    int write = getenv("AIM_RIFE_WRITE_GOLDEN") != NULL;
    test_golden(datadir, pool, write);
    if (!write) {
        test_rewrite(dir, pool);
        test_padding_and_t(pool);
    }
    aim_pool_destroy(&pool);
    return test_finish("test_rife");
}
