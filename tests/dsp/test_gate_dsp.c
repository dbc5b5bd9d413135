// Gate kernels: every optimised version against the C reference, bit-exactly, on random and
// extreme inputs, all widths (including non-multiples of the vector width), with the padding
// the kernels may over-read poisoned; prints the speed-up and checks the SIMD path was selected.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cpu.h"
#include "gate/gate_dsp.h"
#include "test.h"

static uint32_t rng = 12345;
static uint32_t rnd(void)
{
    rng = rng * 1664525u + 1013904223u;
    return rng >> 8;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); // CPU time: the machine may be shared
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

// mode 0: random, 1: all max, 2: all zero, 3: alternating 0 / max
static uint16_t sample(int mode, int maxv, int i)
{
    switch (mode) {
    case 1: return (uint16_t)maxv;
    case 2: return 0;
    case 3: return (uint16_t)(i & 1 ? maxv : 0);
    default: return (uint16_t)(rnd() % (maxv + 1));
    }
}

static void test_box_row(const AimGateDsp *c, const AimGateDsp *o)
{
    int fails = 0, runs = 0;
    static const int ks[] = { 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 33, 64 };
    for (size_t ki = 0; ki < sizeof(ks) / sizeof(ks[0]); ki++)
        for (int dw = 1; dw <= 70; dw += dw < 20 ? 1 : 7)
            for (int depth = 8; depth <= 10; depth += 2)
                for (int mode = 0; mode < 4; mode++) {
                    int k = ks[ki], maxv = (1 << depth) - 1;
                    ptrdiff_t stride = (ptrdiff_t)dw * k + 32 + (rnd() % 7);
                    size_t n = (size_t)stride * k + 64;
                    uint16_t *src = malloc(n * 2), *src2 = malloc(n * 2);
                    for (size_t i = 0; i < n; i++)
                        src[i] = sample(mode, maxv, (int)i);
                    // poison everything the kernel must not use: beyond dw * k in each row
                    memcpy(src2, src, n * 2);
                    for (int r = 0; r < k; r++)
                        for (ptrdiff_t x = (ptrdiff_t)dw * k; x < stride; x++) {
                            src[r * stride + x] = 0xffff;
                            src2[r * stride + x] = 0x1234;
                        }
                    float scale = (float)(1 << (14 - depth)) / (float)(k * k);
                    uint16_t d0[80], d1[80], d2[80];
                    uint16_t *tmp = malloc(((size_t)dw * k + 16) * 2);
                    c->box_row(d0, dw, src, stride, k, scale, tmp);
                    o->box_row(d1, dw, src, stride, k, scale, tmp);
                    o->box_row(d2, dw, src2, stride, k, scale, tmp);
                    runs++;
                    if (memcmp(d0, d1, dw * 2) || memcmp(d0, d2, dw * 2)) {
                        if (fails++ < 5)
                            fprintf(stderr, "box_row differs: k %d dw %d depth %d mode %d\n", k,
                                    dw, depth, mode);
                    }
                    // the reference itself: the mean of a constant block is that constant
                    if (mode == 1 && d0[0] != (uint16_t)((float)(maxv * k * k) * scale))
                        fails++;
                    free(tmp);
                    free(src);
                    free(src2);
                }
    CHECK_MSG(fails == 0, "box_row: %d of %d runs differ", fails, runs);
}

static void test_absdiff_rows(const AimGateDsp *c, const AimGateDsp *o)
{
    int fails = 0, runs = 0;
    for (int rows = 1; rows <= 64; rows = rows < 4 ? rows + 1 : rows * 2)
        for (int w = 1; w <= 100; w += w < 40 ? 1 : 13)
            for (int mode = 0; mode < 4; mode++) {
                ptrdiff_t sa = w + 32 + (rnd() % 5), sb = w + 32 + (rnd() % 9);
                uint16_t *a = malloc((size_t)sa * rows * 2), *b = malloc((size_t)sb * rows * 2);
                for (ptrdiff_t i = 0; i < sa * rows; i++)
                    a[i] = sample(mode, 1023, (int)i);
                for (ptrdiff_t i = 0; i < sb * rows; i++)
                    b[i] = sample(mode == 3 ? 3 : mode == 1 ? 2 : mode, 1023, (int)i + 1);
                for (int r = 0; r < rows; r++) { // poisoned padding
                    for (ptrdiff_t x = w; x < sa; x++)
                        a[r * sa + x] = 0xffff;
                    for (ptrdiff_t x = w; x < sb; x++)
                        b[r * sb + x] = 0;
                }
                uint16_t s0[112], s1[112];
                s1[w] = 0x5a5a;
                c->absdiff_rows(s0, a, sa, b, sb, rows, w);
                o->absdiff_rows(s1, a, sa, b, sb, rows, w);
                runs++;
                if (memcmp(s0, s1, w * 2) || s1[w] != 0x5a5a) { // and no write past w
                    if (fails++ < 5)
                        fprintf(stderr, "absdiff_rows differs: rows %d w %d mode %d\n", rows, w,
                                mode);
                }
                if (mode == 1 && s0[0] != 1023 * rows) // max vs zero
                    fails++;
                free(a);
                free(b);
            }
    CHECK_MSG(fails == 0, "absdiff_rows: %d of %d runs differ", fails, runs);
}

static void test_me_row(const AimGateDsp *c, const AimGateDsp *o)
{
    int fails = 0, runs = 0;
    static const int ranges[] = { 0, 1, 5, 12 };
    for (int nb = 1; nb <= 41; nb += nb < 10 ? 1 : 5)
        for (size_t ri = 0; ri < 4; ri++)
            for (int mode = 0; mode < 4; mode++) {
                int range = ranges[ri], border = 32;
                ptrdiff_t stride = 4 * nb + 2 * border + (rnd() % 3);
                int rows = 4 + 2 * 12;
                uint8_t *cur = malloc((size_t)stride * rows), *ref = malloc((size_t)stride * rows);
                uint8_t *ref2 = malloc((size_t)stride * rows);
                for (ptrdiff_t i = 0; i < stride * rows; i++) {
                    cur[i] = (uint8_t)sample(mode, 255, (int)i);
                    ref[i] = (uint8_t)sample(mode == 1 ? 2 : mode, 255, (int)i * 7);
                }
                memcpy(ref2, ref, (size_t)stride * rows);
                const uint8_t *c0 = cur + 12 * stride + border, *r0 = ref + 12 * stride + border;
                const uint8_t *r2 = ref2 + 12 * stride + border;
                // poison what lies outside the searched area (beyond range left and right)
                for (int y = -12; y < 16; y++)
                    for (ptrdiff_t x = -border; x < 4 * nb + border && x < stride - border; x++)
                        if (x < -range || x >= 4 * nb + range || y < -range || y >= 4 + range) {
                            ref[(12 + y) * stride + border + x] = 0;
                            ref2[(12 + y) * stride + border + x] = 255;
                        }
                uint16_t b0[48], b1[48], b2[48];
                c->me_row(b0, c0, r0, stride, nb, range);
                o->me_row(b1, c0, r0, stride, nb, range);
                o->me_row(b2, c0, r2, stride, nb, range);
                runs++;
                if (memcmp(b0, b1, nb * 2) || memcmp(b0, b2, nb * 2)) {
                    if (fails++ < 5)
                        fprintf(stderr, "me_row differs: nb %d range %d mode %d\n", nb, range,
                                mode);
                }
                if (mode == 1 && b0[0] != 16 * 255) // max vs zero everywhere
                    fails++;
                free(cur);
                free(ref);
                free(ref2);
            }
    // A block found exactly at a displacement: SAD 0.
    {
        ptrdiff_t stride = 4 * 8 + 64;
        uint8_t *cur = calloc((size_t)stride * 28, 1), *ref = calloc((size_t)stride * 28, 1);
        for (int i = 0; i < stride * 28; i++)
            ref[i] = (uint8_t)(rnd() & 255);
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 32; x++)
                cur[(12 + y) * stride + 32 + x] = ref[(12 + y - 7) * stride + 32 + x + 11];
        uint16_t b0[8], b1[8];
        c->me_row(b0, cur + 12 * stride + 32, ref + 12 * stride + 32, stride, 8, 12);
        o->me_row(b1, cur + 12 * stride + 32, ref + 12 * stride + 32, stride, 8, 12);
        int zeros = 0;
        for (int b = 0; b < 8; b++)
            zeros += b0[b] == 0 && b1[b] == 0;
        CHECK_EQ_INT(zeros, 8);
        free(cur);
        free(ref);
    }
    CHECK_MSG(fails == 0, "me_row: %d of %d runs differ", fails, runs);
}

static void speed(const AimGateDsp *c, const AimGateDsp *o)
{
    // One 1080p frame's worth of each kernel.
    int w = 1920, h = 1080, k = 6;
    ptrdiff_t stride = w + 32;
    uint16_t *a = malloc((size_t)stride * h * 2), *b = malloc((size_t)stride * h * 2);
    for (ptrdiff_t i = 0; i < stride * h; i++) {
        a[i] = (uint16_t)(rnd() & 255);
        b[i] = (uint16_t)(rnd() & 255);
    }
    uint16_t *tmp = malloc(((size_t)w + 16) * 2), dst[320], sum[1936];
    const AimGateDsp *d[2] = { c, o };
    double t[3][2];
    for (int v = 0; v < 2; v++) {
        double t0 = now();
        for (int rep = 0; rep < 3; rep++)
            for (int r = 0; r < h / k; r++)
                d[v]->box_row(dst, w / k, a + (size_t)r * k * stride, stride, k, 64.0f / 36, tmp);
        t[0][v] = now() - t0;
        t0 = now();
        for (int rep = 0; rep < 3; rep++)
            for (int r = 0; r + 16 <= h; r += 16)
                d[v]->absdiff_rows(sum, a + (size_t)r * stride, stride, b + (size_t)r * stride,
                                   stride, 16, w);
        t[1][v] = now() - t0;
    }
    uint8_t *p = malloc(256 * 140), *q = malloc(256 * 140);
    for (int i = 0; i < 256 * 140; i++) {
        p[i] = (uint8_t)(rnd() & 255);
        q[i] = (uint8_t)(rnd() & 255);
    }
    uint16_t best[40];
    for (int v = 0; v < 2; v++) {
        double t0 = now();
        for (int by = 0; by < 22; by++) // 160x88 plane, both directions
            for (int dir = 0; dir < 2; dir++)
                d[v]->me_row(best, (dir ? p : q) + (32 + 4 * by) * 256 + 32,
                             (dir ? q : p) + (32 + 4 * by) * 256 + 32, 256, 40, 12);
        t[2][v] = now() - t0;
    }
    fprintf(stderr, "speed-up on one 1080p frame (C ms / optimised ms): box_row %.2f/%.2f = %.1fx, "
            "absdiff_rows %.2f/%.2f = %.1fx, me_row %.2f/%.2f = %.1fx\n",
            1e3 * t[0][0] / 3, 1e3 * t[0][1] / 3, t[0][0] / t[0][1], 1e3 * t[1][0] / 3,
            1e3 * t[1][1] / 3, t[1][0] / t[1][1], 1e3 * t[2][0], 1e3 * t[2][1],
            t[2][0] / t[2][1]);
    free(a);
    free(b);
    free(tmp);
    free(p);
    free(q);
}

int main(void)
{
    unsigned flags = aim_cpu_detect();
    AimGateDsp c, o;
    aim_gate_dsp_init(&c, 0);
    CHECK_EQ_INT(c.isa, 0);
    CHECK(c.box_row == aim_gate_box_row_c && c.me_row == aim_gate_me_row_c &&
          c.absdiff_rows == aim_gate_absdiff_rows_c);
    aim_gate_dsp_init(&o, flags);
    if (!(flags & AIM_CPU_AVX2)) {
        fprintf(stderr, "no AVX2 on this CPU: only the C references are checked\n");
    } else {
        CHECK_EQ_INT(o.isa, AIM_CPU_AVX2); // the SIMD path really is selected
        CHECK(o.box_row != aim_gate_box_row_c && o.me_row != aim_gate_me_row_c &&
              o.absdiff_rows != aim_gate_absdiff_rows_c);
    }
    test_box_row(&c, &o);
    test_absdiff_rows(&c, &o);
    test_me_row(&c, &o);
    if (flags & AIM_CPU_AVX2)
        speed(&c, &o);
    return test_finish("test_gate_dsp");
}
