// Winograd F(2x2, 3x3) and F(4x4, 3x3) (nn/winograd.h; wino_in/wino_gemm/wino_out.comp, chosen
// in src/nn/vk/conv.c): for both, the CPU reference, then the shaders, each against the CPU
// convolution op
// (aim_nn_conv_forward_ref via the executor's ref ops) over many shapes: 1x1 planes, one-row and
// one-column planes, odd sizes (the last tiles hang over the edge), channel counts off the
// GEMM's 8 x 8 block, with and without bias, every fused activation, pads symmetric,
// asymmetric, SAME and none, a pad value; fp32 and fp16, validation on, within vk_check.h's
// tolerances (F(4x4)'s larger constants amplify rounding: the worst errors printed per variant
// are in bench/RESULTS-vk.md, "Winograd F(4x4, 3x3)"). Then the choice: with
// AIM_VK_CONV=winograd (F(2x2)) / winograd4 (F(4x4)) every such layer takes it and no other
// does (stride 2, dilation 2, groups, 5x5), =direct / =tiled never, and by default a CPU driver
// takes Winograd from 16 channels (src/nn/vk/conv.c WINO_MIN_CH), its tile by the layer's plane
// (F(4x4) with F(2x2) kept for small planes: test_vk_wino_plane checks that choice), a GPU
// too (src/nn/gpu.c conv_forms). A chain of three Winograd layers of growing
// scratch checks the list's shared scratch (aim_vk_cmd_scratch_shared) between layers; a layer
// too big for one scratch chunk checks the chunks (each variant).
// Every case runs under each form of the GEMM pass (AIM_VK_WGEMM=direct: wino_gemm.comp,
// =tiled: wino_gemm_tiled.comp, both on any device; =coopmat: wino_gemm_cm.comp in the fp16
// runs where the device has cooperative matrices, AIM_VK_COOPMAT=1 set as test_vk_coopmat does;
// "coopmat off" printed and not run elsewhere), and the form each setting and the default
// (a CPU driver's register-blocked one, a GPU's tiles or cooperative matrices) pick is checked:
// channel counts off the tiled form's 16- and 64-row blocks and its 16-deep slices, one-tile
// layers, cout past a 64-row block (16 -> 72) and the multi-chunk layers take each form.
// Under the register-blocked GEMM most cases here (fewer than 128 tiles) and the multi-chunk
// layers' tails take the passes' small shape (conv.c WINO_GEMM_SMALL_TILES): test_vk_wino_small
// checks it against the big one bit for bit and pins the threshold.
#include <stdlib.h>

#include "nn/ops.h"
#include "nn/winograd.h"
#include "vk_check.h"

typedef struct Case {
    int cin, cout, bias, w, h;
    const char *extra; ///< pads, activation (3x3 stride 1 unless it says otherwise)
} Case;

static const Case cases[] = {
    { 64, 64, 1, 17, 13, "4=1 9=2 -23310=1,0.1" }, // realesr-animevideov3's body
    { 3, 64, 1, 17, 13, "4=1" },                   // the first layer (forced only)
    { 64, 3, 1, 12, 12, "" },                      // to RGB, no padding: 10x10
    { 32, 64, 1, 19, 15, "9=2 -23310=1,0.1" },     // realcugan, unpadded
    { 5, 7, 0, 1, 1, "4=1" },                      // a 1x1 plane
    { 9, 13, 1, 1, 7, "4=1 9=1" },                 // one column
    { 13, 9, 1, 8, 1, "4=1 9=3 -23310=2,-0.5,0.5" }, // one row, clip
    { 8, 8, 1, 15, 14, "4=1 9=4" },                // sigmoid
    { 8, 8, 1, 15, 14, "4=1 9=5" },                // mish
    { 8, 8, 1, 15, 14, "4=1 9=6 -23310=2,0.2,0.5" }, // hardswish
    { 7, 11, 1, 20, 17, "4=2 15=0 14=1 16=3 18=0.5" }, // asymmetric pads, pad value
    { 6, 10, 0, 9, 11, "4=-233" },                 // SAME_UPPER
    { 6, 10, 1, 10, 9, "4=-234 9=2 -23310=1,0.2" }, // SAME_LOWER
    { 4, 5, 1, 3, 3, "" },                         // one output pixel
    { 70, 9, 1, 5, 3, "4=1" },                     // cin off the 8-block
    { 16, 72, 1, 33, 31, "4=1 9=1" },              // cout past a block, 272 tiles
    { 256, 12, 1, 9, 7, "" },                      // a long reduction
    // F(2x2): 1056 tiles in chunks of 1008 (conv.c: (WINO_CHUNK_BYTES - align) / (64 * 520)):
    // the second chunk starts mid-row; F(4x4): 272 tiles in chunks of 448 (/ (144 * 520)), one
    { 512, 8, 1, 66, 64, "4=1" },
    // F(4x4): 1056 tiles in chunks of 448: three, the second starting mid-row
    { 512, 8, 1, 130, 128, "4=1" },
};

// not Winograd's even when forced: stride, dilation, groups, another kernel
static const struct { const char *type; int cin, cout, k; const char *extra; } others[] = {
    { "Convolution", 16, 16, 3, "3=2 4=1" },
    { "Convolution", 16, 16, 3, "2=2 4=2" },
    { "ConvolutionDepthWise", 16, 16, 3, "4=1 7=16" },
    { "Convolution", 16, 16, 5, "4=2" },
};

static AimNet *conv_net(VkCheck *vc, const char *type, int cin, int cout, int k, int group,
                        int bias, const char *extra, unsigned seed)
{
    int wn = cout * (cin / group) * k * k;
    char param[512];
    snprintf(param, sizeof(param), "7767517\n2 2\nInput in 0 1 data\n"
             "%s c 1 1 data out 0=%d 1=%d 5=%d 6=%d %s\n", type, cout, k, bias, wn, extra);
    size_t bytes = 4 + sizeof(float) * (size_t)(wn + cout);
    unsigned char *bin = calloc(1, bytes); // tag 0: fp32 weights, then the raw bias
    float *w = malloc(sizeof(float) * (size_t)(wn + cout));
    if (!bin || !w) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    // weights ~ 1/sqrt(fan-in), so the outputs stay O(1) as in a trained net
    vkc_fill(w, (size_t)wn, 1.7f / sqrtf((float)(cin / group * k * k)), seed + 100);
    vkc_fill(w + wn, (size_t)cout, 0.5f, seed + 200);
    memcpy(bin + 4, w, sizeof(float) * (size_t)(wn + cout));
    AimNet *net = vkc_net(vc, param, bin, bias ? bytes : bytes - 4 * (size_t)cout);
    free(w);
    free(bin);
    return net;
}

// The CPU reference of the shaders (nn/winograd.h) against the CPU convolution op.
static void check_reference(VkCheck *vc, const AimNet *net, const AimNnMat *in, int wm,
                            const char *what)
{
    const AimNnLayer *l = &net->layers[1];
    AimNnConv c;
    CHECK(aim_nn_conv_params(l, 0, &c, &vc->log) == 0);
    int pl, pr, pt, pb;
    aim_nn_conv_pads(&c, in->w, in->h, &pl, &pr, &pt, &pb);
    int ib = aim_net_blob(net, "data"), ob = aim_net_blob(net, "out");
    AimNnOpt o = { .ref = 1 };
    AimNnRun *run = NULL;
    const AimNnMat *ref = NULL;
    CHECK(aim_nn_run_create(&run, net, &o) == 0);
    CHECK(run && aim_nn_run(run, &ib, in, 1, &ob, &ref, 1) == 0);
    if (!ref) {
        aim_nn_run_destroy(&run);
        return;
    }
    CHECK_EQ_INT(ref->w, in->w + pl + pr - 2);
    CHECK_EQ_INT(ref->h, in->h + pt + pb - 2);
    int tw = (ref->w + wm - 1) / wm, th = (ref->h + wm - 1) / wm, nt = tw * th;
    size_t np = AIM_NN_WINO_POS(wm);
    float *u = malloc(sizeof(float) * np * (size_t)c.cin * (size_t)c.cout);
    float *v = malloc(sizeof(float) * np * (size_t)c.cin * (size_t)nt);
    float *m = malloc(sizeof(float) * np * (size_t)c.cout * (size_t)nt);
    AimNnMat out = { 0 };
    CHECK(u && v && m && aim_nn_mat_alloc(&out, 3, ref->w, ref->h, c.cout) == 0);
    if (u && v && m && out.data) {
        aim_nn_wino_weights_c(u, l->w[0], c.cout, c.cin, wm);
        aim_nn_wino_input_c(v, in, pl, pt, c.pad_value, tw, th, wm);
        aim_nn_wino_gemm_c(m, u, v, c.cin, c.cout, nt, wm);
        aim_nn_wino_output_c(&out, m, c.bias ? l->w[1] : NULL, &c.act, tw, th, wm);
        double e = 0, maxref = 1;
        for (int q = 0; q < c.cout; q++)
            for (int i = 0; i < ref->w * ref->h; i++) {
                double a = fabs(aim_nn_chan(ref, q)[i]);
                double d = fabs((double)aim_nn_chan(&out, q)[i] - aim_nn_chan(ref, q)[i]);
                maxref = a > maxref ? a : maxref;
                e = d > e || d != d ? d : e;
            }
        // the same tolerance as the fp32 shaders (vk_check.h): sums in another order
        CHECK_MSG(e / maxref <= VKC_TOL_FP32, "%s F(%d): C reference: relative error %.3g",
                  what, wm, e / maxref);
        fprintf(stderr, "%-60s F(%d) C reference %.2g\n", what, wm, e / maxref);
    }
    aim_nn_mat_free(&out);
    free(u);
    free(v);
    free(m);
    aim_nn_run_destroy(&run);
}

// What the GPU net's init took for layer "c" (conv.c logs it at debug level): the Winograd
// tile (2, 4; 0 for none) and its GEMM's form (direct, tiled, coopmat)
typedef struct Pick {
    int m;
    char gemm[16];
} Pick;

static void pick_cb(void *o, AimLogLevel l, const char *msg)
{
    Pick *pk = o;
    if (strstr(msg, "vulkan: c: Winograd F(2x2"))
        pk->m = 2;
    if (strstr(msg, "vulkan: c: Winograd F(4x4"))
        pk->m = 4;
    const char *g = strstr(msg, ", GEMM ");
    if (pk->m && g)
        snprintf(pk->gemm, sizeof(pk->gemm), "%s", g + 7);
}

static Pick picked_on(AimVkDevice *dev, const AimNet *net, const char *form)
{
    if (form)
        setenv("AIM_VK_CONV", form, 1);
    else
        unsetenv("AIM_VK_CONV");
    Pick pk = { 0 };
    AimLog log = { pick_cb, &pk, AIM_LOG_DEBUG };
    AimNnGpu *g = NULL;
    CHECK(aim_nn_gpu_create(&g, net, dev, &log) == 0);
    aim_nn_gpu_destroy(&g);
    return pk;
}

static int picked(VkCheck *vc, const AimNet *net, const char *form)
{
    return picked_on(vc->dev[0], net, form).m;
}

// The GEMM forms (AIM_VK_WGEMM, src/nn/gpu.c wino_gemm_form): each case runs under each; the
// cooperative matrices only where the fp16 device runs them (they print "coopmat off" else).
static const char *const gemms[3] = { "direct", "tiled", "coopmat" };

// Which form a net takes with AIM_VK_WGEMM=gemm (NULL: unset) and Winograd forced (form):
// checked on both devices, the default by the device's type.
static void check_gemm_pick(VkCheck *vc, const AimNet *net, const char *form, const char *gemm,
                            const char *what)
{
    int cpu = aim_vk_device_info(vc->dev[0])->type == AIM_VK_TYPE_CPU;
    for (int d = 0; d < 2 && vc->dev[d]; d++) {
        int cm = aim_vk_device_coopmat(vc->dev[d]);
        const char *want = !gemm ? (cpu ? "direct" : cm ? "coopmat" : "tiled")
                         : !strcmp(gemm, "coopmat") && !cm ? "tiled" : gemm;
        if (gemm)
            setenv("AIM_VK_WGEMM", gemm, 1);
        else
            unsetenv("AIM_VK_WGEMM");
        Pick pk = picked_on(vc->dev[d], net, form);
        CHECK_MSG(!strcmp(pk.gemm, want), "%s: %s, AIM_VK_WGEMM=%s, %s device: GEMM '%s', not %s",
                  what, form, gemm ? gemm : "(unset)", d ? "fp16" : "fp32", pk.gemm, want);
    }
}

// c1 3->16, c2 16->32 (its scratch outgrows c1's), c3 32->16 unpadded, all Winograd (forced
// by AIM_VK_CONV=form)
static void test_chain(VkCheck *vc, const char *form)
{
    static const VkcConv L[] = { { 3, 16, 3 }, { 16, 32, 3 }, { 32, 16, 3 } };
    const char *param = "7767517\n4 4\n"
        "Input in 0 1 data\n"
        "Convolution c1 1 1 data x 0=16 1=3 4=1 5=1 6=432 9=2 -23310=1,0.1\n"
        "Convolution c2 1 1 x y 0=32 1=3 4=1 5=1 6=4608 9=1\n"
        "Convolution c3 1 1 y out 0=16 1=3 5=1 6=4608\n";
    size_t total;
    unsigned char *bin = vkc_chain_bin(L, 3, &total);
    AimNet *net = vkc_net(vc, param, bin, total);
    setenv("AIM_VK_CONV", form, 1);
    static const int sizes[][2] = { { 32, 32 }, { 45, 19 } };
    vkc_chain_sizes(vc, net, sizes, 2);
    aim_net_destroy(&net);
    free(bin);
}

int main(void)
{
    // the build compiled and validated every GEMM form (cmake/vulkan.cmake), or it failed
    if (aim_vk_nshaders > 0)
        CHECK(aim_vk_have_shader("wino_gemm_tiled") && aim_vk_have_shader("wino_gemm_tiled_fp16") &&
              aim_vk_have_shader("wino_gemm_cm") && aim_vk_have_shader("wino_gemm_cm_fp16"));
    setenv("AIM_VK_COOPMAT", "1", 1); // as test_vk_coopmat: used where the device has them
    VkCheck vc;
    vkc_open(&vc);
    int cm = vc.dev[1] && aim_vk_device_coopmat(vc.dev[1]);
    CHECK(!aim_vk_device_coopmat(vc.dev[0])); // the fp32 device never uses them
    if (!cm)
        fprintf(stderr, "coopmat off: no cooperative matrices on this device, the coopmat GEMM "
                "is not run (AIM_VK_COOPMAT=1 on NVIDIA runs it)\n");
    const char *in = "data";
    static const char *const form[2] = { "winograd", "winograd4" };
    static const int wm[2] = { 2, 4 };
    double worst[3][2][2] = { 0 }; // per GEMM form and variant: fp32, fp16
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const Case *c = &cases[i];
        AimNet *net = conv_net(&vc, "Convolution", c->cin, c->cout, 3, 1, c->bias, c->extra,
                               (unsigned)i);
        AimNnMat m;
        vkc_rand(&m, 3, c->w, c->h, c->cin, (unsigned)i + 1);
        char what[160];
        snprintf(what, sizeof(what), "%d->%d %dx%d bias %d %s", c->cin, c->cout, c->w, c->h,
                 c->bias, c->extra);
        CHECK_MSG(!picked(&vc, net, "direct") && !picked(&vc, net, "tiled"),
                  "%s: Winograd under AIM_VK_CONV=direct/tiled", what);
        int wide = c->cin >= 16 && c->cout >= 16; // conv.c WINO_MIN_CH
        // the default: src/nn/gpu.c WINO_DEFAULT, WINO_DEFAULT_M (F(4x4) kept, F(2x2) beside
        // it for small planes), any device
        CHECK_MSG(picked(&vc, net, NULL) == (wide ? 4 : 0), "%s: default choice", what);
        for (int k = 0; k < 2; k++) {
            check_reference(&vc, net, &m, wm[k], what);
            CHECK_MSG(picked(&vc, net, form[k]) == wm[k], "%s: not F(%d) under %s", what, wm[k],
                      form[k]);
            check_gemm_pick(&vc, net, form[k], NULL, what);
            for (int f = 0; f < 3; f++) {
                if (f == 2 && !cm)
                    continue;
                check_gemm_pick(&vc, net, form[k], gemms[f], what); // sets AIM_VK_WGEMM
                setenv("AIM_VK_CONV", form[k], 1);
                double was[2] = { vc.worst[0], vc.worst[1] };
                vc.worst[0] = vc.worst[1] = 0;
                vkc_compare(&vc, net, &m, &in, 1, "out", what);
                fprintf(stderr, "%-60s F(%d) %-7s fp32 %.2g fp16 %.2g\n", what, wm[k], gemms[f],
                        vc.worst[0], vc.worst[1]);
                for (int q = 0; q < 2; q++) {
                    worst[f][k][q] = vc.worst[q] > worst[f][k][q] ? vc.worst[q] : worst[f][k][q];
                    vc.worst[q] = was[q] > vc.worst[q] ? was[q] : vc.worst[q];
                }
            }
            unsetenv("AIM_VK_WGEMM");
        }
        aim_nn_mat_free(&m);
        aim_net_destroy(&net);
    }
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        AimNet *net = conv_net(&vc, others[i].type, others[i].cin, others[i].cout, others[i].k,
                               strstr(others[i].extra, "7=") ? others[i].cin : 1, 1,
                               others[i].extra, 50 + (unsigned)i);
        CHECK_MSG(!picked(&vc, net, "winograd") && !picked(&vc, net, "winograd4"),
                  "%s %s: Winograd", others[i].type, others[i].extra);
        aim_net_destroy(&net);
    }
    test_chain(&vc, "winograd");
    test_chain(&vc, "winograd4");
    for (int f = 0; f < 3; f++)
        if (f < 2 || cm)
            fprintf(stderr, "worst relative error over the cases, GEMM %s: F(2) fp32 %.3g fp16 "
                    "%.3g, F(4) fp32 %.3g fp16 %.3g\n", gemms[f], worst[f][0][0], worst[f][0][1],
                    worst[f][1][0], worst[f][1][1]);
    return vkc_close(&vc, "test_vk_winograd");
}
