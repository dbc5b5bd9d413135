// AVX-512 kernels for src/nn (reference: src/nn/kernels.c, called twice for 48 columns).
#include <immintrin.h>

#include "nn/kernels.h"

// 4 x 48 register block: the AVX2 kernel's shape with 16-float vectors (12 accumulators,
// per step 3 loads + 4 broadcasts for 12 FMAs).
decl_nn_gemm_fn(aim_nn_gemm_avx512)
{
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
    __m512 c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
    for (int r = 0; r < k; r++) {
        const float *b = rows[r] + xoff;
        __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16), b2 = _mm512_loadu_ps(b + 32);
        __m512 a = _mm512_set1_ps(w[0]);
        c00 = _mm512_fmadd_ps(a, b0, c00);
        c01 = _mm512_fmadd_ps(a, b1, c01);
        c02 = _mm512_fmadd_ps(a, b2, c02);
        a = _mm512_set1_ps(w[1]);
        c10 = _mm512_fmadd_ps(a, b0, c10);
        c11 = _mm512_fmadd_ps(a, b1, c11);
        c12 = _mm512_fmadd_ps(a, b2, c12);
        a = _mm512_set1_ps(w[2]);
        c20 = _mm512_fmadd_ps(a, b0, c20);
        c21 = _mm512_fmadd_ps(a, b1, c21);
        c22 = _mm512_fmadd_ps(a, b2, c22);
        a = _mm512_set1_ps(w[3]);
        c30 = _mm512_fmadd_ps(a, b0, c30);
        c31 = _mm512_fmadd_ps(a, b1, c31);
        c32 = _mm512_fmadd_ps(a, b2, c32);
        w += 4;
    }
    _mm512_storeu_ps(out, c00);
    _mm512_storeu_ps(out + 16, c01);
    _mm512_storeu_ps(out + 32, c02);
    out += ldo;
    _mm512_storeu_ps(out, c10);
    _mm512_storeu_ps(out + 16, c11);
    _mm512_storeu_ps(out + 32, c12);
    out += ldo;
    _mm512_storeu_ps(out, c20);
    _mm512_storeu_ps(out + 16, c21);
    _mm512_storeu_ps(out + 32, c22);
    out += ldo;
    _mm512_storeu_ps(out, c30);
    _mm512_storeu_ps(out + 16, c31);
    _mm512_storeu_ps(out + 32, c32);
}
