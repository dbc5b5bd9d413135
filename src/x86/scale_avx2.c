// AVX2 versions of the Model B kernels; bit-exact with the C references in
// src/scale/scale_dsp.c (tests/dsp/test_scale_dsp.c checks it).
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <string.h>

#include "scale/scale_dsp.h"

// --- horizontal pass: 8 outputs per gather of one tap pair (32-bit loads of 2 samples)

static inline __attribute__((always_inline)) __m256i h_block(const uint16_t *src,
                              const int32_t *off, const int16_t *coef,
                              const int16_t *armask, int fs, int depth, int ar, int up,
                              __m256i *lo32, __m256i *hi32)
{
    const __m256i offs = _mm256_loadu_si256((const __m256i *)off);
    __m256i acc = _mm256_setzero_si256();
    __m256i lo = _mm256_set1_epi16(-1), hi = _mm256_setzero_si256(); // unsigned
    // Fast path when the 8 windows fit in 17 samples from off[0] (upscaling: 6 taps and a
    // step < 1): pairs (s[k], s[k+1]) come from two unaligned loads, E = pairs starting at
    // even k and O = pairs at odd k, picked by a dword permute. Else one gather per pair.
    const __m256i rel = _mm256_sub_epi32(offs, _mm256_set1_epi32(off[0]));
    const int fits = fs <= 16 &&
        !_mm256_movemask_epi8(_mm256_or_si256(
            _mm256_cmpgt_epi32(_mm256_setzero_si256(), rel),
            _mm256_cmpgt_epi32(rel, _mm256_set1_epi32(16 - fs))));
    const __m256i ev = _mm256_loadu_si256((const __m256i *)(src + off[0]));
    const __m256i od = _mm256_loadu_si256((const __m256i *)(src + off[0] + 1));
    const __m256i idx0 = _mm256_srli_epi32(rel, 1);
    const __m256i odd = _mm256_cmpeq_epi32(_mm256_and_si256(rel, _mm256_set1_epi32(1)),
                                           _mm256_set1_epi32(1));
    for (int tp = 0; tp < fs / 2; tp++) {
        __m256i g;
        if (fits) {
            const __m256i idx = _mm256_add_epi32(idx0, _mm256_set1_epi32(tp));
            g = _mm256_blendv_epi8(_mm256_permutevar8x32_epi32(ev, idx),
                                   _mm256_permutevar8x32_epi32(od, idx), odd);
        } else {
            const __m256i idx = _mm256_add_epi32(offs, _mm256_set1_epi32(2 * tp));
            g = _mm256_i32gather_epi32((const int *)src, idx, 2);
        }
        const __m256i c = _mm256_loadu_si256((const __m256i *)(coef + tp * 16));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(g, c));
        if (ar) {
            // taps outside the window: 0xFFFF for the unsigned min, 0 for the max
            const __m256i m = _mm256_loadu_si256((const __m256i *)(armask + tp * 16));
            const __m256i outside = _mm256_xor_si256(m, _mm256_set1_epi16(-1));
            lo = _mm256_min_epu16(lo, _mm256_or_si256(g, outside));
            hi = _mm256_max_epu16(hi, _mm256_and_si256(g, m));
        }
    }
    __m256i v = _mm256_srai_epi32(_mm256_add_epi32(acc, _mm256_set1_epi32(1 << (depth - 1))),
                                  depth);
    if (ar) {
        // combine the two taps of each 32-bit lane (unsigned 16-bit halves), scale to 14 bits
        const __m256i lmask = _mm256_set1_epi32(0xFFFF);
        const __m128i sh = _mm_cvtsi32_si128(up);
        *lo32 = _mm256_sll_epi32(_mm256_min_epi32(_mm256_and_si256(lo, lmask),
                                                  _mm256_srli_epi32(lo, 16)), sh);
        *hi32 = _mm256_sll_epi32(_mm256_max_epi32(_mm256_and_si256(hi, lmask),
                                                  _mm256_srli_epi32(hi, 16)), sh);
    }
    return v;
}

static inline __attribute__((always_inline)) void h_row(int16_t *dst, const uint16_t *src,
    int w, const int32_t *off, const int16_t *coef, const int16_t *armask, int fs, int depth,
    int ar, int ar_q)
{
    const int up = AIM_SCALE_INTER_BITS - depth;
    // v += ((c - v) * q + 128) >> 8  ==  ((256 - q) * v + q * c + 128) >> 8: one madd
    const __m256i qk = _mm256_set1_epi32((int)((uint32_t)(256 - ar_q) | ((uint32_t)ar_q << 16)));
    for (int x = 0; x < w; x += 16) {
        const size_t b = (size_t)(x >> 3) * 8 * fs;
        __m256i lo0, hi0, lo1, hi1;
        const __m256i v0 = h_block(src, off + x, coef + b, ar ? armask + b : NULL, fs, depth,
                                   ar, up, &lo0, &hi0);
        const __m256i v1 = h_block(src, off + x + 8, coef + b + 8 * fs,
                                   ar ? armask + b + 8 * fs : NULL, fs, depth, ar, up, &lo1,
                                   &hi1);
        __m256i p = _mm256_packs_epi32(v0, v1); // saturates to int16, as the C reference
        if (ar) {
            const __m256i c = _mm256_min_epi16(_mm256_max_epi16(p, _mm256_packs_epi32(lo0, lo1)),
                                               _mm256_packs_epi32(hi0, hi1));
            const __m256i r = _mm256_set1_epi32(1 << (AIM_SCALE_AR_BITS - 1));
            const __m256i a = _mm256_srai_epi32(_mm256_add_epi32(
                _mm256_madd_epi16(_mm256_unpacklo_epi16(p, c), qk), r), AIM_SCALE_AR_BITS);
            const __m256i bb = _mm256_srai_epi32(_mm256_add_epi32(
                _mm256_madd_epi16(_mm256_unpackhi_epi16(p, c), qk), r), AIM_SCALE_AR_BITS);
            p = _mm256_packs_epi32(a, bb);
        }
        _mm256_storeu_si256((__m256i *)(dst + x), _mm256_permute4x64_epi64(p, 0xD8));
    }
}

decl_scale_h_fn(aim_scale_h_avx2)
{
    // Constant tap counts of the common upscales (bilinear 2, Catmull-Rom 4, Lanczos-3 6),
    // with and without anti-ringing, get unrolled copies.
    if (!ar_q && fs == 2)
        h_row(dst, src, w, off, coef, NULL, 2, depth, 0, 0);
    else if (!ar_q && fs == 4)
        h_row(dst, src, w, off, coef, NULL, 4, depth, 0, 0);
    else if (!ar_q && fs == 6)
        h_row(dst, src, w, off, coef, NULL, 6, depth, 0, 0);
    else if (!ar_q)
        h_row(dst, src, w, off, coef, NULL, fs, depth, 0, 0);
    else if (fs == 2)
        h_row(dst, src, w, off, coef, armask, 2, depth, 1, ar_q);
    else if (fs == 4)
        h_row(dst, src, w, off, coef, armask, 4, depth, 1, ar_q);
    else if (fs == 6)
        h_row(dst, src, w, off, coef, armask, 6, depth, 1, ar_q);
    else
        h_row(dst, src, w, off, coef, armask, fs, depth, 1, ar_q);
}

// --- vertical pass: 16 outputs, row pairs interleaved for madd

decl_scale_v_fn(aim_scale_v_avx2)
{
    const int sh = AIM_SCALE_COEF_BITS + AIM_SCALE_INTER_BITS - depth;
    const int sh2 = AIM_SCALE_INTER_BITS - depth;
    const __m256i maxv = _mm256_set1_epi16((short)((1 << depth) - 1));
    const __m256i rnd = _mm256_set1_epi32(1 << (sh - 1));
    const __m256i qk = _mm256_set1_epi32((int)((uint32_t)(256 - ar_q) | ((uint32_t)ar_q << 16)));
    for (int x = 0; x < w; x += 16) {
        __m256i acc_lo = _mm256_setzero_si256(), acc_hi = _mm256_setzero_si256();
        for (int t = 0; t < fs; t += 2) {
            const __m256i a = _mm256_loadu_si256((const __m256i *)(rows[t] + x));
            const __m256i b = _mm256_loadu_si256((const __m256i *)(rows[t + 1] + x));
            const __m256i c = _mm256_set1_epi32((int)((uint32_t)(uint16_t)coef[t] |
                                                      ((uint32_t)(uint16_t)coef[t + 1] << 16)));
            acc_lo = _mm256_add_epi32(acc_lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), c));
            acc_hi = _mm256_add_epi32(acc_hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), c));
        }
        __m256i v_lo, v_hi;
        if (!ar_q) {
            v_lo = _mm256_srai_epi32(_mm256_add_epi32(acc_lo, rnd), sh);
            v_hi = _mm256_srai_epi32(_mm256_add_epi32(acc_hi, rnd), sh);
        } else {
            __m256i lo = _mm256_loadu_si256((const __m256i *)(rows[ar_a] + x)), hi = lo;
            for (int t = ar_a + 1; t < ar_a + ar_n; t++) {
                const __m256i r = _mm256_loadu_si256((const __m256i *)(rows[t] + x));
                lo = _mm256_min_epi16(lo, r);
                hi = _mm256_max_epi16(hi, r);
            }
            const __m256i r13 = _mm256_set1_epi32(1 << 13);
            const __m256i u = _mm256_packs_epi32( // saturated, in the original order
                _mm256_srai_epi32(_mm256_add_epi32(acc_lo, r13), 14),
                _mm256_srai_epi32(_mm256_add_epi32(acc_hi, r13), 14));
            const __m256i c = _mm256_min_epi16(_mm256_max_epi16(u, lo), hi);
            // u + ((c - u) * q + 128) >> 8 == ((256 - q) * u + q * c + 128) >> 8, then the
            // rounding shift to `depth` bits
            const __m256i r8 = _mm256_set1_epi32(1 << (AIM_SCALE_AR_BITS - 1));
            const __m256i r2 = _mm256_set1_epi32(1 << (sh2 - 1));
            v_lo = _mm256_madd_epi16(_mm256_unpacklo_epi16(u, c), qk);
            v_hi = _mm256_madd_epi16(_mm256_unpackhi_epi16(u, c), qk);
            v_lo = _mm256_srai_epi32(_mm256_add_epi32(v_lo, r8), AIM_SCALE_AR_BITS);
            v_hi = _mm256_srai_epi32(_mm256_add_epi32(v_hi, r8), AIM_SCALE_AR_BITS);
            v_lo = _mm256_srai_epi32(_mm256_add_epi32(v_lo, r2), sh2);
            v_hi = _mm256_srai_epi32(_mm256_add_epi32(v_hi, r2), sh2);
        }
        const __m256i out = _mm256_min_epu16(_mm256_packus_epi32(v_lo, v_hi), maxv);
        if (x + 16 <= w) {
            _mm256_storeu_si256((__m256i *)(dst + x), out);
        } else {
            uint16_t tmp[16];
            _mm256_storeu_si256((__m256i *)tmp, out);
            memcpy(dst + x, tmp, (size_t)(w - x) * sizeof(*dst));
        }
    }
}

// --- sharpen: 16 samples per step in int16 (16 * 1023 fits), edges by the scalar spec

decl_sharpen_fn(aim_sharpen_avx2)
{
    int x = 0;
    if (w >= 18) {
        dst[0] = (uint16_t)aim_sharpen_px(r0, r1, r2, 0, 0, 1, q);
        const __m256i qk = _mm256_set1_epi32((int)((uint32_t)q | (2048u << 16)));
        const __m256i one = _mm256_set1_epi16(1);
        for (x = 1; x + 16 <= w - 1; x += 16) {
#define LD(r, o) _mm256_loadu_si256((const __m256i *)((r) + x + (o)))
            const __m256i a0 = LD(r0, -1), a1 = LD(r0, 0), a2 = LD(r0, 1);
            const __m256i b0 = LD(r1, -1), c = LD(r1, 0), b2 = LD(r1, 1);
            const __m256i d0 = LD(r2, -1), d1 = LD(r2, 0), d2 = LD(r2, 1);
#undef LD
            // rows: [1 2 1] horizontally, then [1 2 1] vertically
            const __m256i h0 = _mm256_add_epi16(_mm256_add_epi16(a0, a2), _mm256_add_epi16(a1, a1));
            const __m256i h1 = _mm256_add_epi16(_mm256_add_epi16(b0, b2), _mm256_add_epi16(c, c));
            const __m256i h2 = _mm256_add_epi16(_mm256_add_epi16(d0, d2), _mm256_add_epi16(d1, d1));
            const __m256i bl = _mm256_add_epi16(_mm256_add_epi16(h0, h2), _mm256_add_epi16(h1, h1));
            const __m256i det = _mm256_sub_epi16(_mm256_slli_epi16(c, 4), bl);
            // det * q + 2048 as one madd of (det, 1) x (q, 2048)
            __m256i lo = _mm256_madd_epi16(_mm256_unpacklo_epi16(det, one), qk);
            __m256i hi = _mm256_madd_epi16(_mm256_unpackhi_epi16(det, one), qk);
            lo = _mm256_srai_epi32(lo, 12);
            hi = _mm256_srai_epi32(hi, 12);
            __m256i v = _mm256_add_epi16(c, _mm256_packs_epi32(lo, hi));
            __m256i mn = _mm256_min_epi16(_mm256_min_epi16(_mm256_min_epi16(a0, a1),
                                                           _mm256_min_epi16(a2, b0)),
                                          _mm256_min_epi16(_mm256_min_epi16(c, b2),
                                                           _mm256_min_epi16(d0, d1)));
            mn = _mm256_min_epi16(mn, d2);
            __m256i mx = _mm256_max_epi16(_mm256_max_epi16(_mm256_max_epi16(a0, a1),
                                                           _mm256_max_epi16(a2, b0)),
                                          _mm256_max_epi16(_mm256_max_epi16(c, b2),
                                                           _mm256_max_epi16(d0, d1)));
            mx = _mm256_max_epi16(mx, d2);
            v = _mm256_min_epi16(_mm256_max_epi16(v, mn), mx);
            _mm256_storeu_si256((__m256i *)(dst + x), v);
        }
    }
    for (; x < w; x++)
        dst[x] = (uint16_t)aim_sharpen_px(r0, r1, r2, x > 0 ? x - 1 : 0, x,
                                          x < w - 1 ? x + 1 : w - 1, q);
}

// --- denoise: 16 samples per step in int16, range weights by pshufb from the 16-bin LUT,
// sums of weight * sample by madd over tap pairs, exact division in float

static inline __attribute__((always_inline)) __m256i dn_weight(__m256i p, __m256i c,
    __m256i lutv, __m128i shift, int sshift)
{
    __m256i b = _mm256_srl_epi16(_mm256_abs_epi16(_mm256_sub_epi16(p, c)), shift);
    b = _mm256_min_epu16(b, _mm256_set1_epi16(15));
    // high byte 0x80: pshufb writes 0 there, so each 16-bit lane gets lut[bin]
    b = _mm256_or_si256(b, _mm256_set1_epi16((short)0x8000));
    return _mm256_slli_epi16(_mm256_shuffle_epi8(lutv, b), sshift);
}

decl_denoise_fn(aim_denoise_avx2)
{
    int x = 0;
    if (w >= 18) {
        dst[0] = (uint16_t)aim_denoise_px(r0, r1, r2, 0, 0, 1, lut, shift);
        const __m256i lutv = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)lut));
        const __m128i sh = _mm_cvtsi32_si128(shift);
        const __m256i zero = _mm256_setzero_si256();
        for (x = 1; x + 16 <= w - 1; x += 16) {
#define LD(r, o) _mm256_loadu_si256((const __m256i *)((r) + x + (o)))
            const __m256i c = LD(r1, 0);
            const __m256i p[9] = { LD(r0, -1), LD(r0, 0), LD(r0, 1), LD(r1, -1), c,
                                   LD(r1, 1), LD(r2, -1), LD(r2, 0), LD(r2, 1) };
#undef LD
            static const int sshift[9] = { 0, 1, 0, 1, 2, 1, 0, 1, 0 };
            __m256i wt[10];
            __m256i den = zero;
            for (int i = 0; i < 9; i++) {
                wt[i] = dn_weight(p[i], c, lutv, sh, sshift[i]);
                den = _mm256_add_epi16(den, wt[i]);
            }
            wt[9] = zero;
            __m256i num_lo = zero, num_hi = zero;
            for (int i = 0; i < 10; i += 2) {
                const __m256i pb = i + 1 < 9 ? p[i + 1] : zero;
                num_lo = _mm256_add_epi32(num_lo, _mm256_madd_epi16(
                    _mm256_unpacklo_epi16(wt[i], wt[i + 1]), _mm256_unpacklo_epi16(p[i], pb)));
                num_hi = _mm256_add_epi32(num_hi, _mm256_madd_epi16(
                    _mm256_unpackhi_epi16(wt[i], wt[i + 1]), _mm256_unpackhi_epi16(p[i], pb)));
            }
            // (num + den/2) / den: num + den/2 < 2^21 and den <= 1024 are exact in float,
            // and a non-integer quotient q < 1024 is >= 1/1024 from the next integer while
            // the rounding error is <= 2^-15, so truncating the float quotient is exact.
            const __m256i den_lo = _mm256_unpacklo_epi16(den, zero);
            const __m256i den_hi = _mm256_unpackhi_epi16(den, zero);
            const __m256i n_lo = _mm256_add_epi32(num_lo, _mm256_srli_epi32(den_lo, 1));
            const __m256i n_hi = _mm256_add_epi32(num_hi, _mm256_srli_epi32(den_hi, 1));
            const __m256i q_lo = _mm256_cvttps_epi32(
                _mm256_div_ps(_mm256_cvtepi32_ps(n_lo), _mm256_cvtepi32_ps(den_lo)));
            const __m256i q_hi = _mm256_cvttps_epi32(
                _mm256_div_ps(_mm256_cvtepi32_ps(n_hi), _mm256_cvtepi32_ps(den_hi)));
            _mm256_storeu_si256((__m256i *)(dst + x), _mm256_packus_epi32(q_lo, q_hi));
        }
    }
    for (; x < w; x++)
        dst[x] = (uint16_t)aim_denoise_px(r0, r1, r2, x > 0 ? x - 1 : 0, x,
                                          x < w - 1 ? x + 1 : w - 1, lut, shift);
}
// --- deblocking: the edge filter on 16 columns (or, transposed, 16 rows) at once

typedef struct DbVec {
    __m256i alpha, beta, tc0, ntc0, maxv;
} DbVec;

static inline __attribute__((always_inline)) void db_filter(__m256i p2, __m256i *p1,
    __m256i *p0, __m256i *q0, __m256i *q1, __m256i q2, const DbVec *k)
{
    const __m256i P1 = *p1, P0 = *p0, Q0 = *q0, Q1 = *q1;
    const __m256i m = _mm256_and_si256(
        _mm256_cmpgt_epi16(k->alpha, _mm256_abs_epi16(_mm256_sub_epi16(P0, Q0))),
        _mm256_and_si256(_mm256_cmpgt_epi16(k->beta, _mm256_abs_epi16(_mm256_sub_epi16(P1, P0))),
                         _mm256_cmpgt_epi16(k->beta, _mm256_abs_epi16(_mm256_sub_epi16(Q1, Q0)))));
    if (_mm256_testz_si256(m, m))
        return;
    const __m256i ap = _mm256_cmpgt_epi16(k->beta, _mm256_abs_epi16(_mm256_sub_epi16(p2, P0)));
    const __m256i aq = _mm256_cmpgt_epi16(k->beta, _mm256_abs_epi16(_mm256_sub_epi16(q2, Q0)));
    const __m256i tc = _mm256_sub_epi16(_mm256_sub_epi16(k->tc0, ap), aq); // masks are -1
    // ((q0 - p0) * 4 + (p1 - q1) + 4) >> 3, |.| < 2^13 for 10-bit: fits int16
    __m256i d = _mm256_add_epi16(_mm256_slli_epi16(_mm256_sub_epi16(Q0, P0), 2),
                                 _mm256_sub_epi16(P1, Q1));
    d = _mm256_srai_epi16(_mm256_add_epi16(d, _mm256_set1_epi16(4)), 3);
    d = _mm256_min_epi16(_mm256_max_epi16(d, _mm256_sub_epi16(_mm256_setzero_si256(), tc)), tc);
    const __m256i zero = _mm256_setzero_si256();
    const __m256i np0 = _mm256_min_epi16(_mm256_max_epi16(_mm256_add_epi16(P0, d), zero), k->maxv);
    const __m256i nq0 = _mm256_min_epi16(_mm256_max_epi16(_mm256_sub_epi16(Q0, d), zero), k->maxv);
    const __m256i avg = _mm256_avg_epu16(P0, Q0); // (p0 + q0 + 1) >> 1
    __m256i dp = _mm256_srai_epi16(_mm256_sub_epi16(_mm256_add_epi16(p2, avg),
                                                    _mm256_add_epi16(P1, P1)), 1);
    __m256i dq = _mm256_srai_epi16(_mm256_sub_epi16(_mm256_add_epi16(q2, avg),
                                                    _mm256_add_epi16(Q1, Q1)), 1);
    dp = _mm256_and_si256(_mm256_min_epi16(_mm256_max_epi16(dp, k->ntc0), k->tc0), ap);
    dq = _mm256_and_si256(_mm256_min_epi16(_mm256_max_epi16(dq, k->ntc0), k->tc0), aq);
    *p0 = _mm256_blendv_epi8(P0, np0, m);
    *q0 = _mm256_blendv_epi8(Q0, nq0, m);
    *p1 = _mm256_blendv_epi8(P1, _mm256_add_epi16(P1, dp), m);
    *q1 = _mm256_blendv_epi8(Q1, _mm256_add_epi16(Q1, dq), m);
}

static inline DbVec db_vec(const AimDeblockParams *p)
{
    return (DbVec){ _mm256_set1_epi16((short)p->alpha), _mm256_set1_epi16((short)p->beta),
                    _mm256_set1_epi16((short)p->tc0), _mm256_set1_epi16((short)-p->tc0),
                    _mm256_set1_epi16((short)p->maxv) };
}

decl_deblock_h_fn(aim_deblock_h_avx2)
{
    const DbVec k = db_vec(p);
    int x = 0;
    for (; x + 16 <= w; x += 16) {
        uint16_t *s = q0 + x;
#define LD(o) _mm256_loadu_si256((const __m256i *)(s + (o) * stride))
        const __m256i p2 = LD(-3), q2 = LD(2);
        __m256i p1 = LD(-2), p0 = LD(-1), c0 = LD(0), q1 = LD(1);
#undef LD
        db_filter(p2, &p1, &p0, &c0, &q1, q2, &k);
        _mm256_storeu_si256((__m256i *)(s - 2 * stride), p1);
        _mm256_storeu_si256((__m256i *)(s - stride), p0);
        _mm256_storeu_si256((__m256i *)s, c0);
        _mm256_storeu_si256((__m256i *)(s + stride), q1);
    }
    for (; x < w; x++)
        aim_deblock_px(q0 + x, stride, p);
}

// 8x8 transpose of 16-bit elements in each 128-bit lane (its own inverse).
static inline void transpose8(__m256i a[8])
{
    __m256i t[8], u[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_epi16(a[2 * i], a[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_epi16(a[2 * i], a[2 * i + 1]);
    }
    for (int i = 0; i < 2; i++) {
        u[4 * i + 0] = _mm256_unpacklo_epi32(t[4 * i + 0], t[4 * i + 2]);
        u[4 * i + 1] = _mm256_unpackhi_epi32(t[4 * i + 0], t[4 * i + 2]);
        u[4 * i + 2] = _mm256_unpacklo_epi32(t[4 * i + 1], t[4 * i + 3]);
        u[4 * i + 3] = _mm256_unpackhi_epi32(t[4 * i + 1], t[4 * i + 3]);
    }
    for (int i = 0; i < 4; i++) {
        a[2 * i] = _mm256_unpacklo_epi64(u[i], u[i + 4]);
        a[2 * i + 1] = _mm256_unpackhi_epi64(u[i], u[i + 4]);
    }
}

decl_deblock_v_fn(aim_deblock_v_avx2)
{
    const DbVec k = db_vec(p);
    int y = 0;
    for (; y + 16 <= h; y += 16) {
        uint16_t *r = row + y * stride;
        for (int x = 8; x + 2 < w; x += 8) {
            // rows y..y+7 in the low lanes, y+8..y+15 in the high lanes, samples x-4..x+3
            __m256i a[8];
            for (int i = 0; i < 8; i++) {
                const __m128i top = _mm_loadu_si128((const __m128i *)(r + i * stride + x - 4));
                const __m128i bot =
                    _mm_loadu_si128((const __m128i *)(r + (i + 8) * stride + x - 4));
                a[i] = _mm256_inserti128_si256(_mm256_castsi128_si256(top), bot, 1);
            }
            transpose8(a); // a[j] = column x - 4 + j of the 16 rows
            db_filter(a[1], &a[2], &a[3], &a[4], &a[5], a[6], &k);
            transpose8(a);
            for (int i = 0; i < 8; i++) {
                _mm_storeu_si128((__m128i *)(r + i * stride + x - 4), _mm256_castsi256_si128(a[i]));
                _mm_storeu_si128((__m128i *)(r + (i + 8) * stride + x - 4),
                                 _mm256_extracti128_si256(a[i], 1));
            }
        }
    }
    for (; y < h; y++)
        for (int x = 8; x + 2 < w; x += 8)
            aim_deblock_px(row + y * stride + x, 1, p);
}
#endif
