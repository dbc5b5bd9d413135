// x86 part of aim_gate_dsp_init: overrides the C references in ascending ISA order.
#include "core/cpu.h"
#include "gate/gate_dsp.h"

#if defined(__x86_64__) || defined(__i386__)
decl_gate_box_row_fn(aim_gate_box_row_avx2);
decl_gate_absdiff_rows_fn(aim_gate_absdiff_rows_avx2);
decl_gate_me_row_fn(aim_gate_me_row_avx2);

void aim_gate_dsp_init_x86(AimGateDsp *dsp, unsigned flags)
{
    if (flags & AIM_CPU_AVX2) {
        dsp->box_row = aim_gate_box_row_avx2;
        dsp->absdiff_rows = aim_gate_absdiff_rows_avx2;
        dsp->me_row = aim_gate_me_row_avx2;
        dsp->isa = AIM_CPU_AVX2;
    }
}
#endif
