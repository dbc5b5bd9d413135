// ncnn loader: hand-written .param files, weights written by the test (fp32 and fp16 tags),
// op semantics on known values, and rejection of malformed files (every truncation of a valid
// file must fail cleanly or load: ASan checks for out-of-bounds reads).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_bin.h"
#include "test.h"
#include "core/cpu.h"
#include "nn/net.h"

static int quiet = 1;
static void log_cb(void *o, AimLogLevel l, const char *m)
{
    if (!quiet)
        fprintf(stderr, "  log: %s\n", m);
}

// A type-0 array (4-byte tag): fp32 (tag 0) or fp16 (tag 0x01306B47).
static void bin_weights(Bin *b, const float *w, int n, int fp16)
{
    uint32_t tag = fp16 ? 0x01306B47u : 0;
    bin_put(b, &tag, 4);
    if (!fp16) {
        bin_put(b, w, sizeof(float) * n);
        return;
    }
    for (int i = 0; i < n; i++) {
        // exact for the values the tests use (multiples of 1/64 below 8)
        float f = w[i];
        uint32_t x;
        memcpy(&x, &f, 4);
        uint16_t h = (uint16_t)(((x >> 16) & 0x8000) | ((((x >> 23) & 0xff) - 112) << 10) |
                                ((x >> 13) & 0x3ff));
        if (f == 0)
            h = 0;
        bin_put(b, &h, 2);
    }
    if (n & 1) {
        uint16_t z = 0;
        bin_put(b, &z, 2);
    }
}

static int load(AimNet **net, const char *param, const Bin *b)
{
    AimNetSettings s;
    aim_net_default_settings(&s);
    s.log = (AimLog){ log_cb, NULL, AIM_LOG_DEBUG };
    return aim_net_load_ncnn_mem(net, param, strlen(param), b ? b->d : NULL, b ? b->n : 0, &s);
}

static int run1(AimNet *net, const AimNnMat *in, const char *in_name, const char *out_name,
                int ref, AimNnMat *res)
{
    AimNnOpt opt = { ref, aim_cpu_detect(), NULL, 0 };
    AimNnRun *r;
    if (aim_nn_run_create(&r, net, &opt) < 0)
        return -1;
    int ib = aim_net_blob(net, in_name), ob = aim_net_blob(net, out_name);
    const AimNnMat *o;
    int err = aim_nn_run(r, &ib, in, 1, &ob, &o, 1);
    if (!err) {
        aim_nn_mat_alloc(res, o->dims, o->w, o->h, o->c);
        for (int q = 0; q < o->c; q++)
            memcpy(aim_nn_chan(res, q), aim_nn_chan(o, q), sizeof(float) * o->w * o->h);
    }
    aim_nn_run_destroy(&r);
    return err;
}

static float at(const AimNnMat *m, int q, int y, int x) { return aim_nn_chan(m, q)[y * m->w + x]; }

static void fill(AimNnMat *m, unsigned seed)
{
    for (int q = 0; q < m->c; q++)
        for (int i = 0; i < m->w * m->h; i++) {
            seed = seed * 1103515245u + 12345u;
            aim_nn_chan(m, q)[i] = (float)((seed >> 16) & 255) / 64.f - 2.f;
        }
}

// Convolution 3x3 pad 1 (2 -> 2 channels, bias, leaky relu 0.5), checked by hand on one pixel,
// plus the fp16 tag giving the same result as fp32.
static void test_conv_known(void)
{
    const char *param = "7767517\n2 2\n"
                        "Input in 0 1 data\n"
                        "Convolution c 1 1 data out 0=2 1=3 4=1 5=1 6=36 9=2 -23310=1,0.5\n";
    float w[36], bias[2] = { 0.25f, -100.f };
    for (int i = 0; i < 36; i++)
        w[i] = (float)(i % 7) / 8.f;
    for (int fp16 = 0; fp16 < 2; fp16++) {
        Bin b = { 0 };
        bin_weights(&b, w, 36, fp16);
        bin_put(&b, bias, sizeof(bias));
        AimNet *net = NULL;
        CHECK_EQ_INT(load(&net, param, &b), 0);
        AimNnMat in, out;
        aim_nn_mat_alloc(&in, 3, 5, 4, 2);
        fill(&in, 7);
        if (net && run1(net, &in, "data", "out", 1, &out) == 0) {
            CHECK(out.w == 5 && out.h == 4 && out.c == 2);
            // output (c=0, y=0, x=0): taps with y-1 or x-1 read the zero padding
            double s = bias[0];
            for (int ci = 0; ci < 2; ci++)
                for (int ky = 0; ky < 3; ky++)
                    for (int kx = 0; kx < 3; kx++) {
                        int iy = ky - 1, ix = kx - 1;
                        if (iy >= 0 && ix >= 0)
                            s += w[ci * 9 + ky * 3 + kx] * at(&in, ci, iy, ix);
                    }
            s = s > 0 ? s : s * 0.5;
            CHECK_NEAR(at(&out, 0, 0, 0), s, 1e-5);
            CHECK(at(&out, 1, 2, 2) < 0); // bias -100 then leaky
            AimNnMat fast;
            CHECK_EQ_INT(run1(net, &in, "data", "out", 0, &fast), 0);
            for (int q = 0; q < 2; q++)
                for (int i = 0; i < 20; i++)
                    CHECK_NEAR(aim_nn_chan(&fast, q)[i], aim_nn_chan(&out, q)[i], 1e-4);
            aim_nn_mat_free(&fast);
            aim_nn_mat_free(&out);
        }
        aim_nn_mat_free(&in);
        aim_net_destroy(&net);
        CHECK(net == NULL);
        free(b.d);
    }
}

// A graph with most ops: checks shapes and a few values, and ref == fast end to end.
static const char *big_param =
    "7767517\n"
    "16 19\n"
    "Input            in      0 1 data\n"
    "Split            sp      1 3 data a b c\n"
    "Convolution      conv    1 1 a c1 0=4 1=3 4=1 5=1 6=72 9=1\n"
    "PReLU            pr      1 1 c1 p1 0=4\n"
    "Pooling          gap     1 1 p1 g 0=1 4=1\n"
    "InnerProduct     fc      1 1 g f 0=4 1=1 2=16 9=4\n"
    "BinaryOp         mul     2 1 p1 f m 0=2\n"
    "Deconvolution    up      1 1 m d 0=2 1=2 3=2 5=1 6=32\n"
    "Interp           nn      1 1 b i 0=1 1=2.0 2=2.0\n"
    "Eltwise          sum     2 1 d i e 0=1\n"
    "Crop             cr      1 1 e k -23309=2,1,1 -23310=2,-1,-1 -23311=2,1,2\n"
    "Padding          pd      1 1 k pk 0=1 1=1 2=1 3=1 4=1\n"
    "Scale            sc      1 1 c s 0=2 1=1\n"
    "Interp           bic     1 1 s i2 0=3 1=2.0 2=2.0\n"
    "Concat           cat     2 1 pk i2 cc 0=0\n"
    "PixelShuffle     ps      1 1 cc out 0=2\n";

static void make_big_bin(Bin *b, int fp16)
{
    float w[128];
    for (int i = 0; i < 128; i++)
        w[i] = (float)((i * 37) % 17 - 8) / 16.f;
    bin_weights(b, w, 72, fp16);  // conv
    bin_put(b, w, 4 * 4);         // conv bias
    bin_put(b, w + 4, 4 * 4);     // prelu slopes (type 1: raw)
    bin_weights(b, w + 8, 16, fp16); // fc
    bin_put(b, w, 4 * 4);         // fc bias
    bin_weights(b, w + 30, 32, fp16); // deconv
    bin_put(b, w + 2, 2 * 4);     // deconv bias
    bin_put(b, w + 50, 2 * 4);    // scale
    bin_put(b, w + 60, 2 * 4);    // scale bias
}

static void test_graph(void)
{
    Bin b = { 0 };
    make_big_bin(&b, 1);
    AimNet *net = NULL;
    quiet = 0;
    CHECK_EQ_INT(load(&net, big_param, &b), 0);
    quiet = 1;
    if (net) {
        AimNnMat in, o1, o2;
        aim_nn_mat_alloc(&in, 3, 7, 5, 2);
        fill(&in, 3);
        CHECK_EQ_INT(run1(net, &in, "data", "out", 1, &o1), 0);
        CHECK_EQ_INT(run1(net, &in, "data", "out", 0, &o2), 0);
        // cc = pk (2 ch, (14-2+2)x(10-2+2)) ++ i2 (2 ch, 14x10): 4 ch -> shuffle 2: 1 ch 28x20
        CHECK(o1.w == 28 && o1.h == 20 && o1.c == 1);
        double maxd = 0;
        for (int i = 0; i < o1.w * o1.h; i++)
            maxd = fmax(maxd, fabs(o1.data[i] - o2.data[i]));
        CHECK_MSG(maxd < 1e-4, "ref vs fast differ by %g", maxd);
        aim_nn_mat_free(&o1);
        aim_nn_mat_free(&o2);
        // The scale->bicubic branch alone: bicubic of a constant plane stays constant.
        for (int q = 0; q < 2; q++)
            for (int i = 0; i < 35; i++)
                aim_nn_chan(&in, q)[i] = 1.f;
        CHECK_EQ_INT(run1(net, &in, "data", "i2", 1, &o1), 0);
        float expect = 1.f * (float)((50 * 37) % 17 - 8) / 16.f + (float)((60 * 37) % 17 - 8) / 16.f;
        CHECK_NEAR(at(&o1, 0, 3, 5), expect, 1e-5);
        CHECK_NEAR(at(&o1, 0, 0, 0), expect, 1e-5);
        aim_nn_mat_free(&o1);
        aim_nn_mat_free(&in);
    }
    aim_net_destroy(&net);
    // Every truncation of the param and of the bin fails cleanly or loads.
    size_t plen = strlen(big_param);
    char *p = malloc(plen + 1);
    int loaded = 0;
    for (size_t n = 0; n < plen; n++) {
        memcpy(p, big_param, n);
        p[n] = 0;
        AimNet *t = NULL;
        int err = load(&t, p, &b);
        loaded += err == 0;
        CHECK(err == 0 || err == AIM_ERR_INVALID_DATA || err == AIM_ERR_UNSUPPORTED);
        aim_net_destroy(&t);
    }
    CHECK(loaded < 40); // only cuts inside the last line's params may still parse
    free(p);
    for (size_t n = 0; n < b.n; n++) {
        Bin t = { b.d, n, n };
        AimNet *x = NULL;
        CHECK_EQ_INT(load(&x, big_param, &t), AIM_ERR_INVALID_DATA);
        aim_net_destroy(&x);
    }
    free(b.d);
}

static void test_ops_known(void)
{
    // PixelShuffle order (PyTorch): out(y*2+i, x*2+j) = in channel i*2+j.
    const char *ps = "7767517\n2 2\nInput in 0 1 d\nPixelShuffle p 1 1 d o 0=2\n";
    AimNet *net = NULL;
    CHECK_EQ_INT(load(&net, ps, NULL), 0);
    AimNnMat in, o;
    aim_nn_mat_alloc(&in, 3, 1, 1, 4);
    for (int q = 0; q < 4; q++)
        in.data[q * in.cstep] = (float)q;
    if (net && run1(net, &in, "d", "o", 1, &o) == 0) {
        CHECK(at(&o, 0, 0, 0) == 0 && at(&o, 0, 0, 1) == 1 && at(&o, 0, 1, 0) == 2 &&
              at(&o, 0, 1, 1) == 3);
        aim_nn_mat_free(&o);
    }
    aim_nn_mat_free(&in);
    aim_net_destroy(&net);

    // Deconvolution k2 s2: each input pixel writes w[ky][kx] * v at (2y+ky, 2x+kx).
    const char *dc = "7767517\n2 2\nInput in 0 1 d\nDeconvolution u 1 1 d o 0=1 1=2 3=2 6=4\n";
    float w[4] = { 1, 2, 3, 4 };
    Bin b = { 0 };
    bin_weights(&b, w, 4, 0);
    CHECK_EQ_INT(load(&net, dc, &b), 0);
    aim_nn_mat_alloc(&in, 3, 2, 1, 1);
    in.data[0] = 1;
    in.data[1] = 10;
    for (int ref = 0; ref < 2 && net; ref++)
        if (run1(net, &in, "d", "o", ref, &o) == 0) {
            CHECK(o.w == 4 && o.h == 2);
            CHECK(at(&o, 0, 0, 0) == 1 && at(&o, 0, 0, 1) == 2 && at(&o, 0, 1, 0) == 3 &&
                  at(&o, 0, 1, 1) == 4 && at(&o, 0, 1, 3) == 40);
            aim_nn_mat_free(&o);
        }
    aim_nn_mat_free(&in);
    aim_net_destroy(&net);
    free(b.d);

    // Crop with a reference blob, and the BinaryOp per-channel broadcast of a 1-d blob.
    const char *cr = "7767517\n5 6\nInput in 0 1 d\nSplit s 1 3 d a b c\n"
                     "Pooling g 1 1 a v 0=1 4=1\nCrop k 2 1 b v2 kk 0=1 1=1\n"
                     "BinaryOp m 2 1 c v o 0=2\n";
    // v2 does not exist: the loader must reject an input that no layer produced
    CHECK_EQ_INT(load(&net, cr, NULL), AIM_ERR_INVALID_DATA);
    const char *cr2 = "7767517\n6 9\nInput in 0 1 d\nSplit s 1 4 d a b c e\n"
                      "Pooling g 1 1 a v 0=1 4=1\nCrop k 1 1 e r 0=1 1=1 3=2 4=1\n"
                      "Crop k2 2 1 b r kk 0=1 1=1\nBinaryOp m 2 1 c v o 0=2\n";
    CHECK_EQ_INT(load(&net, cr2, NULL), 0);
    aim_nn_mat_alloc(&in, 3, 4, 3, 2);
    for (int q = 0; q < 2; q++)
        for (int i = 0; i < 12; i++)
            aim_nn_chan(&in, q)[i] = (float)(q * 100 + i);
    if (net && run1(net, &in, "d", "kk", 1, &o) == 0) {
        CHECK(o.w == 2 && o.h == 1 && o.c == 2 && at(&o, 1, 0, 0) == 105 && at(&o, 1, 0, 1) == 106);
        aim_nn_mat_free(&o);
    }
    if (net && run1(net, &in, "d", "o", 1, &o) == 0) {
        CHECK(o.c == 2 && o.w == 4);
        CHECK_NEAR(at(&o, 1, 2, 3), 111.f * 105.5f, 1e-2); // channel 1 mean is 105.5
        CHECK_NEAR(at(&o, 0, 0, 1), 1.f * 5.5f, 1e-5);
        aim_nn_mat_free(&o);
    }
    aim_nn_mat_free(&in);
    aim_net_destroy(&net);
}

static void test_malformed(void)
{
    static const char *bad[] = {
        "",
        "7767518\n1 1\nInput in 0 1 d\n",
        "7767517\n",
        "7767517\n0 0\n",
        "7767517\n2 1\nInput in 0 1 d\n",                          // fewer layers than declared
        "7767517\n1 1\nInput in 0 1 d\nInput in2 0 1 e\n",         // more layers
        "7767517\n2 2\nInput in 0 1 d\nFooBar f 1 1 d o\n",        // unknown type
        "7767517\n2 2\nInput in 0 1 d\nReLU r 1 1 x o\n",          // unknown input blob
        "7767517\n2 2\nInput in 0 1 d\nReLU r 1 1 d d\n",          // blob produced twice
        "7767517\n2 1\nInput in 0 1 d\nReLU r 1 1 d o\n",          // more blobs than declared
        "7767517\n2 2\nInput in 0 1 d\nReLU r 1 1 d o 0=1 0=2\n",  // key twice
        "7767517\n2 2\nInput in 0 1 d\nReLU r 1 1 d o 99=1\n",     // key out of range
        "7767517\n2 2\nInput in 0 1 d\nReLU r 1 1 d o 0=abc\n",
        "7767517\n2 2\nInput in 0 1 d\nReLU r 1 1 d o 0=1e99\n",   // not finite as float
        "7767517\n2 2\nInput in 0 1 d\nReLU r 1 1 d o -23300=3,1,2\n",   // array too short
        "7767517\n2 2\nInput in 0 1 d\nReLU r 1 1 d o -23300=1,1,2\n",   // array too long
        "7767517\n2 2\nInput in 0 1 d\nReLU r 1 1 d o -23300=99999999\n",
        "7767517\n2 2\nInput in 0 1 d\nReLU r 2 1 d o\n",          // missing output name
        "7767517\n2 2\nInput in 0 1 d\nReLU r 9999 1 d o\n",
        "7767517\n2 2\nInput in 0 1 d\nConvolution c 1 1 d o 0=4 1=3 6=35\n", // not a multiple
        "7767517\n2 2\nInput in 0 1 d\nConvolution c 1 1 d o 0=4 1=3 6=36\n", // no .bin
        "7767517\n2 2\nInput in 0 1 d\nConvolution c 1 1 d o 0=4 1=0 6=36\n",
        "7767517\n2 2\nInput in 0 1 d\nConvolution c 1 1 d o 0=-4 1=3 6=36\n",
        "7767517\n2 2\nInput in 0 1 d\nConvolution c 1 1 d o 0=1 1=1 6=2147483647\n",
        "7767517\n2 2\nInput in 0 1 d\nConvolution c 1 1 d o 0=1 1=1 6=1 8=1\n", // int8
        "7767517\n2 2\nInput in 0 1 d\nInterp i 1 1 d o 0=7\n",
        "7767517\n2 2\nInput in 0 1 d\nBinaryOp b 1 1 d o 0=2\n",  // 1 input without scalar
        "7767517\n2 2\nInput in 0 1 d\nPixelShuffle p 1 1 d o 0=0\n",
        "7767517\n2 2\nInput in 0 1 d\nReLU r 1 1 d aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        AimNet *net = NULL;
        int err = load(&net, bad[i], NULL);
        CHECK_MSG(err == AIM_ERR_INVALID_DATA || err == AIM_ERR_UNSUPPORTED,
                  "case %zu: %d (%s)", i, err, aim_strerror(err));
        CHECK(net == NULL);
    }
    // Shapes that only fail at run time: wrong channel count for the weights.
    const char *p = "7767517\n2 2\nInput in 0 1 d\nConvolution c 1 1 d o 0=1 1=1 6=2\n";
    float w[2] = { 1, 1 };
    Bin b = { 0 };
    bin_weights(&b, w, 2, 0);
    AimNet *net = NULL;
    CHECK_EQ_INT(load(&net, p, &b), 0);
    AimNnMat in, o;
    aim_nn_mat_alloc(&in, 3, 4, 4, 3);
    fill(&in, 1);
    if (net)
        CHECK_EQ_INT(run1(net, &in, "d", "o", 1, &o), AIM_ERR_INVALID_DATA);
    aim_nn_mat_free(&in);
    aim_net_destroy(&net);
    free(b.d);
    // Trailing garbage tag: a weight array with an unknown tag
    b = (Bin){ 0 };
    uint32_t tag = 0x12345600;
    bin_put(&b, &tag, 4);
    bin_put(&b, w, 8);
    CHECK_EQ_INT(load(&net, p, &b), AIM_ERR_INVALID_DATA);
    free(b.d);
}

int main(void)
{
    test_conv_known();
    test_graph();
    test_ops_known();
    test_malformed();
    return test_finish("test_ncnn");
}
