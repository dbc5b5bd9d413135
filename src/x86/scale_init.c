// x86 part of the Model B DSP init: overrides the C references by cpu_flags, in ascending
// ISA order (dav1d src/x86/pal.h style).
#include "core/cpu.h"
#include "scale/scale_dsp.h"

#if defined(__x86_64__) || defined(__i386__)
decl_scale_h_fn(aim_scale_h_avx2);
decl_scale_v_fn(aim_scale_v_avx2);
decl_sharpen_fn(aim_sharpen_avx2);
decl_denoise_fn(aim_denoise_avx2);
decl_deblock_h_fn(aim_deblock_h_avx2);
decl_deblock_v_fn(aim_deblock_v_avx2);
#endif

void aim_scale_dsp_init_x86(AimScaleDSP *dsp, unsigned cpu_flags)
{
#if defined(__x86_64__) || defined(__i386__)
    if (!(cpu_flags & AIM_CPU_AVX2))
        return;
    dsp->h = aim_scale_h_avx2;
    dsp->v = aim_scale_v_avx2;
    dsp->sharpen = aim_sharpen_avx2;
    dsp->denoise = aim_denoise_avx2;
    dsp->deblock_h = aim_deblock_h_avx2;
    dsp->deblock_v = aim_deblock_v_avx2;
#else
    (void)dsp;
    (void)cpu_flags;
#endif
}
