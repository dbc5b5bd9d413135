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
    __m256 sx = _mm256_setzero_ps(), sy = sx, sd = sx, sdd = sx;
    __m256 a = _mm256_loadu_ps(i1), a1 = _mm256_loadu_ps(i1 + 1);
    for (int j = 0; j < AIM_FLOW_PATCH; j++) {
        const float *r = i1 + (j + 1) * s1;
        __m256 b = _mm256_loadu_ps(r), b1 = _mm256_loadu_ps(r + 1);
        __m256 v = _mm256_mul_ps(w00, a);
        v = _mm256_fmadd_ps(w01, a1, v);
        v = _mm256_fmadd_ps(w10, b, v);
        v = _mm256_fmadd_ps(w11, b1, v);
        __m256 d = _mm256_sub_ps(v, _mm256_loadu_ps(tp + j * st));
        sx = _mm256_fmadd_ps(_mm256_loadu_ps(gx + j * st), d, sx);
        sy = _mm256_fmadd_ps(_mm256_loadu_ps(gy + j * st), d, sy);
        sd = _mm256_add_ps(sd, d);
        sdd = _mm256_fmadd_ps(d, d, sdd);
        a = b;
        a1 = b1;
    }
    // transpose-add the four accumulators: lanes 0..3 of the result hold the four sums
    __m256 t0 = _mm256_hadd_ps(sx, sy), t1 = _mm256_hadd_ps(sd, sdd);
    __m256 t2 = _mm256_hadd_ps(t0, t1); // [sx sy sd sdd | sx sy sd sdd] partial per lane
    __m128 r = _mm_add_ps(_mm256_castps256_ps128(t2), _mm256_extractf128_ps(t2, 1));
    _mm_storeu_ps(out, r);
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
    // Scalar 32-bit loads (samples ix and ix+1 together) instead of vpgatherdd: with the
    // gather-data-sampling microcode fix, gathers are slower than this on current Intel CPUs.
    int32_t ia[8];
    uint32_t tv[8], bv[8];
    _mm256_storeu_si256((__m256i *)ia, idx);
    for (int k = 0; k < 8; k++) {
        memcpy(&tv[k], src + ia[k], 4);
        memcpy(&bv[k], src + s + ia[k], 4);
    }
    __m256i top = _mm256_loadu_si256((const __m256i *)tv);
    __m256i bot = _mm256_loadu_si256((const __m256i *)bv);
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
    if (w < 8 || pw < 2 || ph < 2) {
        aim_warp_row_c(dst, src0, s0, src1, s1, pw, ph, y, mx, my, w0, t, maxv, w);
        return;
    }
    const __m256 vt = _mm256_set1_ps(t), vt1 = _mm256_set1_ps(1.0f - t);
    const __m256 vy = _mm256_set1_ps((float)y), zero = _mm256_setzero_ps();
    const __m256 xmax = _mm256_set1_ps((float)(pw - 1)), ymax = _mm256_set1_ps((float)(ph - 1));
    const __m256i maxx = _mm256_set1_epi32(pw - 2), maxy = _mm256_set1_epi32(ph - 2);
    const __m256 half = _mm256_set1_ps(0.5f);
    const __m256i vmax = _mm256_set1_epi32(maxv);
    const __m256 lane = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
    for (int x0 = 0; x0 < w; x0 += 8) {
        int x = x0 + 8 <= w ? x0 : w - 8;
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
