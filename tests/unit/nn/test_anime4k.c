// Anime4K JSON loader: a generated weights file of the right layout loads and runs (output
// 2x, equal to the bilinear base when the residual weights are zero); the restore layouts
// (cnn-restore-s/m: same size, residual on the image) match a direct evaluation of websr's
// shader arithmetic; malformed files and every truncation fail cleanly.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "nn/anime4k.h"

static void conv_json(char **p, const char *name, const char *inputs, int nw, int zero)
{
    *p += sprintf(*p, "\"%s\": {\"name\": \"%s\", \"type\": \"conv\", \"inputs\": [%s], "
                  "\"output\": \"%s\", \"weights\": [", name, name, inputs, name);
    for (int i = 0; i < nw; i++)
        *p += sprintf(*p, "%s%g", i ? ", " : "", zero ? 0.0 : ((i * 37) % 11 - 5) * 0.01);
    *p += sprintf(*p, "], \"bias\": [0.0, %s, 0.0, -0.0]}", zero ? "0.0" : "0.01");
}

// cnn-2x-s-like: conv0, 2 chain convs, 3 finals over 3 CReLU outputs.
static char *make_json(int zero_final)
{
    char *buf = malloc(1 << 20), *p = buf;
    p += sprintf(p, "{\"name\": \"anime4k/test\", \"layers\": {");
    conv_json(&p, "conv2d_tf", "\"input_image\"", 144, 0);
    *p++ = ',';
    conv_json(&p, "conv2d_1_tf", "\"conv2d_tf\"", 288, 0);
    *p++ = ',';
    conv_json(&p, "conv2d_2_tf", "\"conv2d_1_tf\"", 288, 0);
    const char *all = "\"conv2d_tf\", \"conv2d_1_tf\", \"conv2d_2_tf\"";
    for (int k = 0; k < 3; k++) {
        char n[32];
        snprintf(n, sizeof(n), k ? "conv2d_last_tf%d" : "conv2d_last_tf", k);
        *p++ = ',';
        conv_json(&p, n, all, 3 * 2 * 16, zero_final);
    }
    p += sprintf(p, ", \"pixel_shuffle\": {\"name\": \"pixel_shuffle\", \"type\": "
                 "\"pixel_shuffle\", \"inputs\": [\"a\", \"b\"], \"output\": \"canvas\"}}}");
    return buf;
}

// cnn-restore-s-like (kind 1: final 3x3 over the last CReLU) or -m-like (kind 2: final 1x1
// over all CReLUs); 2 chain convs. Weight values as conv_json writes them.
static char *make_restore_json(int kind)
{
    char *buf = malloc(1 << 20), *p = buf;
    p += sprintf(p, "{\"name\": \"anime4k/restore\", \"layers\": {");
    conv_json(&p, "conv2d_tf", "\"input_image\"", 144, 0);
    *p++ = ',';
    conv_json(&p, "conv2d_1_tf", "\"conv2d_tf\"", 288, 0);
    *p++ = ',';
    conv_json(&p, "conv2d_2_tf", "\"conv2d_1_tf\"", 288, 0);
    *p++ = ',';
    if (kind == 1)
        conv_json(&p, "conv2d_out_tf", "\"input_image\", \"conv2d_2_tf\"", 288, 0);
    else
        conv_json(&p, "conv2d_out_tf",
                  "\"input_image\", \"conv2d_tf\", \"conv2d_1_tf\", \"conv2d_2_tf\"", 96, 0);
    p += sprintf(p, "}}");
    return buf;
}

static float wv(int i) { return ((i * 37) % 11 - 5) * 0.01f; } // conv_json's weights
static const float bv[4] = { 0.0f, 0.01f, 0.0f, 0.0f };         // and biases

// websr's shaders, written out: tap i at offset (x, y) = (i / 3 - 1, i % 3 - 1), each tap a
// column-major mat4 (w[m * 16 + in * 4 + out]); CReLU layers use matrices i and 9 + i.
// Layer outputs of a W x H image, 4 channels per pixel; borders clamped.
static void ref_conv(const float *in, float *out, int w, int h, int crelu)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int o = 0; o < 4; o++) {
                float acc = bv[o];
                for (int t = 0; t < 9; t++) {
                    int xx = x + t / 3 - 1, yy = y + t % 3 - 1;
                    xx = xx < 0 ? 0 : xx >= w ? w - 1 : xx;
                    yy = yy < 0 ? 0 : yy >= h ? h - 1 : yy;
                    const float *v = in + ((size_t)yy * w + xx) * 4;
                    for (int j = 0; j < 4; j++)
                        acc += crelu ? wv(t * 16 + j * 4 + o) * fmaxf(v[j], 0) +
                                       wv((9 + t) * 16 + j * 4 + o) * fmaxf(-v[j], 0)
                                     : wv(t * 16 + j * 4 + o) * v[j];
                }
                out[((size_t)y * w + x) * 4 + o] = acc;
            }
}

static void test_restore(int kind)
{
    enum { W = 16, H = 12 };
    AimNetSettings s;
    aim_net_default_settings(&s);
    char *js = make_restore_json(kind);
    AimNet *net = NULL;
    CHECK_EQ_INT(aim_net_load_anime4k_mem(&net, js, strlen(js), &s), 0);
    free(js);
    if (!net)
        return;
    AimNnMat in;
    aim_nn_mat_alloc(&in, 3, W, H, 3);
    static float img[W * H * 4], l0[W * H * 4], l1[W * H * 4], l2[W * H * 4], fin[W * H * 4];
    for (int i = 0; i < W * H; i++) {
        for (int q = 0; q < 3; q++)
            img[i * 4 + q] = aim_nn_chan(&in, q)[i] = (float)((i * 7 + q * 13) % 17) / 16.0f;
        img[i * 4 + 3] = 1.0f; // websr reads rgba8: alpha 1
    }
    ref_conv(img, l0, W, H, 0);
    ref_conv(l0, l1, W, H, 1);
    ref_conv(l1, l2, W, H, 1);
    if (kind == 1) {
        ref_conv(l2, fin, W, H, 1);
    } else {
        const float *ls[3] = { l0, l1, l2 };
        for (int i = 0; i < W * H; i++)
            for (int o = 0; o < 4; o++) {
                float acc = bv[o];
                for (int b = 0; b < 3; b++)
                    for (int j = 0; j < 4; j++) {
                        float v = ls[b][i * 4 + j];
                        acc += wv(2 * b * 16 + j * 4 + o) * fmaxf(v, 0) +
                               wv((2 * b + 1) * 16 + j * 4 + o) * fmaxf(-v, 0);
                    }
                fin[i * 4 + o] = acc;
            }
    }
    AimNnOpt opt = { 0, 0, NULL, 0 };
    AimNnRun *r;
    aim_nn_run_create(&r, net, &opt);
    int ib = aim_net_blob(net, "in"), ob = aim_net_blob(net, "out");
    const AimNnMat *o = NULL;
    CHECK_EQ_INT(aim_nn_run(r, &ib, &in, 1, &ob, &o, 1), 0);
    if (o) {
        CHECK_MSG(o->w == W && o->h == H && o->c == 3, "restore %d: %dx%dx%d", kind, o->w,
                  o->h, o->c);
        double maxd = 0, maxres = 0;
        for (int q = 0; q < 3 && o->w == W && o->h == H; q++)
            for (int i = 0; i < W * H; i++) {
                double want = img[i * 4 + q] + fin[i * 4 + q];
                maxd = fmax(maxd, fabs(aim_nn_chan(o, q)[i] - want));
                maxres = fmax(maxres, fabs(fin[i * 4 + q]));
            }
        // fp32 sums of ~300 terms: 1e-5; the residual itself is ~0.1, so a wrong tap or
        // matrix order shows
        CHECK_MSG(maxd < 1e-5 && maxres > 1e-2, "restore %d: max diff %g (residual %g)", kind,
                  maxd, maxres);
    }
    aim_nn_run_destroy(&r);
    aim_nn_mat_free(&in);
    aim_net_destroy(&net);
}

int main(void)
{
    test_restore(1);
    test_restore(2);
    // a restore final that is not the last layer, or of a wrong size, is refused
    {
        AimNetSettings s;
        aim_net_default_settings(&s);
        char *js = make_restore_json(1);
        char *q = strstr(js, "\"conv2d_out_tf\"");
        char *w = strstr(q, "\"weights\": [") + 12;
        memcpy(w, "    ", 4); // drops the first weight: "[    37..." -> 287 weights
        char *c = strchr(w, ',');
        memset(w, ' ', (size_t)(c - w + 1));
        AimNet *net = NULL;
        CHECK_EQ_INT(aim_net_load_anime4k_mem(&net, js, strlen(js), &s), AIM_ERR_INVALID_DATA);
        CHECK(net == NULL);
        free(js);
    }
    AimNetSettings s;
    aim_net_default_settings(&s);
    char *js = make_json(1);
    AimNet *net = NULL;
    CHECK_EQ_INT(aim_net_load_anime4k_mem(&net, js, strlen(js), &s), 0);
    if (net) {
        AimNnMat in;
        aim_nn_mat_alloc(&in, 3, 6, 4, 3);
        for (int q = 0; q < 3; q++)
            for (int i = 0; i < 24; i++)
                aim_nn_chan(&in, q)[i] = (float)(i % 6) * 0.1f + q * 0.05f;
        AimNnOpt opt = { 0, 0, NULL, 0 };
        AimNnRun *r;
        aim_nn_run_create(&r, net, &opt);
        int ib = aim_net_blob(net, "in"), ob = aim_net_blob(net, "out");
        const AimNnMat *o = NULL;
        CHECK_EQ_INT(aim_nn_run(r, &ib, &in, 1, &ob, &o, 1), 0);
        if (o) {
            CHECK(o->w == 12 && o->h == 8 && o->c == 3);
            // zero residual: the bilinear base; inside, x = 4.5 -> source 2.0 exactly (0.2)
            CHECK_NEAR(aim_nn_chan(o, 0)[3 * 12 + 4], 0.1f * 1.75f, 1e-5);
            CHECK_NEAR(aim_nn_chan(o, 2)[0], 0.1f, 1e-5);
        }
        aim_nn_run_destroy(&r);
        aim_nn_mat_free(&in);
    }
    aim_net_destroy(&net);
    free(js);

    js = make_json(0);
    size_t n = strlen(js);
    CHECK_EQ_INT(aim_net_load_anime4k_mem(&net, js, n, &s), 0);
    aim_net_destroy(&net);
    for (size_t k = 0; k < n; k += 7) { // truncations
        int err = aim_net_load_anime4k_mem(&net, js, k, &s);
        CHECK(err == AIM_ERR_INVALID_DATA);
        aim_net_destroy(&net);
    }
    static const char *bad[] = {
        "", "[]", "{\"layers\": 5}", "{\"layers\": {}}", "{\"layers\": {\"a\": {\"type\": \"conv\"}}}",
        ("{\"layers\": {\"a\": {\"type\": \"conv\", \"inputs\": [\"input_image\"], "
         "\"weights\": [1, 2], \"bias\": [0, 0, 0, 0]}}}"), // one string on two lines
        "{\"x\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_MSG(aim_net_load_anime4k_mem(&net, bad[i], strlen(bad[i]), &s) ==
                  AIM_ERR_INVALID_DATA, "case %zu", i);
        CHECK(net == NULL);
    }
    free(js);
    return test_finish("test_anime4k");
}
