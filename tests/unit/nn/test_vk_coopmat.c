// The cooperative-matrix convolution (conv_cm.comp, opt-in with AIM_VK_COOPMAT=1): both variants
// are built (glslc, spirv-val) and embedded; with the opt-in set, a device without
// VK_NV_cooperative_matrix's 16x16x16 fp16 shape (lavapipe) reports it off and runs the
// convolutions on conv.comp, matching the CPU; a device with it (NVIDIA) runs them on
// conv_cm.comp in its fp16 run, checked against the CPU by the same cases. Validation on.
#include <stdlib.h>

#include "nn_bin.h"
#include "vk_check.h"

int main(void)
{
    // the build compiled and validated both variants (cmake/vulkan.cmake), or it failed
    if (aim_vk_nshaders > 0)
        CHECK(aim_vk_have_shader("conv_cm") && aim_vk_have_shader("conv_cm_fp16"));
    setenv("AIM_VK_COOPMAT", "1", 1);
    VkCheck vc;
    vkc_open(&vc);
    const AimVkDeviceInfo *info = aim_vk_device_info(vc.dev[0]);
    CHECK(!aim_vk_device_coopmat(vc.dev[0])); // the fp32 device never uses them
    if (vc.dev[1] && !info->coopmat)
        CHECK(!aim_vk_device_coopmat(vc.dev[1]));
    // layers the shader would take (> 16 output channels per group, not a deconvolution):
    // 32 -> 64 3x3, and 64 -> 96 in 2 groups (the grid's z), odd sizes
    static const struct { int cin, cout, group, w, h; } cases[] = {
        { 32, 64, 1, 19, 15 }, { 64, 96, 2, 23, 9 },
    };
    const char *in = "data";
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int wn = cases[i].cout * cases[i].cin / cases[i].group * 9;
        char param[256]; // ConvolutionDepthWise carries the group count (7=)
        snprintf(param, sizeof(param), "7767517\n2 2\nInput in 0 1 data\n"
                 "%s c 1 1 data out 0=%d 1=3 4=1 5=1 6=%d 7=%d 9=1\n",
                 cases[i].group > 1 ? "ConvolutionDepthWise" : "Convolution", cases[i].cout, wn,
                 cases[i].group);
        Bin b = { 0 };
        uint32_t tag = 0;
        bin_put(&b, &tag, 4);
        float *w = malloc(sizeof(float) * (size_t)(wn + cases[i].cout));
        if (!w)
            return 1;
        vkc_fill(w, (size_t)wn, 1.7f / sqrtf((float)(cases[i].cin / cases[i].group * 9)),
                 (unsigned)i + 10);
        vkc_fill(w + wn, (size_t)cases[i].cout, 0.5f, (unsigned)i + 20);
        bin_put(&b, w, sizeof(float) * (size_t)(wn + cases[i].cout));
        free(w);
        AimNet *net = vkc_net(&vc, param, b.d, b.n);
        AimNnMat m;
        vkc_rand(&m, 3, cases[i].w, cases[i].h, cases[i].cin, (unsigned)i + 1);
        char what[96];
        snprintf(what, sizeof(what), "conv %d->%d g%d 3x3 %dx%d (coopmat %s)", cases[i].cin,
                 cases[i].cout, cases[i].group, cases[i].w, cases[i].h,
                 vc.dev[1] && aim_vk_device_coopmat(vc.dev[1]) ? "on" : "off");
        fprintf(stderr, "%-60s %.2g\n", what, vkc_compare(&vc, net, &m, &in, 1, "out", what));
        aim_nn_mat_free(&m);
        aim_net_destroy(&net);
        free(b.d);
    }
    return vkc_close(&vc, "test_vk_coopmat");
}
