// The runtime's fitness for RIFE v4 (a later issue): RIFE v4.6's ncnn flownet (3 inputs,
// multi-scale, the custom rife.Warp layer) loads with the warp registered as an extra op and
// runs; without the op the loader names the missing type. With two identical frames the
// interpolated frame must be that frame (a wrong op anywhere breaks this).
// Skips when rife-v4.6 is not installed.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "core/cpu.h"
#include "nn/models.h"
#include "nn/warp.h"

static void log_cb(void *o, AimLogLevel l, const char *m) { fprintf(stderr, "  log: %s\n", m); }

int main(void)
{
    char p[4096], b[4096];
    AimLog log = { log_cb, NULL, AIM_LOG_ERROR };
    if (aim_models_locate(p, sizeof(p), NULL, "rife-v4.6", "flownet.param", NULL) < 0 ||
        aim_models_locate(b, sizeof(b), NULL, "rife-v4.6", "flownet.bin", NULL) < 0)
        TEST_SKIP("rife-v4.6 not installed: run `ainimotion models install rife-v4.6`");
    AimNetSettings s;
    aim_net_default_settings(&s);
    AimNet *net = NULL;
    CHECK_EQ_INT(aim_net_load_ncnn(&net, p, b, &s), AIM_ERR_UNSUPPORTED);
    s.log = log;
    s.extra_ops = &aim_nn_op_rife_warp;
    s.n_extra_ops = 1;
    CHECK_EQ_INT(aim_net_load_ncnn(&net, p, b, &s), 0);
    if (!net)
        return test_finish("test_rife_load");
    int W = 64, H = 64;
    AimNnMat in[3];
    aim_nn_mat_alloc(&in[0], 3, W, H, 3);
    aim_nn_mat_alloc(&in[1], 3, W, H, 3);
    aim_nn_mat_alloc(&in[2], 3, W, H, 1);
    for (int q = 0; q < 3; q++)
        for (int i = 0; i < W * H; i++) {
            int x = i % W, y = i / W;
            float v = ((x / 8 + y / 8) % 2 ? 0.8f : 0.2f) + 0.1f * q;
            aim_nn_chan(&in[0], q)[i] = aim_nn_chan(&in[1], q)[i] = v;
        }
    for (int i = 0; i < W * H; i++)
        in[2].data[i] = 0.5f; // timestep plane
    int ib[3] = { aim_net_blob(net, "in0"), aim_net_blob(net, "in1"), aim_net_blob(net, "in2") };
    int ob = aim_net_blob(net, "out0");
    CHECK(ib[0] >= 0 && ib[1] >= 0 && ib[2] >= 0 && ob >= 0);
    AimPool *pool = NULL;
    aim_pool_create(&pool, 1);
    AimNnOpt opt = { 0, aim_cpu_detect(), pool, 0 };
    AimNnRun *r;
    aim_nn_run_create(&r, net, &opt);
    const AimNnMat *o = NULL;
    CHECK_EQ_INT(aim_nn_run(r, ib, in, 3, &ob, &o, 1), 0);
    if (o) {
        CHECK(o->w == W && o->h == H && o->c == 3);
        double se = 0;
        for (int q = 0; q < 3; q++)
            for (int i = 0; i < W * H; i++) {
                double d = aim_nn_chan(o, q)[i] - aim_nn_chan(&in[0], q)[i];
                se += d * d;
            }
        double psnr = 10 * log10(3.0 * W * H / (se + 1e-12));
        fprintf(stderr, "rife v4.6 on two identical frames: %.1f dB to the frame, %.2f GMAC\n",
                psnr, aim_nn_run_macs(r) * 1e-9);
        CHECK_MSG(psnr > 30, "%.1f dB", psnr); // an identity within RIFE's own error
    }
    aim_nn_run_destroy(&r);
    aim_pool_destroy(&pool);
    for (int i = 0; i < 3; i++)
        aim_nn_mat_free(&in[i]);
    aim_net_destroy(&net);
    return test_finish("test_rife_load");
}
