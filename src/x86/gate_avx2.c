// AVX2 versions of the gate kernels (gate/gate_dsp.h); bit-exact with the C references.
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "gate/gate_dsp.h"

void aim_gate_box_row_avx2(uint16_t *dst, int dw, const uint16_t *src, ptrdiff_t stride, int k,
                           float scale, uint16_t *tmp)
{
    int w = dw * k, x = 0;
    // Vertical sums of the k rows, 16 columns at a time (k * 1023 < 65536: no wrap in 16 bits).
    for (; x + 16 <= w; x += 16) {
        __m256i s = _mm256_loadu_si256((const __m256i *)(src + x));
        for (int r = 1; r < k; r++)
            s = _mm256_add_epi16(s, _mm256_loadu_si256((const __m256i *)(src + r * stride + x)));
        _mm256_storeu_si256((__m256i *)(tmp + x), s);
    }
    for (; x < w; x++) {
        unsigned s = 0;
        for (int r = 0; r < k; r++)
            s += src[r * stride + x];
        tmp[x] = (uint16_t)s;
    }
    x = 0;
    if (k >= 3) {
        // Groups of k column sums: one gather per offset i for 8 outputs (16-bit elements read
        // as 32 bits and masked: tmp has room past dw * k).
        const __m256i lo16 = _mm256_set1_epi32(0xffff);
        const __m256 vs = _mm256_set1_ps(scale);
        const __m256i step = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                                _mm256_set1_epi32(k));
        for (; x + 8 <= dw; x += 8) {
            __m256i idx = _mm256_add_epi32(step, _mm256_set1_epi32(x * k));
            __m256i s32 = _mm256_setzero_si256();
            for (int i = 0; i < k; i++) {
                __m256i v = _mm256_i32gather_epi32((const int *)(const void *)tmp,
                                                   _mm256_add_epi32(idx, _mm256_set1_epi32(i)), 2);
                s32 = _mm256_add_epi32(s32, _mm256_and_si256(v, lo16));
            }
            __m256i r = _mm256_cvttps_epi32(_mm256_mul_ps(_mm256_cvtepi32_ps(s32), vs));
            __m256i p = _mm256_permute4x64_epi64(_mm256_packus_epi32(r, r), 0x08);
            _mm_storeu_si128((__m128i *)(dst + x), _mm256_castsi256_si128(p));
        }
    } else {
        // Pairs via madd (sums <= 2046 fit int16), then the same float multiply and truncation.
        const __m256i ones = _mm256_set1_epi16(1);
        const __m256 vs = _mm256_set1_ps(scale);
        for (; x + 8 <= dw; x += 8) {
            __m256i s32;
            if (k == 2)
                s32 = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(tmp + 2 * x)), ones);
            else
                s32 = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(tmp + x)));
            __m256i r = _mm256_cvttps_epi32(_mm256_mul_ps(_mm256_cvtepi32_ps(s32), vs));
            __m256i p = _mm256_packus_epi32(r, r);
            p = _mm256_permute4x64_epi64(p, 0x08);
            _mm_storeu_si128((__m128i *)(dst + x), _mm256_castsi256_si128(p));
        }
    }
    for (; x < dw; x++) {
        unsigned s = 0;
        for (int i = 0; i < k; i++)
            s += tmp[x * k + i];
        dst[x] = (uint16_t)((float)s * scale);
    }
}

void aim_gate_absdiff_rows_avx2(uint16_t *sum, const uint16_t *a, ptrdiff_t stride_a,
                                const uint16_t *b, ptrdiff_t stride_b, int rows, int w)
{
    int x = 0;
    for (; x + 16 <= w; x += 16) {
        __m256i s = _mm256_setzero_si256();
        for (int r = 0; r < rows; r++) {
            __m256i va = _mm256_loadu_si256((const __m256i *)(a + r * stride_a + x));
            __m256i vb = _mm256_loadu_si256((const __m256i *)(b + r * stride_b + x));
            s = _mm256_add_epi16(s, _mm256_sub_epi16(_mm256_max_epu16(va, vb),
                                                     _mm256_min_epu16(va, vb)));
        }
        _mm256_storeu_si256((__m256i *)(sum + x), s);
    }
    for (; x < w; x++) {
        unsigned s = 0;
        for (int r = 0; r < rows; r++)
            s += (unsigned)abs((int)a[r * stride_a + x] - (int)b[r * stride_b + x]);
        sum[x] = (uint16_t)s;
    }
}

// mpsadbw: per 128-bit lane, 8 SADs of one 4-byte group of `cur` against the 8 windows of
// `ref` starting at 0..7. Two instructions per row cover 32 horizontal displacements; the ones
// beyond 2 * range + 1 are forced to 0xffff before the minimum.
void aim_gate_me_row_avx2(uint16_t *best, const uint8_t *cur, const uint8_t *ref,
                          ptrdiff_t stride, int nb, int range)
{
    if (range > 12) {
        aim_gate_me_row_c(best, cur, ref, stride, nb, range);
        return;
    }
    const __m256i lane = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m256i n = _mm256_set1_epi16((short)(2 * range + 1));
    // Lanes j (first half) and 16 + j (second half) hold displacement dx = j - range.
    const __m256i off0 = _mm256_cmpgt_epi16(n, lane);
    const __m256i off1 = _mm256_cmpgt_epi16(n, _mm256_add_epi16(lane, _mm256_set1_epi16(16)));
    const __m256i inv0 = _mm256_xor_si256(off0, _mm256_set1_epi8(-1));
    const __m256i inv1 = _mm256_xor_si256(off1, _mm256_set1_epi8(-1));
    for (int b = 0; b < nb; b++) {
        __m256i c[4];
        for (int y = 0; y < 4; y++) {
            int32_t v;
            memcpy(&v, cur + y * stride + 4 * b, 4);
            c[y] = _mm256_set1_epi32(v);
        }
        __m256i m0 = _mm256_set1_epi16(-1), m1 = m0;
        for (int dy = -range; dy <= range; dy++) {
            const uint8_t *r = ref + dy * stride + 4 * b - range;
            __m256i s0 = _mm256_setzero_si256(), s1 = s0;
            for (int y = 0; y < 4; y++) {
                const uint8_t *q = r + y * stride;
                __m256i a0 = _mm256_loadu2_m128i((const __m128i *)(q + 8), (const __m128i *)q);
                __m256i a1 = _mm256_loadu2_m128i((const __m128i *)(q + 24), (const __m128i *)(q + 16));
                s0 = _mm256_add_epi16(s0, _mm256_mpsadbw_epu8(a0, c[y], 0));
                s1 = _mm256_add_epi16(s1, _mm256_mpsadbw_epu8(a1, c[y], 0));
            }
            m0 = _mm256_min_epu16(m0, s0);
            m1 = _mm256_min_epu16(m1, s1);
        }
        m0 = _mm256_or_si256(m0, inv0);
        m1 = _mm256_or_si256(m1, inv1);
        __m256i m = _mm256_min_epu16(m0, m1);
        __m128i h = _mm_min_epu16(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1));
        best[b] = (uint16_t)_mm_cvtsi128_si32(_mm_minpos_epu16(h));
    }
}
#endif
