// x86 part of aim_interp_dsp_init: overrides the C references in ascending ISA order.
#include "core/cpu.h"
#include "interp/interp_dsp.h"

#if defined(__x86_64__) || defined(__i386__)
decl_luma_down_fn(aim_luma_down_avx2);
decl_down2_fn(aim_down2_avx2);
decl_grad_fn(aim_grad_avx2);
decl_patch_step_fn(aim_patch_step_avx2);
decl_patch_densify_fn(aim_patch_densify_avx2);
decl_patch_hess_fn(aim_patch_hess_avx2);
decl_warp_row_fn(aim_warp_row_avx2);
decl_field_row_fn(aim_field_row_avx2);
decl_fb_qual_row_fn(aim_fb_qual_row_avx2);
decl_splat_row_fn(aim_splat_row_avx2);
decl_vis_row_fn(aim_vis_row_avx2);
decl_field_norm_fn(aim_field_norm_avx2);
decl_flow_up_row_fn(aim_flow_up_row_avx2);
decl_var_data_row_fn(aim_var_data_row_avx2);
decl_var_coef_row_fn(aim_var_coef_row_avx2);
decl_var_diag_row_fn(aim_var_diag_row_avx2);
decl_var_sor_row_fn(aim_var_sor_row_avx2);
decl_var_split_row_fn(aim_var_split_row_avx2);
decl_var_merge_row_fn(aim_var_merge_row_avx2);

void aim_interp_dsp_init_x86(AimInterpDsp *dsp, unsigned flags)
{
    if (flags & AIM_CPU_AVX2) {
        dsp->luma_down = aim_luma_down_avx2;
        dsp->down2 = aim_down2_avx2;
        dsp->grad = aim_grad_avx2;
        dsp->patch_step = aim_patch_step_avx2;
        dsp->patch_densify = aim_patch_densify_avx2;
        dsp->patch_hess = aim_patch_hess_avx2;
        dsp->warp_row = aim_warp_row_avx2;
        dsp->field_row = aim_field_row_avx2;
        dsp->fb_qual_row = aim_fb_qual_row_avx2;
        dsp->splat_row = aim_splat_row_avx2;
        dsp->vis_row = aim_vis_row_avx2;
        dsp->field_norm = aim_field_norm_avx2;
        dsp->flow_up_row = aim_flow_up_row_avx2;
        dsp->var_data_row = aim_var_data_row_avx2;
        dsp->var_coef_row = aim_var_coef_row_avx2;
        dsp->var_diag_row = aim_var_diag_row_avx2;
        dsp->var_sor_row = aim_var_sor_row_avx2;
        dsp->var_split_row = aim_var_split_row_avx2;
        dsp->var_merge_row = aim_var_merge_row_avx2;
        dsp->isa = AIM_CPU_AVX2;
    }
}
#endif
