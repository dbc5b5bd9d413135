// C references of the nn kernels and the run-time selection.
#include "core/cpu.h"
#include "nn/kernels.h"

decl_nn_gemm_fn(aim_nn_gemm_c)
{
    float acc[AIM_NN_MR][AIM_NN_NR] = { { 0 } };
    for (int r = 0; r < k; r++) {
        const float *b = rows[r] + xoff;
        for (int m = 0; m < AIM_NN_MR; m++) {
            float a = w[r * AIM_NN_MR + m];
            for (int n = 0; n < AIM_NN_NR; n++)
                acc[m][n] += a * b[n];
        }
    }
    for (int m = 0; m < AIM_NN_MR; m++)
        for (int n = 0; n < AIM_NN_NR; n++)
            out[m * ldo + n] = acc[m][n];
}

void aim_nn_kernels_init(AimNnKernels *k, unsigned cpu_flags)
{
    k->gemm = aim_nn_gemm_c;
    k->nr = AIM_NN_NR;
    k->gemm_name = "c";
#if defined(__x86_64__) || defined(__i386__)
    if (cpu_flags & AIM_CPU_AVX2) {
        k->gemm = aim_nn_gemm_avx2;
        k->gemm_name = "avx2";
    }
    if (cpu_flags & AIM_CPU_AVX512) {
        k->gemm = aim_nn_gemm_avx512;
        k->nr = 48;
        k->gemm_name = "avx512";
    }
#endif
}
