// Winograd's tile by the layer's output plane (src/nn/vk/conv.c WINO_M4_MIN_TILES, the
// default on every device: src/nn/gpu.c WINO_DEFAULT_M 0): a 16 -> 16 3x3 layer on planes of 6,
// 42, 47, 48, 49 and 72 F(4x4) tiles must give, bit for bit, the output of F(2x2) forced
// (AIM_VK_CONV=winograd) below 48 tiles and of F(4x4) forced (=winograd4) from 48 up, and not
// the other's (so the check can tell them apart); 47 and 48 pin the threshold itself. And under
// the default, both precisions within vk_check.h's tolerances of the CPU op, validation on.
#include <stdlib.h>

#include "vk_check.h"

// the layer's output under AIM_VK_CONV=form (NULL: the default) on the fp32 device, copied
// (w * h * c floats, channel-major); the caller frees it
static float *run_form(VkCheck *vc, const AimNet *net, const AimNnMat *in, const char *form)
{
    if (form)
        setenv("AIM_VK_CONV", form, 1);
    else
        unsetenv("AIM_VK_CONV");
    return vkc_gpu_output(vc->dev[0], &vc->log, net, in, form ? form : "default");
}

int main(void)
{
    VkCheck vc;
    vkc_open(&vc);
    static const VkcConv L[] = { { 16, 16, 3 } };
    const char *param = "7767517\n2 2\n"
        "Input in 0 1 data\n"
        "Convolution c 1 1 data out 0=16 1=3 4=1 5=1 6=2304 9=2 -23310=1,0.1\n";
    size_t total;
    unsigned char *bin = vkc_chain_bin(L, 1, &total);
    AimNet *net = vkc_net(&vc, param, bin, total);
    // w, h: ceil(w / 4) * ceil(h / 4) F(4x4) tiles: 6, 42, 47, 48, 49, 72 (WINO_M4_MIN_TILES 48)
    static const int sizes[][2] = { { 9, 7 }, { 28, 23 }, { 187, 3 }, { 30, 22 }, { 27, 28 },
                                    { 33, 29 } };
    const char *in = "data";
    for (int i = 0; i < (int)(sizeof(sizes) / sizeof(sizes[0])); i++) {
        int w = sizes[i][0], h = sizes[i][1], tiles = ((w + 3) / 4) * ((h + 3) / 4);
        int m = tiles < 48 ? 2 : 4;
        AimNnMat x;
        vkc_rand(&x, 3, w, h, 16, 700 + (unsigned)i);
        float *def = run_form(&vc, net, &x, NULL);
        float *f2 = run_form(&vc, net, &x, "winograd");
        float *f4 = run_form(&vc, net, &x, "winograd4");
        size_t bytes = sizeof(float) * (size_t)w * h * 16;
        if (def && f2 && f4) {
            CHECK_MSG(!memcmp(def, m == 2 ? f2 : f4, bytes), "%dx%d (%d tiles): not F(%dx%d)",
                      w, h, tiles, m, m);
            CHECK_MSG(memcmp(f2, f4, bytes), "%dx%d: F(2x2) and F(4x4) agree "
                      "bit for bit: the check cannot tell them apart", w, h);
        }
        unsetenv("AIM_VK_CONV");
        char what[64];
        snprintf(what, sizeof(what), "16->16 %dx%d (%d tiles, F(%dx%d))", w, h, tiles, m, m);
        fprintf(stderr, "%-50s %.2g\n", what, vkc_compare(&vc, net, &x, &in, 1, "out", what));
        free(def);
        free(f2);
        free(f4);
        aim_nn_mat_free(&x);
    }
    aim_net_destroy(&net);
    free(bin);
    return vkc_close(&vc, "test_vk_wino_plane");
}
