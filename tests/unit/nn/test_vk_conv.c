// conv.comp against the CPU reference (aim_nn_conv_forward_ref / aim_nn_deconv_forward_ref via
// the executor's ref ops): every kind of parameter the shipped models use (3x3 pad 1 and pad 0,
// 2x2 stride 2, 3x3 stride 2, deconvolution 2x2/4x4/5x5 stride 2-3 with crop) and the rest the
// CPU op takes (dilation, asymmetric and SAME padding, pad value, output padding, groups, every
// fused activation), odd sizes, channel counts off the 64-tile, long reductions; fp32 and fp16,
// validation on. On a GPU with VK_NV_cooperative_matrix and AIM_VK_COOPMAT=1 the fp16 runs use
// conv_cm.comp (the first line says so), so the same cases check it. Everything runs twice: with
// conv.comp's shared-memory tiles (AIM_VK_CONV=tiled, a GPU's default) and its register-blocked
// form (AIM_VK_CONV=direct, a CPU driver's default, e.g. lavapipe; strided deconvolutions by
// output phase in both).
#include <stdlib.h>

#include "vk_check.h"

typedef struct Case {
    const char *type;
    int cin, cout, kw, kh, group, bias, w, h;
    const char *extra; ///< stride, pads, dilation, activation
} Case;

static const Case cases[] = {
    // the models' own
    { "Convolution", 3, 64, 3, 3, 1, 1, 17, 13, "4=1" },                      // realesr in
    { "Convolution", 64, 48, 3, 3, 1, 1, 23, 9, "4=1" },                      // realesr out
    { "Convolution", 32, 64, 3, 3, 1, 1, 19, 15, "9=2 -23310=1,0.1" },        // cugan 3x3
    { "Convolution", 64, 128, 2, 2, 1, 1, 19, 15, "3=2 9=2 -23310=1,0.1" },   // cugan down
    { "Convolution", 16, 32, 3, 3, 1, 1, 21, 11, "3=2 4=1 9=2 -23310=1,0.2" },// rife down
    { "Convolution", 64, 3, 3, 3, 1, 1, 12, 12, "" },                         // to RGB
    { "Convolution", 256, 12, 3, 3, 1, 1, 9, 7, "" },                         // K = 2304
    { "Deconvolution", 64, 64, 2, 2, 1, 1, 9, 11, "3=2 9=2 -23310=1,0.1" },   // cugan up
    { "Deconvolution", 64, 3, 4, 4, 1, 1, 10, 9, "3=2 4=3" },                 // cugan x2 out
    { "Deconvolution", 64, 3, 5, 5, 1, 1, 7, 8, "3=3 4=2" },                  // cugan x3 out
    { "Deconvolution", 32, 24, 4, 4, 1, 1, 13, 9, "3=2 4=1" },                // rife
    // the rest of the parameter space
    { "Convolution", 5, 70, 1, 1, 1, 0, 33, 1, "" },
    { "Convolution", 7, 9, 5, 3, 1, 1, 31, 29, "3=3 13=2 4=2 15=1 14=0 16=3 18=0.5" },
    { "Convolution", 4, 6, 3, 3, 1, 1, 20, 17, "2=2 12=3 4=-233 9=1" },
    { "Convolution", 4, 6, 4, 4, 1, 0, 19, 18, "3=2 4=-234 9=3 -23310=2,-0.5,0.5" },
    { "Convolution", 8, 8, 3, 3, 1, 1, 15, 14, "4=1 9=4" },
    { "Convolution", 8, 8, 3, 3, 1, 1, 15, 14, "4=1 9=5" },
    { "Convolution", 8, 8, 3, 3, 1, 1, 15, 14, "4=1 9=6 -23310=2,0.2,0.5" },
    { "ConvolutionDepthWise", 6, 6, 3, 3, 6, 1, 16, 9, "4=1 7=6" },
    { "ConvolutionDepthWise", 8, 4, 3, 3, 2, 1, 13, 10, "7=2 3=2" },
    { "Deconvolution", 5, 7, 3, 2, 1, 1, 11, 6, "3=2 13=3 18=1 9=2 -23310=1,0.3" },
    { "Deconvolution", 3, 4, 3, 3, 1, 0, 8, 8, "2=2 4=1 15=2" },
    { "DeconvolutionDepthWise", 4, 8, 2, 2, 2, 1, 9, 9, "3=2 7=2" },
    // by output phase: dilation = stride (taps all in some phases, none in others), a kernel
    // smaller than the stride (phases of bias only), a crop that shifts the phases
    { "Deconvolution", 4, 6, 3, 3, 1, 1, 9, 7, "2=2 3=2 4=1" },
    { "Deconvolution", 4, 5, 2, 2, 1, 1, 8, 6, "3=3 9=1" },
    { "Deconvolution", 6, 20, 4, 3, 1, 1, 11, 5, "3=2 13=3 4=1 15=2 14=2 16=0 18=1 19=2" },
};

// A chain of dependent layers with arena reuse (the barriers between layers and the plan's
// offsets on the GPU), through a Split alias: c1 3->16 (leaky), c2 16->16 (relu), c3 16->16
// stride 2, d1 deconv 16->8 x2 up, c4 8->3.
static void test_chain(VkCheck *vc)
{
    static const VkcConv L[] = {
        { 3, 16, 3 }, { 16, 16, 3 }, { 16, 16, 3 }, { 16, 8, 2 }, { 8, 3, 3 },
    };
    const char *param = "7767517\n7 8\n"
        "Input in 0 1 data\n"
        "Convolution c1 1 1 data x 0=16 1=3 4=1 5=1 6=432 9=2 -23310=1,0.1\n"
        "Split sp 1 2 x a b\n"
        "Convolution c2 1 1 a y 0=16 1=3 4=1 5=1 6=2304 9=1\n"
        "Convolution c3 1 1 y z 0=16 1=3 3=2 4=1 5=1 6=2304\n"
        "Deconvolution d1 1 1 z u 0=8 1=2 3=2 5=1 6=512\n"
        "Convolution c4 1 1 u out 0=3 1=3 4=1 5=1 6=216\n";
    size_t total;
    unsigned char *bin = vkc_chain_bin(L, 5, &total);
    AimNet *net = vkc_net(vc, param, bin, total);
    static const int sizes[][2] = { { 32, 32 }, { 45, 19 }, { 64, 40 } };
    vkc_chain_sizes(vc, net, sizes, 3);
    aim_net_destroy(&net);
    free(bin);
}

static void test_cases(VkCheck *vc)
{
    const char *in = "data";
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const Case *c = &cases[i];
        int wn = c->cout * (c->cin / c->group) * c->kw * c->kh;
        char param[512];
        snprintf(param, sizeof(param), "7767517\n2 2\nInput in 0 1 data\n"
                 "%s c 1 1 data out 0=%d 1=%d 11=%d 5=%d 6=%d %s\n", c->type, c->cout, c->kw,
                 c->kh, c->bias, wn, c->extra);
        size_t bytes = 4 + sizeof(float) * (size_t)(wn + c->cout);
        unsigned char *bin = calloc(1, bytes); // tag 0: fp32 weights, then the raw bias
        float *w = malloc(sizeof(float) * (size_t)(wn + c->cout));
        // weights ~ 1/sqrt(fan-in), so the outputs stay O(1) as in a trained net
        vkc_fill(w, (size_t)wn, 1.7f / sqrtf((float)(c->cin / c->group * c->kw * c->kh)),
                 (unsigned)i + 100);
        vkc_fill(w + wn, (size_t)c->cout, 0.5f, (unsigned)i + 200);
        memcpy(bin + 4, w, sizeof(float) * (size_t)(wn + c->cout));
        AimNet *net = vkc_net(vc, param, bin, c->bias ? bytes : bytes - 4 * (size_t)c->cout);
        AimNnMat m;
        vkc_rand(&m, 3, c->w, c->h, c->cin, (unsigned)i + 1);
        char what[160];
        snprintf(what, sizeof(what), "%s %d->%d k%dx%d g%d %dx%d %s", c->type, c->cin, c->cout,
                 c->kw, c->kh, c->group, c->w, c->h, c->extra);
        double e = vkc_compare(vc, net, &m, &in, 1, "out", what);
        fprintf(stderr, "%-70s %.2g\n", what, e);
        aim_nn_mat_free(&m);
        aim_net_destroy(&net);
        free(w);
        free(bin);
    }
}

int main(void)
{
    VkCheck vc;
    vkc_open(&vc);
    static const char *const forms[] = { "tiled", "direct" }; // src/nn/gpu.c conv_direct
    for (int f = 0; f < 2; f++) {
        setenv("AIM_VK_CONV", forms[f], 1);
        fprintf(stderr, "conv.comp: %s\n", forms[f]);
        test_chain(&vc);
        test_cases(&vc);
    }
    return vkc_close(&vc, "test_vk_conv");
}
