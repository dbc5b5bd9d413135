// Interpolation kernels: every SIMD version against its C reference (src/interp/interp_dsp.c)
// on random and extreme inputs, all widths 1..70 (non-multiples of the vector width), with
// poisoned padding past the row ends, and the speed-up of each. On an AVX2 machine it also
// asserts that the AVX2 kernels were really selected.
// Bounds: integer kernels (luma_down, down2, grad) must match bit for bit; float kernels use
// FMA (one rounding instead of two) and a different summation order, so they match within a
// relative 1e-5 of the magnitudes involved; warp_row's integer output may differ by 1 where
// the float result lies within rounding of .5 (at most 1% of the samples). The variational
// refinement's kernels (var_*) avoid FMA and must match bit for bit (see test_var).
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "core/cpu.h"
#include "interp/interp_dsp.h"
#include "test.h"

static uint32_t rng = 12345;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}
static float frand(float lo, float hi) { return lo + (hi - lo) * (float)(rnd() & 0xffffff) / 16777216.0f; }

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

#define POISON_F 1e30f // past-the-end floats a kernel must not use (it would blow the result)
#define W_MAX 70
#define H_MAX 12

static int close_f(float a, float b, float mag)
{
    return fabsf(a - b) <= 1e-5f * (mag > 1.0f ? mag : 1.0f);
}

static void report(const char *name, double tc, double ts)
{
    fprintf(stderr, "  %-14s C %8.1f ns  SIMD %8.1f ns  speed-up %5.2fx\n", name, tc * 1e9,
            ts * 1e9, ts > 0 ? tc / ts : 0);
}

static void test_luma_down(const AimInterpDsp *d)
{
    static uint16_t src[8 * (W_MAX * 8 + 64)];
    float a[W_MAX + 8], b[W_MAX + 8];
    const ptrdiff_t stride = W_MAX * 8 + 64;
    int ds[] = { 1, 2, 4, 8 };
    for (int di = 0; di < 4; di++)
        for (int w = 1; w <= W_MAX; w++)
            for (int rep = 0; rep < 3; rep++) {
                int dd = ds[di], extreme = rep == 2;
                for (size_t i = 0; i < sizeof(src) / 2; i++)
                    src[i] = extreme ? 1023 : (uint16_t)(rnd() & 1023);
                for (int i = 0; i < W_MAX + 8; i++)
                    a[i] = b[i] = POISON_F;
                float sc = 1.0f / (float)(dd * dd) / 4.0f;
                aim_luma_down_c(a, src, stride, w, dd, sc);
                d->luma_down(b, src, stride, w, dd, sc);
                int bad = memcmp(a, b, sizeof(a)) != 0;
                CHECK_MSG(!bad, "luma_down d=%d w=%d", dd, w);
            }
    static uint16_t big[4 * 2048];
    static float out[512];
    for (size_t i = 0; i < sizeof(big) / 2; i++)
        big[i] = (uint16_t)(rnd() & 255);
    double t0 = now_s();
    for (int i = 0; i < 2000; i++)
        aim_luma_down_c(out, big, 2048, 480, 4, 1.0f / 16);
    double t1 = now_s();
    for (int i = 0; i < 2000; i++)
        d->luma_down(out, big, 2048, 480, 4, 1.0f / 16);
    double t2 = now_s();
    report("luma_down/4", (t1 - t0) / 2000, (t2 - t1) / 2000);
}

static void test_down2_grad(const AimInterpDsp *d)
{
    static float s0[2 * W_MAX + 32], s1[2 * W_MAX + 32];
    float a[W_MAX + 8], b[W_MAX + 8];
    for (int w = 1; w <= W_MAX; w++) {
        for (int i = 0; i < 2 * W_MAX + 32; i++) {
            s0[i] = i < 2 * w ? frand(0, 255) : POISON_F;
            s1[i] = i < 2 * w ? frand(0, 255) : POISON_F;
        }
        for (int i = 0; i < W_MAX + 8; i++)
            a[i] = b[i] = -1;
        aim_down2_c(a, s0, s1, w);
        d->down2(b, s0, s1, w);
        CHECK_MSG(!memcmp(a, b, sizeof(a)), "down2 w=%d", w);
    }
    // grad reads x-1 .. x+w and the rows above and below
    static float img[3 * (W_MAX + 16)];
    const ptrdiff_t st = W_MAX + 16;
    float gx0[W_MAX + 8], gy0[W_MAX + 8], gx1[W_MAX + 8], gy1[W_MAX + 8];
    for (int w = 1; w <= W_MAX; w++) {
        for (int i = 0; i < 3 * st; i++)
            img[i] = frand(0, 255);
        for (int i = 0; i < W_MAX + 8; i++)
            gx0[i] = gy0[i] = gx1[i] = gy1[i] = -1;
        aim_grad_c(gx0, gy0, img + st + 1, st, w);
        d->grad(gx1, gy1, img + st + 1, st, w);
        CHECK_MSG(!memcmp(gx0, gx1, sizeof(gx0)) && !memcmp(gy0, gy1, sizeof(gy0)), "grad w=%d", w);
    }
    static float big[3 * 520];
    static float o1[520], o2[520];
    for (int i = 0; i < 3 * 520; i++)
        big[i] = frand(0, 255);
    double t0 = now_s();
    for (int i = 0; i < 5000; i++)
        aim_grad_c(o1, o2, big + 521, 520, 480);
    double t1 = now_s();
    for (int i = 0; i < 5000; i++)
        d->grad(o1, o2, big + 521, 520, 480);
    double t2 = now_s();
    report("grad", (t1 - t0) / 5000, (t2 - t1) / 5000);
}

static void test_patch(const AimInterpDsp *d)
{
    // 9 x 9 readable target, 8 x 8 template; strides with poison beyond what is read
    static float i1[16 * 16], tp[16 * 16], gx[16 * 16], gy[16 * 16];
    for (int rep = 0; rep < 200; rep++) {
        int extreme = rep % 10 == 9;
        for (int i = 0; i < 16 * 16; i++) {
            int x = i % 16, y = i / 16;
            i1[i] = x < 9 && y < 9 ? (extreme ? 255 : frand(0, 255)) : POISON_F;
            tp[i] = x < 8 && y < 8 ? (extreme ? 0 : frand(0, 255)) : POISON_F;
            gx[i] = x < 8 && y < 8 ? frand(-128, 128) : POISON_F;
            gy[i] = x < 8 && y < 8 ? frand(-128, 128) : POISON_F;
        }
        float fx = rep % 7 == 0 ? 0.0f : frand(0, 1), fy = rep % 5 == 0 ? 1.0f : frand(0, 1);
        float a[4], b[4];
        aim_patch_step_c(a, i1, 16, fx, fy, tp, gx, gy, 16);
        d->patch_step(b, i1, 16, fx, fy, tp, gx, gy, 16);
        // magnitudes: 64 products of |g| <= 128 and |d| <= 255; sum d^2 <= 64 * 255^2
        int ok = close_f(a[0], b[0], 64 * 128 * 255.0f) && close_f(a[1], b[1], 64 * 128 * 255.0f) &&
                 close_f(a[2], b[2], 64 * 255.0f) && close_f(a[3], b[3], 64 * 255.0f * 255.0f);
        CHECK_MSG(ok, "patch_step rep %d: %g %g %g %g vs %g %g %g %g", rep, a[0], a[1], a[2], a[3],
                  b[0], b[1], b[2], b[3]);
        float h0[5], h1[5];
        aim_patch_hess_c(h0, gx, gy, 16);
        d->patch_hess(h1, gx, gy, 16);
        // sums of 64 values |g| <= 128, of 64 products <= 128^2
        int okh = close_f(h0[0], h1[0], 64 * 128.0f) && close_f(h0[1], h1[1], 64 * 128.0f);
        for (int k = 2; k < 5; k++)
            okh &= close_f(h0[k], h1[k], 64 * 128.0f * 128.0f);
        CHECK_MSG(okh, "patch_hess rep %d", rep);
        static float acc0[3][16 * 16], acc1[3][16 * 16];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 16 * 16; i++)
                acc0[c][i] = acc1[c][i] = (i % 16) < 8 && i / 16 < 8 ? frand(0, 10) : -7.0f;
        float mean = frand(-20, 20), u = frand(-30, 30), v = frand(-30, 30);
        aim_patch_densify_c(acc0[0], acc0[1], acc0[2], 16, i1, 16, fx, fy, tp, 16, mean, u, v);
        d->patch_densify(acc1[0], acc1[1], acc1[2], 16, i1, 16, fx, fy, tp, 16, mean, u, v);
        int bad = 0;
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 16 * 16; i++)
                bad += !close_f(acc0[c][i], acc1[c][i], 40.0f);
        CHECK_MSG(bad == 0, "patch_densify rep %d: %d values differ", rep, bad);
    }
    float out[4];
    double t0 = now_s();
    for (int i = 0; i < 200000; i++)
        aim_patch_step_c(out, i1, 16, 0.3f, 0.6f, tp, gx, gy, 16);
    double t1 = now_s();
    for (int i = 0; i < 200000; i++)
        d->patch_step(out, i1, 16, 0.3f, 0.6f, tp, gx, gy, 16);
    double t2 = now_s();
    report("patch_step", (t1 - t0) / 200000, (t2 - t1) / 200000);
}

static void test_field_warp(const AimInterpDsp *d)
{
    // field_row: flow rows of fw + 1 readable values (xi <= fw - 2 reads xi + 1)
    for (int ww = 1; ww <= 2 * W_MAX; ww++) {
        // first upsampling (fw about w / 2), then downsampling (fw about 2 w: the chroma of a
        // full-resolution flow grid; xi then steps by 2)
        int w = ww <= W_MAX ? ww : ww - W_MAX;
        int fw = ww <= W_MAX ? w / 2 + 2 : (2 * w + 8 < W_MAX ? 2 * w : W_MAX - 8);
        float ru[W_MAX + 8], rv[W_MAX + 8], rw[W_MAX + 8];
        int32_t xi[W_MAX + 8];
        float xf[W_MAX + 8];
        for (int i = 0; i < W_MAX + 8; i++) {
            ru[i] = i < fw ? frand(-40, 40) : POISON_F;
            rv[i] = i < fw ? frand(-40, 40) : POISON_F;
            rw[i] = i < fw ? frand(0, 1) : POISON_F;
        }
        for (int x = 0; x < w; x++) {
            float lx = ((float)x + 0.5f) * (float)fw / (float)w - 0.5f;
            lx = lx < 0 ? 0 : lx > fw - 1 ? (float)(fw - 1) : lx;
            int i = (int)lx;
            i = i > fw - 2 ? fw - 2 : i;
            xi[x] = i;
            xf[x] = lx - (float)i;
        }
        float a[3][W_MAX + 8], b[3][W_MAX + 8];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < W_MAX + 8; i++)
                a[c][i] = b[c][i] = -1;
        aim_field_row_c(a[0], a[1], a[2], ru, rv, rw, xi, xf, 2.0f, 1.5f, w);
        d->field_row(b[0], b[1], b[2], ru, rv, rw, xi, xf, 2.0f, 1.5f, w);
        int bad = 0;
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < W_MAX + 8; i++)
                bad += !close_f(a[c][i], b[c][i], 80.0f);
        CHECK_MSG(bad == 0, "field_row w=%d: %d values differ", w, bad);
    }
    // warp_row on 10-bit planes of random size, random and extreme motion (far out of the
    // picture: clamped), weights 0, 1 and random
    static uint16_t p0[(W_MAX + 32) * H_MAX + 64], p1[(W_MAX + 32) * H_MAX + 64];
    long total = 0, off1 = 0;
    int worst = 0;
    for (int rep = 0; rep < 400; rep++) {
        int pw = 2 + (int)(rnd() % (W_MAX - 1)), ph = 2 + (int)(rnd() % (H_MAX - 1));
        ptrdiff_t st = pw + 32;
        for (int i = 0; i < (W_MAX + 32) * H_MAX + 64; i++) {
            p0[i] = (uint16_t)(rnd() & 1023);
            p1[i] = (uint16_t)(rnd() & 1023);
        }
        int w = pw, y = (int)(rnd() % (unsigned)ph);
        float mx[W_MAX + 8], my[W_MAX + 8], w0[W_MAX + 8];
        for (int x = 0; x < W_MAX + 8; x++) {
            int big = rep % 13 == 0;
            mx[x] = big ? frand(-500, 500) : frand(-6, 6);
            my[x] = big ? frand(-500, 500) : frand(-3, 3);
            w0[x] = rep % 3 == 0 ? 1.0f : rep % 3 == 1 ? frand(0, 1) : (x & 1 ? 0.0f : 1.0f);
            if (rep % 5 == 2) { // smooth motion (the SIMD fast path: neighbouring samples)
                mx[x] = (float)(rep % 11) - 5.0f + frand(-0.4f, 0.4f);
                my[x] = (float)(rep % 7) - 3.0f + frand(-0.4f, 0.4f);
            }
            if (rep % 17 == 0)
                mx[x] = my[x] = 0; // no motion, w0 0/1: must be an exact copy
        }
        uint16_t a[W_MAX + 16], b[W_MAX + 16];
        for (int i = 0; i < W_MAX + 16; i++)
            a[i] = b[i] = 0xdead;
        float t = rep % 4 == 0 ? 0.5f : frand(0.05f, 0.95f);
        // every other row starts at a column x0 > 0 (the engine warps only the moving blocks)
        int x0 = rep & 1 ? (int)(rnd() % (unsigned)w) : 0;
        aim_warp_row_c(a, p0, st, p1, st, pw, ph, y, mx, my, w0, t, 1023, x0, w);
        d->warp_row(b, p0, st, p1, st, pw, ph, y, mx, my, w0, t, 1023, x0, w);
        for (int i = 0; i < W_MAX + 16; i++) {
            int diff = abs((int)a[i] - (int)b[i]);
            if (i >= w || i < x0) {
                CHECK_MSG(a[i] == 0xdead && b[i] == 0xdead, "warp_row wrote outside %d..%d",
                          x0, w);
                continue;
            }
            total++;
            off1 += diff == 1;
            worst = diff > worst ? diff : worst;
            if (rep % 17 == 0 && rep % 3 != 1)
                CHECK_MSG(b[i] == (w0[i] == 1.0f ? p0[y * st + i] : p1[y * st + i]),
                          "warp_row without motion must copy (x=%d)", i);
        }
    }
    CHECK_MSG(worst <= 1, "warp_row differs by %d", worst);
    CHECK_MSG(off1 * 100 <= total, "warp_row: %ld of %ld samples off by one", off1, total);
    fprintf(stderr, "  warp_row: %ld of %ld samples off by one (bound 1%%)\n", off1, total);
    // speed: a 1920-sample row of a 1920x8 plane
    static uint16_t q0[8 * 2048], q1[8 * 2048], dst[2048];
    static float mx[2048], my[2048], w0[2048], ru[512], rv[512], rw[512], xf[2048];
    static int32_t xi[2048];
    for (int i = 0; i < 8 * 2048; i++)
        q0[i] = (uint16_t)(rnd() & 255), q1[i] = (uint16_t)(rnd() & 255);
    for (int i = 0; i < 2048; i++) {
        mx[i] = frand(-3, 3), my[i] = frand(-3, 3), w0[i] = frand(0, 1);
        xi[i] = i / 4 < 478 ? i / 4 : 478;
        xf[i] = (float)(i % 4) * 0.25f;
    }
    for (int i = 0; i < 512; i++)
        ru[i] = frand(-10, 10), rv[i] = frand(-10, 10), rw[i] = frand(0, 1);
    double t0 = now_s();
    for (int i = 0; i < 2000; i++)
        aim_warp_row_c(dst, q0, 2048, q1, 2048, 1920, 8, 3, mx, my, w0, 0.5f, 255, 0, 1920);
    double t1 = now_s();
    for (int i = 0; i < 2000; i++)
        d->warp_row(dst, q0, 2048, q1, 2048, 1920, 8, 3, mx, my, w0, 0.5f, 255, 0, 1920);
    double t2 = now_s();
    report("warp_row 1920", (t1 - t0) / 2000, (t2 - t1) / 2000);
    for (int i = 0; i < 2048; i++) // smooth motion: the SIMD fast path
        mx[i] = 2.3f + 0.001f * (float)i, my[i] = -1.6f;
    t0 = now_s();
    for (int i = 0; i < 2000; i++)
        aim_warp_row_c(dst, q0, 2048, q1, 2048, 1920, 8, 3, mx, my, w0, 0.5f, 255, 0, 1920);
    t1 = now_s();
    for (int i = 0; i < 2000; i++)
        d->warp_row(dst, q0, 2048, q1, 2048, 1920, 8, 3, mx, my, w0, 0.5f, 255, 0, 1920);
    t2 = now_s();
    report("warp_row smooth", (t1 - t0) / 2000, (t2 - t1) / 2000);
    if (d->field_row == aim_field_row_c) {
        fprintf(stderr, "  field_row      C only\n");
        return;
    }
    t0 = now_s();
    for (int i = 0; i < 2000; i++)
        aim_field_row_c(mx, my, w0, ru, rv, rw, xi, xf, 4, 4, 1920);
    t1 = now_s();
    for (int i = 0; i < 2000; i++)
        d->field_row(mx, my, w0, ru, rv, rw, xi, xf, 4, 4, 1920);
    t2 = now_s();
    report("field_row 1920", (t1 - t0) / 2000, (t2 - t1) / 2000);
}

// fb_qual_row: flow rows with poison past w; the other flow a w x h image (clamped sampling
// reads only inside it), some flows far out of the picture. Bound: the AVX2 version uses FMA in
// the bilinear sampling (|flow| <= 40: a few 1e-6 of difference), q's slope is below 0.65:
// 4e-5 absolute (close_f with magnitude 4).
static void test_fb_qual(const AimInterpDsp *d)
{
    static float ou[W_MAX * H_MAX + 8], ov[W_MAX * H_MAX + 8];
    float u[W_MAX + 8], v[W_MAX + 8], a[W_MAX + 8], b[W_MAX + 8];
    int bad = 0, n = 0;
    for (int rep = 0; rep < 300; rep++) {
        // bilinear sampling needs a 2 x 2 image at least (aim_bilin_f); the engine's is >= 16
        int w = 2 + (int)(rnd() % (W_MAX - 1)), h = 2 + (int)(rnd() % (H_MAX - 1));
        int y = (int)(rnd() % (unsigned)h);
        float r = rep % 11 == 0 ? 300.0f : 6.0f;
        for (int i = 0; i < W_MAX * H_MAX + 8; i++) {
            ou[i] = i < w * h ? frand(-40, 40) : POISON_F;
            ov[i] = i < w * h ? frand(-40, 40) : POISON_F;
        }
        for (int x = 0; x < W_MAX + 8; x++) {
            u[x] = x < w ? frand(-r, r) : POISON_F;
            v[x] = x < w ? frand(-r, r) : POISON_F;
            if (x < w && rep % 7 == 0) // integer motion: samples exactly on grid points
                u[x] = (float)((int)(rnd() % 9) - 4), v[x] = (float)((int)(rnd() % 5) - 2);
            a[x] = b[x] = -1;
        }
        aim_fb_qual_row_c(a, u, v, ou, ov, w, h, y);
        d->fb_qual_row(b, u, v, ou, ov, w, h, y);
        for (int x = 0; x < W_MAX + 8; x++) {
            if (x >= w) {
                CHECK_MSG(a[x] == -1 && b[x] == -1, "fb_qual_row wrote past w=%d", w);
                continue;
            }
            n++;
            bad += !close_f(a[x], b[x], 4.0f);
        }
    }
    CHECK_MSG(bad == 0, "fb_qual_row: %d of %d values differ", bad, n);
    static float bu[512], bv[512], bq[512], bo[320 * 180];
    for (int i = 0; i < 320 * 180; i++)
        bo[i] = frand(-5, 5);
    for (int i = 0; i < 512; i++)
        bu[i] = frand(-5, 5), bv[i] = frand(-5, 5);
    double t0 = now_s();
    for (int i = 0; i < 3000; i++)
        aim_fb_qual_row_c(bq, bu, bv, bo, bo, 320, 180, 90);
    double t1 = now_s();
    for (int i = 0; i < 3000; i++)
        d->fb_qual_row(bq, bu, bv, bo, bo, 320, 180, 90);
    double t2 = now_s();
    report("fb_qual_row 320", (t1 - t0) / 3000, (t2 - t1) / 3000);
}

// splat_row: all rows of a w x h flow splatted (C vs SIMD into separate accumulators), small
// and far motion, sources landing just inside and outside the grid. The SIMD version must do
// each splat once (masked tail) and in the same order; it uses FMA for the products: a
// relative 1e-5 of the magnitudes (|u| <= 40, summed weights of a few sources: 100).
static void test_splat(const AimInterpDsp *d)
{
    static float u[W_MAX * H_MAX + 8], v[W_MAX * H_MAX + 8], q[W_MAX * H_MAX + 8];
    static float a[4 * W_MAX * H_MAX + 32], b[4 * W_MAX * H_MAX + 32];
    int bad = 0, n = 0;
    for (int rep = 0; rep < 300; rep++) {
        int w = 1 + (int)(rnd() % W_MAX), h = 1 + (int)(rnd() % H_MAX);
        float r = rep % 9 == 0 ? 200.0f : rep % 9 == 1 ? 1.0f : 8.0f;
        for (int i = 0; i < W_MAX * H_MAX + 8; i++) {
            u[i] = i < w * h ? frand(-r, r) : POISON_F;
            v[i] = i < w * h ? frand(-r, r) : POISON_F;
            q[i] = i < w * h ? frand(0.001f, 1.001f) : POISON_F;
        }
        if (rep % 5 == 0) // land near the borders: X just above -1, just below w
            for (int i = 0; i < w * h; i++) {
                int x = i % w;
                u[i] = (i & 1 ? (float)w - 0.001f : -0.999f) - (float)x;
            }
        for (int i = 0; i < 4 * W_MAX * H_MAX + 32; i++)
            a[i] = b[i] = i < 4 * w * h ? 0.0f : -3.0f;
        float step = frand(0, 1), sign = rep & 1 ? -1.0f : 1.0f, nearw = frand(0.5f, 1.5f);
        for (int y = 0; y < h; y++) {
            aim_splat_row_c(a, u + y * w, v + y * w, q + y * w, w, h, y, step, sign, nearw);
            d->splat_row(b, u + y * w, v + y * w, q + y * w, w, h, y, step, sign, nearw);
        }
        for (int i = 0; i < 4 * W_MAX * H_MAX + 32; i++) {
            if (i >= 4 * w * h) {
                CHECK_MSG(a[i] == -3.0f && b[i] == -3.0f, "splat_row wrote outside the grid: rep %d w %d h %d i %d %g %g", rep, w, h, i, a[i], b[i]);
                continue;
            }
            n++;
            bad += !close_f(a[i], b[i], 100.0f);
        }
    }
    CHECK_MSG(bad == 0, "splat_row: %d of %d values differ", bad, n);
    static float bu[320 * 4], bv[320 * 4], bq[320 * 4], acc[4 * 320 * 8];
    for (int i = 0; i < 320 * 4; i++)
        bu[i] = frand(-4, 4), bv[i] = frand(-2, 2), bq[i] = frand(0, 1);
    double t0 = now_s();
    for (int i = 0; i < 3000; i++)
        aim_splat_row_c(acc, bu, bv, bq, 320, 8, 3, 0.5f, 1.0f, 1.0f);
    double t1 = now_s();
    for (int i = 0; i < 3000; i++)
        d->splat_row(acc, bu, bv, bq, 320, 8, 3, 0.5f, 1.0f, 1.0f);
    double t2 = now_s();
    report("splat_row 320", (t1 - t0) / 3000, (t2 - t1) / 3000);
}

// vis_row: random fields and flows (some far out of the picture: the out-of-picture rule),
// qualities in [0.001, 1.001], luma planes with poisoned padding (clamped sampling must not
// read it). FMA in the bilinear samples and positions: outputs within 1e-4 absolute (the
// steepest ramp, smoothstep over 0.02..0.1 of the visibility, has slope 19).
static void test_vis(const AimInterpDsp *d)
{
    enum { ST = W_MAX + 7 };
    static float q0[W_MAX * H_MAX], q1[W_MAX * H_MAX], i0[ST * H_MAX], i1[ST * H_MAX];
    static float fl[6][W_MAX + 8], o[2][5][W_MAX + 8];
    int bad = 0, n = 0;
    for (int rep = 0; rep < 300; rep++) {
        // bilinear sampling needs a 2 x 2 image at least (aim_bilin_f); the engine's is >= 16
        int w = 2 + (int)(rnd() % (W_MAX - 1)), h = 2 + (int)(rnd() % (H_MAX - 1));
        int y = (int)(rnd() % (unsigned)h);
        for (int i = 0; i < W_MAX * H_MAX; i++) {
            q0[i] = frand(0.001f, 1.001f);
            q1[i] = rep % 4 == 0 ? 0.001f : frand(0.001f, 1.001f);
        }
        for (int i = 0; i < ST * H_MAX; i++) {
            int in = i % ST < w;
            i0[i] = in ? (rep % 10 == 0 ? 255.0f : frand(0, 255)) : POISON_F;
            i1[i] = in ? frand(0, 255) : POISON_F;
        }
        float r = rep % 6 == 0 ? 100.0f : 5.0f;
        for (int c = 0; c < 6; c++)
            for (int x = 0; x < W_MAX + 8; x++)
                fl[c][x] = x < w ? frand(-r, r) : POISON_F;
        for (int k = 0; k < 2; k++)
            for (int c = 0; c < 5; c++)
                for (int x = 0; x < W_MAX + 8; x++)
                    o[k][c][x] = -1;
        AimVisRow ra = { .U = fl[0], .V = fl[1], .u01 = fl[2], .v01 = fl[3], .u10 = fl[4],
                         .v10 = fl[5], .q0 = q0, .q1 = q1, .i0 = i0, .i1 = i1, .si0 = ST,
                         .si1 = ST, .w = w, .h = h, .y = y,
                         .t = rep % 3 == 0 ? 0.5f : frand(0.05f, 0.95f) };
        AimVisRow rb = ra;
        ra.bad = o[0][0], ra.fdiff = o[0][1], ra.stay0 = o[0][2], ra.stay1 = o[0][3], ra.fw0 = o[0][4];
        rb.bad = o[1][0], rb.fdiff = o[1][1], rb.stay0 = o[1][2], rb.stay1 = o[1][3], rb.fw0 = o[1][4];
        aim_vis_row_c(&ra);
        d->vis_row(&rb);
        for (int c = 0; c < 5; c++)
            for (int x = 0; x < W_MAX + 8; x++) {
                if (x >= w) {
                    CHECK_MSG(o[0][c][x] == -1 && o[1][c][x] == -1, "vis_row wrote past w=%d", w);
                    continue;
                }
                n++;
                int ok = fabsf(o[0][c][x] - o[1][c][x]) <= 1e-4f;
                if (!ok && bad < 5)
                    fprintf(stderr, "  vis_row rep %d out %d x %d: %g vs %g\n", rep, c, x,
                            o[0][c][x], o[1][c][x]);
                bad += !ok;
            }
    }
    CHECK_MSG(bad == 0, "vis_row: %d of %d values differ", bad, n);
    static float bq[320 * 180], bi[336 * 180], f6[6][320], out[5][320];
    for (int i = 0; i < 320 * 180; i++)
        bq[i] = frand(0, 1);
    for (int i = 0; i < 336 * 180; i++)
        bi[i] = frand(0, 255);
    for (int c = 0; c < 6; c++)
        for (int x = 0; x < 320; x++)
            f6[c][x] = frand(-5, 5);
    AimVisRow r = { .U = f6[0], .V = f6[1], .u01 = f6[2], .v01 = f6[3], .u10 = f6[4],
                    .v10 = f6[5], .q0 = bq, .q1 = bq, .i0 = bi, .i1 = bi, .si0 = 336, .si1 = 336,
                    .bad = out[0], .fdiff = out[1], .stay0 = out[2], .stay1 = out[3],
                    .fw0 = out[4], .w = 320, .h = 180, .y = 90, .t = 0.5f };
    double t0 = now_s();
    for (int i = 0; i < 3000; i++)
        aim_vis_row_c(&r);
    double t1 = now_s();
    for (int i = 0; i < 3000; i++)
        d->vis_row(&r);
    double t2 = now_s();
    report("vis_row 320", (t1 - t0) / 3000, (t2 - t1) / 3000);
}

// field_norm: integer-free but without FMA or reordering: bit-exact. Sums with zero weight
// (nothing splatted) give 0; both accumulators must be zero afterwards; nothing past n written.
static void test_field_norm(const AimInterpDsp *d)
{
    enum { N = 4 * W_MAX + 16 };
    static float a0[2][N], a1[2][N], o[2][3][W_MAX + 8];
    for (int n = 1; n <= W_MAX; n++) {
        for (int i = 0; i < N; i++) {
            int in = i < 4 * n, zw = (i / 4) % 3 == 1; // every third point: weight 0
            float x = (i & 3) == 2 ? (zw ? 0.0f : frand(0.001f, 5)) : zw ? 0.0f : frand(-50, 50);
            float y = (i & 3) == 2 ? (zw ? 0.0f : frand(0, 5)) : zw ? 0.0f : frand(-50, 50);
            a0[0][i] = a0[1][i] = in ? ((i & 3) == 3 ? 0.0f : x) : POISON_F;
            a1[0][i] = a1[1][i] = in ? ((i & 3) == 3 ? 0.0f : y) : POISON_F;
        }
        for (int k = 0; k < 2; k++)
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < W_MAX + 8; i++)
                    o[k][c][i] = -1;
        aim_field_norm_c(o[0][0], o[0][1], o[0][2], a0[0], a1[0], n);
        d->field_norm(o[1][0], o[1][1], o[1][2], a0[1], a1[1], n);
        CHECK_MSG(!memcmp(o[0], o[1], sizeof(o[0])), "field_norm n=%d", n);
        CHECK_MSG(!memcmp(a0[0], a0[1], sizeof(a0[0])) && !memcmp(a1[0], a1[1], sizeof(a1[0])),
                  "field_norm n=%d: accumulators", n);
        int zeroed = 1;
        for (int i = 0; i < 4 * n; i++)
            zeroed &= a0[1][i] == 0.0f && a1[1][i] == 0.0f;
        CHECK_MSG(zeroed && a0[1][4 * n] == POISON_F, "field_norm n=%d: clearing", n);
    }
    static float b0[4 * 4096], b1[4 * 4096], ou[4096], ov[4096], oc[4096];
    double tc = 0, ts = 0;
    for (int r = 0; r < 300; r++) {
        for (int i = 0; i < 4 * 4096; i++)
            b0[i] = b1[i] = (float)(i & 7);
        double t0 = now_s();
        aim_field_norm_c(ou, ov, oc, b0, b1, 4096);
        double t1 = now_s();
        for (int i = 0; i < 4 * 4096; i++)
            b0[i] = b1[i] = (float)(i & 7);
        double t2 = now_s();
        d->field_norm(ou, ov, oc, b0, b1, 4096);
        double t3 = now_s();
        tc += t1 - t0;
        ts += t3 - t2;
    }
    report("field_norm 4096", tc / 300, ts / 300);
}

// flow_up_row: every coarse width 1..W_MAX with the three output widths 2cw - 1, 2cw, 2cw + 1,
// poison past the ends of the inputs and the output. Bound: FMA in the AVX2 blends (|flow| <= 50).
static void test_flow_up(const AimInterpDsp *d)
{
    static float a[W_MAX + 8], b[W_MAX + 8], t0[W_MAX + 8], t1[W_MAX + 8];
    static float o0[2 * W_MAX + 16], o1[2 * W_MAX + 16];
    for (int cw = 1; cw <= W_MAX; cw++)
        for (int dw = -1; dw <= 1; dw++) {
            int w = 2 * cw + dw;
            if (w < 1)
                continue;
            for (int i = 0; i < W_MAX + 8; i++) {
                a[i] = i < cw ? frand(-50, 50) : POISON_F;
                b[i] = i < cw ? frand(-50, 50) : POISON_F;
                t0[i] = t1[i] = -1;
            }
            for (int i = 0; i < 2 * W_MAX + 16; i++)
                o0[i] = o1[i] = -1;
            float wy1 = (cw & 1) ? 0.25f : 0.75f;
            aim_flow_up_row_c(o0, t0, a, b, wy1, cw, w);
            d->flow_up_row(o1, t1, a, b, wy1, cw, w);
            int bad = 0;
            for (int i = 0; i < 2 * W_MAX + 16; i++)
                bad += !close_f(o0[i], o1[i], 200.0f) || (i >= w && o1[i] != -1);
            CHECK_MSG(bad == 0, "flow_up_row cw=%d w=%d: %d values differ", cw, w, bad);
        }
    static float ra[964], rb[964], rt[964], ro[1928];
    for (int i = 0; i < 964; i++)
        ra[i] = frand(-20, 20), rb[i] = frand(-20, 20);
    double tc0 = now_s();
    for (int i = 0; i < 2000; i++)
        aim_flow_up_row_c(ro, rt, ra, rb, 0.75f, 960, 1920);
    double tc1 = now_s();
    for (int i = 0; i < 2000; i++)
        d->flow_up_row(ro, rt, ra, rb, 0.75f, 960, 1920);
    double tc2 = now_s();
    report("flow_up_row 1920", (tc1 - tc0) / 2000, (tc2 - tc1) / 2000);
}

// Variational refinement kernels (flow.c refine_level). The AVX2 versions do the reference's
// operations in the same order without FMA, with IEEE division and square root, so they must
// match bit for bit (compared with ==, which takes -0 == +0; NaN only where both are NaN: a
// 1 x 1 picture whose pixel is out has no data term and no neighbours, 1 / 0). Widths 1..40 and
// a wide one (203: blocks of 8 plus an overlapping tail), heights 1..H_MAX (every row, so the
// first and last), flows that leave the picture, flat (zero gradient) pixels, poison before
// row 0 and past the last row that no kernel may use or overwrite.
enum { VW = 203, VN = VW * H_MAX, VPAD = 16 };
typedef struct VarBufs {
    float b[24][VN + 2 * VPAD];
} VarBufs;

static float *vb(VarBufs *v, int i) { return v->b[i] + VPAD; }

static int var_same(const float *a, const float *b, int n, const char *what, int w, int h)
{
    int bad = 0;
    for (int i = -VPAD; i < n + VPAD; i++) {
        int ok = i >= 0 && i < n ? a[i] == b[i] || (isnan(a[i]) && isnan(b[i]))
                                 : a[i] == -1.0f && b[i] == -1.0f;
        if (!ok && bad < 3)
            fprintf(stderr, "  %s w=%d h=%d i=%d: %.9g vs %.9g\n", what, w, h, i, a[i], b[i]);
        bad += !ok;
    }
    return bad;
}

static void var_fill(float *p, int n, float lo, float hi, int flat)
{
    for (int i = -VPAD; i < n + VPAD; i++)
        p[i] = i < 0 || i >= n ? POISON_F : flat && (i % 5 == 0) ? 0.0f : frand(lo, hi);
}

static void var_clear(float *p, int n)
{
    for (int i = -VPAD; i < n + VPAD; i++)
        p[i] = -1.0f;
}

static void test_var_case(const AimInterpDsp *d, VarBufs *c, VarBufs *s, int w, int h, int rep)
{
    int n = w * h, flat = rep % 3 == 0;
    // data term: planes of stride w + 9 with poison around the w x h picture
    if (w >= 2 && h >= 2) {
        static float pl[3][(VW + 9) * (H_MAX + 2)];
        const ptrdiff_t st = w + 9;
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < st * (h + 2); i++) {
                int x = i % st - 1, y = i / st - 1;
                pl[k][i] = x < 0 || x >= w || y < 0 || y >= h ? POISON_F
                           : k == 0                          ? frand(0, 255)
                                                             : frand(-127.5f, 127.5f);
            }
        float r = rep % 4 == 1 ? 30.0f : 3.0f; // 30: mostly out of a small picture
        var_fill(vb(c, 0), n, -r, r, 0);
        var_fill(vb(c, 1), n, -r, r, 0);
        if (rep % 5 == 2) // integer motion: samples on grid points, at the picture's edges too
            for (int i = 0; i < n; i++)
                vb(c, 0)[i] = (float)((int)(rnd() % 7) - 3), vb(c, 1)[i] = (float)((int)(rnd() % 5) - 2);
        var_fill(vb(c, 2), n, 0, 255, flat); // i0, g0x, g0y rows (stride w)
        var_fill(vb(c, 3), n, -127.5f, 127.5f, flat);
        var_fill(vb(c, 4), n, -127.5f, 127.5f, flat);
        for (int k = 5; k < 11; k++)
            var_clear(vb(c, k), n), var_clear(vb(s, k), n);
        for (int y = 0; y < h; y++) {
            int k = y * w;
            AimVarData a = { .u = vb(c, 0) + k, .v = vb(c, 1) + k, .i0 = vb(c, 2) + k,
                             .g0x = vb(c, 3) + k, .g0y = vb(c, 4) + k, .i1 = pl[0] + st + 1,
                             .g1x = pl[1] + st + 1, .g1y = pl[2] + st + 1, .s1 = st, .w = w,
                             .h = h, .y = y };
            AimVarData b = a;
            a.ix = vb(c, 5) + k, a.iy = vb(c, 6) + k, a.iz = vb(c, 7) + k;
            a.ixz = vb(c, 8) + k, a.iyz = vb(c, 9) + k, a.out = vb(c, 10) + k;
            b.ix = vb(s, 5) + k, b.iy = vb(s, 6) + k, b.iz = vb(s, 7) + k;
            b.ixz = vb(s, 8) + k, b.iyz = vb(s, 9) + k, b.out = vb(s, 10) + k;
            aim_var_data_row_c(&a);
            d->var_data_row(&b);
        }
        int bad = 0;
        for (int k = 5; k < 11; k++)
            bad += var_same(vb(c, k), vb(s, k), n, "var_data_row", w, h);
        CHECK_MSG(bad == 0, "var_data_row w=%d h=%d rep %d: %d values differ", w, h, rep, bad);
    }
    // coefficients on random terms (flat: some exact zeros), flags 0 / 1, flows
    var_fill(vb(c, 0), n, -4, 4, 0);
    var_fill(vb(c, 1), n, -4, 4, flat);
    for (int k = 5; k < 10; k++)
        var_fill(vb(c, k), n, k == 7 ? -60.0f : -127.5f, k == 7 ? 60.0f : 127.5f, flat);
    for (int i = 0; i < n; i++)
        vb(c, 10)[i] = rnd() % 4 == 0 ? 1.0f : 0.0f;
    for (int k = 11; k < 17; k++)
        var_clear(vb(c, k), n), var_clear(vb(s, k), n);
    for (int y = 0; y < h; y++) {
        int k = y * w, km = (y > 0 ? y - 1 : 0) * w, kp = (y < h - 1 ? y + 1 : h - 1) * w;
        AimVarCoef a = { .ix = vb(c, 5) + k, .iy = vb(c, 6) + k, .iz = vb(c, 7) + k,
                         .ixz = vb(c, 8) + k, .iyz = vb(c, 9) + k, .out = vb(c, 10) + k,
                         .ix_up = vb(c, 5) + km, .ix_dn = vb(c, 5) + kp, .iy_up = vb(c, 6) + km,
                         .iy_dn = vb(c, 6) + kp, .u = vb(c, 0) + k, .v = vb(c, 1) + k,
                         .u_dn = vb(c, 0) + kp, .v_dn = vb(c, 1) + kp, .w = w, .alpha = 20.0f,
                         .gamma = 10.0f, .delta = 5.0f };
        AimVarCoef b = a;
        a.a11 = vb(c, 11) + k, a.a12 = vb(c, 12) + k, a.a22 = vb(c, 13) + k;
        a.b1 = vb(c, 14) + k, a.b2 = vb(c, 15) + k, a.ws = vb(c, 16) + k;
        b.a11 = vb(s, 11) + k, b.a12 = vb(s, 12) + k, b.a22 = vb(s, 13) + k;
        b.b1 = vb(s, 14) + k, b.b2 = vb(s, 15) + k, b.ws = vb(s, 16) + k;
        aim_var_coef_row_c(&a);
        d->var_coef_row(&b);
    }
    int bad = 0;
    for (int k = 11; k < 17; k++)
        bad += var_same(vb(c, k), vb(s, k), n, "var_coef_row", w, h);
    CHECK_MSG(bad == 0, "var_coef_row w=%d h=%d rep %d: %d values differ", w, h, rep, bad);
    // edge weights and diagonals, rows in order (wd_up is the previous row's output); inputs
    // from the reference's coefficients
    for (int k = 17; k < 21; k++)
        var_clear(vb(c, k), n), var_clear(vb(s, k), n);
    for (int y = 0; y < h; y++) {
        int k = y * w;
        for (int t = 0; t < 2; t++) {
            VarBufs *o = t ? s : c;
            AimVarDiag a = { .wr = vb(o, 17) + k, .wd = vb(o, 18) + k, .i11 = vb(o, 19) + k,
                             .i22 = vb(o, 20) + k, .ws = vb(c, 16) + k,
                             .ws_dn = y < h - 1 ? vb(c, 16) + k + w : NULL,
                             .wd_up = y > 0 ? vb(o, 18) + k - w : NULL, .a11 = vb(c, 11) + k,
                             .a22 = vb(c, 13) + k, .w = w };
            if (t)
                d->var_diag_row(&a);
            else
                aim_var_diag_row_c(&a);
        }
    }
    bad = 0;
    for (int k = 17; k < 21; k++)
        bad += var_same(vb(c, k), vb(s, k), n, "var_diag_row", w, h);
    CHECK_MSG(bad == 0, "var_diag_row w=%d h=%d rep %d: %d values differ", w, h, rep, bad);
    // 3 SOR sweeps from a random start (in place: each call must update its colour only, once);
    // the arrays count as split rows (var_split_row), random either way
    for (int k = 21; k < 23; k++) {
        var_fill(vb(c, k), n, -2, 2, flat);
        memcpy(s->b[k], c->b[k], sizeof(c->b[k]));
    }
    for (int it = 0; it < 3; it++)
        for (int color = 0; color < 2; color++)
            for (int y = 0; y < h; y++) {
                int k = y * w;
                for (int t = 0; t < 2; t++) {
                    VarBufs *o = t ? s : c;
                    AimVarSor a = { .du = vb(o, 21) + k, .dv = vb(o, 22) + k, .u = vb(c, 0) + k,
                                    .v = vb(c, 1) + k, .wr = vb(c, 17) + k, .wd = vb(c, 18) + k,
                                    .b1 = vb(c, 14) + k, .b2 = vb(c, 15) + k,
                                    .a12 = vb(c, 12) + k, .i11 = vb(c, 19) + k,
                                    .i22 = vb(c, 20) + k, .w = w, .x0 = (y + color) & 1,
                                    .up = y > 0, .down = y < h - 1, .omega = 1.6f };
                    if (t)
                        d->var_sor_row(&a);
                    else
                        aim_var_sor_row_c(&a);
                }
            }
    bad = 0;
    for (int k = 21; k < 23; k++)
        for (int i = -VPAD; i < n + VPAD; i++) {
            float x = vb(c, k)[i], y = vb(s, k)[i];
            int ok = i >= 0 && i < n ? x == y || (isnan(x) && isnan(y))
                                     : x == POISON_F && y == POISON_F;
            if (!ok && bad < 3)
                fprintf(stderr, "  var_sor_row w=%d h=%d i=%d: %.9g vs %.9g\n", w, h, i, x, y);
            bad += !ok;
        }
    CHECK_MSG(bad == 0, "var_sor_row w=%d h=%d rep %d: %d values differ", w, h, rep, bad);
}

static void test_var(const AimInterpDsp *d)
{
    static VarBufs c, s;
    for (int w = 1; w <= 41; w++) {
        int ww = w <= 40 ? w : VW;
        for (int rep = 0; rep < 6; rep++) {
            int h = rep == 0 ? 1 : rep == 1 ? 2 : 1 + (int)(rnd() % H_MAX);
            test_var_case(d, &c, &s, ww, h, rep);
        }
    }
    // speed on rows of a level-2 image of a 640-wide frame (160 wide, the refinement's largest
    // at the engine's default size), middle row of 3
    enum { TW = 160, TR = 20000 };
    static float t[23][3 * TW + 8], pl[3][(TW + 16) * 4];
    for (int k = 0; k < 23; k++)
        for (int i = 0; i < 3 * TW + 8; i++)
            t[k][i] = k == 10 ? 0.0f : k == 19 || k == 20 ? 0.1f : frand(0.5f, 3.0f);
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < (TW + 16) * 4; i++)
            pl[k][i] = frand(0, 255);
    AimVarData vd = { .ix = t[5] + TW, .iy = t[6] + TW, .iz = t[7] + TW, .ixz = t[8] + TW,
                      .iyz = t[9] + TW, .out = t[10] + TW, .u = t[0] + TW, .v = t[1] + TW,
                      .i0 = t[2] + TW, .g0x = t[3] + TW, .g0y = t[4] + TW, .i1 = pl[0],
                      .g1x = pl[1], .g1y = pl[2], .s1 = TW + 16, .w = TW, .h = 3, .y = 1 };
    AimVarCoef vc = { .a11 = t[11] + TW, .a12 = t[12] + TW, .a22 = t[13] + TW,
                      .b1 = t[14] + TW, .b2 = t[15] + TW, .ws = t[16] + TW, .ix = t[5] + TW,
                      .iy = t[6] + TW, .iz = t[7] + TW, .ixz = t[8] + TW, .iyz = t[9] + TW,
                      .out = t[10] + TW, .ix_up = t[5], .ix_dn = t[5] + 2 * TW, .iy_up = t[6],
                      .iy_dn = t[6] + 2 * TW, .u = t[0] + TW, .v = t[1] + TW,
                      .u_dn = t[0] + 2 * TW, .v_dn = t[1] + 2 * TW, .w = TW, .alpha = 20.0f,
                      .gamma = 10.0f, .delta = 5.0f };
    AimVarDiag vg = { .wr = t[17] + TW, .wd = t[18] + TW, .i11 = t[19] + TW, .i22 = t[20] + TW,
                      .ws = t[16] + TW, .ws_dn = t[16] + 2 * TW, .wd_up = t[18], .a11 = t[11] + TW,
                      .a22 = t[13] + TW, .w = TW };
    AimVarSor vs = { .du = t[21] + TW, .dv = t[22] + TW, .u = t[0] + TW, .v = t[1] + TW,
                     .wr = t[17] + TW, .wd = t[18] + TW, .b1 = t[14] + TW, .b2 = t[15] + TW,
                     .a12 = t[12] + TW, .i11 = t[19] + TW, .i22 = t[20] + TW, .w = TW, .x0 = 1,
                     .up = 1, .down = 1, .omega = 1.6f };
#define VAR_TIME(name, cfn, sfn, arg)                                                          \
    do {                                                                                      \
        double t0 = now_s();                                                                  \
        for (int i = 0; i < TR; i++)                                                          \
            cfn(arg);                                                                         \
        double t1 = now_s();                                                                  \
        for (int i = 0; i < TR; i++)                                                          \
            sfn(arg);                                                                         \
        double t2 = now_s();                                                                  \
        report(name, (t1 - t0) / TR, (t2 - t1) / TR);                                         \
    } while (0)
    VAR_TIME("var_data 160", aim_var_data_row_c, d->var_data_row, &vd);
    VAR_TIME("var_coef 160", aim_var_coef_row_c, d->var_coef_row, &vc);
    VAR_TIME("var_diag 160", aim_var_diag_row_c, d->var_diag_row, &vg);
    // the SOR values are updated in place: inverted diagonals of 0.1 (below 1 / the weight sum)
    // make it converge (no overflow to inf)
    VAR_TIME("var_sor 160", aim_var_sor_row_c, d->var_sor_row, &vs);
#undef VAR_TIME
}

// var_split_row / var_merge_row: moves and one add per value, exact. The split is checked
// against its definition too (even pixels, then odd ones), and merge(split(x), 0) == x.
static void test_var_split(const AimInterpDsp *d)
{
    static float src[VW + 32], a[VW + 32], b[VW + 32], z[VW + 32], m0[VW + 32], m1[VW + 32];
    for (int ww = 1; ww <= 41; ww++) {
        int w = ww <= 40 ? ww : VW;
        for (int i = 0; i < VW + 32; i++) {
            src[i] = i < w ? frand(-100, 100) : POISON_F;
            z[i] = i < w ? 0.0f : POISON_F;
            a[i] = b[i] = m0[i] = m1[i] = -1.0f;
        }
        aim_var_split_row_c(a, src, w);
        d->var_split_row(b, src, w);
        CHECK_MSG(!memcmp(a, b, sizeof(a)), "var_split_row w=%d", w);
        int ok = 1, ne = (w + 1) / 2;
        for (int x = 0; x < w; x++)
            ok &= a[x & 1 ? ne + x / 2 : x / 2] == src[x];
        CHECK_MSG(ok && a[w] == -1.0f, "var_split_row w=%d: not the even, then the odd pixels", w);
        for (int i = 0; i < w; i++)
            z[i] = frand(-1, 1);
        aim_var_merge_row_c(m0, a, z, w);
        d->var_merge_row(m1, a, z, w);
        CHECK_MSG(!memcmp(m0, m1, sizeof(m0)), "var_merge_row w=%d", w);
        for (int i = 0; i < w; i++)
            z[i] = 0.0f;
        d->var_merge_row(m1, a, z, w);
        CHECK_MSG(!memcmp(m1, src, (size_t)w * sizeof(float)) && m1[w] == -1.0f,
                  "var_merge_row w=%d: merge(split(x), 0) != x", w);
    }
    double t0 = now_s();
    for (int i = 0; i < 20000; i++)
        aim_var_split_row_c(a, src, 160);
    double t1 = now_s();
    for (int i = 0; i < 20000; i++)
        d->var_split_row(a, src, 160);
    double t2 = now_s();
    report("var_split 160", (t1 - t0) / 20000, (t2 - t1) / 20000);
}

int main(void)
{
    unsigned cpu = aim_cpu_detect();
    AimInterpDsp d;
    aim_interp_dsp_init(&d, cpu);
    if (cpu & AIM_CPU_AVX2)
        CHECK_MSG(d.isa == AIM_CPU_AVX2 && d.warp_row != aim_warp_row_c &&
                  d.patch_step != aim_patch_step_c && d.patch_hess != aim_patch_hess_c &&
                  d.field_row != aim_field_row_c &&
                  d.fb_qual_row != aim_fb_qual_row_c && d.splat_row != aim_splat_row_c &&
                  d.vis_row != aim_vis_row_c && d.field_norm != aim_field_norm_c &&
                  d.flow_up_row != aim_flow_up_row_c,
                  "AVX2 machine but the AVX2 kernels were not selected");
    else
        fprintf(stderr, "no AVX2 on this CPU: the C references are checked against themselves\n");
    AimInterpDsp c;
    aim_interp_dsp_init(&c, 0);
    CHECK(c.isa == 0 && c.warp_row == aim_warp_row_c);
    test_luma_down(&d);
    test_down2_grad(&d);
    test_patch(&d);
    test_field_warp(&d);
    test_fb_qual(&d);
    test_splat(&d);
    test_flow_up(&d);
    test_vis(&d);
    test_field_norm(&d);
    test_var(&d);
    test_var_split(&d);
    return test_finish("test_interp_dsp");
}
