// AVX2 + FMA versions of the interpolation kernels (references: src/interp/interp_dsp.c).
// Row kernels process 8 outputs per step; the last, partial step is done by recomputing the
// final 8 outputs (every output depends only on its own x), so no scalar tail is needed for
// rows of 8 or more; shorter rows use the C reference.
// Integer-exact kernels (luma_down, down2, grad) match the reference bit for bit; the others
// use FMA and match within float rounding (tests/dsp/test_interp_dsp.c states the bounds).
#include <immintrin.h>
#include <string.h>

#include "interp/interp_dsp.h"

decl_luma_down_fn(aim_luma_down_avx2)
{
    if (w < 8 || (d != 1 && d != 2 && d != 4)) {
        aim_luma_down_c(dst, src, stride, w, d, scale);
        return;
    }
    const __m256 vs = _mm256_set1_ps(scale);
    const __m256i ones = _mm256_set1_epi16(1);
    for (int x0 = 0; x0 < w; x0 += 8) {
        int x = x0 + 8 <= w ? x0 : w - 8;
        __m256i sum;
        if (d == 1) {
            sum = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(src + x)));
        } else if (d == 2) {
            const uint16_t *s = src + 2 * x;
            __m256i r = _mm256_add_epi16(_mm256_loadu_si256((const __m256i *)s),
                                         _mm256_loadu_si256((const __m256i *)(s + stride)));
            sum = _mm256_madd_epi16(r, ones); // in-lane adjacent pairs: output order kept
        } else {
            const uint16_t *s = src + 4 * x;
            __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
            for (int j = 0; j < 4; j++) { // 4 rows of 10-bit values: at most 4092 per lane
                lo = _mm256_add_epi16(lo, _mm256_loadu_si256((const __m256i *)(s + j * stride)));
                hi = _mm256_add_epi16(hi,
                                      _mm256_loadu_si256((const __m256i *)(s + j * stride + 16)));
            }
            __m256i h = _mm256_hadd_epi32(_mm256_madd_epi16(lo, ones), _mm256_madd_epi16(hi, ones));
            sum = _mm256_permute4x64_epi64(h, _MM_SHUFFLE(3, 1, 2, 0));
        }
        _mm256_storeu_ps(dst + x, _mm256_mul_ps(_mm256_cvtepi32_ps(sum), vs));
    }
}

decl_down2_fn(aim_down2_avx2)
{
    if (w < 8) {
        aim_down2_c(dst, s0, s1, w);
        return;
    }
    const __m256 q = _mm256_set1_ps(0.25f);
    for (int x0 = 0; x0 < w; x0 += 8) {
        int x = x0 + 8 <= w ? x0 : w - 8;
        __m256 h0 = _mm256_hadd_ps(_mm256_loadu_ps(s0 + 2 * x), _mm256_loadu_ps(s0 + 2 * x + 8));
        __m256 h1 = _mm256_hadd_ps(_mm256_loadu_ps(s1 + 2 * x), _mm256_loadu_ps(s1 + 2 * x + 8));
        __m256 r = _mm256_mul_ps(_mm256_add_ps(h0, h1), q);
        r = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(r), _MM_SHUFFLE(3, 1, 2, 0)));
        _mm256_storeu_ps(dst + x, r);
    }
}

decl_grad_fn(aim_grad_avx2)
{
    if (w < 8) {
        aim_grad_c(gx, gy, src, stride, w);
        return;
    }
    const __m256 h = _mm256_set1_ps(0.5f);
    for (int x0 = 0; x0 < w; x0 += 8) {
        int x = x0 + 8 <= w ? x0 : w - 8;
        const float *s = src + x;
        _mm256_storeu_ps(gx + x, _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(s + 1),
                                                             _mm256_loadu_ps(s - 1)), h));
        _mm256_storeu_ps(gy + x, _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(s + stride),
                                                             _mm256_loadu_ps(s - stride)), h));
    }
}

decl_patch_step_fn(aim_patch_step_avx2)
{
    const __m256 w00 = _mm256_set1_ps((1 - fx) * (1 - fy)), w01 = _mm256_set1_ps(fx * (1 - fy));
    const __m256 w10 = _mm256_set1_ps((1 - fx) * fy), w11 = _mm256_set1_ps(fx * fy);
    // two sets of accumulators (even and odd rows): the search iterates this step serially,
    // so its latency (the FMA chains) is what counts; two chains of 4 instead of one of 8
    __m256 sx[2], sy[2], sd[2], sdd[2];
    __m256 a = _mm256_loadu_ps(i1), a1 = _mm256_loadu_ps(i1 + 1);
    for (int j = 0; j < AIM_FLOW_PATCH; j++) {
        const float *r = i1 + (j + 1) * s1;
        __m256 b = _mm256_loadu_ps(r), b1 = _mm256_loadu_ps(r + 1);
        __m256 v = _mm256_mul_ps(w00, a);
        v = _mm256_fmadd_ps(w01, a1, v);
        v = _mm256_fmadd_ps(w10, b, v);
        v = _mm256_fmadd_ps(w11, b1, v);
        __m256 d = _mm256_sub_ps(v, _mm256_loadu_ps(tp + j * st));
        __m256 gxd = _mm256_mul_ps(_mm256_loadu_ps(gx + j * st), d);
        __m256 gyd = _mm256_mul_ps(_mm256_loadu_ps(gy + j * st), d);
        __m256 dd = _mm256_mul_ps(d, d);
        if (j < 2) {
            sx[j] = gxd, sy[j] = gyd, sd[j] = d, sdd[j] = dd;
        } else {
            int k = j & 1;
            sx[k] = _mm256_add_ps(sx[k], gxd);
            sy[k] = _mm256_add_ps(sy[k], gyd);
            sd[k] = _mm256_add_ps(sd[k], d);
            sdd[k] = _mm256_add_ps(sdd[k], dd);
        }
        a = b;
        a1 = b1;
    }
    // transpose-add the four accumulators: lanes 0..3 of the result hold the four sums
    __m256 t0 = _mm256_hadd_ps(_mm256_add_ps(sx[0], sx[1]), _mm256_add_ps(sy[0], sy[1]));
    __m256 t1 = _mm256_hadd_ps(_mm256_add_ps(sd[0], sd[1]), _mm256_add_ps(sdd[0], sdd[1]));
    __m256 t2 = _mm256_hadd_ps(t0, t1); // [sx sy sd sdd | sx sy sd sdd] partial per lane
    __m128 r = _mm_add_ps(_mm256_castps256_ps128(t2), _mm256_extractf128_ps(t2, 1));
    _mm_storeu_ps(out, r);
}

decl_patch_hess_fn(aim_patch_hess_avx2)
{
    __m256 x = _mm256_loadu_ps(gx), y = _mm256_loadu_ps(gy);
    __m256 sx = x, sy = y, sxx = _mm256_mul_ps(x, x), sxy = _mm256_mul_ps(x, y);
    __m256 syy = _mm256_mul_ps(y, y);
    for (int j = 1; j < AIM_FLOW_PATCH; j++) {
        x = _mm256_loadu_ps(gx + j * st);
        y = _mm256_loadu_ps(gy + j * st);
        sx = _mm256_add_ps(sx, x);
        sy = _mm256_add_ps(sy, y);
        sxx = _mm256_fmadd_ps(x, x, sxx);
        sxy = _mm256_fmadd_ps(x, y, sxy);
        syy = _mm256_fmadd_ps(y, y, syy);
    }
    __m256 t0 = _mm256_hadd_ps(sx, sy), t1 = _mm256_hadd_ps(sxx, sxy);
    __m256 t2 = _mm256_hadd_ps(t0, t1); // [sx sy sxx sxy | same] partial per lane
    __m128 r = _mm_add_ps(_mm256_castps256_ps128(t2), _mm256_extractf128_ps(t2, 1));
    _mm_storeu_ps(out, r);
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(syy), _mm256_extractf128_ps(syy, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_shuffle_ps(q, q, 1));
    out[4] = _mm_cvtss_f32(q);
}

decl_patch_densify_fn(aim_patch_densify_avx2)
{
    const __m256 w00 = _mm256_set1_ps((1 - fx) * (1 - fy)), w01 = _mm256_set1_ps(fx * (1 - fy));
    const __m256 w10 = _mm256_set1_ps((1 - fx) * fy), w11 = _mm256_set1_ps(fx * fy);
    const __m256 vm = _mm256_set1_ps(mean), vu = _mm256_set1_ps(u), vv = _mm256_set1_ps(v);
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    __m256 a = _mm256_loadu_ps(i1), a1 = _mm256_loadu_ps(i1 + 1);
    for (int j = 0; j < AIM_FLOW_PATCH; j++) {
        const float *r = i1 + (j + 1) * s1;
        __m256 b = _mm256_loadu_ps(r), b1 = _mm256_loadu_ps(r + 1);
        __m256 s = _mm256_mul_ps(w00, a);
        s = _mm256_fmadd_ps(w01, a1, s);
        s = _mm256_fmadd_ps(w10, b, s);
        s = _mm256_fmadd_ps(w11, b1, s);
        __m256 e = _mm256_and_ps(_mm256_sub_ps(_mm256_sub_ps(s, _mm256_loadu_ps(tp + j * st)), vm),
                                 absmask);
        __m256 wgt = _mm256_div_ps(one, _mm256_max_ps(e, one));
        float *pu = acc_u + j * sa, *pv = acc_v + j * sa, *pw = acc_w + j * sa;
        _mm256_storeu_ps(pu, _mm256_fmadd_ps(wgt, vu, _mm256_loadu_ps(pu)));
        _mm256_storeu_ps(pv, _mm256_fmadd_ps(wgt, vv, _mm256_loadu_ps(pv)));
        _mm256_storeu_ps(pw, _mm256_add_ps(wgt, _mm256_loadu_ps(pw)));
        a = b;
        a1 = b1;
    }
}

static inline uint32_t ld32(const uint16_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

// Bilinear sample of 8 positions (already clamped to the plane) of a uint16 plane: one 32-bit
// gather per row fetches the samples at ix and ix+1 together.
static inline __m256 sample8(const uint16_t *src, ptrdiff_t s, __m256 px, __m256 py,
                             __m256i maxx, __m256i maxy)
{
    __m256i ix = _mm256_min_epi32(_mm256_cvttps_epi32(px), maxx);
    __m256i iy = _mm256_min_epi32(_mm256_cvttps_epi32(py), maxy);
    __m256 fx = _mm256_sub_ps(px, _mm256_cvtepi32_ps(ix));
    __m256 fy = _mm256_sub_ps(py, _mm256_cvtepi32_ps(iy));
    __m256i idx = _mm256_add_epi32(_mm256_mullo_epi32(iy, _mm256_set1_epi32((int)s)), ix);
    // lane 0's offset from the register (no store and reload on the fast path)
    const int i0 = _mm256_cvtsi256_si32(idx);
    __m256i rel = _mm256_sub_epi32(idx, _mm256_broadcastd_epi32(_mm256_castsi256_si128(idx)));
    if (_mm256_testz_si256(_mm256_cmpgt_epi32(rel, _mm256_set1_epi32(7)),
                           _mm256_cmpgt_epi32(rel, _mm256_set1_epi32(7))) &&
        _mm256_testz_si256(rel, _mm256_set1_epi32((int)0x80000000))) {
        // Smooth motion (the usual case): all 8 samples lie within 8 + 1 consecutive
        // samples of memory from lane 0's. Two 8-sample loads per row and in-register permutes
        // (reads at most 7 samples past a row's end: AimFrame rows are padded).
        const uint16_t *p = src + i0;
        __m256i t0 = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
        __m256i t1 = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(p + 1)));
        __m256i b0 = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(p + s)));
        __m256i b1 = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(p + s + 1)));
        __m256 v00 = _mm256_cvtepi32_ps(_mm256_permutevar8x32_epi32(t0, rel));
        __m256 v01 = _mm256_cvtepi32_ps(_mm256_permutevar8x32_epi32(t1, rel));
        __m256 v10 = _mm256_cvtepi32_ps(_mm256_permutevar8x32_epi32(b0, rel));
        __m256 v11 = _mm256_cvtepi32_ps(_mm256_permutevar8x32_epi32(b1, rel));
        __m256 t = _mm256_fmadd_ps(fx, _mm256_sub_ps(v01, v00), v00);
        __m256 b = _mm256_fmadd_ps(fx, _mm256_sub_ps(v11, v10), v10);
        return _mm256_fmadd_ps(fy, _mm256_sub_ps(b, t), t);
    }
    // Otherwise scalar 32-bit loads (samples ix and ix+1 together) inserted into vectors
    // instead of vpgatherdd: on the machines measured gathers were slower than this (and, with
    // the gather-data-sampling microcode fix, they are on most current Intel CPUs).
    int32_t ia[8];
    _mm256_storeu_si256((__m256i *)ia, idx);
#define L32(p) (int)ld32(p)
    __m256i top = _mm256_setr_epi32(L32(src + ia[0]), L32(src + ia[1]), L32(src + ia[2]),
                                    L32(src + ia[3]), L32(src + ia[4]), L32(src + ia[5]),
                                    L32(src + ia[6]), L32(src + ia[7]));
    src += s;
    __m256i bot = _mm256_setr_epi32(L32(src + ia[0]), L32(src + ia[1]), L32(src + ia[2]),
                                    L32(src + ia[3]), L32(src + ia[4]), L32(src + ia[5]),
                                    L32(src + ia[6]), L32(src + ia[7]));
#undef L32
    const __m256i lo = _mm256_set1_epi32(0xffff);
    __m256 t0 = _mm256_cvtepi32_ps(_mm256_and_si256(top, lo));
    __m256 t1 = _mm256_cvtepi32_ps(_mm256_srli_epi32(top, 16));
    __m256 b0 = _mm256_cvtepi32_ps(_mm256_and_si256(bot, lo));
    __m256 b1 = _mm256_cvtepi32_ps(_mm256_srli_epi32(bot, 16));
    __m256 t = _mm256_fmadd_ps(fx, _mm256_sub_ps(t1, t0), t0);
    __m256 b = _mm256_fmadd_ps(fx, _mm256_sub_ps(b1, b0), b0);
    return _mm256_fmadd_ps(fy, _mm256_sub_ps(b, t), t);
}

decl_warp_row_fn(aim_warp_row_avx2)
{
    // (s0 and s1 may differ: frames of one size share a stride in practice, but nothing needs it)
    if (w - x0 < 8 || pw < 2 || ph < 2) {
        aim_warp_row_c(dst, src0, s0, src1, s1, pw, ph, y, mx, my, w0, t, maxv, x0, w);
        return;
    }
    const __m256 vt = _mm256_set1_ps(t), vt1 = _mm256_set1_ps(1.0f - t);
    const __m256 vy = _mm256_set1_ps((float)y), zero = _mm256_setzero_ps();
    const __m256 xmax = _mm256_set1_ps((float)(pw - 1)), ymax = _mm256_set1_ps((float)(ph - 1));
    const __m256i maxx = _mm256_set1_epi32(pw - 2), maxy = _mm256_set1_epi32(ph - 2);
    const __m256 half = _mm256_set1_ps(0.5f);
    const __m256i vmax = _mm256_set1_epi32(maxv);
    const __m256 lane = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
    for (int xs = x0; xs < w; xs += 8) {
        int x = xs + 8 <= w ? xs : w - 8;
        __m256 vx = _mm256_add_ps(_mm256_set1_ps((float)x), lane);
        __m256 m_x = _mm256_loadu_ps(mx + x), m_y = _mm256_loadu_ps(my + x);
        __m256 ax = _mm256_fnmadd_ps(vt, m_x, vx), ay = _mm256_fnmadd_ps(vt, m_y, vy);
        __m256 bx = _mm256_fmadd_ps(vt1, m_x, vx), by = _mm256_fmadd_ps(vt1, m_y, vy);
        ax = _mm256_min_ps(_mm256_max_ps(ax, zero), xmax);
        ay = _mm256_min_ps(_mm256_max_ps(ay, zero), ymax);
        bx = _mm256_min_ps(_mm256_max_ps(bx, zero), xmax);
        by = _mm256_min_ps(_mm256_max_ps(by, zero), ymax);
        __m256 a = sample8(src0, s0, ax, ay, maxx, maxy);
        __m256 b = sample8(src1, s1, bx, by, maxx, maxy);
        __m256 v = _mm256_add_ps(_mm256_fmadd_ps(_mm256_loadu_ps(w0 + x), _mm256_sub_ps(a, b), b),
                                 half);
        __m256i iv = _mm256_cvttps_epi32(_mm256_max_ps(v, zero));
        iv = _mm256_min_epi32(iv, vmax);
        __m128i p = _mm_packus_epi32(_mm256_castsi256_si128(iv), _mm256_extracti128_si256(iv, 1));
        _mm_storeu_si128((__m128i *)(dst + x), p);
    }
}

decl_field_row_fn(aim_field_row_avx2)
{
    if (w < 8) {
        aim_field_row_c(mx, my, w0, ru, rv, rw, xi, xf, sx, sy, w);
        return;
    }
    const __m256 vsx = _mm256_set1_ps(sx), vsy = _mm256_set1_ps(sy);
    for (int x0 = 0; x0 < w; x0 += 8) {
        int x = x0 + 8 <= w ? x0 : w - 8;
        __m256i vi = _mm256_loadu_si256((const __m256i *)(xi + x));
        __m256 f = _mm256_loadu_ps(xf + x);
        __m256 u0, u1, v0, v1, g0, g1;
        int base = xi[x];
        if (xi[x + 7] - base <= 7) {
            // upsampling (the usual case): the 8 outputs read at most 8 + 1 consecutive
            // values; two unaligned loads and an in-register permute replace 6 gathers
            __m256i rel = _mm256_sub_epi32(vi, _mm256_set1_epi32(base));
            u0 = _mm256_permutevar8x32_ps(_mm256_loadu_ps(ru + base), rel);
            u1 = _mm256_permutevar8x32_ps(_mm256_loadu_ps(ru + base + 1), rel);
            v0 = _mm256_permutevar8x32_ps(_mm256_loadu_ps(rv + base), rel);
            v1 = _mm256_permutevar8x32_ps(_mm256_loadu_ps(rv + base + 1), rel);
            g0 = _mm256_permutevar8x32_ps(_mm256_loadu_ps(rw + base), rel);
            g1 = _mm256_permutevar8x32_ps(_mm256_loadu_ps(rw + base + 1), rel);
        } else {
            // downsampling (chroma of a full-resolution flow grid, widths <= 480): the C
            // reference for these 8 (vgatherdps measured 3.6x slower than C on this machine)
            aim_field_row_c(mx + x, my + x, w0 + x, ru, rv, rw, xi + x, xf + x, sx, sy, 8);
            continue;
        }
        _mm256_storeu_ps(mx + x, _mm256_mul_ps(_mm256_fmadd_ps(f, _mm256_sub_ps(u1, u0), u0), vsx));
        _mm256_storeu_ps(my + x, _mm256_mul_ps(_mm256_fmadd_ps(f, _mm256_sub_ps(v1, v0), v0), vsy));
        _mm256_storeu_ps(w0 + x, _mm256_fmadd_ps(f, _mm256_sub_ps(g1, g0), g0));
    }
}

// Clamped bilinear position in a w x h float image (as aim_bilin_f): integer top-left and
// fractions; the caller gathers the four neighbours of each lane from one or more images.
typedef struct Pos8 {
    __m256i ix, iy;
    __m256 fx, fy;
} Pos8;

static inline Pos8 pos8(__m256 x, __m256 y, __m256 xmax, __m256 ymax, __m256i ixmax,
                        __m256i iymax)
{
    const __m256 zero = _mm256_setzero_ps();
    x = _mm256_min_ps(_mm256_max_ps(x, zero), xmax);
    y = _mm256_min_ps(_mm256_max_ps(y, zero), ymax);
    Pos8 p;
    p.ix = _mm256_min_epi32(_mm256_cvttps_epi32(x), ixmax);
    p.iy = _mm256_min_epi32(_mm256_cvttps_epi32(y), iymax);
    p.fx = _mm256_sub_ps(x, _mm256_cvtepi32_ps(p.ix));
    p.fy = _mm256_sub_ps(y, _mm256_cvtepi32_ps(p.iy));
    return p;
}

// Two consecutive floats at img + o[k] for the 8 lanes, split into first (*p0) and second
// (*p1) of each pair. 64-bit loads and shuffles: on the machines measured (bench/RESULTS-
// interp.md) vgatherdps was slower than this by about 2x.
static inline void pairs8(const float *img, const int32_t *o, __m256 *p0, __m256 *p1)
{
#define LD2(k, l) _mm_loadh_pi(_mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)(img + o[k]))), \
                               (const __m64 *)(img + o[l]))
    __m256 a = _mm256_insertf128_ps(_mm256_castps128_ps256(LD2(0, 1)), LD2(4, 5), 1);
    __m256 b = _mm256_insertf128_ps(_mm256_castps128_ps256(LD2(2, 3)), LD2(6, 7), 1);
#undef LD2
    *p0 = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
    *p1 = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
}

static inline __m256 bilin8(const float *img, ptrdiff_t s, const Pos8 *p)
{
    __m256i idx = _mm256_add_epi32(_mm256_mullo_epi32(p->iy, _mm256_set1_epi32((int)s)), p->ix);
    int32_t o[8];
    _mm256_storeu_si256((__m256i *)o, idx);
    __m256 p00, p01, p10, p11;
    pairs8(img, o, &p00, &p01);
    pairs8(img + s, o, &p10, &p11);
    __m256 top = _mm256_fmadd_ps(p->fx, _mm256_sub_ps(p01, p00), p00);
    __m256 bot = _mm256_fmadd_ps(p->fx, _mm256_sub_ps(p11, p10), p10);
    return _mm256_fmadd_ps(p->fy, _mm256_sub_ps(bot, top), top);
}

decl_fb_qual_row_fn(aim_fb_qual_row_avx2)
{
    if (w < 8 || h < 2) {
        aim_fb_qual_row_c(q, u, v, ou, ov, w, h, y);
        return;
    }
    const __m256 xmax = _mm256_set1_ps((float)(w - 1)), ymax = _mm256_set1_ps((float)(h - 1));
    const __m256i ixmax = _mm256_set1_epi32(w - 2), iymax = _mm256_set1_epi32(h - 2);
    const __m256 lane = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7), vy = _mm256_set1_ps((float)y);
    const __m256 one = _mm256_set1_ps(1.0f), eps = _mm256_set1_ps(1e-3f);
    for (int x0 = 0; x0 < w; x0 += 8) {
        int x = x0 + 8 <= w ? x0 : w - 8;
        __m256 uu = _mm256_loadu_ps(u + x), vv = _mm256_loadu_ps(v + x);
        __m256 X = _mm256_add_ps(_mm256_add_ps(_mm256_set1_ps((float)x), lane), uu);
        Pos8 p = pos8(X, _mm256_add_ps(vy, vv), xmax, ymax, ixmax, iymax);
        __m256 cu = _mm256_add_ps(uu, bilin8(ou, w, &p));
        __m256 cv = _mm256_add_ps(vv, bilin8(ov, w, &p));
        __m256 d = _mm256_fmadd_ps(cv, cv, _mm256_fmadd_ps(cu, cu, one));
        _mm256_storeu_ps(q + x, _mm256_add_ps(_mm256_div_ps(one, d), eps));
    }
}

decl_splat_row_fn(aim_splat_row_avx2)
{
    const __m256 lane = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7), vy = _mm256_set1_ps((float)y);
    const __m256 vstep = _mm256_set1_ps(step), vsign = _mm256_set1_ps(sign);
    const __m256 vnear = _mm256_set1_ps(nearw), one = _mm256_set1_ps(1.0f);
    const __m256 m1 = _mm256_set1_ps(-1.0f), vw = _mm256_set1_ps((float)w);
    const __m256 vh = _mm256_set1_ps((float)h);
    const __m256i ilane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    int32_t ia[8], ja[8];
    float wt[4][8], mu[8], mv[8];
    for (int x = 0; x < w; x += 8) {
        // a partial last step loads only its lanes (masked) and drops the others: a splat
        // must not be done twice
        __m256i live = _mm256_cmpgt_epi32(_mm256_set1_epi32(w - x), ilane);
        __m256 uu = _mm256_maskload_ps(u + x, live), vv = _mm256_maskload_ps(v + x, live);
        __m256 qq = _mm256_maskload_ps(q + x, live);
        __m256 X = _mm256_fmadd_ps(vstep, uu, _mm256_add_ps(_mm256_set1_ps((float)x), lane));
        __m256 Y = _mm256_fmadd_ps(vstep, vv, vy);
        __m256 in = _mm256_and_ps(_mm256_cmp_ps(X, m1, _CMP_GT_OQ), _mm256_cmp_ps(X, vw, _CMP_LT_OQ));
        in = _mm256_and_ps(in, _mm256_and_ps(_mm256_cmp_ps(Y, m1, _CMP_GT_OQ),
                                             _mm256_cmp_ps(Y, vh, _CMP_LT_OQ)));
        int mask = _mm256_movemask_ps(_mm256_and_ps(in, _mm256_castsi256_ps(live)));
        if (!mask)
            continue;
        __m256 fX = _mm256_floor_ps(X), fY = _mm256_floor_ps(Y);
        __m256 fx = _mm256_sub_ps(X, fX), fy = _mm256_sub_ps(Y, fY);
        __m256 gx = _mm256_sub_ps(one, fx), gy = _mm256_sub_ps(one, fy);
        __m256 wq = _mm256_mul_ps(_mm256_mul_ps(qq, qq), vnear);
        _mm256_storeu_si256((__m256i *)ia, _mm256_cvttps_epi32(fX));
        _mm256_storeu_si256((__m256i *)ja, _mm256_cvttps_epi32(fY));
        _mm256_storeu_ps(wt[0], _mm256_mul_ps(_mm256_mul_ps(gx, gy), wq));
        _mm256_storeu_ps(wt[1], _mm256_mul_ps(_mm256_mul_ps(fx, gy), wq));
        _mm256_storeu_ps(wt[2], _mm256_mul_ps(_mm256_mul_ps(gx, fy), wq));
        _mm256_storeu_ps(wt[3], _mm256_mul_ps(_mm256_mul_ps(fx, fy), wq));
        _mm256_storeu_ps(mu, _mm256_mul_ps(vsign, uu));
        _mm256_storeu_ps(mv, _mm256_mul_ps(vsign, vv));
        while (mask) {
            int k = __builtin_ctz((unsigned)mask);
            mask &= mask - 1;
            const __m128 m = _mm_setr_ps(mu[k], mv[k], 1.0f, 0.0f);
            const int ix = ia[k], iy = ja[k];
            float *a = acc + 4 * ((ptrdiff_t)iy * w + ix);
            if (ix >= 0 && ix <= w - 2 && iy >= 0 && iy <= h - 2) { // all 4 inside
                float *b = a + 4 * (ptrdiff_t)w;
                _mm_storeu_ps(a, _mm_fmadd_ps(_mm_set1_ps(wt[0][k]), m, _mm_loadu_ps(a)));
                _mm_storeu_ps(a + 4, _mm_fmadd_ps(_mm_set1_ps(wt[1][k]), m, _mm_loadu_ps(a + 4)));
                _mm_storeu_ps(b, _mm_fmadd_ps(_mm_set1_ps(wt[2][k]), m, _mm_loadu_ps(b)));
                _mm_storeu_ps(b + 4, _mm_fmadd_ps(_mm_set1_ps(wt[3][k]), m, _mm_loadu_ps(b + 4)));
                continue;
            }
            for (int i = 0; i < 4; i++) {
                int xx = ix + (i & 1), yy = iy + (i >> 1);
                if (xx < 0 || xx >= w || yy < 0 || yy >= h)
                    continue;
                float *c = acc + 4 * ((ptrdiff_t)yy * w + xx);
                _mm_storeu_ps(c, _mm_fmadd_ps(_mm_set1_ps(wt[i][k]), m, _mm_loadu_ps(c)));
            }
        }
    }
}

static inline __m256 smoothstep8(float e0, float e1, __m256 x)
{
    __m256 t = _mm256_div_ps(_mm256_sub_ps(x, _mm256_set1_ps(e0)), _mm256_set1_ps(e1 - e0));
    t = _mm256_min_ps(_mm256_max_ps(t, _mm256_setzero_ps()), _mm256_set1_ps(1.0f));
    return _mm256_mul_ps(_mm256_mul_ps(t, t), _mm256_fnmadd_ps(_mm256_set1_ps(2.0f), t,
                                                               _mm256_set1_ps(3.0f)));
}

decl_vis_row_fn(aim_vis_row_avx2)
{
    const int w = a->w, h = a->h;
    if (w < 8 || h < 2) {
        aim_vis_row_c(a);
        return;
    }
    const __m256 xmax = _mm256_set1_ps((float)(w - 1)), ymax = _mm256_set1_ps((float)(h - 1));
    const __m256i ixmax = _mm256_set1_epi32(w - 2), iymax = _mm256_set1_epi32(h - 2);
    const __m256 lane = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7), vy = _mm256_set1_ps((float)a->y);
    const __m256 vt = _mm256_set1_ps(a->t), vt1 = _mm256_set1_ps(1.0f - a->t);
    const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
    const __m256 mhalf = _mm256_set1_ps(-0.5f), wlim = _mm256_set1_ps((float)w - 0.5f);
    const __m256 hlim = _mm256_set1_ps((float)h - 0.5f), c01 = _mm256_set1_ps(0.01f);
    const __m256 quarter = _mm256_set1_ps(0.25f);
    const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    const float *q0row = a->q0 + (ptrdiff_t)a->y * w, *q1row = a->q1 + (ptrdiff_t)a->y * w;
    const float *r0 = a->i0 + a->y * a->si0, *r1 = a->i1 + a->y * a->si1;
    for (int xs = 0; xs < w; xs += 8) {
        int x = xs + 8 <= w ? xs : w - 8;
        __m256 vx = _mm256_add_ps(_mm256_set1_ps((float)x), lane);
        __m256 mu = _mm256_loadu_ps(a->U + x), mv = _mm256_loadu_ps(a->V + x);
        __m256 x0 = _mm256_fnmadd_ps(vt, mu, vx), y0 = _mm256_fnmadd_ps(vt, mv, vy);
        __m256 x1 = _mm256_fmadd_ps(vt1, mu, vx), y1 = _mm256_fmadd_ps(vt1, mv, vy);
        Pos8 p0 = pos8(x0, y0, xmax, ymax, ixmax, iymax);
        Pos8 p1 = pos8(x1, y1, xmax, ymax, ixmax, iymax);
        __m256 vis0 = bilin8(a->q1, w, &p1), vis1 = bilin8(a->q0, w, &p0);
        __m256 out0 = _mm256_or_ps(_mm256_or_ps(_mm256_cmp_ps(x0, mhalf, _CMP_LT_OQ),
                                                _mm256_cmp_ps(y0, mhalf, _CMP_LT_OQ)),
                                   _mm256_or_ps(_mm256_cmp_ps(x0, wlim, _CMP_GT_OQ),
                                                _mm256_cmp_ps(y0, hlim, _CMP_GT_OQ)));
        __m256 out1 = _mm256_or_ps(_mm256_or_ps(_mm256_cmp_ps(x1, mhalf, _CMP_LT_OQ),
                                                _mm256_cmp_ps(y1, mhalf, _CMP_LT_OQ)),
                                   _mm256_or_ps(_mm256_cmp_ps(x1, wlim, _CMP_GT_OQ),
                                                _mm256_cmp_ps(y1, hlim, _CMP_GT_OQ)));
        __m256 diff = _mm256_xor_ps(out0, out1);
        vis0 = _mm256_blendv_ps(vis0, _mm256_andnot_ps(out0, one), diff);
        vis1 = _mm256_blendv_ps(vis1, _mm256_andnot_ps(out1, one), diff);
        __m256 w0 = _mm256_mul_ps(vt1, _mm256_add_ps(vis0, c01));
        __m256 w1 = _mm256_mul_ps(vt, _mm256_add_ps(vis1, c01));
        __m256 ia = bilin8(a->i0, a->si0, &p0), ib = bilin8(a->i1, a->si1, &p1);
        __m256 err = _mm256_and_ps(_mm256_sub_ps(ia, ib), absmask);
        __m256 vmax = _mm256_max_ps(vis0, vis1);
        __m256 claim = _mm256_fmadd_ps(vis0, vis1, _mm256_sub_ps(one, smoothstep8(0.02f, 0.1f, vmax)));
        _mm256_storeu_ps(a->bad + x, _mm256_mul_ps(smoothstep8(32.0f, 64.0f, err), claim));
        __m256 dif = _mm256_and_ps(_mm256_sub_ps(_mm256_loadu_ps(r0 + x), _mm256_loadu_ps(r1 + x)),
                                   absmask);
        _mm256_storeu_ps(a->fdiff + x, smoothstep8(8.0f, 24.0f, dif));
        __m256 u01 = _mm256_loadu_ps(a->u01 + x), v01 = _mm256_loadu_ps(a->v01 + x);
        __m256 u10 = _mm256_loadu_ps(a->u10 + x), v10 = _mm256_loadu_ps(a->v10 + x);
        __m256 m0 = _mm256_fmadd_ps(v01, v01, _mm256_mul_ps(u01, u01));
        __m256 m1 = _mm256_fmadd_ps(v10, v10, _mm256_mul_ps(u10, u10));
        __m256 l0 = _mm256_sub_ps(one, _mm256_div_ps(one, _mm256_fmadd_ps(quarter, m0, one)));
        __m256 l1 = _mm256_sub_ps(one, _mm256_div_ps(one, _mm256_fmadd_ps(quarter, m1, one)));
        _mm256_storeu_ps(a->stay0 + x,
                         _mm256_mul_ps(vt1, _mm256_fnmadd_ps(l0, _mm256_loadu_ps(q0row + x), one)));
        _mm256_storeu_ps(a->stay1 + x,
                         _mm256_mul_ps(vt, _mm256_fnmadd_ps(l1, _mm256_loadu_ps(q1row + x), one)));
        _mm256_storeu_ps(a->fw0 + x, _mm256_div_ps(w0, _mm256_add_ps(w0, w1)));
        (void)zero;
    }
}

decl_field_norm_fn(aim_field_norm_avx2)
{
    const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    int k = 0;
    for (; k + 8 <= n; k += 8) {
        float *p0 = a0 + 4 * k, *p1 = a1 + 4 * k;
        __m256 r[4];
        for (int i = 0; i < 4; i++) { // points 2i, 2i+1: [u v w - | u v w -]
            r[i] = _mm256_add_ps(_mm256_loadu_ps(p0 + 8 * i), _mm256_loadu_ps(p1 + 8 * i));
            _mm256_storeu_ps(p0 + 8 * i, zero);
            _mm256_storeu_ps(p1 + 8 * i, zero);
        }
        __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
        __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
        // points in the order 0 2 4 6 | 1 3 5 7, then permuted to 0..7
        __m256 su = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), order);
        __m256 sv = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2)), order);
        __m256 sw = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), order);
        __m256 pos = _mm256_cmp_ps(sw, zero, _CMP_GT_OQ);
        // where sw is 0 the quotient (NaN) is masked to 0
        _mm256_storeu_ps(u + k, _mm256_and_ps(pos, _mm256_div_ps(su, sw)));
        _mm256_storeu_ps(v + k, _mm256_and_ps(pos, _mm256_div_ps(sv, sw)));
        _mm256_storeu_ps(c + k, _mm256_and_ps(pos, one));
    }
    if (k < n)
        aim_field_norm_c(u + k, v + k, c + k, a0 + 4 * k, a1 + 4 * k, n - k);
}

decl_flow_up_row_fn(aim_flow_up_row_avx2)
{
    if (cw < 10 || w < 16) {
        aim_flow_up_row_c(o, tmp, a, b, wy1, cw, w);
        return;
    }
    const __m256 vwy = _mm256_set1_ps(wy1), two = _mm256_set1_ps(2.0f);
    int x = 0;
    for (; x + 8 <= cw; x += 8) {
        __m256 va = _mm256_loadu_ps(a + x);
        __m256 t = _mm256_fmadd_ps(vwy, _mm256_sub_ps(_mm256_loadu_ps(b + x), va), va);
        _mm256_storeu_ps(tmp + x, _mm256_mul_ps(two, t));
    }
    for (; x < cw; x++)
        tmp[x] = 2.0f * (a[x] + wy1 * (b[x] - a[x]));
    // inner columns, 8 values of m (16 outputs) at a time: x = 2m from tmp[m-1], tmp[m] at 3/4,
    // x = 2m+1 from tmp[m], tmp[m+1] at 1/4, interleaved back into output order
    const __m256 q3 = _mm256_set1_ps(0.75f), q1 = _mm256_set1_ps(0.25f);
    int m = 1;
    for (; 2 * (m + 7) + 1 < w && m + 8 < cw; m += 8) {
        __m256 p = _mm256_loadu_ps(tmp + m - 1), q = _mm256_loadu_ps(tmp + m);
        __m256 r = _mm256_loadu_ps(tmp + m + 1);
        __m256 ev = _mm256_fmadd_ps(q3, _mm256_sub_ps(q, p), p);
        __m256 od = _mm256_fmadd_ps(q1, _mm256_sub_ps(r, q), q);
        __m256 lo = _mm256_unpacklo_ps(ev, od), hi = _mm256_unpackhi_ps(ev, od);
        _mm256_storeu_ps(o + 2 * m, _mm256_permute2f128_ps(lo, hi, 0x20));
        _mm256_storeu_ps(o + 2 * m + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
    }
    for (; 2 * m + 1 < w && m + 1 < cw; m++) {
        o[2 * m] = tmp[m - 1] + 0.75f * (tmp[m] - tmp[m - 1]);
        o[2 * m + 1] = tmp[m] + 0.25f * (tmp[m + 1] - tmp[m]);
    }
    // the clamped ends (x = 0, 1 and from 2m on), as the reference
    for (int xx = 0; xx < w; xx++) {
        if (xx == 2)
            xx = 2 * m;
        if (xx >= w)
            break;
        int c0 = (xx >> 1) - 1 + (xx & 1), c1 = c0 + 1;
        float wx1 = (xx & 1) ? 0.25f : 0.75f;
        c0 = c0 < 0 ? 0 : c0 > cw - 1 ? cw - 1 : c0;
        c1 = c1 < 0 ? 0 : c1 > cw - 1 ? cw - 1 : c1;
        o[xx] = tmp[c0] + wx1 * (tmp[c1] - tmp[c0]);
    }
}

// ------------------------------------------------------------------------------------------
// Variational refinement (references: aim_var_*_row_c). These four match the C references bit
// for bit: the same operations in the same order, IEEE division and square root (correctly
// rounded like the scalar ones), and no FMA: the compiler must not contract a product and a
// sum into one (GCC does by default where FMA is enabled, so it is switched off per function;
// clang's default contracts only within one source expression, which these do not contain).
// Exact results keep the refinement's many nonlinear steps from drifting apart between the C
// and AVX2 paths; FMA would save little here (the kernels are bound by loads and divisions).
#if defined(__clang__)
#define EXACT_FP
#else
#define EXACT_FP __attribute__((optimize("fp-contract=off")))
#endif

// Row ends: v shifted by one lane with the end lane repeated (clamped neighbour x - 1 at x = 0,
// x + 1 at x = w - 1), for blocks whose neighbour lies outside the row.
static inline __m256 shift_in_left(__m256 v)
{
    return _mm256_permutevar8x32_ps(v, _mm256_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6));
}
static inline __m256 shift_in_right(__m256 v)
{
    return _mm256_permutevar8x32_ps(v, _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 7));
}

// Bilinear sample as aim_bilin_f, operation for operation (no FMA).
EXACT_FP static inline __m256 bilin8_exact(const float *img, ptrdiff_t s, const int32_t *o,
                                           __m256 fx, __m256 fy)
{
    __m256 p00, p01, p10, p11;
    pairs8(img, o, &p00, &p01);
    pairs8(img + s, o, &p10, &p11);
    __m256 top = _mm256_add_ps(p00, _mm256_mul_ps(fx, _mm256_sub_ps(p01, p00)));
    __m256 bot = _mm256_add_ps(p10, _mm256_mul_ps(fx, _mm256_sub_ps(p11, p10)));
    return _mm256_add_ps(top, _mm256_mul_ps(fy, _mm256_sub_ps(bot, top)));
}

EXACT_FP decl_var_data_row_fn(aim_var_data_row_avx2)
{
    const int w = a->w, h = a->h;
    if (w < 8 || h < 2) {
        aim_var_data_row_c(a);
        return;
    }
    const __m256 xmax = _mm256_set1_ps((float)(w - 1)), ymax = _mm256_set1_ps((float)(h - 1));
    const __m256i ixmax = _mm256_set1_epi32(w - 2), iymax = _mm256_set1_epi32(h - 2);
    const __m256 lane = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7), vy = _mm256_set1_ps((float)a->y);
    const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
    const __m256 zero = _mm256_setzero_ps();
    const __m256i vs = _mm256_set1_epi32((int)a->s1);
    int32_t o[8];
    for (int xs = 0; xs < w; xs += 8) {
        int x = xs + 8 <= w ? xs : w - 8; // outputs are not inputs: the last 8 are recomputed
        __m256 X = _mm256_add_ps(_mm256_add_ps(_mm256_set1_ps((float)x), lane),
                                 _mm256_loadu_ps(a->u + x));
        __m256 Y = _mm256_add_ps(vy, _mm256_loadu_ps(a->v + x));
        Pos8 p = pos8(X, Y, xmax, ymax, ixmax, iymax);
        _mm256_storeu_si256((__m256i *)o, _mm256_add_epi32(_mm256_mullo_epi32(p.iy, vs), p.ix));
        __m256 W = bilin8_exact(a->i1, a->s1, o, p.fx, p.fy);
        __m256 GX = bilin8_exact(a->g1x, a->s1, o, p.fx, p.fy);
        __m256 GY = bilin8_exact(a->g1y, a->s1, o, p.fx, p.fy);
        __m256 gx0 = _mm256_loadu_ps(a->g0x + x), gy0 = _mm256_loadu_ps(a->g0y + x);
        _mm256_storeu_ps(a->ix + x, _mm256_mul_ps(half, _mm256_add_ps(GX, gx0)));
        _mm256_storeu_ps(a->iy + x, _mm256_mul_ps(half, _mm256_add_ps(GY, gy0)));
        _mm256_storeu_ps(a->iz + x, _mm256_sub_ps(W, _mm256_loadu_ps(a->i0 + x)));
        _mm256_storeu_ps(a->ixz + x, _mm256_sub_ps(GX, gx0));
        _mm256_storeu_ps(a->iyz + x, _mm256_sub_ps(GY, gy0));
        __m256 out = _mm256_or_ps(_mm256_or_ps(_mm256_cmp_ps(X, zero, _CMP_LT_OQ),
                                               _mm256_cmp_ps(Y, zero, _CMP_LT_OQ)),
                                  _mm256_or_ps(_mm256_cmp_ps(X, xmax, _CMP_GT_OQ),
                                               _mm256_cmp_ps(Y, ymax, _CMP_GT_OQ)));
        _mm256_storeu_ps(a->out + x, _mm256_and_ps(out, one));
    }
}

EXACT_FP decl_var_coef_row_fn(aim_var_coef_row_avx2)
{
    const int w = a->w;
    if (w < 8) {
        aim_var_coef_row_c(a);
        return;
    }
    // the C reference's constants (VAR_ZETA2, VAR_EPS2 in interp_dsp.c)
    const __m256 zeta2 = _mm256_set1_ps(0.01f), eps2 = _mm256_set1_ps(1e-6f);
    const __m256 alpha = _mm256_set1_ps(a->alpha), gamma = _mm256_set1_ps(a->gamma);
    const __m256 delta = _mm256_set1_ps(a->delta), half = _mm256_set1_ps(0.5f);
    const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int xs = 0; xs < w; xs += 8) {
        int x = xs + 8 <= w ? xs : w - 8; // outputs are not inputs: the last 8 are recomputed
        const int first = x == 0, last = x + 8 >= w;
        __m256 ix = _mm256_loadu_ps(a->ix + x), iy = _mm256_loadu_ps(a->iy + x);
        __m256 iz = _mm256_loadu_ps(a->iz + x);
        __m256 ixm = first ? shift_in_left(ix) : _mm256_loadu_ps(a->ix + x - 1);
        __m256 ixp = last ? shift_in_right(ix) : _mm256_loadu_ps(a->ix + x + 1);
        __m256 ixx = _mm256_mul_ps(half, _mm256_sub_ps(ixp, ixm));
        __m256 ixy = _mm256_mul_ps(half, _mm256_sub_ps(_mm256_loadu_ps(a->ix_dn + x),
                                                       _mm256_loadu_ps(a->ix_up + x)));
        __m256 iyy = _mm256_mul_ps(half, _mm256_sub_ps(_mm256_loadu_ps(a->iy_dn + x),
                                                       _mm256_loadu_ps(a->iy_up + x)));
        __m256 ixz = _mm256_loadu_ps(a->ixz + x), iyz = _mm256_loadu_ps(a->iyz + x);
        __m256 nd = _mm256_div_ps(one, _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(ix, ix),
                                                                   _mm256_mul_ps(iy, iy)), zeta2));
        __m256 pd = _mm256_div_ps(_mm256_mul_ps(delta, nd),
                                  _mm256_sqrt_ps(_mm256_add_ps(
                                      _mm256_mul_ps(_mm256_mul_ps(iz, iz), nd), eps2)));
        __m256 ng1 = _mm256_div_ps(one, _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(ixx, ixx),
                                                                    _mm256_mul_ps(ixy, ixy)), zeta2));
        __m256 ng2 = _mm256_div_ps(one, _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(ixy, ixy),
                                                                    _mm256_mul_ps(iyy, iyy)), zeta2));
        __m256 pg = _mm256_div_ps(gamma, _mm256_sqrt_ps(_mm256_add_ps(
            _mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(ixz, ixz), ng1),
                          _mm256_mul_ps(_mm256_mul_ps(iyz, iyz), ng2)), eps2)));
        __m256 pg1 = _mm256_mul_ps(pg, ng1), pg2 = _mm256_mul_ps(pg, ng2);
        __m256 pdx = _mm256_mul_ps(pd, ix), pdy = _mm256_mul_ps(pd, iy);
        __m256 gxx = _mm256_mul_ps(pg1, ixx), gxy = _mm256_mul_ps(pg1, ixy);
        __m256 hxy = _mm256_mul_ps(pg2, ixy), hyy = _mm256_mul_ps(pg2, iyy);
#define SUM3(p, q, r) _mm256_add_ps(_mm256_add_ps(p, q), r)
        __m256 a11 = SUM3(_mm256_mul_ps(pdx, ix), _mm256_mul_ps(gxx, ixx), _mm256_mul_ps(hxy, ixy));
        __m256 a12 = SUM3(_mm256_mul_ps(pdx, iy), _mm256_mul_ps(gxx, ixy), _mm256_mul_ps(hxy, iyy));
        __m256 a22 = SUM3(_mm256_mul_ps(pdy, iy), _mm256_mul_ps(gxy, ixy), _mm256_mul_ps(hyy, iyy));
        __m256 b1 = SUM3(_mm256_mul_ps(pdx, iz), _mm256_mul_ps(gxx, ixz), _mm256_mul_ps(hxy, iyz));
        __m256 b2 = SUM3(_mm256_mul_ps(pdy, iz), _mm256_mul_ps(gxy, ixz), _mm256_mul_ps(hyy, iyz));
#undef SUM3
        // out of the picture: no data term (a NaN flag counts as out, as in C's != test)
        __m256 keep = _mm256_cmp_ps(_mm256_loadu_ps(a->out + x), zero, _CMP_EQ_OQ);
        _mm256_storeu_ps(a->a11 + x, _mm256_and_ps(keep, a11));
        _mm256_storeu_ps(a->a12 + x, _mm256_and_ps(keep, a12));
        _mm256_storeu_ps(a->a22 + x, _mm256_and_ps(keep, a22));
        _mm256_storeu_ps(a->b1 + x, _mm256_and_ps(keep, _mm256_xor_ps(b1, sign)));
        _mm256_storeu_ps(a->b2 + x, _mm256_and_ps(keep, _mm256_xor_ps(b2, sign)));
        __m256 u = _mm256_loadu_ps(a->u + x), v = _mm256_loadu_ps(a->v + x);
        __m256 up = last ? shift_in_right(u) : _mm256_loadu_ps(a->u + x + 1);
        __m256 vp = last ? shift_in_right(v) : _mm256_loadu_ps(a->v + x + 1);
        __m256 ux = _mm256_sub_ps(up, u), uy = _mm256_sub_ps(_mm256_loadu_ps(a->u_dn + x), u);
        __m256 vx = _mm256_sub_ps(vp, v), vy = _mm256_sub_ps(_mm256_loadu_ps(a->v_dn + x), v);
        __m256 s = _mm256_add_ps(_mm256_mul_ps(ux, ux), _mm256_mul_ps(uy, uy));
        s = _mm256_add_ps(_mm256_add_ps(s, _mm256_mul_ps(vx, vx)), _mm256_mul_ps(vy, vy));
        _mm256_storeu_ps(a->ws + x, _mm256_div_ps(alpha, _mm256_sqrt_ps(_mm256_add_ps(s, eps2))));
    }
}

EXACT_FP decl_var_diag_row_fn(aim_var_diag_row_avx2)
{
    const int w = a->w;
    if (w < 8) {
        aim_var_diag_row_c(a);
        return;
    }
    const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
    const __m256 zero = _mm256_setzero_ps();
    const __m256 not_lane0 = _mm256_castsi256_ps(_mm256_setr_epi32(0, -1, -1, -1, -1, -1, -1, -1));
    const __m256 not_lane7 = _mm256_castsi256_ps(_mm256_setr_epi32(-1, -1, -1, -1, -1, -1, -1, 0));
    for (int xs = 0; xs < w; xs += 8) {
        int x = xs + 8 <= w ? xs : w - 8; // outputs are not inputs: the last 8 are recomputed
        const int last = x + 8 >= w;
        __m256 ws = _mm256_loadu_ps(a->ws + x);
        __m256 wr = _mm256_mul_ps(half, _mm256_add_ps(ws, last ? shift_in_right(ws)
                                                                : _mm256_loadu_ps(a->ws + x + 1)));
        _mm256_storeu_ps(a->wr + x, last ? _mm256_and_ps(wr, not_lane7) : wr); // 0 at x = w-1
        _mm256_storeu_ps(a->wd + x, a->ws_dn ? _mm256_mul_ps(half, _mm256_add_ps(
                                                   ws, _mm256_loadu_ps(a->ws_dn + x)))
                                             : zero);
    }
    for (int xs = 0; xs < w; xs += 8) {
        int x = xs + 8 <= w ? xs : w - 8;
        __m256 wr = _mm256_loadu_ps(a->wr + x); // wr[w-1] = 0: the reference's (x < w-1 ? ..)
        __m256 wl = x == 0 ? _mm256_and_ps(shift_in_left(wr), not_lane0)
                           : _mm256_loadu_ps(a->wr + x - 1);
        __m256 sw = _mm256_add_ps(wl, wr);
        sw = _mm256_add_ps(sw, a->wd_up ? _mm256_loadu_ps(a->wd_up + x) : zero);
        sw = _mm256_add_ps(sw, a->ws_dn ? _mm256_loadu_ps(a->wd + x) : zero);
        __m256 d11 = _mm256_add_ps(_mm256_loadu_ps(a->a11 + x), sw);
        __m256 d22 = _mm256_add_ps(_mm256_loadu_ps(a->a22 + x), sw);
        _mm256_storeu_ps(a->i11 + x, _mm256_div_ps(one, d11));
        _mm256_storeu_ps(a->i22 + x, _mm256_div_ps(one, d22));
    }
}

// On split rows every lane of a block is a pixel of the sweep's colour, and the neighbours
// are consecutive values of the other half: plain loads, no lane wasted.
EXACT_FP decl_var_sor_row_fn(aim_var_sor_row_avx2)
{
    const int w = a->w;
    if (w < 16) { // fewer than 8 pixels of one colour
        aim_var_sor_row_c(a);
        return;
    }
    const int p = a->x0, ne = (w + 1) / 2, no = w / 2;
    const int own = p ? ne : 0, oth = p ? 0 : ne, n = p ? no : ne, noth = p ? ne : no;
    const __m256 omega = _mm256_set1_ps(a->omega), zero = _mm256_setzero_ps();
    const __m256 not_lane0 = _mm256_castsi256_ps(_mm256_setr_epi32(0, -1, -1, -1, -1, -1, -1, -1));
    const __m256 not_lane7 = _mm256_castsi256_ps(_mm256_setr_epi32(-1, -1, -1, -1, -1, -1, -1, 0));
    const __m256i ilane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    float *du_ = a->du, *dv_ = a->dv;
    const float *U = a->u, *V = a->v;
    const ptrdiff_t s = w;
    for (int js = 0; js < n; js += 8) {
        // the last block overlaps the previous one: its lanes below js are done (in place: not
        // to be updated twice)
        const int jb = js + 8 <= n ? js : n - 8;
        const int k = own + jb, kl = oth + jb - 1 + p, kr = oth + jb + p;
        __m256i jl = _mm256_add_epi32(_mm256_set1_epi32(jb), ilane);
        __m256 live = _mm256_castsi256_ps(_mm256_cmpgt_epi32(jl, _mm256_set1_epi32(js - 1)));
        __m256 uk = _mm256_loadu_ps(U + k), vk = _mm256_loadu_ps(V + k);
        __m256 du0 = _mm256_loadu_ps(du_ + k), dv0 = _mm256_loadu_ps(dv_ + k);
        __m256 ul, vl, dul, dvl, wl, ur, vr, dur, dvr, wrr = _mm256_loadu_ps(a->wr + k);
        if (kl < oth) { // pixel x = 0 (lane 0) has no left neighbour: weight 0 (C skips it)
            ul = shift_in_left(_mm256_loadu_ps(U + oth));
            vl = shift_in_left(_mm256_loadu_ps(V + oth));
            dul = shift_in_left(_mm256_loadu_ps(du_ + oth));
            dvl = shift_in_left(_mm256_loadu_ps(dv_ + oth));
            wl = _mm256_and_ps(shift_in_left(_mm256_loadu_ps(a->wr + oth)), not_lane0);
        } else {
            ul = _mm256_loadu_ps(U + kl), vl = _mm256_loadu_ps(V + kl);
            dul = _mm256_loadu_ps(du_ + kl), dvl = _mm256_loadu_ps(dv_ + kl);
            wl = _mm256_loadu_ps(a->wr + kl);
        }
        if (kr + 8 > oth + noth) { // pixel x = w-1 (lane 7) has no right neighbour
            ur = shift_in_right(_mm256_loadu_ps(U + kr - 1));
            vr = shift_in_right(_mm256_loadu_ps(V + kr - 1));
            dur = shift_in_right(_mm256_loadu_ps(du_ + kr - 1));
            dvr = shift_in_right(_mm256_loadu_ps(dv_ + kr - 1));
            wrr = _mm256_and_ps(wrr, not_lane7);
        } else {
            ur = _mm256_loadu_ps(U + kr), vr = _mm256_loadu_ps(V + kr);
            dur = _mm256_loadu_ps(du_ + kr), dvr = _mm256_loadu_ps(dv_ + kr);
        }
        // su = 0 + wl * (ul + dul - uk) + ... in the reference's order
        __m256 su = _mm256_add_ps(zero, _mm256_mul_ps(wl, _mm256_sub_ps(_mm256_add_ps(ul, dul), uk)));
        __m256 sv = _mm256_add_ps(zero, _mm256_mul_ps(wl, _mm256_sub_ps(_mm256_add_ps(vl, dvl), vk)));
        su = _mm256_add_ps(su, _mm256_mul_ps(wrr, _mm256_sub_ps(_mm256_add_ps(ur, dur), uk)));
        sv = _mm256_add_ps(sv, _mm256_mul_ps(wrr, _mm256_sub_ps(_mm256_add_ps(vr, dvr), vk)));
        if (a->up) {
            __m256 wu = _mm256_loadu_ps(a->wd + k - s);
            su = _mm256_add_ps(su, _mm256_mul_ps(wu, _mm256_sub_ps(
                _mm256_add_ps(_mm256_loadu_ps(U + k - s), _mm256_loadu_ps(du_ + k - s)), uk)));
            sv = _mm256_add_ps(sv, _mm256_mul_ps(wu, _mm256_sub_ps(
                _mm256_add_ps(_mm256_loadu_ps(V + k - s), _mm256_loadu_ps(dv_ + k - s)), vk)));
        }
        if (a->down) {
            __m256 wd = _mm256_loadu_ps(a->wd + k);
            su = _mm256_add_ps(su, _mm256_mul_ps(wd, _mm256_sub_ps(
                _mm256_add_ps(_mm256_loadu_ps(U + k + s), _mm256_loadu_ps(du_ + k + s)), uk)));
            sv = _mm256_add_ps(sv, _mm256_mul_ps(wd, _mm256_sub_ps(
                _mm256_add_ps(_mm256_loadu_ps(V + k + s), _mm256_loadu_ps(dv_ + k + s)), vk)));
        }
        __m256 a12 = _mm256_loadu_ps(a->a12 + k);
        // du += omega * ((b1 - a12 * dv + su) * i11 - du), then dv with the new du
        __m256 t = _mm256_sub_ps(_mm256_loadu_ps(a->b1 + k), _mm256_mul_ps(a12, dv0));
        t = _mm256_mul_ps(_mm256_add_ps(t, su), _mm256_loadu_ps(a->i11 + k));
        __m256 du = _mm256_add_ps(du0, _mm256_mul_ps(omega, _mm256_sub_ps(t, du0)));
        t = _mm256_sub_ps(_mm256_loadu_ps(a->b2 + k), _mm256_mul_ps(a12, du));
        t = _mm256_mul_ps(_mm256_add_ps(t, sv), _mm256_loadu_ps(a->i22 + k));
        __m256 dv = _mm256_add_ps(dv0, _mm256_mul_ps(omega, _mm256_sub_ps(t, dv0)));
        _mm256_storeu_ps(du_ + k, _mm256_blendv_ps(du0, du, live));
        _mm256_storeu_ps(dv_ + k, _mm256_blendv_ps(dv0, dv, live));
    }
}

decl_var_split_row_fn(aim_var_split_row_avx2)
{
    const int ne = (w + 1) / 2;
    int x = 0;
    for (; x + 16 <= w; x += 16) {
        __m256 lo = _mm256_loadu_ps(src + x), hi = _mm256_loadu_ps(src + x + 8);
        // in-lane [x0 x2 x8 x10 | x4 x6 x12 x14], then the 64-bit pairs reordered
        __m256 e = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
        __m256 o = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
        e = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0)));
        o = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o), _MM_SHUFFLE(3, 1, 2, 0)));
        _mm256_storeu_ps(dst + x / 2, e);
        _mm256_storeu_ps(dst + ne + x / 2, o);
    }
    for (; x < w; x++)
        dst[(x & 1 ? ne : 0) + x / 2] = src[x];
}

decl_var_merge_row_fn(aim_var_merge_row_avx2)
{
    const int ne = (w + 1) / 2;
    int x = 0;
    for (; x + 16 <= w; x += 16) { // an add per value as the reference's: exact
        __m256 e = _mm256_add_ps(_mm256_loadu_ps(a + x / 2), _mm256_loadu_ps(b + x / 2));
        __m256 o = _mm256_add_ps(_mm256_loadu_ps(a + ne + x / 2), _mm256_loadu_ps(b + ne + x / 2));
        __m256 l = _mm256_unpacklo_ps(e, o), h = _mm256_unpackhi_ps(e, o);
        _mm256_storeu_ps(dst + x, _mm256_permute2f128_ps(l, h, 0x20));
        _mm256_storeu_ps(dst + x + 8, _mm256_permute2f128_ps(l, h, 0x31));
    }
    for (; x < w; x++) {
        int i = (x & 1 ? ne : 0) + x / 2;
        dst[x] = a[i] + b[i];
    }
}
