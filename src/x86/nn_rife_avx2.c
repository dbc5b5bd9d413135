// AVX2 + FMA kernels for RIFE's ops (references: src/nn/ops_rife.c).
#include <immintrin.h>

#include "nn/ops_rife.h"

// Gathers: vpgatherdd is microcoded and slow on CPUs with the Gather Data Sampling mitigation
// (on this project's 2-core Xeon VM the warp with vgatherdps took 1.4x-3.5x the time of the one
// with 8 scalar loads), so the taps are loaded as scalars from index arrays that the vector
// code computed.
static inline __m256 load8(const float *s, const int32_t *i)
{
    return _mm256_setr_ps(s[i[0]], s[i[1]], s[i[2]], s[i[3]], s[i[4]], s[i[5]], s[i[6]], s[i[7]]);
}

// 8 pixels at a time: coordinates, clamp, floor and weights in vectors, the 4 taps loaded per
// channel. The tail ((x1 - x0) % 8 pixels) is the C kernel.
decl_rife_warp_fn(aim_nn_rife_warp_row_avx2)
{
    const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.f);
    const __m256 wm1 = _mm256_set1_ps((float)(w - 1)), hm1 = _mm256_set1_ps((float)(h - 1));
    const __m256i iw = _mm256_set1_epi32(w), iwm1 = _mm256_set1_epi32(w - 1);
    const __m256i ihm1 = _mm256_set1_epi32(h - 1), ione = _mm256_set1_epi32(1);
    const __m256 fy0 = _mm256_set1_ps((float)y);
    const __m256 eight = _mm256_set1_ps(8.f);
    size_t row = (size_t)y * w;
    int x = x0;
    __m256 xs = _mm256_add_ps(_mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_ps((float)x0));
    for (; x + 8 <= x1; x += 8, xs = _mm256_add_ps(xs, eight)) {
        __m256 sx = _mm256_add_ps(xs, _mm256_loadu_ps(fx + row + x));
        __m256 sy = _mm256_add_ps(fy0, _mm256_loadu_ps(fy + row + x));
        // max(v, 0) first: _mm256_max_ps returns the second operand for NaN, like the C code
        sx = _mm256_min_ps(_mm256_max_ps(sx, zero), wm1);
        sy = _mm256_min_ps(_mm256_max_ps(sy, zero), hm1);
        __m256i l = _mm256_cvttps_epi32(sx), t = _mm256_cvttps_epi32(sy);
        __m256 a = _mm256_sub_ps(sx, _mm256_cvtepi32_ps(l));
        __m256 b = _mm256_sub_ps(sy, _mm256_cvtepi32_ps(t));
        __m256i dx = _mm256_sub_epi32(_mm256_min_epi32(_mm256_add_epi32(l, ione), iwm1), l);
        __m256i bt = _mm256_min_epi32(_mm256_add_epi32(t, ione), ihm1);
        __m256i i00 = _mm256_add_epi32(_mm256_mullo_epi32(t, iw), l);
        __m256i i10 = _mm256_add_epi32(_mm256_mullo_epi32(bt, iw), l);
        __m256i i01 = _mm256_add_epi32(i00, dx), i11 = _mm256_add_epi32(i10, dx);
        __m256 na = _mm256_sub_ps(one, a), nb = _mm256_sub_ps(one, b);
        int32_t idx[4][8];
        _mm256_storeu_si256((__m256i *)idx[0], i00);
        _mm256_storeu_si256((__m256i *)idx[1], i01);
        _mm256_storeu_si256((__m256i *)idx[2], i10);
        _mm256_storeu_si256((__m256i *)idx[3], i11);
        for (int q = 0; q < c; q++) {
            const float *s = src[q];
            __m256 v00 = load8(s, idx[0]), v01 = load8(s, idx[1]);
            __m256 v10 = load8(s, idx[2]), v11 = load8(s, idx[3]);
            __m256 top = _mm256_fmadd_ps(v01, a, _mm256_mul_ps(v00, na));
            __m256 bot = _mm256_fmadd_ps(v11, a, _mm256_mul_ps(v10, na));
            _mm256_storeu_ps(dst[q] + row + x, _mm256_fmadd_ps(bot, b, _mm256_mul_ps(top, nb)));
        }
    }
    if (x < x1)
        aim_nn_rife_warp_row_c(dst, src, c, fx, fy, y, x, x1, w, h);
}

decl_rife_hlerp_fn(aim_nn_rife_hlerp_avx2)
{
    int x = 0;
    for (; x + 8 <= n; x += 8) {
        // a[2x], a[2x+1] interleaved: split into the left and right weights
        __m256 w01 = _mm256_loadu_ps(a + 2 * x), w23 = _mm256_loadu_ps(a + 2 * x + 8);
        __m256 lo = _mm256_shuffle_ps(w01, w23, _MM_SHUFFLE(2, 0, 2, 0));
        __m256 hi = _mm256_shuffle_ps(w01, w23, _MM_SHUFFLE(3, 1, 3, 1));
        // shuffle_ps works per 128-bit lane: order 0 1 4 5 | 2 3 6 7 -> fix with a permute
        const __m256i perm = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
        lo = _mm256_permutevar8x32_ps(lo, perm);
        hi = _mm256_permutevar8x32_ps(hi, perm);
        __m256 v0 = load8(src, xi + x), v1 = load8(src + 1, xi + x);
        _mm256_storeu_ps(dst + x, _mm256_fmadd_ps(v1, hi, _mm256_mul_ps(v0, lo)));
    }
    for (; x < n; x++)
        dst[x] = src[xi[x]] * a[2 * x] + src[xi[x] + 1] * a[2 * x + 1];
}
