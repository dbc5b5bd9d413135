// RIFE v4.6 runner (rife.h): model loading with the scale rewrite, padding, the timestep input.
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/gpu.h"
#include "nn/models.h"
#include "nn/ops_rife.h"
#include "nn/rife.h"

struct AimNnRife {
    AimNet *net;
    AimNnRun *run;
    AimNnGpu *gpu;    ///< the net's weights on the device (NULL: CPU)
    AimNnOpt opt;     ///< the CPU options (a fallback from the GPU uses them)
    int fallback;     ///< a recoverable GPU failure switches to the CPU
    float scale;
    int mult;         ///< the stride: padded sizes are multiples of it
    int maxw, maxh;   ///< created size (the buffers' capacity)
    int w, h, pw, ph; ///< current frame and padded size
    AimNnMat in[3];   ///< frame 0, frame 1, timestep: capacity of the created padded size
    int b_in[3], b_out;
    AimLog log;
};

void aim_nn_rife_default_settings(AimNnRifeSettings *s)
{
    memset(s, 0, sizeof(*s));
}

// Scale 1 up to 1080p: on the 1080p clip of ../shared the drawings benchmark scores scale 1
// and 0.5 within noise of each other (bench/RESULTS-rife.md), and RIFE's authors recommend 0.5
// for 4K (Practical-RIFE README, "--scale 0.5 for 4K video"); 0.25 beyond 4K keeps the
// coarsest level's share of the frame the same as 0.5 at 4K.
float aim_nn_rife_auto_scale(int width, int height)
{
    int64_t px = (int64_t)width * height;
    if (px <= (int64_t)1920 * 1088)
        return 1.f;
    if (px <= (int64_t)4096 * 2304)
        return 0.5f;
    return 0.25f;
}

// --- the scale rewrite of the shipped graph

// The layers of rife-v4.6's flownet.param whose constants carry the level scale (8, 4, 2 for
// the three coarse levels; the finest level has none because its factor is 1).
typedef struct Patch {
    const char *name;
    int kind; ///< DOWN: Interp factors * s; UP: Interp factors / s; SCALAR: BinaryOp b / s;
              ///< COEF: Eltwise second coefficient / s; FINE_IN / FINE_OUT: the finest level
} Patch;
enum { DOWN, UP, SCALAR, COEF, FINE_IN, FINE_OUT };

static const Patch patches[] = {
    { "upsample_9", DOWN }, { "upsample_11", DOWN }, { "upsample_12", DOWN },
    { "upsample_14", DOWN }, { "upsample_15", DOWN },
    { "upsample_10", UP }, { "upsample_13", UP }, { "upsample_16", UP },
    { "mul_16", SCALAR }, { "div_17", SCALAR }, { "div_37", SCALAR },
    { "weighted_sum_0", COEF }, { "weighted_sum_1", COEF },
    { "cat_12", FINE_IN }, { "pixelshuffle_107", FINE_OUT },
};
#define NPATCH (int)(sizeof(patches) / sizeof(patches[0]))
// Layers and blobs the FINE_IN / FINE_OUT insertions add.
#define ADDED_LAYERS 9
#define ADDED_BLOBS 10

typedef struct Buf {
    char *p;
    size_t n, cap;
    int err;
} Buf;

static void put(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(Buf *b, const char *fmt, ...)
{
    if (b->err)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->err = AIM_ERR(EINVAL);
            return;
        }
        if ((size_t)n < b->cap - b->n) {
            b->n += (size_t)n;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)n;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->err = AIM_ERR(ENOMEM);
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

#define MAX_TOK 64

// Splits a line (NUL-terminated copy) into whitespace-separated tokens.
static int tokenize(char *line, char **tok)
{
    int n = 0;
    char *save = NULL;
    for (char *s = strtok_r(line, " \t\r", &save); s && n < MAX_TOK;
         s = strtok_r(NULL, " \t\r", &save))
        tok[n++] = s;
    return n;
}

// Rewrites the value of param `key` (e.g. "1=") in tokens [from, n) with f(value).
static int scale_param(char **tok, int n, int from, const char *key, double mul, char *store,
                       size_t store_len)
{
    size_t kl = strlen(key);
    for (int i = from; i < n; i++)
        if (!strncmp(tok[i], key, kl)) {
            double v = strtod(tok[i] + kl, NULL);
            snprintf(store, store_len, "%s%.9e", key, v * mul);
            tok[i] = store;
            return 0;
        }
    return -1;
}

int aim_nn_rife_rewrite_param(const char *text, size_t len, float s, char **out,
                              size_t *out_len, const AimLog *log)
{
    char *copy = malloc(len + 1);
    Buf b = { malloc(len * 2 + 4096), 0, len * 2 + 4096, 0 };
    if (!copy || !b.p) {
        free(copy);
        free(b.p);
        return AIM_ERR(ENOMEM);
    }
    memcpy(copy, text, len);
    copy[len] = 0;
    int found[NPATCH] = { 0 }, lineno = 0, err = 0;
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line && !err;
         line = strtok_r(NULL, "\n", &save), lineno++) {
        char *tok[MAX_TOK];
        int n = tokenize(line, tok);
        if (n == MAX_TOK) { // longer than any line of the shipped graph
            err = -1;
            break;
        }
        if (lineno == 1 && n == 2) { // layer and blob counts
            put(&b, "%d %d\n", atoi(tok[0]) + ADDED_LAYERS, atoi(tok[1]) + ADDED_BLOBS);
            continue;
        }
        int pi = -1;
        for (int i = 0; n >= 4 && i < NPATCH; i++)
            if (!strcmp(tok[1], patches[i].name))
                pi = i;
        if (pi < 0) {
            for (int i = 0; i < n; i++)
                put(&b, "%s%s", i ? " " : "", tok[i]);
            put(&b, "\n");
            continue;
        }
        found[pi] = 1;
        int nin = atoi(tok[2]), nout = atoi(tok[3]), pstart = 4 + nin + nout;
        char v1[64], v2[64];
        switch (patches[pi].kind) {
        case DOWN: case UP: {
            double m = patches[pi].kind == DOWN ? s : 1.0 / s;
            if (strcmp(tok[0], "Interp") || scale_param(tok, n, pstart, "1=", m, v1, sizeof(v1)) ||
                scale_param(tok, n, pstart, "2=", m, v2, sizeof(v2)))
                err = -1;
            break;
        }
        case SCALAR:
            if (strcmp(tok[0], "BinaryOp") || scale_param(tok, n, pstart, "2=", 1.0 / s, v1,
                                                         sizeof(v1)))
                err = -1;
            break;
        case COEF: {
            // -23301=2,1.0,K -> K / s
            int i = pstart;
            while (i < n && strncmp(tok[i], "-23301=2,", 9))
                i++;
            char *c2 = i < n ? strrchr(tok[i], ',') : NULL;
            if (strcmp(tok[0], "Eltwise") || !c2) {
                err = -1;
                break;
            }
            double k = strtod(c2 + 1, NULL);
            *c2 = 0;
            snprintf(v1, sizeof(v1), "%s,%.9e", tok[i], k / s);
            tok[i] = v1;
            break;
        }
        case FINE_IN:
            // x (warped frames, timestep, mask) to scale s; the flow to scale s, times s
            if (strcmp(tok[0], "Concat") || nin != 2) {
                err = -1;
                break;
            }
            put(&b, "Interp rs_in_x 1 1 %s rs_x 0=2 1=%.9e 2=%.9e\n", tok[4], s, s);
            put(&b, "Interp rs_in_f 1 1 %s rs_fa 0=2 1=%.9e 2=%.9e\n", tok[5], s, s);
            put(&b, "BinaryOp rs_in_fm 1 1 rs_fa rs_f 0=2 1=1 2=%.9e\n", s);
            tok[4] = "rs_x";
            tok[5] = "rs_f";
            break;
        case FINE_OUT:
            if (strcmp(tok[0], "PixelShuffle") || nin != 1 || nout != 1) {
                err = -1;
                break;
            }
            // the level's 5 channels back to full size, the flow (channels 0-3) times 1 / s
            snprintf(v1, sizeof(v1), "%s", tok[5]);
            tok[5] = "rs_ps";
            for (int i = 0; i < n; i++)
                put(&b, "%s%s", i ? " " : "", tok[i]);
            put(&b, "\n");
            put(&b, "Interp rs_out_up 1 1 rs_ps rs_up 0=2 1=%.9e 2=%.9e\n", 1.0 / s, 1.0 / s);
            put(&b, "Split rs_out_sp 1 2 rs_up rs_a rs_b\n");
            put(&b, "Crop rs_out_f 1 1 rs_a rs_f3 -23309=1,0 -23310=1,4 -23311=1,0\n");
            put(&b, "BinaryOp rs_out_fm 1 1 rs_f3 rs_fs 0=2 1=1 2=%.9e\n", 1.0 / s);
            put(&b, "Crop rs_out_m 1 1 rs_b rs_m -23309=1,4 -23310=1,5 -23311=1,0\n");
            put(&b, "Concat rs_out_cat 2 1 rs_fs rs_m %s 0=0\n", v1);
            continue;
        }
        if (err)
            break;
        for (int i = 0; i < n; i++)
            put(&b, "%s%s", i ? " " : "", tok[i]);
        put(&b, "\n");
    }
    free(copy);
    for (int i = 0; i < NPATCH && !err; i++)
        if (!found[i])
            err = -1;
    if (err == -1) {
        aim_log(log, AIM_LOG_ERROR, "rife: flownet.param is not rife-v4.6's graph: scale %g "
                "needs its layers (use scale 1)", s);
        err = AIM_ERR_UNSUPPORTED;
    }
    if (!err)
        err = b.err;
    if (err) {
        free(b.p);
        return err;
    }
    *out = b.p;
    *out_len = b.n;
    return 0;
}

// --- runner

void aim_nn_rife_destroy(AimNnRife **pr)
{
    AimNnRife *r = pr ? *pr : NULL;
    if (!r)
        return;
    aim_nn_run_destroy(&r->run);
    aim_nn_gpu_destroy(&r->gpu);
    aim_net_destroy(&r->net);
    for (int i = 0; i < 3; i++)
        aim_nn_mat_free(&r->in[i]);
    free(r);
    *pr = NULL;
}

static int load(AimNnRife *r, const AimNnRifeSettings *s)
{
    char ppath[4096], bpath[4096];
    int err = aim_models_locate(ppath, sizeof(ppath), s->models_dir, AIM_NN_RIFE_MODEL,
                                "flownet.param", &s->log);
    if (!err)
        err = aim_models_locate(bpath, sizeof(bpath), s->models_dir, AIM_NN_RIFE_MODEL,
                                "flownet.bin", &s->log);
    if (err < 0)
        return err;
    AimNetSettings ns;
    aim_net_default_settings(&ns);
    ns.log = s->log;
    ns.extra_ops = aim_nn_rife_ops;
    ns.n_extra_ops = aim_nn_rife_nops;
    if (r->scale == 1.f)
        return aim_net_load_ncnn(&r->net, ppath, bpath, &ns);
    char *param = NULL, *bin = NULL, *rw = NULL;
    size_t plen = 0, blen = 0, rwlen = 0;
    err = aim_nn_read_file(ppath, (size_t)1 << 20, &param, &plen);
    if (!err)
        err = aim_nn_read_file(bpath, (size_t)1 << 30, &bin, &blen);
    if (!err)
        err = aim_nn_rife_rewrite_param(param, plen, r->scale, &rw, &rwlen, &s->log);
    if (!err)
        err = aim_net_load_ncnn_mem(&r->net, rw, rwlen, bin, blen, &ns);
    else if (err != AIM_ERR_UNSUPPORTED && err != AIM_ERR(ENOMEM))
        aim_log(&s->log, AIM_LOG_ERROR, "rife: cannot read %s: %s", ppath, aim_strerror(err));
    free(param);
    free(bin);
    free(rw);
    return err;
}

// Drops the GPU and runs on the CPU from now on.
static int to_cpu(AimNnRife *r, int why)
{
    aim_log(&r->log, AIM_LOG_WARNING, "rife: the GPU failed (%s): running on the CPU",
            aim_strerror(why));
    aim_nn_run_destroy(&r->run);
    aim_nn_gpu_destroy(&r->gpu);
    return aim_nn_run_create(&r->run, r->net, &r->opt);
}

const char *aim_nn_rife_backend(const AimNnRife *r)
{
    return !r->gpu ? "cpu" : aim_nn_gpu_fp16(r->gpu) ? "vulkan fp16" : "vulkan fp32";
}

int aim_nn_rife_create(AimNnRife **out, const AimNnRifeSettings *s)
{
    if (!out || !s)
        return AIM_ERR(EINVAL);
    float scale = s->scale == 0 ? aim_nn_rife_auto_scale(s->width, s->height) : s->scale;
    if (s->width < 1 || s->height < 1 || s->width > 16384 || s->height > 16384 ||
        (scale != 1.f && scale != 0.5f && scale != 0.25f)) {
        aim_log(&s->log, AIM_LOG_ERROR, "rife: bad size %dx%d or scale %g (1, 0.5, 0.25)",
                s->width, s->height, s->scale);
        return AIM_ERR(EINVAL);
    }
    AimNnRife *r = calloc(1, sizeof(*r));
    if (!r)
        return AIM_ERR(ENOMEM);
    r->scale = scale;
    r->log = s->log;
    r->maxw = s->width;
    r->maxh = s->height;
    // Stride: the coarsest level is 1/8 * scale of the frame and its two stride-2 convolutions
    // halve it twice more, so sizes must be multiples of 32 / scale.
    r->mult = (int)(32.f / scale + 0.5f);
    int mpw = (s->width + r->mult - 1) / r->mult * r->mult;
    int mph = (s->height + r->mult - 1) / r->mult * r->mult;
    int err = load(r, s);
    if (!err) {
        r->b_in[0] = aim_net_blob(r->net, "in0");
        r->b_in[1] = aim_net_blob(r->net, "in1");
        r->b_in[2] = aim_net_blob(r->net, "in2");
        r->b_out = aim_net_blob(r->net, "out0");
        if (r->b_in[0] < 0 || r->b_in[1] < 0 || r->b_in[2] < 0 || r->b_out < 0) {
            aim_log(&s->log, AIM_LOG_ERROR, "rife: the graph lacks in0/in1/in2/out0");
            err = AIM_ERR_INVALID_DATA;
        }
    }
    for (int i = 0; i < 3 && !err; i++)
        err = aim_nn_mat_alloc(&r->in[i], 3, mpw, mph, i < 2 ? 3 : 1);
    if (!err)
        err = aim_nn_rife_set_size(r, s->width, s->height);
    r->opt = s->opt;
    r->opt.gpu = NULL;
    r->fallback = s->device_fallback;
    if (!err && s->device) {
        AimNnOpt go = r->opt;
        err = aim_nn_gpu_create(&r->gpu, r->net, s->device, &s->log);
        go.gpu = r->gpu;
        if (!err)
            err = aim_nn_run_create(&r->run, r->net, &go);
        if (err < 0 && r->fallback && aim_nn_gpu_recoverable(err))
            err = to_cpu(r, err);
    } else if (!err) {
        err = aim_nn_run_create(&r->run, r->net, &r->opt);
    }
    if (err < 0) {
        aim_nn_rife_destroy(&r);
        return err;
    }
    *out = r;
    return 0;
}

float aim_nn_rife_scale(const AimNnRife *r) { return r->scale; }

int aim_nn_rife_stride(const AimNnRife *r) { return r->mult; }

int aim_nn_rife_set_size(AimNnRife *r, int w, int h)
{
    if (w < 1 || h < 1 || w > r->maxw || h > r->maxh)
        return AIM_ERR(EINVAL);
    r->w = w;
    r->h = h;
    r->pw = (w + r->mult - 1) / r->mult * r->mult;
    r->ph = (h + r->mult - 1) / r->mult * r->mult;
    // inputs are laid out with rows of pw floats: zero what this size uses (the padding)
    for (int i = 0; i < 2; i++)
        for (int q = 0; q < 3; q++)
            memset(aim_nn_chan(&r->in[i], q), 0, sizeof(float) * r->pw * r->ph);
    return 0;
}

void aim_nn_rife_padded_size(const AimNnRife *r, int *w, int *h)
{
    *w = r->pw;
    *h = r->ph;
}

void aim_nn_rife_input(AimNnRife *r, int k, float *rgb[3], ptrdiff_t *stride)
{
    for (int q = 0; q < 3; q++)
        rgb[q] = aim_nn_chan(&r->in[k], q);
    *stride = r->pw;
}

// The timestep plane for t, and views of the current size into the input buffers (rows of pw
// floats, the capacity's cstep).
static void prepare(AimNnRife *r, float t, AimNnMat in[3])
{
    float *ts = aim_nn_chan(&r->in[2], 0);
    for (size_t i = 0; i < (size_t)r->pw * r->ph; i++)
        ts[i] = t;
    for (int i = 0; i < 3; i++)
        in[i] = (AimNnMat){ r->in[i].data, 3, r->pw, r->ph, r->in[i].c, r->in[i].cstep };
}

int aim_nn_rife_run_image(AimNnRife *r, float t, AimNnGpuImage *img)
{
    if (!(t > 0.f && t < 1.f))
        return AIM_ERR(EINVAL);
    if (!r->gpu)
        return AIM_ERR_UNSUPPORTED;
    if (aim_nn_gpu_image_device(img) != aim_nn_gpu_device(r->gpu))
        return AIM_ERR(EINVAL);
    AimNnMat in[3];
    prepare(r, t, in);
    AimNnDevIo io = { img, 0, 0, 0, r->w, r->h };
    const AimNnMat *out = NULL;
    int err = aim_nn_run_submit_dev(r->run, r->b_in, in, NULL, 3, &r->b_out, &io, 1);
    if (!err)
        err = aim_nn_run_wait(r->run, &out);
    return err;
}

int aim_nn_rife_run(AimNnRife *r, float t, const float *rgb[3], ptrdiff_t *stride)
{
    if (!(t > 0.f && t < 1.f))
        return AIM_ERR(EINVAL);
    AimNnMat in[3];
    prepare(r, t, in);
    const AimNnMat *out = NULL;
    int err = aim_nn_run(r->run, r->b_in, in, 3, &r->b_out, &out, 1);
    if (err < 0 && r->gpu && r->fallback && aim_nn_gpu_recoverable(err)) {
        err = to_cpu(r, err); // the inputs are untouched: the same run on the CPU
        if (!err)
            err = aim_nn_run(r->run, r->b_in, in, 3, &r->b_out, &out, 1);
    }
    if (err < 0)
        return err;
    if (out->c != 3 || out->w != r->pw || out->h != r->ph) {
        aim_log(&r->log, AIM_LOG_ERROR, "rife: output %dx%dx%d, expected %dx%dx3", out->w,
                out->h, out->c, r->pw, r->ph);
        return AIM_ERR_INVALID_DATA;
    }
    for (int q = 0; q < 3; q++)
        rgb[q] = aim_nn_chan(out, q);
    *stride = r->pw;
    return 0;
}

size_t aim_nn_rife_peak_bytes(const AimNnRife *r)
{
    return aim_nn_run_peak_bytes(r->run);
}
