// AVX2 versions of the Model B kernels; bit-exact with the C references in
// src/scale/scale_dsp.c (tests/dsp/test_scale_dsp.c checks it).
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <string.h>

#include "scale/scale_dsp.h"

// --- horizontal pass: 8 outputs per gather of one tap pair (32-bit loads of 2 samples)

static inline __m256i h_block(const uint16_t *src, const int32_t *off, const int16_t *coef,
                              const int16_t *armask, int fs, int depth, int ar_q, int up)
{
    const __m256i offs = _mm256_loadu_si256((const __m256i *)off);
    __m256i acc = _mm256_setzero_si256();
    __m256i lo = _mm256_set1_epi16(INT16_MAX), hi = _mm256_set1_epi16(INT16_MIN);
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
        if (ar_q) {
            const __m256i m = _mm256_loadu_si256((const __m256i *)(armask + tp * 16));
            lo = _mm256_min_epi16(lo, _mm256_blendv_epi8(_mm256_set1_epi16(INT16_MAX), g, m));
            hi = _mm256_max_epi16(hi, _mm256_blendv_epi8(_mm256_set1_epi16(INT16_MIN), g, m));
        }
    }
    __m256i v = _mm256_srai_epi32(_mm256_add_epi32(acc, _mm256_set1_epi32(1 << (depth - 1))),
                                  depth);
    if (ar_q) {
        v = _mm256_min_epi32(_mm256_max_epi32(v, _mm256_set1_epi32(INT16_MIN)),
                             _mm256_set1_epi32(INT16_MAX));
        // combine the two taps of each 32-bit lane
        __m256i lo32 = _mm256_min_epi32(_mm256_srai_epi32(_mm256_slli_epi32(lo, 16), 16),
                                        _mm256_srai_epi32(lo, 16));
        __m256i hi32 = _mm256_max_epi32(_mm256_srai_epi32(_mm256_slli_epi32(hi, 16), 16),
                                        _mm256_srai_epi32(hi, 16));
        lo32 = _mm256_slli_epi32(lo32, up);
        hi32 = _mm256_slli_epi32(hi32, up);
        const __m256i c = _mm256_min_epi32(_mm256_max_epi32(v, lo32), hi32);
        const __m256i d = _mm256_mullo_epi32(_mm256_sub_epi32(c, v), _mm256_set1_epi32(ar_q));
        v = _mm256_add_epi32(v, _mm256_srai_epi32(_mm256_add_epi32(d, _mm256_set1_epi32(128)),
                                                  AIM_SCALE_AR_BITS));
    }
    return v;
}

decl_scale_h_fn(aim_scale_h_avx2)
{
    const int up = AIM_SCALE_INTER_BITS - depth;
    for (int x = 0; x < w; x += 16) {
        const size_t b = (size_t)(x >> 3) * 8 * fs;
        const __m256i v0 = h_block(src, off + x, coef + b, armask ? armask + b : NULL, fs,
                                   depth, ar_q, up);
        const __m256i v1 = h_block(src, off + x + 8, coef + b + 8 * fs,
                                   armask ? armask + b + 8 * fs : NULL, fs, depth, ar_q, up);
        const __m256i p = _mm256_permute4x64_epi64(_mm256_packs_epi32(v0, v1), 0xD8);
        _mm256_storeu_si256((__m256i *)(dst + x), p);
    }
}

// --- vertical pass: 16 outputs, row pairs interleaved for madd

static inline __m256i v_ar_half(__m256i acc, __m256i lo, __m256i hi, __m256i arq, int sh2)
{
    __m256i u = _mm256_srai_epi32(_mm256_add_epi32(acc, _mm256_set1_epi32(1 << 13)), 14);
    const __m256i c = _mm256_min_epi32(_mm256_max_epi32(u, lo), hi);
    const __m256i d = _mm256_mullo_epi32(_mm256_sub_epi32(c, u), arq);
    u = _mm256_add_epi32(u, _mm256_srai_epi32(_mm256_add_epi32(d, _mm256_set1_epi32(128)),
                                              AIM_SCALE_AR_BITS));
    return _mm256_srai_epi32(_mm256_add_epi32(u, _mm256_set1_epi32(1 << (sh2 - 1))), sh2);
}

decl_scale_v_fn(aim_scale_v_avx2)
{
    const int sh = AIM_SCALE_COEF_BITS + AIM_SCALE_INTER_BITS - depth;
    const int sh2 = AIM_SCALE_INTER_BITS - depth;
    const __m256i maxv = _mm256_set1_epi16((short)((1 << depth) - 1));
    const __m256i rnd = _mm256_set1_epi32(1 << (sh - 1));
    const __m256i arq = _mm256_set1_epi32(ar_q);
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
            // sign-extend in the unpack order of the accumulators
            const __m256i lo_lo = _mm256_srai_epi32(_mm256_unpacklo_epi16(lo, lo), 16);
            const __m256i lo_hi = _mm256_srai_epi32(_mm256_unpackhi_epi16(lo, lo), 16);
            const __m256i hi_lo = _mm256_srai_epi32(_mm256_unpacklo_epi16(hi, hi), 16);
            const __m256i hi_hi = _mm256_srai_epi32(_mm256_unpackhi_epi16(hi, hi), 16);
            v_lo = v_ar_half(acc_lo, lo_lo, hi_lo, arq, sh2);
            v_hi = v_ar_half(acc_hi, lo_hi, hi_hi, arq, sh2);
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

// --- denoise: 8 samples per step in int32, LUT by gather, exact division in float

static inline void dn_tap(__m256i p, __m256i c, const uint16_t *lut, int shift, __m256i *num,
                          __m256i *den)
{
    const __m256i d = _mm256_abs_epi32(_mm256_sub_epi32(p, c));
    __m256i wgt = _mm256_and_si256(_mm256_i32gather_epi32((const int *)lut, d, 2),
                                   _mm256_set1_epi32(0xFFFF));
    wgt = _mm256_slli_epi32(wgt, shift);
    *num = _mm256_add_epi32(*num, _mm256_mullo_epi32(wgt, p));
    *den = _mm256_add_epi32(*den, wgt);
}

static inline __m256i dn_block(const uint16_t *r0, const uint16_t *r1, const uint16_t *r2,
                               int x, const uint16_t *lut)
{
#define LD(r, o) _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)((r) + x + (o))))
    const __m256i c = LD(r1, 0);
    __m256i num = _mm256_setzero_si256(), den = _mm256_setzero_si256();
    dn_tap(LD(r0, -1), c, lut, 0, &num, &den);
    dn_tap(LD(r0, 0), c, lut, 1, &num, &den);
    dn_tap(LD(r0, 1), c, lut, 0, &num, &den);
    dn_tap(LD(r1, -1), c, lut, 1, &num, &den);
    dn_tap(c, c, lut, 2, &num, &den);
    dn_tap(LD(r1, 1), c, lut, 1, &num, &den);
    dn_tap(LD(r2, -1), c, lut, 0, &num, &den);
    dn_tap(LD(r2, 0), c, lut, 1, &num, &den);
    dn_tap(LD(r2, 1), c, lut, 0, &num, &den);
#undef LD
    // (num + den/2) / den: num + den/2 < 2^23 and den <= 4096 are exact in float, and a
    // non-integer quotient q < 1024 is >= 1/4096 from the next integer while the rounding
    // error is <= 2^-15, so truncating the float quotient is the integer division.
    const __m256i n = _mm256_add_epi32(num, _mm256_srli_epi32(den, 1));
    return _mm256_cvttps_epi32(_mm256_div_ps(_mm256_cvtepi32_ps(n), _mm256_cvtepi32_ps(den)));
}

decl_denoise_fn(aim_denoise_avx2)
{
    int x = 0;
    if (w >= 18) {
        dst[0] = (uint16_t)aim_denoise_px(r0, r1, r2, 0, 0, 1, lut);
        for (x = 1; x + 16 <= w - 1; x += 16) {
            const __m256i a = dn_block(r0, r1, r2, x, lut);
            const __m256i b = dn_block(r0, r1, r2, x + 8, lut);
            const __m256i v = _mm256_permute4x64_epi64(_mm256_packus_epi32(a, b), 0xD8);
            _mm256_storeu_si256((__m256i *)(dst + x), v);
        }
    }
    for (; x < w; x++)
        dst[x] = (uint16_t)aim_denoise_px(r0, r1, r2, x > 0 ? x - 1 : 0, x,
                                          x < w - 1 ? x + 1 : w - 1, lut);
}
#endif
