// Shared by the Vulkan op tests: run a small ncnn net on the GPU (lavapipe in CI) and on the
// CPU reference ops, and compare. Usage:
//   VkCheck vc;
//   vkc_open(&vc);                                  // exit 77 with a message when no device
//   AimNet *net = vkc_net(&vc, param_text, bin, bin_len);
//   AimNnMat in; vkc_rand(&in, 3, 17, 9, 5, seed);  // dims, w, h, c
//   vkc_compare(&vc, net, &in, "data", 1, "out", "relu 17x9x5");  // fp32 and fp16 devices
//   ...; aim_net_destroy(&net); aim_nn_mat_free(&in);
//   return vkc_close(&vc, "test_vk_x");             // fails on any validation message
// Both devices run with VK_LAYER_KHRONOS_validation; every message counts as a failure.
#ifndef AIM_TESTS_VK_CHECK_H
#define AIM_TESTS_VK_CHECK_H

#include <string.h>

#include "test.h"
#include "nn/gpu.h"
#include "nn/net.h"
#include "vk/vk.h"

// Tolerances, on max |gpu - cpu| / max(1, max |cpu|):
// fp32: the sums differ only by order; 1e-4 is ~1000 float epsilons of margin for reductions of
// a few thousand terms (a 3x3x64 convolution sums 577).
// fp16: inputs, weights and outputs are rounded to 11 bits (relative 4.9e-4 each); 1e-2 allows
// the accumulated rounding of one layer, far below a wrong index or a missing term (>= 0.1).
#define VKC_TOL_FP32 1e-4
#define VKC_TOL_FP16 1e-2

typedef struct VkCheck {
    AimVkDevice *dev[2]; ///< [0] fp32, [1] fp16 (NULL when the device has no fp16)
    AimLog log;
    double worst[2];     ///< largest relative error seen per precision
} VkCheck;

static void vkc_log_cb(void *o, AimLogLevel l, const char *m)
{
    if (l <= AIM_LOG_WARNING)
        fprintf(stderr, "  log: %s\n", m);
}

static inline void vkc_open(VkCheck *vc)
{
    memset(vc, 0, sizeof(*vc));
    vc->log = (AimLog){ vkc_log_cb, NULL, AIM_LOG_WARNING };
    AimVkSettings s;
    aim_vk_default_settings(&s);
    s.policy = AIM_VK_ANY;
    s.validation = 1;
    s.timestamps = 1; // the query path runs under validation too
    s.log = vc->log;
    s.fp16 = 0;
    int err = aim_vk_device_create(&vc->dev[0], &s);
    if (err == AIM_ERR(ENODEV) || err == AIM_ERR_UNSUPPORTED)
        TEST_SKIP("no Vulkan device (or no Vulkan in this build): %s", aim_strerror(err));
    if (err < 0) {
        fprintf(stderr, "vulkan device: %s\n", aim_strerror(err));
        exit(1);
    }
    // install-deps.sh installs the layer: without it the "no message" check would prove nothing
    CHECK_MSG(aim_vk_device_validating(vc->dev[0]), "VK_LAYER_KHRONOS_validation is not active");
    if (aim_vk_device_info(vc->dev[0])->fp16) {
        s.fp16 = 1;
        if (aim_vk_device_create(&vc->dev[1], &s) < 0)
            vc->dev[1] = NULL;
    }
    fprintf(stderr, "device: %s, fp16 %s, cooperative matrices %s\n",
            aim_vk_device_info(vc->dev[0])->name, vc->dev[1] ? "yes" : "no",
            vc->dev[1] && aim_vk_device_coopmat(vc->dev[1]) ? "yes (the fp16 runs)"
                                                            : "no (AIM_VK_COOPMAT=1 on NVIDIA)");
}

/** vkc_net with extra op types (e.g. aim_nn_rife_ops for rife.Warp and Slice). */
static inline AimNet *vkc_net_ops(VkCheck *vc, const char *param, const void *bin,
                                  size_t bin_len, const AimNnOpDesc *extra, int nextra)
{
    AimNetSettings ns;
    aim_net_default_settings(&ns);
    ns.log = vc->log;
    ns.extra_ops = extra;
    ns.n_extra_ops = nextra;
    AimNet *net = NULL;
    int err = aim_net_load_ncnn_mem(&net, param, strlen(param), bin, bin_len, &ns);
    if (err < 0) {
        fprintf(stderr, "cannot load the test net: %s\n%s\n", aim_strerror(err), param);
        exit(1);
    }
    return net;
}

static inline AimNet *vkc_net(VkCheck *vc, const char *param, const void *bin, size_t bin_len)
{
    return vkc_net_ops(vc, param, bin, bin_len, NULL, 0);
}

/** Deterministic uniform values in [-1, 1) (xorshift32). */
static inline float vkc_uniform(unsigned *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return (float)(*s >> 8) / (float)(1 << 23) - 1.0f;
}

static inline void vkc_rand(AimNnMat *m, int dims, int w, int h, int c, unsigned seed)
{
    if (aim_nn_mat_alloc(m, dims, w, h, c) < 0) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    unsigned s = seed * 2654435761u + 1;
    for (int q = 0; q < c; q++)
        for (int i = 0; i < w * h; i++)
            aim_nn_chan(m, q)[i] = vkc_uniform(&s);
}

/** Fills n floats with values in [-scale, scale). */
static inline void vkc_fill(float *p, size_t n, float scale, unsigned seed)
{
    unsigned s = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++)
        p[i] = scale * vkc_uniform(&s);
}

/** One convolution of a test chain (vkc_chain_bin). */
typedef struct VkcConv {
    int cin, cout, k;
} VkcConv;

/**
 * The .bin of a chain of n convolutions with bias, in order: fp32 weights ~ 1/sqrt(fan-in) (so
 * the outputs stay O(1) as in a trained net), then the bias in [-0.3, 0.3). *len: its bytes;
 * the caller frees it.
 */
static inline unsigned char *vkc_chain_bin(const VkcConv *L, int n, size_t *len)
{
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += 4 + sizeof(float) * (size_t)(L[i].cin * L[i].cout * L[i].k * L[i].k + L[i].cout);
    unsigned char *bin = calloc(1, total), *p = bin;
    for (int i = 0; bin && i < n; i++) {
        size_t wn = (size_t)L[i].cin * L[i].cout * L[i].k * L[i].k;
        float *w = malloc(sizeof(float) * (wn + (size_t)L[i].cout));
        if (!w) {
            free(bin);
            bin = NULL;
            break;
        }
        vkc_fill(w, wn, 1.7f / sqrtf((float)(L[i].cin * L[i].k * L[i].k)), 300 + (unsigned)i);
        vkc_fill(w + wn, (size_t)L[i].cout, 0.3f, 400 + (unsigned)i);
        memcpy(p + 4, w, sizeof(float) * (wn + (size_t)L[i].cout));
        p += 4 + sizeof(float) * (wn + (size_t)L[i].cout);
        free(w);
    }
    if (!bin) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    *len = total;
    return bin;
}

/**
 * Runs `net` from the given inputs to blob `out` on the CPU reference ops and on each device;
 * CHECKs shape equality and the error against the tolerance of each precision. Returns the
 * largest relative error.
 */
static inline double vkc_compare(VkCheck *vc, const AimNet *net, const AimNnMat *inputs,
                                 const char *const *in_names, int nin, const char *out,
                                 const char *what)
{
    int ib[8], ob = aim_net_blob(net, out);
    for (int i = 0; i < nin && i < 8; i++)
        ib[i] = aim_net_blob(net, in_names[i]);
    AimNnOpt o = { .ref = 1 };
    AimNnRun *cpu = NULL;
    const AimNnMat *ref = NULL;
    CHECK(aim_nn_run_create(&cpu, net, &o) == 0);
    if (!cpu || aim_nn_run(cpu, ib, inputs, nin, &ob, &ref, 1) < 0) {
        CHECK_MSG(0, "%s: the CPU run failed", what);
        aim_nn_run_destroy(&cpu);
        return 1e9;
    }
    double maxref = 1;
    for (int q = 0; q < ref->c; q++)
        for (int i = 0; i < ref->w * ref->h; i++) {
            double a = fabs(aim_nn_chan(ref, q)[i]);
            maxref = a > maxref ? a : maxref;
        }
    double worst = 0;
    for (int k = 0; k < 2; k++) {
        if (!vc->dev[k])
            continue;
        AimNnGpu *g = NULL;
        int err = aim_nn_gpu_create(&g, net, vc->dev[k], &vc->log);
        CHECK_MSG(err == 0, "%s: gpu create: %s", what, aim_strerror(err));
        AimNnOpt go = { .gpu = g };
        AimNnRun *run = NULL;
        const AimNnMat *res = NULL;
        if (!err)
            err = aim_nn_run_create(&run, net, &go);
        // twice: the second run reuses the plan, the arena and the pipelines
        for (int rep = 0; rep < 2 && !err; rep++)
            err = aim_nn_run(run, ib, inputs, nin, &ob, &res, 1);
        CHECK_MSG(err == 0, "%s: gpu run: %s", what, aim_strerror(err));
        if (!err) {
            CHECK(res->w == ref->w && res->h == ref->h && res->c == ref->c &&
                  res->dims == ref->dims);
            double e = 0;
            for (int q = 0; q < ref->c && res->c == ref->c; q++)
                for (int i = 0; i < ref->w * ref->h; i++) {
                    double d = fabs((double)aim_nn_chan(res, q)[i] - aim_nn_chan(ref, q)[i]);
                    e = d > e || d != d ? d : e;
                }
            e /= maxref;
            double tol = k ? VKC_TOL_FP16 : VKC_TOL_FP32;
            CHECK_MSG(e <= tol, "%s (%s): relative error %.3g > %.3g", what, k ? "fp16" : "fp32",
                      e, tol);
            worst = e > worst ? e : worst;
            vc->worst[k] = e > vc->worst[k] ? e : vc->worst[k];
        }
        aim_nn_run_destroy(&run);
        aim_nn_gpu_destroy(&g);
    }
    aim_nn_run_destroy(&cpu);
    return worst;
}

/**
 * Runs `net` once from `in` (blob "data") to blob "out" on `dev`, logging to `log`; returns a
 * copy of the output (w * h * c floats, channel-major; the caller frees it), NULL after a
 * failed CHECK naming `what`.
 */
static inline float *vkc_gpu_output(AimVkDevice *dev, const AimLog *log, const AimNet *net,
                                    const AimNnMat *in, const char *what)
{
    int ib = aim_net_blob(net, "data"), ob = aim_net_blob(net, "out");
    AimNnGpu *g = NULL;
    AimNnRun *run = NULL;
    const AimNnMat *res = NULL;
    float *o = NULL;
    int err = aim_nn_gpu_create(&g, net, dev, log);
    AimNnOpt go = { .gpu = g };
    if (!err)
        err = aim_nn_run_create(&run, net, &go);
    if (!err)
        err = aim_nn_run(run, &ib, in, 1, &ob, &res, 1);
    CHECK_MSG(err == 0, "gpu run (%s): %s", what, aim_strerror(err));
    if (!err) {
        size_t plane = (size_t)res->w * res->h;
        o = malloc(sizeof(float) * plane * (size_t)res->c);
        CHECK(o != NULL);
        for (int q = 0; o && q < res->c; q++)
            memcpy(o + plane * (size_t)q, aim_nn_chan(res, q), sizeof(float) * plane);
    }
    aim_nn_run_destroy(&run);
    aim_nn_gpu_destroy(&g);
    return o;
}

/** vkc_compare of a chain (net "data" -> "out", 3 channels in) on random inputs of n sizes. */
static inline void vkc_chain_sizes(VkCheck *vc, const AimNet *net, const int (*sizes)[2], int n)
{
    const char *in = "data";
    for (int i = 0; i < n; i++) {
        AimNnMat m;
        vkc_rand(&m, 3, sizes[i][0], sizes[i][1], 3, 500 + (unsigned)i);
        char what[64];
        snprintf(what, sizeof(what), "chain %dx%d", sizes[i][0], sizes[i][1]);
        fprintf(stderr, "%-70s %.2g\n", what, vkc_compare(vc, net, &m, &in, 1, "out", what));
        aim_nn_mat_free(&m);
    }
}

/** Destroys the devices; a validation message anywhere fails the test. */
static inline int vkc_close(VkCheck *vc, const char *name)
{
    for (int k = 0; k < 2; k++) {
        if (!vc->dev[k])
            continue;
        CHECK_EQ_INT(aim_vk_device_messages(vc->dev[k]), 0);
        aim_vk_device_destroy(&vc->dev[k]);
    }
    fprintf(stderr, "largest relative error: fp32 %.3g, fp16 %.3g\n", vc->worst[0],
            vc->worst[1]);
    return test_finish(name);
}

#endif
