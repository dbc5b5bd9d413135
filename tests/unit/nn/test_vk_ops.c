// The Vulkan ops other than the (de)convolutions and ReLU, each against its CPU reference op
// (ops.c, ops_rife.c, warp.c) on random tensors: one-layer nets at several shapes (odd sizes,
// 1-, 2- and 3-dim tensors), the broadcast cases of BinaryOp, every Interp mode, crops with
// offsets and with a reference blob, Slice and Concat along each axis, fp32 and fp16 devices,
// with the validation layer on (vk_check.h; exit 77 without a Vulkan device); planes past the
// 65535-group grid and global pooling's multi-group reduction, exactly where the op allows.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_bin.h"
#include "vk_check.h"
#include "nn/ops_rife.h"

static void bin_array(Bin *b, int tagged, size_t n, float scale, unsigned seed)
{
    float *w = malloc(sizeof(float) * n);
    if (!w) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    vkc_fill(w, n, scale, seed);
    if (tagged) {
        uint32_t tag = 0;
        bin_put(b, &tag, 4);
    }
    bin_put(b, w, sizeof(float) * n);
    free(w);
}

typedef struct Shape {
    int dims, w, h, c;
} Shape;

static unsigned seed_ = 1;

// Input 1 of check() is multiplied by this and rounded to multiples of 1/32 when nonzero (the
// warp's flows: exact in fp16 up to 64 pixels, so the fp16 run differs by the image's rounding
// only, not by a position error times the random image's gradient).
static float flow_amp_;

/**
 * One layer `layer` (its text after the type and name: "1 1 in0 out ...") fed by inputs in0..
 * of the given shapes (values in [-amp, amp)), output blob `out` compared.
 */
static void check(VkCheck *vc, const char *type, const char *layer, const Shape *sh, int nin,
                  float amp, const Bin *bin, const char *out)
{
    char param[2048];
    int n = snprintf(param, sizeof(param), "7767517\n%d 300\n", nin + 1);
    for (int i = 0; i < nin; i++)
        n += snprintf(param + n, sizeof(param) - (size_t)n, "Input i%d 0 1 in%d\n", i, i);
    snprintf(param + n, sizeof(param) - (size_t)n, "%s op %s\n", type, layer);
    AimNet *net = vkc_net_ops(vc, param, bin ? bin->d : NULL, bin ? bin->n : 0, aim_nn_rife_ops,
                              aim_nn_rife_nops);
    AimNnMat in[4];
    const char *names[4] = { "in0", "in1", "in2", "in3" };
    for (int i = 0; i < nin; i++) {
        vkc_rand(&in[i], sh[i].dims, sh[i].w, sh[i].h, sh[i].c, seed_++);
        for (int q = 0; q < in[i].c; q++)
            for (int k = 0; k < in[i].w * in[i].h; k++) {
                float *v = &aim_nn_chan(&in[i], q)[k];
                *v = i == 1 && flow_amp_ ? roundf(*v * flow_amp_ * 32) / 32 : *v * amp;
            }
    }
    char what[256];
    snprintf(what, sizeof(what), "%s %s (in0 %dx%dx%d d%d)", type, layer, sh[0].w, sh[0].h,
             sh[0].c, sh[0].dims);
    vkc_compare(vc, net, in, names, nin, out, what);
    for (int i = 0; i < nin; i++)
        aim_nn_mat_free(&in[i]);
    aim_net_destroy(&net);
}

static const Shape shapes[] = {
    { 3, 1, 1, 1 }, { 3, 17, 9, 5 }, { 3, 64, 64, 3 }, { 3, 131, 7, 33 }, { 3, 2, 300, 2 },
    { 2, 1000, 3, 1 }, { 1, 4097, 1, 1 },
};
#define NSHAPES (int)(sizeof(shapes) / sizeof(shapes[0]))

static void test_unary(VkCheck *vc)
{
    for (int s = 0; s < NSHAPES; s++) {
        check(vc, "Sigmoid", "1 1 in0 out", &shapes[s], 1, 6, NULL, "out");
        // with_scalar: add, sub, mul, div, max, min, rsub (pow and rdiv of random signs and
        // values near 0 have no reference worth comparing)
        static const int ops[] = { 0, 1, 2, 3, 4, 5, 7 };
        for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
            char l[64];
            snprintf(l, sizeof(l), "1 1 in0 out 0=%d 1=1 2=%s", ops[k], k & 1 ? "-0.75" : "2.5");
            check(vc, "BinaryOp", l, &shapes[s], 1, 1, NULL, "out");
        }
    }
}

static void test_binary(VkCheck *vc)
{
    // a and b of the broadcast cases ncnn's rule and numpy's allow (ops.c bshape)
    static const Shape pairs[][2] = {
        { { 3, 17, 9, 5 }, { 3, 17, 9, 5 } },   // same shape
        { { 3, 64, 64, 3 }, { 3, 64, 64, 3 } },
        { { 3, 17, 9, 5 }, { 1, 5, 1, 1 } },    // per-channel vector (Real-CUGAN's SE)
        { { 1, 64, 1, 1 }, { 3, 13, 11, 64 } }, // the vector first
        { { 3, 17, 9, 5 }, { 2, 17, 9, 1 } },   // a plane for every channel
        { { 3, 17, 9, 5 }, { 1, 17, 1, 1 } },   // a row for every row (w != c)
        { { 3, 17, 9, 5 }, { 3, 1, 1, 5 } },    // 3-d per channel
        { { 3, 17, 9, 5 }, { 3, 17, 9, 1 } },   // 3-d one channel
        { { 3, 1, 9, 5 }, { 3, 17, 1, 5 } },    // both broadcast (a column times a row)
        { { 3, 17, 9, 5 }, { 1, 1, 1, 1 } },    // a one-element tensor
        { { 2, 33, 7, 1 }, { 2, 33, 7, 1 } },   // 2-d
        { { 1, 4097, 1, 1 }, { 1, 4097, 1, 1 } }, // 1-d
    };
    static const int ops[] = { 0, 1, 2, 4, 5, 7 };
    for (size_t p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++)
        for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
            char l[64];
            snprintf(l, sizeof(l), "2 1 in0 in1 out 0=%d", ops[k]);
            check(vc, "BinaryOp", l, pairs[p], 2, 1, NULL, "out");
        }
}

static void test_prelu(VkCheck *vc)
{
    for (int s = 0; s < NSHAPES; s++) {
        const Shape *sh = &shapes[s];
        int per = sh->dims == 3 ? sh->c : sh->dims == 2 ? sh->h : sh->w;
        for (int one = 0; one < 2; one++) {
            int n = one ? 1 : per;
            Bin b = { 0 };
            bin_array(&b, 0, (size_t)n, 0.5f, seed_++);
            char l[64];
            snprintf(l, sizeof(l), "1 1 in0 out 0=%d", n);
            check(vc, "PReLU", l, sh, 1, 1, &b, "out");
            free(b.d);
        }
    }
}

static void test_eltwise(VkCheck *vc)
{
    static const char *layers[] = {
        "2 1 in0 in1 out 0=0", "2 1 in0 in1 out 0=1", "2 1 in0 in1 out 0=2",
        "2 1 in0 in1 out 0=1 -23301=2,1.0,4.0", "2 1 in0 in1 out 0=1 -23301=2,-0.5,2.0",
        "3 1 in0 in1 in2 out 0=0", "3 1 in0 in1 in2 out 0=2",
        "3 1 in0 in1 in2 out 0=1 -23301=3,0.5,-1.5,2.0",
    };
    for (int s = 0; s < NSHAPES; s++)
        for (size_t k = 0; k < sizeof(layers) / sizeof(layers[0]); k++) {
            Shape sh[3] = { shapes[s], shapes[s], shapes[s] };
            check(vc, "Eltwise", layers[k], sh, layers[k][0] - '0', 1, NULL, "out");
        }
}

static void test_scale(VkCheck *vc)
{
    for (int s = 0; s < NSHAPES; s++) {
        const Shape *sh = &shapes[s];
        int per = sh->dims == 3 ? sh->c : sh->dims == 2 ? sh->h : sh->w;
        // scales from a second input (waifu2x-cunet's SE blocks)
        Shape two[2] = { *sh, { 1, per, 1, 1 } };
        check(vc, "Scale", "2 1 in0 in1 out 0=-233", two, 2, 1, NULL, "out");
        for (int bias = 0; bias < 2; bias++) {
            Bin b = { 0 };
            bin_array(&b, 0, (size_t)per, 2, seed_++);
            if (bias)
                bin_array(&b, 0, (size_t)per, 1, seed_++);
            char l[64];
            snprintf(l, sizeof(l), "1 1 in0 out 0=%d 1=%d", per, bias);
            check(vc, "Scale", l, sh, 1, 1, &b, "out");
            free(b.d);
        }
    }
}

static void test_crop(VkCheck *vc)
{
    const Shape big = { 3, 37, 23, 9 };
    static const char *layers[] = {
        // offsets and sizes: x, y, c, then w, h, c (0: to the end less the far offsets 6..8)
        "1 1 in0 out 0=3 1=5 2=2 3=11 4=7 5=4", "1 1 in0 out 0=4 1=4 6=4 7=4",
        "1 1 in0 out 0=0 1=1 2=8", "1 1 in0 out 0=36 1=22 2=8 3=1 4=1 5=1",
        // starts / ends / axes (the models' forms: RIFE's channel slices, the U-Net borders)
        "1 1 in0 out -23309=2,4,4 -23310=2,-4,-4 -23311=2,-2,-1",
        "1 1 in0 out -23309=2,1,1 -23310=2,-1,-1 -23311=2,-2,-1",
        "1 1 in0 out -23309=1,0 -23310=1,4 -23311=1,0",
        "1 1 in0 out -23309=1,4 -23310=1,5 -23311=1,0",
        "1 1 in0 out -23309=3,2,3,5 -23310=3,7,20,2147483647 -23311=3,0,1,2",
    };
    for (size_t k = 0; k < sizeof(layers) / sizeof(layers[0]); k++)
        check(vc, "Crop", layers[k], &big, 1, 1, NULL, "out");
    // a reference blob gives the size (waifu2x-cunet / Real-CUGAN: 0=4 1=4 with a ref)
    Shape two[2] = { big, { 3, 29, 15, 9 } };
    check(vc, "Crop", "2 1 in0 in1 out 0=4 1=4", two, 2, 1, NULL, "out");
    Shape odd[2] = { { 3, 64, 64, 3 }, { 3, 23, 41, 3 } };
    check(vc, "Crop", "2 1 in0 in1 out 0=20 1=3", odd, 2, 1, NULL, "out");
    // 2-d and 1-d
    Shape d2 = { 2, 33, 17, 1 }, d1 = { 1, 100, 1, 1 };
    check(vc, "Crop", "1 1 in0 out 0=5 1=3 3=20 4=9", &d2, 1, 1, NULL, "out");
    check(vc, "Crop", "1 1 in0 out 0=7 3=50", &d1, 1, 1, NULL, "out");
}

static void test_slice_concat(VkCheck *vc)
{
    const Shape sh = { 3, 19, 11, 7 };
    for (int axis = 0; axis < 3; axis++) {
        char l[128];
        static const char *outs[3] = { "out0", "out1", "out2" };
        // equal shares (-233) and explicit sizes along channels, rows, columns
        snprintf(l, sizeof(l), "1 3 in0 out0 out1 out2 -23300=3,-233,-233,-233 1=%d", axis);
        for (int o = 0; o < 3; o++)
            check(vc, "Slice", l, &sh, 1, 1, NULL, outs[o]);
        snprintf(l, sizeof(l), "1 2 in0 out0 out1 -23300=2,2,-233 1=%d", axis - 3);
        for (int o = 0; o < 2; o++)
            check(vc, "Slice", l, &sh, 1, 1, NULL, outs[o]);
        // Concat of 2 and 3 inputs of different lengths along the axis
        Shape in[3] = { sh, sh, sh };
        int *len[3] = { &in[1].c, &in[1].h, &in[1].w };
        *len[axis] = 4;
        *(axis == 0 ? &in[2].c : axis == 1 ? &in[2].h : &in[2].w) = 1;
        snprintf(l, sizeof(l), "2 1 in0 in1 out 0=%d", axis);
        check(vc, "Concat", l, in, 2, 1, NULL, "out");
        snprintf(l, sizeof(l), "3 1 in0 in1 in2 out 0=%d", axis - 3);
        check(vc, "Concat", l, in, 3, 1, NULL, "out");
    }
    Shape v[2] = { { 1, 40, 1, 1 }, { 1, 9, 1, 1 } };
    check(vc, "Concat", "2 1 in0 in1 out 0=0", v, 2, 1, NULL, "out");
}

static void test_pixelshuffle(VkCheck *vc)
{
    static const Shape sh[] = { { 3, 17, 9, 8 }, { 3, 13, 11, 36 }, { 3, 64, 64, 48 },
                                { 3, 1, 1, 4 } };
    for (size_t s = 0; s < sizeof(sh) / sizeof(sh[0]); s++)
        for (int r = 2; r <= 4; r++)
            for (int mode = 0; mode < 2; mode++) {
                if (sh[s].c % (r * r))
                    continue;
                char l[64];
                snprintf(l, sizeof(l), "1 1 in0 out 0=%d 1=%d", r, mode);
                check(vc, "PixelShuffle", l, &sh[s], 1, 1, NULL, "out");
            }
}

static void test_interp(VkCheck *vc)
{
    static const char *layers[] = {
        // the models': nearest x4 (realesr x2/x3), bilinear by factors (RIFE, Anime4K),
        // bicubic 0.75 and 0.5 (RIFE)
        "1 1 in0 out 0=1 1=4.0 2=4.0", "1 1 in0 out 0=1 1=2.0 2=2.0",
        "1 1 in0 out 0=2 1=2.0 2=2.0", "1 1 in0 out 0=2 1=0.5 2=0.5",
        "1 1 in0 out 0=2 1=0.25 2=0.25", "1 1 in0 out 0=2 1=0.125 2=0.125",
        "1 1 in0 out 0=2 1=8.0 2=8.0", "1 1 in0 out 0=3 1=0.75 2=0.75",
        "1 1 in0 out 0=3 1=0.5 2=0.5", "1 1 in0 out 0=3 1=2.0 2=2.0",
        // other factors, align_corner, output sizes
        "1 1 in0 out 0=1 1=0.5 2=3.0", "1 1 in0 out 0=2 1=1.5 2=0.7 6=1",
        "1 1 in0 out 0=3 1=3.0 2=1.25 6=1", "1 1 in0 out 0=2 3=10 4=29",
        "1 1 in0 out 0=1 3=31 4=5", "1 1 in0 out 0=3 3=7 4=40",
    };
    static const Shape sh[] = { { 3, 17, 9, 5 }, { 3, 64, 64, 3 }, { 3, 8, 16, 2 },
                                { 3, 1, 1, 3 }, { 3, 2, 33, 1 } };
    for (size_t s = 0; s < sizeof(sh) / sizeof(sh[0]); s++)
        for (size_t k = 0; k < sizeof(layers) / sizeof(layers[0]); k++) {
            // factors below 1 need inputs large enough for a non-empty output
            if (strstr(layers[k], "=0.") && (sh[s].w < 8 || sh[s].h < 8))
                continue;
            check(vc, "Interp", layers[k], &sh[s], 1, 1, NULL, "out");
        }
}

static void test_padding(VkCheck *vc)
{
    static const char *layers[] = {
        "1 1 in0 out 0=1 1=1 2=1 3=1 4=1", // Anime4K's replicate
        "1 1 in0 out 0=2 1=0 2=3 3=1 4=0 5=0.5", "1 1 in0 out 0=0 1=4 2=0 3=2 4=1",
        "1 1 in0 out 0=2 1=1 2=3 3=4 4=2",
    };
    static const Shape sh[] = { { 3, 17, 9, 5 }, { 3, 64, 64, 3 }, { 3, 6, 5, 2 } };
    for (size_t s = 0; s < sizeof(sh) / sizeof(sh[0]); s++)
        for (size_t k = 0; k < sizeof(layers) / sizeof(layers[0]); k++)
            check(vc, "Padding", layers[k], &sh[s], 1, 1, NULL, "out");
}

// check() that also requires the fp32 result to equal the CPU's bit for bit (ops that copy, or
// compute one rounded operation per element as the CPU does; a max).
static void check_exact(VkCheck *vc, const char *type, const char *layer, const Shape *sh,
                        int nin)
{
    double before = vc->worst[0];
    vc->worst[0] = 0;
    check(vc, type, layer, sh, nin, 1, NULL, "out");
    CHECK_MSG(vc->worst[0] == 0, "%s %s on %dx%dx%d: fp32 differs from the CPU by %.3g", type,
              layer, sh[0].w, sh[0].h, sh[0].c, vc->worst[0]);
    vc->worst[0] = before > vc->worst[0] ? before : vc->worst[0];
}

static void test_pooling(VkCheck *vc)
{
    static const char *layers[] = {
        "1 1 in0 out 0=1 4=1", "1 1 in0 out 0=0 4=1",          // global average / max
        "1 1 in0 out 0=0 1=2 2=2", "1 1 in0 out 0=1 1=2 2=2",  // 2x2 stride 2 (tail kept)
        "1 1 in0 out 0=1 1=3 2=1 3=1", "1 1 in0 out 0=1 1=3 2=1 3=1 6=1",
        "1 1 in0 out 0=0 1=3 2=2 3=1 5=1", "1 1 in0 out 0=1 1=3 11=2 2=2 12=1 3=1 6=1",
    };
    static const Shape sh[] = { { 3, 17, 9, 5 }, { 3, 64, 64, 3 }, { 3, 3, 3, 64 },
                                { 3, 300, 200, 2 } };
    for (size_t s = 0; s < sizeof(sh) / sizeof(sh[0]); s++)
        for (size_t k = 0; k < sizeof(layers) / sizeof(layers[0]); k++)
            check(vc, "Pooling", layers[k], &sh[s], 1, 1, NULL, "out");
    // Global pooling's two passes (pooling.c): one group (<= 4096 elements, above), two uneven
    // chunks (4097), 64 channels x 9 groups, and 254 groups of 8192 (a 1080p-sized odd plane:
    // the chunk grows past 4096 at 256 groups). The max is order-free: exact. The mean
    // (the CPU sums in double, so its error is one rounding) differs by the GPU's fp32 summation:
    // at most (h - 1) u sum|x| for a summation tree of height h (Higham, Accuracy and Stability
    // of Numerical Algorithms, 2nd ed., section 4.2), u = 2^-24; here h <= 32 serial steps
    // (8192 / 256) + 8 + 8 tree levels, plus the division's rounding: < 50 u mean|x| < 3e-6
    // with |x| < 1, inside VKC_TOL_FP32 (1e-4) and far below a lost or doubled chunk's error.
    static const Shape gsh[] = { { 3, 4097, 1, 3 }, { 3, 257, 129, 64 }, { 3, 1919, 1081, 1 } };
    for (size_t s = 0; s < sizeof(gsh) / sizeof(gsh[0]); s++) {
        check_exact(vc, "Pooling", "1 1 in0 out 0=0 4=1", &gsh[s], 1);
        check(vc, "Pooling", "1 1 in0 out 0=1 4=1", &gsh[s], 1, 1, NULL, "out");
    }
}

static void test_innerproduct(VkCheck *vc)
{
    // the SE blocks' shapes (64 -> 8 ReLU -> 64 sigmoid, 128 -> 16 -> 128), a 3-d input,
    // no bias, leaky ReLU
    static const struct { Shape in; int n, bias, act; } cases[] = {
        { { 1, 64, 1, 1 }, 8, 1, 1 }, { { 1, 8, 1, 1 }, 64, 1, 4 },
        { { 1, 128, 1, 1 }, 16, 1, 1 }, { { 1, 16, 1, 1 }, 128, 1, 4 },
        { { 3, 7, 5, 3 }, 11, 0, 0 }, { { 2, 33, 3, 1 }, 5, 1, 2 }, { { 1, 1, 1, 1 }, 1, 1, 0 },
        { { 1, 3000, 1, 1 }, 3, 0, 4 },
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const Shape *in = &cases[k].in;
        size_t kin = (size_t)in->w * in->h * in->c;
        Bin b = { 0 };
        bin_array(&b, 1, kin * cases[k].n, 0.2f, seed_++);
        if (cases[k].bias)
            bin_array(&b, 0, (size_t)cases[k].n, 1, seed_++);
        char l[128];
        snprintf(l, sizeof(l), "1 1 in0 out 0=%d 1=%d 2=%zu 9=%d%s", cases[k].n, cases[k].bias,
                 kin * cases[k].n, cases[k].act, cases[k].act == 2 ? " -23310=1,0.1" : "");
        check(vc, "InnerProduct", l, in, 1, 1, &b, "out");
        free(b.d);
    }
}

static void test_warp(VkCheck *vc)
{
    static const Shape sh[] = { { 3, 17, 9, 3 }, { 3, 64, 64, 3 }, { 3, 1, 1, 3 },
                                { 3, 31, 2, 16 } };
    // flows of up to 0.5, 4 and 40 pixels (the last mostly clamped at the borders)
    static const float amp[] = { 0.5f, 4, 40 };
    for (size_t s = 0; s < sizeof(sh) / sizeof(sh[0]); s++)
        for (int a = 0; a < 3; a++) {
            Shape in[2] = { sh[s], { 3, sh[s].w, sh[s].h, 2 } };
            flow_amp_ = amp[a];
            check(vc, "rife.Warp", "2 1 in0 in1 out", in, 2, 1, NULL, "out");
        }
    flow_amp_ = 0;
}

// Planes past 65535 work groups of 64 along x (the grid Vulkan guarantees): the dispatch folds
// them over z (rec.c, common.glsl GROUP_X). One channel keeps it to seconds on lavapipe.
// fp32 must match exactly: these ops copy or compute one rounded operation per element, as the
// CPU does (the warp blends: tolerance as everywhere).
static void test_big_plane(VkCheck *vc)
{
    // 2100 x 2049 = 4302900 elements > 65535 * 64 = 4194240 (also after a 1-pixel crop)
    const Shape big[2] = { { 3, 2100, 2049, 1 }, { 3, 2100, 2049, 1 } };
    check_exact(vc, "BinaryOp", "2 1 in0 in1 out 0=0", big, 2);          // element-wise
    check_exact(vc, "Crop", "1 1 in0 out 0=1 1=1 3=2098 4=2047", big, 1); // data movement
    const Shape ps = { 3, 1050, 1025, 4 };                              // out 2100 x 2050
    check_exact(vc, "PixelShuffle", "1 1 in0 out 0=2", &ps, 1);
    Shape warp[2] = { big[0], { 3, 2100, 2049, 2 } };
    flow_amp_ = 4;
    check(vc, "rife.Warp", "2 1 in0 in1 out", warp, 2, 1, NULL, "out");
    flow_amp_ = 0;
}

int main(void)
{
    VkCheck vc;
    vkc_open(&vc);
    test_unary(&vc);
    test_binary(&vc);
    test_prelu(&vc);
    test_eltwise(&vc);
    test_scale(&vc);
    test_crop(&vc);
    test_slice_concat(&vc);
    test_pixelshuffle(&vc);
    test_interp(&vc);
    test_padding(&vc);
    test_pooling(&vc);
    test_innerproduct(&vc);
    test_warp(&vc);
    test_big_plane(&vc);
    return vkc_close(&vc, "test_vk_ops");
}
