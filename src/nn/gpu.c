// The Vulkan backend of the executor (backend.h) and a net's weights on a device (gpu.h).
//
// A run: begin makes sure the arena (one device buffer, the plan's fp32 bytes, halved in fp16)
// is big enough and starts a command list; each input is written as fp32 into a host-visible
// staging buffer and converted into the arena by the "upload" shader; each layer is recorded by
// its Vulkan op after a barrier; end records the "download" of each output into the staging
// buffer and submits; wait waits for the fence and hands out pointers into the mapped staging
// memory. Between the two the host may record another run (another VkRun: its own command
// list, arena and staging), so upload, compute and download of successive tiles overlap.
#include <stdlib.h>
#include <string.h>

#include "nn/backend.h"
#include "nn/gpu.h"
#include "nn/vk/vkop.h"

struct AimNnGpu {
    const AimNet *net;
    AimVkDevice *dev;
    int fp16;
    int direct_conv; ///< AimNnVkRec.direct_conv: conv_forms()
    int winograd;    ///< AimNnVkInit.winograd: conv_forms()
    int wino_m;      ///< AimNnVkInit.wino_m: conv_forms()
    int wino_gemm;   ///< AimNnVkInit.wino_gemm: wino_gemm_form()
    int wino_small;  ///< AimNnVkInit.wino_small: AIM_VK_WSMALL or -1 (conv.c's default)
    AimLog log;
    const AimNnVkOp **ops; ///< per layer (NULL: Input, Split)
    void **priv;           ///< per layer: the op's init data
};

// The convolution's forms. The register-blocked convolution (conv.comp DIRECT) on a CPU Vulkan
// driver, the shared-memory tiles on a GPU: on lavapipe the direct form gives 2.3-4x the
// frames/s (bench/RESULTS-vk.md); on a GPU the tiles are the usual design and the direct form
// is unmeasured. Winograd for the 3x3 stride-1 convolutions of >= 16 channels (src/nn/vk/conv.c)
// on every device: WINO_DEFAULT below, measured on a CPU driver (bench/RESULTS-vk.md,
// "Winograd F(2x2, 3x3)"), with the tile by the layer's plane (WINO_DEFAULT_M 0: F(4x4, 3x3)
// on planes of >= 48 of its tiles, F(2x2, 3x3) below, src/nn/vk/conv.c WINO_M4_MIN_TILES;
// F(4x4) took 0.64x F(2x2)'s CPU seconds for realesr-animevideov3 on lavapipe, 0.83-0.91x for
// waifu2x-cunet, fp16 PSNR against the CPU executor still >= 60 dB, "Winograd F(4x4, 3x3)" there;
// RIFE v4.6's coarse levels run on planes of 1-12 tiles, where F(2x2) takes half the time,
// "Per-layer profile of RIFE and waifu2x-cunet"). On a GPU the same rule (unmeasured there, no
// GPU lent yet): it is the
// design of the peer the GPU bench compares against (ncnn's Vulkan convolution takes Winograd
// for 3x3 stride-1 layers of >= 16 input and output channels, F(4x4, 3x3) but F(2x2, 3x3) on
// small planes, its src/layer/vulkan/convolution_vulkan.cpp), with the GEMM on shared-memory
// tiles (wino_gemm_form); the bench's AIM_VK_CONV=tiled row is the convolution without it.
// AIM_VK_CONV=direct or =tiled forces that form for every convolution, =winograd forces
// F(2x2, 3x3) wherever it applies (every channel count) and the driver's default elsewhere,
// =winograd4 the same with F(4x4, 3x3) (the tests check each form on lavapipe; a GPU run may
// compare them).
#define WINO_DEFAULT AIM_NN_VK_WINO_WIDE
#define WINO_DEFAULT_M 0
static void conv_forms(const AimVkDevice *dev, int *direct, int *winograd, int *wino_m)
{
    const char *e = getenv("AIM_VK_CONV");
    int cpu = aim_vk_device_info(dev)->type == AIM_VK_TYPE_CPU;
    *direct = cpu;
    *winograd = WINO_DEFAULT;
    *wino_m = WINO_DEFAULT_M;
    if (e && !strcmp(e, "direct")) {
        *direct = 1;
        *winograd = AIM_NN_VK_WINO_OFF;
    } else if (e && !strcmp(e, "tiled")) {
        *direct = 0;
        *winograd = AIM_NN_VK_WINO_OFF;
    } else if (e && (!strcmp(e, "winograd") || !strcmp(e, "winograd4"))) {
        *winograd = AIM_NN_VK_WINO_ALL;
        *wino_m = e[8] ? 4 : 2;
    }
}

// The form of Winograd's GEMM pass (src/nn/vk/conv.c): the register-blocked one on a CPU driver
// (wino_gemm.comp, tuned on lavapipe), the shared-memory tiles on a GPU (wino_gemm_tiled.comp,
// the usual SGEMM), the cooperative matrices where the device runs them (aim_vk_device_coopmat:
// NVIDIA with AIM_VK_COOPMAT=1). AIM_VK_WGEMM=direct or =tiled forces that form on any device
// (the tests check the tiled one on lavapipe), =coopmat the cooperative matrices where the
// device runs them (else the tiled form).
static int wino_gemm_form(const AimVkDevice *dev)
{
    const char *e = getenv("AIM_VK_WGEMM");
    int cm = aim_vk_device_coopmat(dev);
    if (e && !strcmp(e, "direct"))
        return AIM_NN_VK_WGEMM_DIRECT;
    if (e && (!strcmp(e, "tiled") || !strcmp(e, "coopmat")))
        return cm && e[0] == 'c' ? AIM_NN_VK_WGEMM_COOPMAT : AIM_NN_VK_WGEMM_TILED;
    if (aim_vk_device_info(dev)->type == AIM_VK_TYPE_CPU)
        return AIM_NN_VK_WGEMM_DIRECT;
    return cm ? AIM_NN_VK_WGEMM_COOPMAT : AIM_NN_VK_WGEMM_TILED;
}

// Below how many tiles a chunk takes the small shape of Winograd's passes with the
// register-blocked GEMM (src/nn/vk/conv.c WINO_GEMM_SMALL_TILES, -1 here): AIM_VK_WSMALL=N
// sets N (0: never; the tests compare the two shapes bit for bit and pin the threshold).
static int wino_small_tiles(void)
{
    const char *e = getenv("AIM_VK_WSMALL");
    if (!e || !*e)
        return -1;
    long n = strtol(e, NULL, 10);
    return n < 0 ? -1 : n > (1 << 30) ? 1 << 30 : (int)n;
}

static int layer_on_cpu_only(const AimNnLayer *l)
{
    return !strcmp(l->type, "Input") || !strcmp(l->type, "Split");
}

int aim_nn_gpu_supports(const AimNet *net, const char **missing)
{
    for (int i = 0; i < net->nlayers; i++) {
        const AimNnLayer *l = &net->layers[i];
        if (!layer_on_cpu_only(l) && !aim_nn_vk_find_op(l->type)) {
            if (missing)
                *missing = l->type;
            return 0;
        }
    }
    return 1;
}

// --- the per-net state

int aim_nn_gpu_create(AimNnGpu **out, const AimNet *net, AimVkDevice *dev, const AimLog *log)
{
    const char *missing = NULL;
    if (!aim_nn_gpu_supports(net, &missing)) {
        aim_log(log, AIM_LOG_ERROR, "vulkan: layer type '%s' has no Vulkan implementation yet",
                missing);
        return AIM_ERR_UNSUPPORTED;
    }
    AimNnGpu *g = calloc(1, sizeof(*g));
    if (!g)
        return AIM_ERR(ENOMEM);
    g->net = net;
    g->dev = dev;
    g->fp16 = aim_vk_device_fp16(dev);
    conv_forms(dev, &g->direct_conv, &g->winograd, &g->wino_m);
    g->wino_gemm = wino_gemm_form(dev);
    g->wino_small = wino_small_tiles();
    g->log = *log;
    g->ops = calloc((size_t)net->nlayers + 1, sizeof(*g->ops));
    g->priv = calloc((size_t)net->nlayers + 1, sizeof(*g->priv));
    AimNnVkInit ini = { dev,         NULL,      g->fp16,      &g->log,
                        g->winograd, g->wino_m, g->wino_gemm, g->wino_small };
    int err = g->ops && g->priv ? aim_vk_cmd_create(&ini.cmd, dev) : AIM_ERR(ENOMEM);
    for (int i = 0; i < net->nlayers && !err; i++) {
        const AimNnLayer *l = &net->layers[i];
        if (layer_on_cpu_only(l))
            continue;
        g->ops[i] = aim_nn_vk_find_op(l->type);
        if (g->ops[i]->init) {
            err = g->ops[i]->init(&ini, l, &g->priv[i]);
            if (err < 0)
                aim_log(log, AIM_LOG_ERROR, "vulkan: %s (%s): weights upload failed: %s",
                        l->name, l->type, aim_strerror(err));
        }
    }
    aim_vk_cmd_destroy(&ini.cmd);
    if (err < 0) {
        aim_nn_gpu_destroy(&g);
        return err;
    }
    *out = g;
    return 0;
}

void aim_nn_gpu_destroy(AimNnGpu **pg)
{
    AimNnGpu *g = pg ? *pg : NULL;
    if (!g)
        return;
    for (int i = 0; g->ops && g->priv && i < g->net->nlayers; i++)
        if (g->ops[i] && g->ops[i]->uninit && g->priv[i])
            g->ops[i]->uninit(g->priv[i]);
    free(g->ops);
    free(g->priv);
    free(g);
    *pg = NULL;
}

int aim_nn_gpu_recoverable(int err)
{
    return err == AIM_ERR_UNSUPPORTED || err == AIM_ERR(ENOMEM) || err == AIM_ERR(ENODEV) ||
           err == AIM_ERR_EXTERNAL || err == AIM_ERR(ERANGE);
}

int aim_nn_gpu_fp16(const AimNnGpu *g) { return g->fp16; }
AimVkDevice *aim_nn_gpu_device(const AimNnGpu *g) { return g->dev; }

// --- the backend

typedef struct VkRun {
    AimNnGpu *g;
    const AimNet *net;
    AimVkCmd *cmd;
    AimNnVkRec rec; ///< what every dispatch of this run is recorded with (cmd, precision, ...)
    AimVkBuffer *arena;
    size_t align;   ///< the plan's offsets (fp32 bytes)
    int esize;      ///< bytes per element in the arena
    int recording;
    int pending;    ///< submitted by end, not yet waited for
    AimVkBinding so[64]; ///< staging of the pending run's outputs (aim_vk_cmd_staging)
} VkRun;

static int vk_create(void **st, const AimNet *net, const AimNnOpt *opt)
{
    AimNnGpu *g = opt->gpu;
    if (g->net != net)
        return AIM_ERR(EINVAL);
    VkRun *v = calloc(1, sizeof(*v));
    if (!v)
        return AIM_ERR(ENOMEM);
    v->g = g;
    v->net = net;
    v->esize = g->fp16 ? 2 : 4;
    // Bindings start at multiples of minStorageBufferOffsetAlignment (at most 256 on any device
    // the Vulkan database lists); the plan's offsets are scaled by esize/4, so fp16 asks twice.
    size_t a = aim_vk_device_offset_align(g->dev);
    a = a < 64 ? 64 : a;
    v->align = a * (size_t)(4 / v->esize);
    int err = aim_vk_cmd_create(&v->cmd, g->dev);
    if (err < 0) {
        free(v);
        return err;
    }
    v->rec = (AimNnVkRec){ g->dev, v->cmd, g->fp16, &g->log, aim_vk_device_coopmat(g->dev),
                           g->direct_conv };
    *st = v;
    return 0;
}

static void vk_destroy(void **st)
{
    VkRun *v = *st;
    if (!v)
        return;
    aim_vk_cmd_destroy(&v->cmd); // waits; frees the staging
    aim_vk_buffer_destroy(&v->arena);
    free(v);
    *st = NULL;
}

static size_t vk_align(void *st)
{
    return ((VkRun *)st)->align;
}

static int vk_begin(void *st, size_t arena)
{
    VkRun *v = st;
    if (v->pending)
        return AIM_ERR(EBUSY); // the pending run still reads the arena and the staging
    size_t bytes = arena / 4 * (size_t)v->esize;
    if (!v->arena || aim_vk_buffer_size(v->arena) < bytes) {
        // grown, never shrunk (as the CPU arena)
        aim_vk_buffer_destroy(&v->arena);
        int err = aim_vk_buffer_create(&v->arena, v->g->dev, bytes ? bytes : 64,
                                       AIM_VK_BUF_DEVICE);
        if (err < 0) {
            aim_log(&v->g->log, AIM_LOG_ERROR, "vulkan: cannot allocate a %.1f MB tensor arena",
                    bytes / 1e6);
            return err;
        }
    }
    int err = aim_vk_cmd_begin(v->cmd);
    v->recording = !err;
    return err;
}

static AimNnVkTensor tensor(const VkRun *v, const AimNnMat *m, size_t off)
{
    AimNnVkTensor t = { { v->arena, off / 4 * (size_t)v->esize,
                          (size_t)m->cstep * (size_t)m->c * (size_t)v->esize },
                        m->dims, m->w, m->h, m->c, (int)m->cstep };
    return t;
}

static int convert(VkRun *v, const char *base, AimVkBinding src, AimVkBinding dst, int plane,
                   int c, size_t src_cstep, size_t dst_cstep)
{
    struct { int32_t plane, c, src_cstep, dst_cstep; } pc = {
        plane, c, (int32_t)src_cstep, (int32_t)dst_cstep,
    };
    AimVkBinding b[2] = { src, dst };
    return aim_nn_vk_dispatch(&v->rec, NULL, base, NULL, 0, b, 2, &pc, sizeof(pc),
                              aim_nn_vk_groups(plane, 64), (uint32_t)c, 1);
}

static int vk_input(void *st, const AimNnMat *m, size_t off, const AimNnMat *src)
{
    VkRun *v = st;
    size_t plane = (size_t)src->w * src->h, bytes = plane * (size_t)src->c * sizeof(float);
    AimVkBinding sb;
    int err = aim_vk_cmd_staging(v->cmd, bytes ? bytes : 4, &sb);
    if (err < 0)
        return err;
    float *d = (float *)((unsigned char *)aim_vk_buffer_map(sb.buf) + sb.offset);
    for (int q = 0; q < src->c; q++)
        memcpy(d + q * plane, aim_nn_chan(src, q), plane * sizeof(float));
    AimNnVkTensor t = tensor(v, m, off);
    return convert(v, "upload", sb, t.bind, (int)plane, src->c, plane, m->cstep);
}

static int vk_layer(void *st, const AimNnLayer *l, const AimNnMat *in, const size_t *in_off,
                    const AimNnMat *out, const size_t *out_off, size_t scratch_off,
                    size_t scratch_bytes, const AimNnOpt *o)
{
    VkRun *v = st;
    AimNnVkTensor ti[64], to[256];
    for (int k = 0; k < l->nin; k++)
        ti[k] = tensor(v, &in[k], in_off[k]);
    for (int k = 0; k < l->nout; k++)
        to[k] = tensor(v, &out[k], out_off[k]);
    int li = (int)(l - v->net->layers);
    const AimNnVkOp *op = v->g->ops[li];
    if (!op)
        return AIM_ERR_UNSUPPORTED;
    aim_vk_cmd_barrier(v->cmd); // the layers before (and the uploads) wrote what this reads
    return op->record(&v->rec, l, v->g->priv[li], ti, to);
}

static int vk_end(void *st, AimNnMat *outs, const size_t *offs, int nout)
{
    VkRun *v = st;
    int err = 0;
    if (!v->recording)
        return nout ? AIM_ERR(EINVAL) : 0;
    if (nout)
        aim_vk_cmd_barrier(v->cmd);
    // each output in the host layout (with the tensors' slack) in its own staging range,
    // valid until the next begin (aim_vk_cmd_staging)
    for (int i = 0; i < nout && !err; i++) {
        AimNnMat h;
        err = aim_nn_mat_layout(&h, outs[i].dims, outs[i].w, outs[i].h, outs[i].c);
        if (!err)
            err = aim_vk_cmd_staging(v->cmd, aim_nn_mat_bytes(&h) + AIM_NN_MAT_SLACK, &v->so[i]);
        AimNnVkTensor t = tensor(v, &outs[i], offs[i]);
        if (!err)
            err = convert(v, "download", t.bind, (AimVkBinding){ v->so[i].buf, v->so[i].offset,
                          aim_nn_mat_bytes(&h) }, outs[i].w * outs[i].h, outs[i].c,
                          outs[i].cstep, h.cstep);
        outs[i].cstep = h.cstep;
    }
    if (nout)
        aim_vk_cmd_barrier(v->cmd); // the downloads, to the host
    v->recording = 0;
    if (err || !nout) {
        // A failed run is still submitted (an empty or partial command list) and waited for,
        // so the command list is left ready for the next begin.
        int serr = aim_vk_cmd_submit(v->cmd);
        return err ? err : serr;
    }
    err = aim_vk_cmd_flush(v->cmd);
    if (err < 0)
        return err;
    v->pending = 1;
    return 0;
}

static int vk_wait(void *st, AimNnMat *outs, int nout)
{
    VkRun *v = st;
    if (!v->pending)
        return AIM_ERR(EINVAL);
    v->pending = 0;
    int err = aim_vk_cmd_wait(v->cmd);
    if (err < 0)
        return err;
    for (int i = 0; i < nout; i++)
        outs[i].data = (float *)((unsigned char *)aim_vk_buffer_map(v->so[i].buf) +
                                 v->so[i].offset);
    return 0;
}

// --- frames on the device (gpu.h AimNnGpuImage)

struct AimNnGpuImage {
    AimVkDevice *dev;
    AimVkBuffer *buf;    ///< 3 planes of cstep floats
    int w, h, stride;    ///< the frame, top-left of planes of rows of stride floats
    size_t cstep;
    AimVkCmd *cmd;       ///< host copies (upload/download), staged with aim_vk_cmd_staging
};

int aim_nn_gpu_image_create(AimNnGpuImage **out, AimVkDevice *dev)
{
    AimNnGpuImage *img = calloc(1, sizeof(*img));
    if (!img)
        return AIM_ERR(ENOMEM);
    img->dev = dev;
    *out = img;
    return 0;
}

void aim_nn_gpu_image_destroy(AimNnGpuImage **pimg)
{
    AimNnGpuImage *img = pimg ? *pimg : NULL;
    if (!img)
        return;
    aim_vk_cmd_destroy(&img->cmd);
    aim_vk_buffer_destroy(&img->buf);
    free(img);
    *pimg = NULL;
}

AimVkDevice *aim_nn_gpu_image_device(const AimNnGpuImage *img) { return img->dev; }

void aim_nn_gpu_image_size(const AimNnGpuImage *img, int *w, int *h)
{
    *w = img->w;
    *h = img->h;
}

// Makes room for 3 planes of stride x rows floats (grown, never shrunk; the contents are dead).
static int image_reserve(AimNnGpuImage *img, int stride, int rows)
{
    size_t cstep = (size_t)stride * rows, bytes = 3 * cstep * sizeof(float);
    if (!img->buf || aim_vk_buffer_size(img->buf) < bytes) {
        aim_vk_buffer_destroy(&img->buf);
        int err = aim_vk_buffer_create(&img->buf, img->dev, bytes, AIM_VK_BUF_DEVICE);
        if (err < 0)
            return err;
    }
    img->stride = stride;
    img->cstep = cstep;
    return 0;
}

// Starts recording a host copy with `bytes` of staging (*sb).
static int image_host(AimNnGpuImage *img, size_t bytes, AimVkBinding *sb)
{
    int err = img->cmd ? 0 : aim_vk_cmd_create(&img->cmd, img->dev);
    if (!err)
        err = aim_vk_cmd_begin(img->cmd);
    if (!err && (err = aim_vk_cmd_staging(img->cmd, bytes, sb)) < 0)
        aim_vk_cmd_submit(img->cmd); // the empty list, so the next begin starts clean
    return err;
}

int aim_nn_gpu_image_upload(AimNnGpuImage *img, int w, int h, const float *const rgb[3],
                            ptrdiff_t stride)
{
    if (w < 1 || h < 1 || w > 16384 || h > 16384 || stride < w)
        return AIM_ERR(EINVAL);
    size_t cstep = (size_t)w * h, bytes = 3 * cstep * sizeof(float);
    AimVkBinding sb;
    int err = image_reserve(img, w, h);
    if (!err)
        err = image_host(img, bytes, &sb);
    if (err < 0)
        return err;
    float *d = (float *)((unsigned char *)aim_vk_buffer_map(sb.buf) + sb.offset);
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < h; y++)
            memcpy(d + c * cstep + (size_t)y * w, rgb[c] + y * stride, sizeof(float) * w);
    aim_vk_cmd_barrier(img->cmd); // runs before may still read the image
    err = aim_vk_cmd_copy(img->cmd, sb.buf, sb.offset, img->buf, 0, bytes);
    aim_vk_cmd_barrier(img->cmd);
    int serr = aim_vk_cmd_submit(img->cmd);
    err = err ? err : serr;
    img->w = err ? 0 : w;
    img->h = err ? 0 : h;
    return err;
}

int aim_nn_gpu_image_download(AimNnGpuImage *img, float *const rgb[3], ptrdiff_t stride)
{
    if (!img->w || stride < img->w)
        return AIM_ERR(EINVAL);
    size_t bytes = 3 * img->cstep * sizeof(float);
    AimVkBinding sb;
    int err = image_host(img, bytes, &sb);
    if (err < 0)
        return err;
    aim_vk_cmd_barrier(img->cmd); // the run that wrote it
    err = aim_vk_cmd_copy(img->cmd, img->buf, 0, sb.buf, sb.offset, bytes);
    aim_vk_cmd_barrier(img->cmd); // to the host
    int serr = aim_vk_cmd_submit(img->cmd);
    if ((err = err ? err : serr) < 0)
        return err;
    const float *s = (const float *)((unsigned char *)aim_vk_buffer_map(sb.buf) + sb.offset);
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < img->h; y++)
            memcpy(rgb[c] + y * stride, s + c * img->cstep + (size_t)y * img->stride,
                   sizeof(float) * img->w);
    return 0;
}

static int vk_input_dev(void *st, const AimNnMat *m, size_t off, const AimNnDevIo *io)
{
    VkRun *v = st;
    const AimNnGpuImage *img = io->img;
    if (img->dev != v->g->dev || !img->w || m->c != 3) {
        aim_log(&v->g->log, AIM_LOG_ERROR, "vulkan: an input read from a frame of another "
                "device or an empty frame, or with %d channels (3 needed)", m->c);
        return AIM_ERR(EINVAL);
    }
    // a window inside the frame reads no index outside it: clamping gives the same indices
    // and spares the shader the reflection's branches
    int inside = io->x >= 0 && io->y >= 0 && io->x + m->w <= img->w && io->y + m->h <= img->h;
    struct { int32_t w, h, stride, cstep, x0, y0, bw, bh, dst_cstep, clamp; } pc = {
        img->w, img->h, img->stride, (int32_t)img->cstep, io->x, io->y, m->w, m->h,
        (int32_t)m->cstep, io->clamp != 0 || inside,
    };
    AimVkBinding b[2] = { aim_nn_vk_whole(img->buf), tensor(v, m, off).bind };
    aim_vk_cmd_barrier(v->cmd); // whatever wrote the frame (another run, an upload)
    return aim_nn_vk_dispatch(&v->rec, NULL, "window", NULL, 0, b, 2, &pc, sizeof(pc),
                              aim_nn_vk_groups(m->w, 64), (uint32_t)m->h, 3);
}

static int vk_output_dev(void *st, const AimNnMat *m, size_t off, const AimNnDevIo *io)
{
    VkRun *v = st;
    AimNnGpuImage *img = io->img;
    int w = io->w ? io->w : m->w, h = io->h ? io->h : m->h;
    if (img->dev != v->g->dev || m->c != 3 || w > m->w || h > m->h || w < 1 || h < 1) {
        aim_log(&v->g->log, AIM_LOG_ERROR, "vulkan: a frame of another device, or a %dx%dx%d "
                "output for a %dx%d frame", m->w, m->h, m->c, w, h);
        return AIM_ERR(EINVAL);
    }
    int err = image_reserve(img, m->w, m->h);
    if (err < 0)
        return err;
    img->w = w;
    img->h = h;
    aim_vk_cmd_barrier(v->cmd); // the layer that wrote the output
    AimNnVkTensor t = tensor(v, m, off);
    err = convert(v, "download", t.bind, aim_nn_vk_whole(img->buf), m->w * m->h, 3, m->cstep,
                  img->cstep);
    aim_vk_cmd_barrier(v->cmd);
    return err;
}

const AimNnBackendFns aim_nn_backend_vk = {
    "vulkan", vk_create, vk_destroy, vk_align, NULL, vk_begin, vk_input, vk_layer, vk_end,
    vk_wait, vk_input_dev, vk_output_dev,
};

// --- YUV frames on the device (gpu.h AimNnGpuYuv)

struct AimNnGpuYuv {
    AimVkDevice *dev;
    AimVkBuffer *buf;  ///< Y (w x h), then Cb and Cr (cw x ch each): yuv_words' layout
    int w, h, depth;   ///< 0 x 0 before the first write
    AimVkCmd *cmd;
};

int aim_nn_gpu_yuv_create(AimNnGpuYuv **out, AimVkDevice *dev)
{
    AimNnGpuYuv *y = calloc(1, sizeof(*y));
    if (!y)
        return AIM_ERR(ENOMEM);
    y->dev = dev;
    *out = y;
    return 0;
}

void aim_nn_gpu_yuv_destroy(AimNnGpuYuv **py)
{
    AimNnGpuYuv *y = py ? *py : NULL;
    if (!y)
        return;
    aim_vk_cmd_destroy(&y->cmd);
    aim_vk_buffer_destroy(&y->buf);
    free(y);
    *py = NULL;
}

AimVkDevice *aim_nn_gpu_yuv_device(const AimNnGpuYuv *y) { return y->dev; }

// The layout (the shaders' side: src/nn/vk/yuv16.glsl): 16 bits per sample (depth <= 16), two
// to a uint32, so the shaders need no 16-bit storage feature. Each plane's rows are padded to
// whole words (sample x of a row in word x / 2, the low half for even x; the high half of an
// odd-width row's last word is 0), so a shader invocation writes whole words without sharing
// one, and every plane starts on a word. The rows' words of a pw-wide plane:
static int yuv_row_words(int pw) { return (pw + 1) / 2; }

// The frame's words: Y, then Cb, then Cr.
static size_t yuv_words(int w, int h)
{
    return (size_t)yuv_row_words(w) * h +
           2 * (size_t)yuv_row_words(aim_chroma_w(w)) * aim_chroma_h(h);
}

// Starts a command list on the frame's own command buffer (created on first use).
static int yuv_cmd_begin(AimNnGpuYuv *y)
{
    int err = y->cmd ? 0 : aim_vk_cmd_create(&y->cmd, y->dev);
    return err < 0 ? err : aim_vk_cmd_begin(y->cmd);
}

// Makes room for a w x h frame (the contents are dead) and starts a command list.
static int yuv_begin(AimNnGpuYuv *y, int w, int h, int depth)
{
    size_t bytes = yuv_words(w, h) * sizeof(uint32_t);
    if (!y->buf || aim_vk_buffer_size(y->buf) < bytes) {
        aim_vk_buffer_destroy(&y->buf);
        int err = aim_vk_buffer_create(&y->buf, y->dev, bytes, AIM_VK_BUF_DEVICE);
        if (err < 0)
            return err;
    }
    y->w = w;
    y->h = h;
    y->depth = depth;
    return yuv_cmd_begin(y);
}

// Submits what yuv_begin started, after the error of the recording if any (the list is
// submitted either way, so the next begin starts clean); a failure leaves the frame empty.
static int yuv_end(AimNnGpuYuv *y, int err)
{
    aim_vk_cmd_barrier(y->cmd);
    int serr = aim_vk_cmd_submit(y->cmd);
    err = err < 0 ? err : serr;
    if (err < 0)
        y->w = y->h = 0;
    return err;
}

int aim_nn_gpu_yuv_upload(AimNnGpuYuv *y, const AimFrame *f)
{
    size_t bytes = yuv_words(f->width, f->height) * sizeof(uint32_t);
    AimVkBinding sb;
    int err = yuv_begin(y, f->width, f->height, f->depth);
    if (err < 0)
        return err;
    if ((err = aim_vk_cmd_staging(y->cmd, bytes, &sb)) < 0)
        return yuv_end(y, err);
    uint32_t *d = (uint32_t *)((unsigned char *)aim_vk_buffer_map(sb.buf) + sb.offset);
    for (int p = 0; p < 3; p++)
        for (int r = 0; r < aim_plane_h(f, p); r++) {
            const uint16_t *s = f->data[p] + r * f->stride[p];
            const int pw = aim_plane_w(f, p);
            for (int x = 0; x < pw; x += 2)
                *d++ = s[x] | (x + 1 < pw ? (uint32_t)s[x + 1] << 16 : 0);
        }
    aim_vk_cmd_barrier(y->cmd); // whatever still reads the frame
    return yuv_end(y, aim_vk_cmd_copy(y->cmd, sb.buf, sb.offset, y->buf, 0, bytes));
}

int aim_nn_gpu_yuv_download(AimNnGpuYuv *y, AimFrame *f)
{
    if (!y->w || f->width != y->w || f->height != y->h || f->depth != y->depth)
        return AIM_ERR(EINVAL);
    size_t bytes = yuv_words(y->w, y->h) * sizeof(uint32_t);
    AimVkBinding sb;
    int err = yuv_cmd_begin(y);
    if (err < 0)
        return err;
    if ((err = aim_vk_cmd_staging(y->cmd, bytes, &sb)) >= 0) {
        aim_vk_cmd_barrier(y->cmd); // what wrote the frame
        err = aim_vk_cmd_copy(y->cmd, y->buf, 0, sb.buf, sb.offset, bytes);
    }
    aim_vk_cmd_barrier(y->cmd); // to the host
    int serr = aim_vk_cmd_submit(y->cmd);
    if ((err = err < 0 ? err : serr) < 0)
        return err;
    const uint32_t *s = (const uint32_t *)((unsigned char *)aim_vk_buffer_map(sb.buf) +
                                           sb.offset);
    for (int p = 0; p < 3; p++)
        for (int r = 0; r < aim_plane_h(f, p); r++) {
            uint16_t *d = f->data[p] + r * f->stride[p];
            const int pw = aim_plane_w(f, p);
            for (int x = 0; x < pw; x += 2, s++) {
                d[x] = (uint16_t)*s;
                if (x + 1 < pw)
                    d[x + 1] = (uint16_t)(*s >> 16);
            }
        }
    return 0;
}

int aim_nn_gpu_yuv_merge(AimNnGpuYuv *dst, const AimNnGpuYuv *base, const AimNnGpuImage *rgb,
                         int rx, int ry, const AimMotionMask *mask, const AimNnColor *cc)
{
    const int w = base->w, h = base->h;
    if (dst == base || dst->dev != base->dev || rgb->dev != base->dev || !w || !rgb->w ||
        rx < 0 || ry < 0 || (rx & 1) || (ry & 1) || rx + rgb->w > w || ry + rgb->h > h ||
        (mask && (mask->block < 2 || (mask->block & 1) || mask->w * mask->block < w ||
                  mask->h * mask->block < h)))
        return AIM_ERR(EINVAL);
    int err = yuv_begin(dst, w, h, base->depth);
    if (err < 0)
        return err;
    AimVkBinding mb = { 0 };
    size_t nm = mask ? (size_t)mask->w * mask->h : 1;
    if ((err = aim_vk_cmd_staging(dst->cmd, nm * sizeof(uint32_t), &mb)) < 0)
        return yuv_end(dst, err);
    uint32_t *m = (uint32_t *)((unsigned char *)aim_vk_buffer_map(mb.buf) + mb.offset);
    for (size_t i = 0; i < nm; i++)
        m[i] = mask ? mask->data[i] : 1;
    // rgb_to_yuv's factors, derived as it derives them (color.c)
    const float kg = 1.f - cc->kr - cc->kb;
    struct {
        int32_t w, h, cw, ch, yrw, crw, rx, ry, rw, rh, istride, icstep, mw, block, has_mask;
        float kr, kg, kb, ys, yoff, cs, coff, sb, sr, maxv;
    } pc = {
        w, h, aim_chroma_w(w), aim_chroma_h(h), yuv_row_words(w),
        yuv_row_words(aim_chroma_w(w)), rx, ry, rgb->w, rgb->h, rgb->stride,
        (int32_t)rgb->cstep, mask ? mask->w : 1, mask ? mask->block : 2, mask != NULL,
        cc->kr, kg, cc->kb, 1.f / cc->y_scale, cc->y_off, 1.f / cc->c_scale, cc->c_off,
        0.5f / (1 - cc->kb), 0.5f / (1 - cc->kr), cc->maxv,
    };
    AimVkBinding b[4] = { aim_nn_vk_whole(base->buf), aim_nn_vk_whole(rgb->buf), mb,
                          aim_nn_vk_whole(dst->buf) };
    AimVkDispatch d = {
        .shader = "yuv_merge", .bind = b, .nbind = 4, .push = &pc, .push_bytes = sizeof(pc),
        .groups = { aim_nn_vk_groups(yuv_row_words(w), 64), (uint32_t)h, 2 },
        .label = "yuv_merge",
    };
    aim_vk_cmd_barrier(dst->cmd); // the run that wrote the image, the upload of base
    return yuv_end(dst, aim_vk_cmd_dispatch(dst->cmd, &d));
}

int aim_nn_gpu_yuv_to_rgb(AimNnGpuYuv *y, const AimNnColor *cc, AimNnGpuImage *rgb)
{
    if (!y->w || rgb->dev != y->dev)
        return AIM_ERR(EINVAL);
    int err = image_reserve(rgb, y->w, y->h);
    if (!err)
        err = yuv_cmd_begin(y);
    if (err < 0)
        return err;
    // yuv_to_rgb's factors, derived as it derives them (color.c)
    const float kr = cc->kr, kb = cc->kb, kg = 1.f - kr - kb;
    const float crr = 2 * (1 - kr), cbb = 2 * (1 - kb);
    struct {
        int32_t w, h, cw, ch, yrw, crw, stride, cstep, cx_center, cy_mode;
        float yoff, yscale, coff, cscale, crr, cgr, cgb, cbb;
    } pc = {
        y->w, y->h, aim_chroma_w(y->w), aim_chroma_h(y->h), yuv_row_words(y->w),
        yuv_row_words(aim_chroma_w(y->w)), rgb->stride, (int32_t)rgb->cstep,
        cc->cx_center, cc->cy_mode, cc->y_off, cc->y_scale, cc->c_off, cc->c_scale, crr,
        -crr * kr / kg, -cbb * kb / kg, cbb,
    };
    AimVkBinding b[2] = { aim_nn_vk_whole(y->buf), aim_nn_vk_whole(rgb->buf) };
    AimVkDispatch d = {
        .shader = "yuv_rgb", .bind = b, .nbind = 2, .push = &pc, .push_bytes = sizeof(pc),
        .groups = { aim_nn_vk_groups(y->w, 64), (uint32_t)y->h, 1 }, .label = "yuv_rgb",
    };
    aim_vk_cmd_barrier(y->cmd); // what wrote the frame; runs that still read the image
    err = aim_vk_cmd_dispatch(y->cmd, &d);
    aim_vk_cmd_barrier(y->cmd);
    int serr = aim_vk_cmd_submit(y->cmd);
    err = err < 0 ? err : serr;
    rgb->w = err < 0 ? 0 : y->w;
    rgb->h = err < 0 ? 0 : y->h;
    return err;
}
