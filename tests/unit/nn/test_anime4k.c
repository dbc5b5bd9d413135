// Anime4K JSON loader: a generated weights file of the right layout loads and runs (output
// 2x, equal to the bilinear base when the residual weights are zero); malformed files and
// every truncation fail cleanly.
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

int main(void)
{
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
        "{\"layers\": {\"a\": {\"type\": \"conv\", \"inputs\": [\"input_image\"], "
        "\"weights\": [1, 2], \"bias\": [0, 0, 0, 0]}}}",
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
