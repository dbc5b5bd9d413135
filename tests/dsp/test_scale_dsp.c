// Model B DSP: every SIMD kernel against its C reference, bit-exactly, on random and extreme
// inputs (0, max, alternating 0/max, 8- and 10-bit), all widths 1..80 and a few large ones,
// real filter tables (up, down, same size, all kernels, anti-ringing on and off), poisoned
// padding and guard zones after the outputs. Asserts the SIMD versions are selected when the
// CPU has AVX2 and prints their speed-up.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/cpu.h"
#include "scale/filter.h"
#include "scale/restore.h"
#include "scale/scale_dsp.h"
#include "test.h"

#define POISON 0xA5A5u
#define GUARD 48 // samples checked after the last written one

static uint64_t rng_state = 0x1234567887654321ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

enum { PAT_RANDOM, PAT_ZERO, PAT_MAX, PAT_ALT, PAT_NPAT };

static int sample(int pat, int i, int maxv)
{
    switch (pat) {
    case PAT_ZERO: return 0;
    case PAT_MAX: return maxv;
    case PAT_ALT: return (i & 1) ? maxv : 0;
    default: return (int)(rnd() % (uint32_t)(maxv + 1));
    }
}

static int maxv_of(int depth) { return (1 << depth) - 1; }

static int fails_h, fails_v, fails_sh, fails_dn, fails_db;

// Blocky content that passes the deblocking test: a level per 8x8 block, small noise.
static int blocky(int x, int y, int maxv, int noise)
{
    uint32_t hsh = (uint32_t)(x / 8) * 2654435761u ^ (uint32_t)(y / 8) * 40503u;
    int v = maxv / 2 + (int)(hsh % 9) - 4 + (noise ? (int)(rnd() % (2 * noise + 1)) - noise : 0);
    return v < 0 ? 0 : v > maxv ? maxv : v;
}

// Both deblocking kernels on a w x h plane with 32 samples of poisoned row padding
// (deblock_v may rewrite one padding sample unchanged, so padding is compared too).
static void check_deblock(const AimScaleDSP *ref, const AimScaleDSP *opt, int w, int h,
                          int depth, int pat, const AimDeblockParams *dp)
{
    const int maxv = maxv_of(depth);
    const ptrdiff_t stride = w + 32;
    const size_t n = (size_t)stride * h;
    uint16_t *a = malloc(n * sizeof(*a)), *b = malloc(n * sizeof(*b));
    for (int y = 0; y < h; y++)
        for (int x = 0; x < stride; x++)
            a[y * stride + x] = x >= w ? POISON
                                : pat < PAT_NPAT ? (uint16_t)sample(pat, x + y, maxv)
                                                 : (uint16_t)blocky(x, y, maxv, pat - PAT_NPAT);
    memcpy(b, a, n * sizeof(*a));
    ref->deblock_v(a, stride, w, h, dp);
    opt->deblock_v(b, stride, w, h, dp);
    int bad = memcmp(a, b, n * sizeof(*a)) != 0;
    for (int y = 8; y + 2 < h; y += 8) {
        ref->deblock_h(a + y * stride, stride, w, dp);
        opt->deblock_h(b + y * stride, stride, w, dp);
    }
    bad |= memcmp(a, b, n * sizeof(*a)) != 0;
    if (bad && fails_db++ < 5)
        fprintf(stderr, "deblock mismatch: %dx%d depth %d pat %d alpha %d beta %d tc0 %d\n", w,
                h, depth, pat, dp->alpha, dp->beta, dp->tc0);
    free(a);
    free(b);
}

// One horizontal row: n_in source samples -> n_out outputs.
static void check_h(const AimScaleDSP *ref, const AimScaleDSP *opt, AimScaleKernel k,
                    int n_in, int n_out, int depth, int ar_q, int pat)
{
    AimScaleFilter f;
    double step, start;
    aim_scale_plane_mapping((double)n_in / n_out, (rnd() & 1) ? -1.0 : 0.0, &step, &start);
    if (aim_scale_filter_build(&f, k, n_in, n_out, step, start)) {
        CHECK(0);
        return;
    }
    const int maxv = (1 << depth) - 1;
    const int src_len = n_in + 32 + f.fs; // row + AimFrame-like padding
    uint16_t *src = malloc((size_t)src_len * sizeof(*src));
    int16_t *d0 = malloc((size_t)(f.n_pad + GUARD) * sizeof(*d0));
    int16_t *d1 = malloc((size_t)(f.n_pad + GUARD) * sizeof(*d1));
    for (int i = 0; i < src_len; i++)
        src[i] = i < n_in ? (uint16_t)sample(pat, i, maxv) : (uint16_t)POISON;
    for (int i = 0; i < f.n_pad + GUARD; i++)
        d0[i] = d1[i] = (int16_t)POISON;
    ref->h(d0, src, n_out, f.off, f.coef_blk, f.armask_blk, f.fs, depth, ar_q);
    opt->h(d1, src, n_out, f.off, f.coef_blk, f.armask_blk, f.fs, depth, ar_q);
    int bad = memcmp(d0, d1, (size_t)n_out * sizeof(*d0)) != 0;
    for (int i = n_out; i < f.n_pad + GUARD; i++)
        bad |= d0[i] != (int16_t)POISON || (i >= f.n_pad && d1[i] != (int16_t)POISON);
    if (bad && fails_h++ < 5)
        fprintf(stderr, "h mismatch: kernel %d %d -> %d depth %d ar %d pattern %d\n", k, n_in,
                n_out, depth, ar_q, pat);
    free(src);
    free(d0);
    free(d1);
    aim_scale_filter_free(&f);
}

// One vertical output row from a real filter's window, rows of random intermediates.
static void check_v(const AimScaleDSP *ref, const AimScaleDSP *opt, AimScaleKernel k, int n_in,
                    int n_out, int w, int depth, int ar_q, int pat)
{
    AimScaleFilter f;
    double step, start;
    aim_scale_plane_mapping((double)n_in / n_out, (rnd() & 1) ? -1.0 : 0.5, &step, &start);
    if (aim_scale_filter_build(&f, k, n_in, n_out, step, start)) {
        CHECK(0);
        return;
    }
    const int wpad = (w + 15) & ~15;
    const int up = AIM_SCALE_INTER_BITS - depth, imax = ((1 << depth) - 1) << up;
    int16_t *mem = malloc((size_t)f.fs * wpad * sizeof(*mem));
    const int16_t **rows = malloc((size_t)f.fs * sizeof(*rows));
    for (int t = 0; t < f.fs; t++) {
        for (int x = 0; x < wpad; x++) {
            int v;
            if (x >= w)
                v = (int16_t)POISON;
            else if (pat == PAT_RANDOM)
                // intermediates overshoot the sample range (negative lobes): full int16
                v = (rnd() & 7) ? (int)(rnd() % (imax + 1)) : (int)(rnd() & 0xFFFF) - 32768;
            else
                v = sample(pat, x + t, maxv_of(depth)) << up;
            mem[t * wpad + x] = (int16_t)v;
        }
        rows[t] = mem + t * wpad;
    }
    uint16_t *d0 = malloc((size_t)(w + GUARD) * sizeof(*d0));
    uint16_t *d1 = malloc((size_t)(w + GUARD) * sizeof(*d1));
    for (int i = 0; i < w + GUARD; i++)
        d0[i] = d1[i] = POISON;
    for (int y = 0; y < n_out; y += 1 + n_out / 7) {
        const int16_t *c = f.coef + (size_t)y * f.fs;
        ref->v(d0, rows, w, c, f.fs, depth, f.ar_first[y], f.ar_count[y], ar_q);
        opt->v(d1, rows, w, c, f.fs, depth, f.ar_first[y], f.ar_count[y], ar_q);
        int bad = memcmp(d0, d1, (size_t)(w + GUARD) * sizeof(*d0)) != 0;
        for (int i = w; i < w + GUARD; i++)
            bad |= d1[i] != POISON;
        if (bad && fails_v++ < 5)
            fprintf(stderr, "v mismatch: kernel %d %d -> %d row %d w %d depth %d ar %d pat %d\n",
                    k, n_in, n_out, y, w, depth, ar_q, pat);
    }
    free(d0);
    free(d1);
    free(rows);
    free(mem);
    aim_scale_filter_free(&f);
}

// sharpen and denoise on one row of width w (3 rows of input).
static void check_restore(const AimScaleDSP *ref, const AimScaleDSP *opt, int w, int depth,
                          int pat, int q, const uint8_t *lut, int shift)
{
    const int maxv = maxv_of(depth);
    uint16_t *mem = malloc((size_t)3 * (w + 32) * sizeof(*mem));
    for (int r = 0; r < 3; r++)
        for (int x = 0; x < w + 32; x++)
            mem[r * (w + 32) + x] = x < w ? (uint16_t)sample(pat, x + r, maxv) : POISON;
    const uint16_t *r0 = mem, *r1 = mem + (w + 32), *r2 = mem + 2 * (w + 32);
    uint16_t *d0 = malloc((size_t)(w + GUARD) * sizeof(*d0));
    uint16_t *d1 = malloc((size_t)(w + GUARD) * sizeof(*d1));
    for (int i = 0; i < w + GUARD; i++)
        d0[i] = d1[i] = POISON;
    ref->sharpen(d0, r0, r1, r2, w, q);
    opt->sharpen(d1, r0, r1, r2, w, q);
    if (memcmp(d0, d1, (size_t)(w + GUARD) * sizeof(*d0)) && fails_sh++ < 5)
        fprintf(stderr, "sharpen mismatch: w %d depth %d pat %d q %d\n", w, depth, pat, q);
    ref->denoise(d0, r0, r1, r2, w, lut, shift);
    opt->denoise(d1, r0, r1, r2, w, lut, shift);
    if (memcmp(d0, d1, (size_t)(w + GUARD) * sizeof(*d0)) && fails_dn++ < 5)
        fprintf(stderr, "denoise mismatch: w %d depth %d pat %d shift %d\n", w, depth, pat,
                shift);
    free(mem);
    free(d0);
    free(d1);
}

static void bench(const AimScaleDSP *ref, const AimScaleDSP *opt)
{
    // 1920 -> 2560 luma rows (the 1080p -> 1440p job), Lanczos-3, 8-bit.
    AimScaleFilter fh, fv;
    double step, start;
    aim_scale_plane_mapping(1920.0 / 2560, -1.0, &step, &start);
    aim_scale_filter_build(&fh, AIM_KERNEL_LANCZOS3, 1920, 2560, step, start);
    aim_scale_filter_build(&fv, AIM_KERNEL_LANCZOS3, 1080, 1440, step, start);
    uint16_t *src = calloc(1920 + 64, sizeof(*src));
    int16_t *mid = calloc((size_t)fh.n_pad * fv.fs, sizeof(*mid));
    uint16_t *dst = calloc(2560, sizeof(*dst));
    const int16_t *rows[16];
    for (int i = 0; i < 1920; i++)
        src[i] = (uint16_t)(rnd() & 255);
    for (int t = 0; t < fv.fs; t++)
        rows[t] = mid + t * fh.n_pad;
    const char *names[5] = { "h (1920->2560, lanczos)", "v (2560, 6 taps)",
                             "sharpen (2560)", "denoise (1920)", "deblock v+h (1920x16)" };
    AimRestoreParams rp;
    aim_restore_params_init(&rp, &(AimRestore){ 0.0f, 1.0f, 0.0f }, 8);
    uint16_t *img = calloc(3 * (2560 + 64), sizeof(*img));
    for (int i = 0; i < 3 * (2560 + 64); i++)
        img[i] = (uint16_t)(rnd() & 255);
    uint16_t *blk = malloc((size_t)(1920 + 32) * 16 * sizeof(*blk));
    for (int i = 0; i < (1920 + 32) * 16; i++)
        blk[i] = (uint16_t)blocky(i % (1920 + 32), i / (1920 + 32), 255, 1);
    AimRestoreParams db;
    aim_restore_params_init(&db, &(AimRestore){ 1.0f, 0.0f, 0.0f }, 8);
    for (int kfn = 0; kfn < 5; kfn++) {
        double tm[2];
        // best batch of each (the machine is shared: the minimum is the least disturbed)
        for (int impl = 0; impl < 2; impl++) {
            const AimScaleDSP *d = impl ? opt : ref;
            tm[impl] = 1e9;
            for (int batch = 0; batch < 20; batch++) {
                const int iters = 20;
                double t0 = aim_now_s();
                for (int i = 0; i < iters; i++) {
                    if (kfn == 0)
                        d->h(mid, src, 2560, fh.off, fh.coef_blk, NULL, fh.fs, 8, 0);
                    else if (kfn == 1)
                        d->v(dst, rows, 2560, fv.coef, fv.fs, 8, 0, 1, 0);
                    else if (kfn == 2)
                        d->sharpen(dst, img, img + 2624, img + 2 * 2624, 2560, 128);
                    else if (kfn == 3)
                        d->denoise(dst, img, img + 2624, img + 2 * 2624, 1920, rp.lut_luma,
                                   rp.shift_luma);
                    else {
                        d->deblock_v(blk, 1920 + 32, 1920, 16, &db.db);
                        d->deblock_h(blk + 8 * (1920 + 32), 1920 + 32, 1920, &db.db);
                    }
                }
                double t = (aim_now_s() - t0) / iters;
                tm[impl] = t < tm[impl] ? t : tm[impl];
            }
        }
        fprintf(stderr, "speed %-26s C %7.1f us  AVX2 %6.1f us  speed-up %.1fx\n", names[kfn],
                tm[0] * 1e6, tm[1] * 1e6, tm[0] / tm[1]);
    }
    free(blk);
    free(img);
    free(src);
    free(mid);
    free(dst);
    aim_scale_filter_free(&fh);
    aim_scale_filter_free(&fv);
}

int main(void)
{
    const unsigned cpu = aim_cpu_detect();
    AimScaleDSP ref, opt;
    aim_scale_dsp_init(&ref, 0);
    aim_scale_dsp_init(&opt, cpu);
    CHECK(ref.h == aim_scale_h_c && ref.v == aim_scale_v_c && ref.sharpen == aim_sharpen_c &&
          ref.denoise == aim_denoise_c && ref.deblock_h == aim_deblock_h_c &&
          ref.deblock_v == aim_deblock_v_c);
    if (!(cpu & AIM_CPU_AVX2))
        TEST_SKIP("CPU without AVX2: no SIMD version to check");
    // The SIMD path must really be the one selected.
    CHECK(opt.h != aim_scale_h_c);
    CHECK(opt.v != aim_scale_v_c);
    CHECK(opt.sharpen != aim_sharpen_c);
    CHECK(opt.denoise != aim_denoise_c);
    CHECK(opt.deblock_h != aim_deblock_h_c);
    CHECK(opt.deblock_v != aim_deblock_v_c);

    static const AimScaleKernel kernels[] = { AIM_KERNEL_LANCZOS3, AIM_KERNEL_CATMULL_ROM,
                                              AIM_KERNEL_BILINEAR };
    static const int ar_qs[] = { 0, 77, 256 };
    int widths[90], nw = 0;
    for (int w = 1; w <= 80; w++)
        widths[nw++] = w;
    widths[nw++] = 127;
    widths[nw++] = 129;
    widths[nw++] = 333;
    widths[nw++] = 1001;
    int cases = 0;
    for (int depth = 8; depth <= 10; depth += 2)
        for (int wi = 0; wi < nw; wi++) {
            const int w = widths[wi];
            for (int ki = 0; ki < 3; ki++)
                for (int ai = 0; ai < 3; ai++) {
                    const int pat = (int)(rnd() % PAT_NPAT);
                    // upscale x1.333 / x2 / x7, same size, downscale 1/1.333 / 1/3
                    const int n_ins[6] = { (w * 3 + 3) / 4, (w + 1) / 2, (w + 6) / 7, w,
                                           w * 4 / 3 + 1, w * 3 };
                    for (int r = 0; r < 6; r++) {
                        check_h(&ref, &opt, kernels[ki], n_ins[r] > 0 ? n_ins[r] : 1, w, depth,
                                ar_qs[ai], pat);
                        cases++;
                    }
                    check_v(&ref, &opt, kernels[ki], n_ins[wi % 6] > 0 ? n_ins[wi % 6] : 1,
                            1 + (int)(rnd() % 40), w, depth, ar_qs[ai], pat);
                    cases++;
                }
        }
    for (int depth = 8; depth <= 10; depth += 2) {
        // the strongest luma kernel (widest bins), a mild chroma one, and the full-range
        // LUT (every weight 64 but the last) that maximises the sums
        AimRestoreParams rp;
        const AimRestore rs = { 0.0f, 1.0f, 0.0f }, mild = { 0.0f, 0.3f, 0.0f };
        aim_restore_params_init(&rp, &rs, depth);
        AimRestoreParams rm;
        aim_restore_params_init(&rm, &mild, depth);
        uint8_t full[16];
        memset(full, 64, sizeof(full));
        full[15] = 0;
        const uint8_t *luts[3] = { rp.lut_luma, rm.lut_chroma, full };
        const int shifts[3] = { rp.shift_luma, rm.shift_chroma, 7 };
        for (int wi = 0; wi < nw; wi++)
            for (int pat = 0; pat < PAT_NPAT; pat++)
                for (int qi = 0; qi < 3; qi++) {
                    check_restore(&ref, &opt, widths[wi], depth, pat, (int[]){ 0, 64, 256 }[qi],
                                  luts[qi], shifts[qi]);
                    cases++;
                }
    }
    for (int depth = 8; depth <= 10; depth += 2) {
        // the preset strengths, and thresholds so wide every edge is filtered
        AimRestoreParams r1, r3;
        aim_restore_params_init(&r1, &(AimRestore){ 1.0f, 0.0f, 0.0f }, depth);
        aim_restore_params_init(&r3, &(AimRestore){ 0.3f, 0.0f, 0.0f }, depth);
        const AimDeblockParams wide = { 1 << depth, 1 << depth, 3 << (depth - 8),
                                        maxv_of(depth) };
        const AimDeblockParams *dps[3] = { &r1.db, &r3.db, &wide };
        for (int wi = 0; wi < nw; wi++)
            for (int pat = 0; pat < PAT_NPAT + 3; pat++)
                for (int k = 0; k < 3; k++) {
                    const int h = 1 + (int)(rnd() % 40);
                    check_deblock(&ref, &opt, widths[wi], h, depth, pat, dps[k]);
                    cases++;
                }
    }
    CHECK_EQ_INT(fails_db, 0);
    CHECK_EQ_INT(fails_h, 0);
    CHECK_EQ_INT(fails_v, 0);
    CHECK_EQ_INT(fails_sh, 0);
    CHECK_EQ_INT(fails_dn, 0);
    fprintf(stderr, "%d kernel cases compared\n", cases);
    bench(&ref, &opt);
    return test_finish("test_scale_dsp");
}
