// AVX2 + FMA kernels for src/nn (reference: src/nn/kernels.c).
#include <immintrin.h>

#include "nn/kernels.h"

// 4 x 24 register block: 12 accumulators, per reduction step 3 loads + 4 broadcasts for
// 12 FMAs, so the two FMA ports, not the two load ports, are the limit.
decl_nn_gemm_fn(aim_nn_gemm_avx2)
{
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
    __m256 c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
    for (int r = 0; r < k; r++) {
        const float *b = rows[r] + xoff;
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8), b2 = _mm256_loadu_ps(b + 16);
        __m256 a = _mm256_broadcast_ss(w);
        c00 = _mm256_fmadd_ps(a, b0, c00);
        c01 = _mm256_fmadd_ps(a, b1, c01);
        c02 = _mm256_fmadd_ps(a, b2, c02);
        a = _mm256_broadcast_ss(w + 1);
        c10 = _mm256_fmadd_ps(a, b0, c10);
        c11 = _mm256_fmadd_ps(a, b1, c11);
        c12 = _mm256_fmadd_ps(a, b2, c12);
        a = _mm256_broadcast_ss(w + 2);
        c20 = _mm256_fmadd_ps(a, b0, c20);
        c21 = _mm256_fmadd_ps(a, b1, c21);
        c22 = _mm256_fmadd_ps(a, b2, c22);
        a = _mm256_broadcast_ss(w + 3);
        c30 = _mm256_fmadd_ps(a, b0, c30);
        c31 = _mm256_fmadd_ps(a, b1, c31);
        c32 = _mm256_fmadd_ps(a, b2, c32);
        w += 4;
    }
    if (acc) {
        c00 = _mm256_add_ps(c00, _mm256_loadu_ps(out + 0 * ldo + 0));
        c01 = _mm256_add_ps(c01, _mm256_loadu_ps(out + 0 * ldo + 8));
        c02 = _mm256_add_ps(c02, _mm256_loadu_ps(out + 0 * ldo + 16));
        c10 = _mm256_add_ps(c10, _mm256_loadu_ps(out + 1 * ldo + 0));
        c11 = _mm256_add_ps(c11, _mm256_loadu_ps(out + 1 * ldo + 8));
        c12 = _mm256_add_ps(c12, _mm256_loadu_ps(out + 1 * ldo + 16));
        c20 = _mm256_add_ps(c20, _mm256_loadu_ps(out + 2 * ldo + 0));
        c21 = _mm256_add_ps(c21, _mm256_loadu_ps(out + 2 * ldo + 8));
        c22 = _mm256_add_ps(c22, _mm256_loadu_ps(out + 2 * ldo + 16));
        c30 = _mm256_add_ps(c30, _mm256_loadu_ps(out + 3 * ldo + 0));
        c31 = _mm256_add_ps(c31, _mm256_loadu_ps(out + 3 * ldo + 8));
        c32 = _mm256_add_ps(c32, _mm256_loadu_ps(out + 3 * ldo + 16));
    }
    _mm256_storeu_ps(out + 0 * ldo + 0, c00);
    _mm256_storeu_ps(out + 0 * ldo + 8, c01);
    _mm256_storeu_ps(out + 0 * ldo + 16, c02);
    _mm256_storeu_ps(out + 1 * ldo + 0, c10);
    _mm256_storeu_ps(out + 1 * ldo + 8, c11);
    _mm256_storeu_ps(out + 1 * ldo + 16, c12);
    _mm256_storeu_ps(out + 2 * ldo + 0, c20);
    _mm256_storeu_ps(out + 2 * ldo + 8, c21);
    _mm256_storeu_ps(out + 2 * ldo + 16, c22);
    _mm256_storeu_ps(out + 3 * ldo + 0, c30);
    _mm256_storeu_ps(out + 3 * ldo + 8, c31);
    _mm256_storeu_ps(out + 3 * ldo + 16, c32);
}
