// The executor's static memory plan (src/nn/exec.c): a small net where several tensors are
// alive at once (a Split kept across two convolutions, an output also read by a later layer),
// run on one run object with two input shapes and then the first again (cached plan, arena
// grown and dirty), checked against a convolution written out here; the plan itself is checked
// for overlapping live buffers, alignment, reuse, the peak count and max_bytes.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "core/cpu.h"
#include "nn/net.h"
#include "nn/plan.h"

static void log_cb(void *o, AimLogLevel l, const char *m)
{
    if (l <= AIM_LOG_WARNING)
        fprintf(stderr, "  log: %s\n", m);
}

// out z = c3(c2(c1(d)) + d), and x = c1(d); convolutions 2 -> 2 channels, 3x3, pad 1, bias.
static const char *param = "7767517\n6 7\n"
                           "Input in 0 1 data\n"
                           "Split sp 1 2 data a b\n"
                           "Convolution c1 1 1 a x 0=2 1=3 4=1 5=1 6=36\n"
                           "Convolution c2 1 1 x y 0=2 1=3 4=1 5=1 6=36\n"
                           "BinaryOp add 2 1 y b s 0=0\n"
                           "Convolution c3 1 1 s z 0=2 1=3 4=1 5=1 6=36\n";

#define NCONV 3
static float weights[NCONV][36], biases[NCONV][2];

static unsigned char *make_bin(size_t *n)
{
    size_t per = 4 + sizeof(weights[0]) + sizeof(biases[0]);
    unsigned char *b = calloc(NCONV, per);
    for (int i = 0; i < NCONV; i++) {
        for (int k = 0; k < 36; k++)
            weights[i][k] = (float)((k * 7 + i * 5) % 11 - 5) / 8.f;
        biases[i][0] = 0.25f * (float)i;
        biases[i][1] = -0.5f;
        unsigned char *p = b + per * i; // 4-byte tag 0: fp32 weights
        memcpy(p + 4, weights[i], sizeof(weights[0]));
        memcpy(p + 4 + sizeof(weights[0]), biases[i], sizeof(biases[0]));
    }
    *n = per * NCONV;
    return b;
}

// Plain planar tensors for the hand reference: [2][h][w].
static void conv_ref(const float *in, float *out, int w, int h, int i)
{
    for (int co = 0; co < 2; co++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                double acc = biases[i][co];
                for (int ci = 0; ci < 2; ci++)
                    for (int ky = 0; ky < 3; ky++)
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = y + ky - 1, ix = x + kx - 1;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                acc += (double)weights[i][(co * 2 + ci) * 9 + ky * 3 + kx] *
                                       in[((size_t)ci * h + iy) * w + ix];
                        }
                out[((size_t)co * h + y) * w + x] = (float)acc;
            }
}

static void fill(AimNnMat *m, float *plain, unsigned seed)
{
    for (int q = 0; q < m->c; q++)
        for (int i = 0; i < m->w * m->h; i++) {
            seed = seed * 1103515245u + 12345u;
            float v = (float)((seed >> 16) & 255) / 64.f - 2.f;
            aim_nn_chan(m, q)[i] = v;
            plain[(size_t)q * m->w * m->h + i] = v;
        }
}

// Largest |a - b| / (1 + |b|) between a tensor and a planar reference.
static double max_err(const AimNnMat *m, const float *ref)
{
    double e = 0;
    for (int q = 0; q < m->c; q++)
        for (int i = 0; i < m->w * m->h; i++) {
            double b = ref[(size_t)q * m->w * m->h + i];
            e = fmax(e, fabs(aim_nn_chan(m, q)[i] - b) / (1 + fabs(b)));
        }
    return e;
}

// No two buffers alive at the same layer share a byte; all inside the arena, 64-aligned; and the
// plan reuses memory (the arena is smaller than the buffers laid end to end).
static void check_plan(const AimNnRun *r, int nbufs)
{
    const AimNnPlanBuf *b;
    size_t arena, sum = 0;
    int n = aim_nn_run_plan(r, &b, &arena);
    CHECK_EQ_INT(n, nbufs);
    for (int i = 0; i < n; i++) {
        CHECK(b[i].off % 64 == 0 && b[i].bytes % 64 == 0 && b[i].off + b[i].bytes <= arena);
        CHECK(b[i].t0 <= b[i].t1);
        sum += b[i].bytes;
        for (int j = i + 1; j < n; j++) {
            int together = !(b[i].t1 < b[j].t0 || b[j].t1 < b[i].t0);
            int apart = b[i].off + b[i].bytes <= b[j].off || b[j].off + b[j].bytes <= b[i].off;
            CHECK_MSG(!together || apart, "buffers %d [%d,%d] and %d [%d,%d] overlap", i,
                      b[i].t0, b[i].t1, j, b[j].t0, b[j].t1);
        }
    }
    CHECK_MSG(arena < sum, "arena %zu, buffers %zu", arena, sum);
}

// Tensor bytes of a 2-channel w x h tensor as aim_nn_mat_alloc lays it out.
static size_t tensor_bytes(int w, int h)
{
    return (((size_t)w * h + 15) & ~(size_t)15) * 2 * sizeof(float);
}

static void test_plan(AimNet *net, int ref)
{
    AimNnOpt opt = { ref, aim_cpu_detect(), NULL, 0 };
    AimNnRun *r = NULL;
    CHECK_EQ_INT(aim_nn_run_create(&r, net, &opt), 0);
    if (!r)
        return;
    int ib = aim_net_blob(net, "data");
    int ob[2] = { aim_net_blob(net, "z"), aim_net_blob(net, "x") };
    // 13x7: cstep 96 > w*h (padded channels); 40x33 grows the arena; 13x7 again reuses the
    // first plan on an arena the bigger run left dirty.
    const int sizes[3][2] = { { 13, 7 }, { 40, 33 }, { 13, 7 } };
    float *first_z = NULL;
    for (int s = 0; s < 3; s++) {
        int w = sizes[s][0], h = sizes[s][1];
        size_t plane = (size_t)2 * w * h;
        float *d = malloc(sizeof(float) * plane * 6);
        float *x = d + plane, *y = x + plane, *sum = y + plane, *z = sum + plane;
        AimNnMat in;
        CHECK_EQ_INT(aim_nn_mat_alloc(&in, 3, w, h, 2), 0);
        fill(&in, d, 11u + (unsigned)w);
        conv_ref(d, x, w, h, 0);
        conv_ref(x, y, w, h, 1);
        for (size_t i = 0; i < plane; i++)
            sum[i] = y[i] + d[i];
        conv_ref(sum, z, w, h, 2);
        const AimNnMat *o[2] = { NULL, NULL };
        CHECK_EQ_INT(aim_nn_run(r, &ib, &in, 1, ob, o, 2), 0);
        if (o[0] && o[1]) {
            CHECK(o[0]->w == w && o[0]->h == h && o[0]->c == 2 && o[1]->w == w);
            // fp32 sums in another order (the fast kernels): 1e-5 relative is ~100 ulps
            CHECK_MSG(max_err(o[0], z) < 1e-5, "z, %dx%d, ref %d: %g", w, h, ref,
                      max_err(o[0], z));
            CHECK_MSG(max_err(o[1], x) < 1e-5, "x, %dx%d, ref %d: %g", w, h, ref,
                      max_err(o[1], x));
            // Tensors data, x, y, s, z; the fast convolutions add one scratch each.
            check_plan(r, ref ? 5 : 5 + NCONV);
            if (s == 0) {
                first_z = malloc(sizeof(float) * (size_t)o[0]->cstep * 2);
                memcpy(first_z, o[0]->data, sizeof(float) * (size_t)o[0]->cstep * 2);
            } else if (s == 2 && first_z) {
                CHECK(!memcmp(first_z, o[0]->data, sizeof(float) * (size_t)w * h));
                CHECK(!memcmp(first_z + o[0]->cstep, aim_nn_chan(o[0], 1),
                              sizeof(float) * (size_t)w * h));
            }
        }
        aim_nn_mat_free(&in);
        free(d);
    }
    free(first_z);
    // Alive at most: the Split's buffer, x, y and s at the BinaryOp (by hand from the
    // lifetimes: data dies after the Split, a after c1, y and b after the add).
    CHECK_EQ_INT(aim_nn_run_peak_bytes(r), 4 * tensor_bytes(40, 33));
    aim_nn_run_destroy(&r);

    // max_bytes: refused one byte below that peak, accepted at it.
    for (int k = 0; k < 2; k++) {
        AimNnOpt lim = opt;
        lim.max_bytes = 4 * tensor_bytes(13, 7) - (k == 0);
        CHECK_EQ_INT(aim_nn_run_create(&r, net, &lim), 0);
        AimNnMat in;
        aim_nn_mat_alloc(&in, 3, 13, 7, 2);
        float d[2 * 13 * 7];
        fill(&in, d, 5);
        const AimNnMat *o[2];
        CHECK_EQ_INT(aim_nn_run(r, &ib, &in, 1, ob, o, 2), k == 0 ? AIM_ERR(ENOMEM) : 0);
        aim_nn_mat_free(&in);
        aim_nn_run_destroy(&r);
    }

    // The run in two halves (submit, wait): one submission at a time, the same outputs as
    // aim_nn_run, and a failed submit leaves nothing to wait for.
    CHECK_EQ_INT(aim_nn_run_create(&r, net, &opt), 0);
    if (!r)
        return;
    AimNnMat in;
    aim_nn_mat_alloc(&in, 3, 13, 7, 2);
    float d[2 * 13 * 7], x[2 * 13 * 7];
    fill(&in, d, 9);
    conv_ref(d, x, 13, 7, 0);
    const AimNnMat *o[2] = { NULL, NULL };
    CHECK_EQ_INT(aim_nn_run_wait(r, o), AIM_ERR(EINVAL));
    CHECK_EQ_INT(aim_nn_run_submit(r, &ib, &in, 1, ob, 2), 0);
    CHECK_EQ_INT(aim_nn_run_submit(r, &ib, &in, 1, ob, 2), AIM_ERR(EBUSY));
    CHECK_EQ_INT(aim_nn_run_wait(r, o), 0);
    CHECK(o[1] && max_err(o[1], x) < 1e-5);
    CHECK_EQ_INT(aim_nn_run_wait(r, o), AIM_ERR(EINVAL));
    int bad = net->nblobs; // no such blob: the plan fails
    CHECK_EQ_INT(aim_nn_run_submit(r, &ib, &in, 1, &bad, 1), AIM_ERR(EINVAL));
    CHECK_EQ_INT(aim_nn_run_wait(r, o), AIM_ERR(EINVAL));
    aim_nn_mat_free(&in);
    aim_nn_run_destroy(&r);
}

int main(void)
{
    size_t n;
    unsigned char *bin = make_bin(&n);
    AimNetSettings s;
    aim_net_default_settings(&s);
    s.log = (AimLog){ log_cb, NULL, AIM_LOG_DEBUG };
    AimNet *net = NULL;
    CHECK_EQ_INT(aim_net_load_ncnn_mem(&net, param, strlen(param), bin, n, &s), 0);
    if (net) {
        test_plan(net, 1);
        test_plan(net, 0);
    }
    aim_net_destroy(&net);
    free(bin);
    return test_finish("test_nn_exec");
}
