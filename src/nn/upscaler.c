// Tiled neural upscaling (see upscaler.h).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/anime4k.h"
#include "nn/gpu.h"
#include "nn/models.h"
#include "nn/upscaler.h"

// Each model's factors, file names and tiling are in its row of the registry (models.h).

#define MAX_GAPS 16
// Tiles sampled for the SE averages. Measured on a 480x270 anime crop with Real-CUGAN
// (tiles of 96/160 px): 4 sampled tiles give 47.9/45.8 dB against exact whole-image averages;
// averages from a 2x box-downscaled copy gave 33 dB; realcugan-ncnn-vulkan's default
// (sync-gap 3) 39.9 dB. Costs 4 tiles of extra work per frame.
#define GAP_TILES 4

struct AimNnUpscaler {
    const AimModelInfo *cfg;
    int factor, border, tile, context, align, gap_tile;
    int noise;        ///< the noise level of models that have levels (waifu2x), else -1
    AimNet *net;
    AimNnRun *run;
    AimNnRun *run2;   ///< GPU: the second run in flight (its own arena), NULL when serial
    AimNnGpu *gpu;    ///< the net's weights on the device (NULL: CPU)
    AimNnOpt opt;     ///< the CPU options (a fallback from the GPU uses them)
    int fallback;     ///< a GPU failure switches to the CPU
    int tile_auto;    ///< tile not given: the CPU default after a fallback
    int in_blob, out_blob;
    int ngap, gap_blob[MAX_GAPS];
    AimNnMat gap[MAX_GAPS];
    float *tile_buf;  ///< host tiles: the input tensor, then the rectangle rd fills (fill_tile)
    size_t tile_cap;  ///< its bytes (grown, never shrunk: a run copies its inputs in submit)
    AimLog log;
};

void aim_nn_upscaler_default_settings(AimNnUpscalerSettings *s)
{
    memset(s, 0, sizeof(*s));
    s->model = "realesr-animevideov3";
    s->scale = 2;
}

void aim_nn_upscaler_destroy(AimNnUpscaler **pu)
{
    AimNnUpscaler *u = pu ? *pu : NULL;
    if (!u)
        return;
    for (int i = 0; i < u->ngap; i++)
        aim_nn_mat_free(&u->gap[i]);
    free(u->tile_buf);
    aim_nn_run_destroy(&u->run2);
    aim_nn_run_destroy(&u->run);
    aim_nn_gpu_destroy(&u->gpu);
    aim_net_destroy(&u->net);
    free(u);
    *pu = NULL;
}

int aim_nn_upscaler_factor(const AimNnUpscaler *u) { return u->factor; }
int aim_nn_upscaler_overlap(const AimNnUpscaler *u) { return u->run2 != NULL; }

double aim_nn_upscaler_macs(const AimNnUpscaler *u)
{
    return aim_nn_run_macs(u->run) + (u->run2 ? aim_nn_run_macs(u->run2) : 0);
}

size_t aim_nn_upscaler_peak_bytes(const AimNnUpscaler *u)
{
    size_t a = aim_nn_run_peak_bytes(u->run), b = u->run2 ? aim_nn_run_peak_bytes(u->run2) : 0;
    return a > b ? a : b;
}
int aim_nn_upscaler_tile(const AimNnUpscaler *u) { return u->tile; }

const char *aim_nn_upscaler_backend(const AimNnUpscaler *u)
{
    return !u->gpu ? "cpu" : aim_nn_gpu_fp16(u->gpu) ? "vulkan fp16" : "vulkan fp32";
}

static void extents(const AimNnUpscaler *u, int a0, int a1, int n, int *lo, int *len);

// Drops the GPU and runs on the CPU from now on.
static int to_cpu(AimNnUpscaler *u, int why)
{
    aim_log(&u->log, AIM_LOG_WARNING, "nn: %s failed on the GPU (%s): running on the CPU",
            u->cfg->name, aim_strerror(why));
    aim_nn_run_destroy(&u->run2);
    aim_nn_run_destroy(&u->run);
    aim_nn_gpu_destroy(&u->gpu);
    if (u->tile_auto)
        u->tile = u->cfg->tiling.tile;
    return aim_nn_run_create(&u->run, u->net, &u->opt);
}

// The input tile side for the device's memory budget: the largest multiple of 32 (up to 1024,
// where the overlap is below 10% of the work) whose planned arenas and staging use at most half
// of the budget (the other half is left to the display, other processes, the weights and the
// pipelines: a 4 GB card reporting ~3.5 GB gets tiles of a ~1.7 GB arena, or two of ~0.85 GB
// when two tiles are in flight), and whose largest tensor fits one binding
// (maxStorageBufferRange: 128 MB on some Intel/Mali drivers).
static int budget_tile(AimNnUpscaler *u, AimVkDevice *dev)
{
    // two runs in flight hold two arenas and two staging sets: each gets half
    int inflight = u->run2 ? 2 : 1;
    uint64_t budget = aim_vk_device_budget(dev) / 2 / inflight;
    uint64_t range = aim_vk_device_max_range(dev);
    int esize = aim_nn_gpu_fp16(u->gpu) ? 2 : 4;
    int best = 0;
    for (int lo = 1, hi = 32; lo <= hi;) { // T = 32 * k, k in 1..32
        int k = (lo + hi) / 2, T = 32 * k, l, bw, t, bh;
        extents(u, 1 << 19, (1 << 19) + T, 1 << 20, &l, &bw); // an inner tile
        extents(u, 1 << 19, (1 << 19) + T, 1 << 20, &t, &bh);
        AimNnMat in = { NULL, 3, bw, bh, 3, 0 };
        size_t arena = 0, largest = 0;
        int err = aim_nn_run_plan_bytes(u->run, &u->in_blob, &in, 1, &u->out_blob, 1, &arena,
                                        &largest);
        // staging: the fp32 input and output tiles
        uint64_t stage = (uint64_t)4 * 3 * bw * bh * (1 + u->factor * u->factor);
        uint64_t need = (uint64_t)arena / 4 * esize + stage;
        if (!err && need <= budget && (uint64_t)largest / 4 * esize <= range) {
            best = T;
            lo = k + 1;
        } else {
            hi = k - 1;
        }
    }
    aim_log(&u->log, AIM_LOG_DEBUG, "nn: tile %d px from a device budget of %.0f MB", best,
            budget * 2 / 1e6);
    return best ? best : 32;
}

int aim_nn_upscaler_create(AimNnUpscaler **out, const AimNnUpscalerSettings *s)
{
    const AimLog *log = &s->log;
    const AimModelInfo *cfg = aim_models_find_engine(AIM_MODEL_UPSCALER, s->model);
    if (!cfg) {
        aim_log(log, AIM_LOG_ERROR, "nn: no ncnn upscaler called '%s'", s->model ? s->model : "");
        return AIM_ERR(EINVAL);
    }
    if (s->noise < -1 || s->noise > 3 || s->tile < 0 || s->tile > 4096 || s->context < 0 ||
        s->context > 512 || s->scale < 1 || s->gap_tile < 0) {
        aim_log(log, AIM_LOG_ERROR, "nn: noise -1..3, tile 0..4096, context 0..512");
        return AIM_ERR(EINVAL);
    }
    int f = 0;
    for (int i = 0; i < 3 && cfg->scales[i]; i++)
        if (!f && cfg->scales[i] >= s->scale)
            f = cfg->scales[i];
    if (!f) // above the largest factor: the largest, the caller resamples the rest
        for (int i = 0; i < 3 && cfg->scales[i]; i++)
            f = cfg->scales[i];
    char base[64];
    if (!cfg->base && s->noise < 0)
        snprintf(base, sizeof(base), "scale2.0x_model");
    else if (!cfg->base)
        snprintf(base, sizeof(base), "noise%d_scale2.0x_model", s->noise);
    else
        snprintf(base, sizeof(base), cfg->base, f);
    int a4k = cfg->loader == AIM_MODEL_LOADER_ANIME4K;
    char pname[80], bname[80], ppath[4096], bpath[4096];
    snprintf(pname, sizeof(pname), a4k ? "%s" : "%s.param", base);
    snprintf(bname, sizeof(bname), "%s.bin", base);
    int err = aim_models_locate(ppath, sizeof(ppath), s->models_dir, cfg->name, pname, log);
    if (!err && !a4k)
        err = aim_models_locate(bpath, sizeof(bpath), s->models_dir, cfg->name, bname, log);
    if (err < 0)
        return err;
    AimNnUpscaler *u = calloc(1, sizeof(*u));
    if (!u)
        return AIM_ERR(ENOMEM);
    u->cfg = cfg;
    u->factor = f;
    u->noise = cfg->base ? -1 : s->noise;
    u->border = cfg->tiling.border[f];
    u->tile = s->tile ? s->tile : cfg->tiling.tile;
    u->context = s->context ? s->context : cfg->tiling.context;
    u->context = u->context > u->border ? u->context : u->border;
    u->align = cfg->tiling.align;
    u->gap_tile = s->gap_tile;
    u->log = s->log;
    AimNetSettings ns;
    aim_net_default_settings(&ns);
    ns.log = s->log;
    err = a4k ? aim_net_load_anime4k(&u->net, ppath, &ns) : aim_net_load_ncnn(&u->net, ppath, bpath, &ns);
    u->opt = s->opt;
    u->opt.gpu = NULL;
    u->fallback = s->device_fallback;
    u->tile_auto = !s->tile;
    if (!err && s->device) {
        AimNnOpt go = u->opt;
        err = aim_nn_gpu_create(&u->gpu, u->net, s->device, log);
        go.gpu = u->gpu;
        if (!err)
            err = aim_nn_run_create(&u->run, u->net, &go);
        if (!err && !s->serial)
            err = aim_nn_run_create(&u->run2, u->net, &go);
        if (err < 0 && u->fallback && aim_nn_gpu_recoverable(err)) {
            aim_nn_run_destroy(&u->run2);
            aim_nn_run_destroy(&u->run);
            err = to_cpu(u, err);
        }
    } else if (!err) {
        err = aim_nn_run_create(&u->run, u->net, &u->opt);
    }
    if (err < 0) {
        aim_nn_upscaler_destroy(&u);
        return err;
    }
    u->in_blob = u->out_blob = -1;
    for (int i = 0; i < u->net->nlayers; i++) {
        const AimNnLayer *l = &u->net->layers[i];
        if (!strcmp(l->type, "Input") && u->in_blob < 0)
            u->in_blob = l->out[0];
        if (!strcmp(l->type, "Pooling") && aim_nn_pi(l, 4, 0) && u->ngap < MAX_GAPS)
            u->gap_blob[u->ngap++] = l->out[0];
    }
    u->out_blob = u->net->layers[u->net->nlayers - 1].out[0];
    if (u->in_blob < 0) {
        aim_log(log, AIM_LOG_ERROR, "nn: %s has no Input layer", ppath);
        aim_nn_upscaler_destroy(&u);
        return AIM_ERR_INVALID_DATA;
    }
    if (u->gpu && !s->tile)
        u->tile = budget_tile(u, s->device);
    aim_log(log, AIM_LOG_DEBUG, "nn: %s tiles of %d px%s", aim_nn_upscaler_backend(u), u->tile,
            u->run2 ? ", two in flight" : "");
    *out = u;
    return 0;
}

int aim_nn_upscaler_noise(const AimNnUpscaler *u)
{
    return u->noise;
}

// Reflect-101 (the mirror does not repeat the edge sample), folded until inside [0, n), or
// clamped to [0, n).
static int edge_index(int i, int n, int clamp)
{
    if (clamp)
        return i < 0 ? 0 : i >= n ? n - 1 : i;
    if (n == 1)
        return 0;
    int period = 2 * n - 2;
    i %= period;
    if (i < 0)
        i += period;
    return i < n ? i : period - i;
}

void aim_nn_window_c(AimNnMat *dst, int left, int top, int w, int h, int clamp,
                     const float *const src[3], ptrdiff_t stride, int ox, int oy)
{
    // columns [xa, xb) lie inside the frame (a straight copy); the rest take the edge rule
    int xa = -left < 0 ? 0 : -left < dst->w ? -left : dst->w;
    int xb = w - left < xa ? xa : w - left < dst->w ? w - left : dst->w;
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < dst->h; y++) {
            const float *s = src[c] + (ptrdiff_t)(edge_index(top + y, h, clamp) - oy) * stride;
            float *d = aim_nn_chan(dst, c) + (size_t)y * dst->w;
            for (int x = 0; x < xa; x++)
                d[x] = s[edge_index(left + x, w, clamp) - ox];
            if (xb > xa)
                memcpy(d + xa, s + left + xa - ox, sizeof(float) * (size_t)(xb - xa));
            for (int x = xb; x < dst->w; x++)
                d[x] = s[edge_index(left + x, w, clamp) - ox];
        }
}

// Where the frame comes from: the host (read through rd) or a frame on the device.
typedef struct Src {
    AimNnReadFn rd;
    void *opaque;
    AimNnGpuImage *img;
    int w, h;
} Src;

// The tile input whose window is [left, left+bw) x [top, top+bh) of the frame, reflected or
// clamped at its edges: on the host, `m` (allocated here, 3 x bh x bw) is filled reading the
// needed in-frame rectangle through rd; on the device only m's shape is set and *io names the
// window (the "window" shader cuts it there). m's data is the upscaler's tile buffer, valid
// until the next fill_tile (the run submitted with it has copied it by then).
static int fill_tile(AimNnUpscaler *u, const Src *src, AimNnMat *m, AimNnDevIo *io,
                     int left, int top, int bw, int bh)
{
    int w = src->w, h = src->h, clamp = u->cfg->tiling.clamp;
    *io = (AimNnDevIo){ src->img, left, top, clamp, 0, 0 };
    if (src->img) {
        *m = (AimNnMat){ NULL, 3, bw, bh, 3, 0 };
        return 0;
    }
    int err = aim_nn_mat_layout(m, 3, bw, bh, 3);
    if (err < 0)
        return err;
    int sx0 = w, sx1 = 0, sy0 = h, sy1 = 0;
    for (int x = 0; x < bw; x++) {
        int r = edge_index(left + x, w, clamp);
        sx0 = r < sx0 ? r : sx0;
        sx1 = r + 1 > sx1 ? r + 1 : sx1;
    }
    for (int y = 0; y < bh; y++) {
        int r = edge_index(top + y, h, clamp);
        sy0 = r < sy0 ? r : sy0;
        sy1 = r + 1 > sy1 ? r + 1 : sy1;
    }
    int rw = sx1 - sx0, rh = sy1 - sy0;
    // the tensor (64-byte aligned, with its slack), then the rectangle
    size_t mb = (aim_nn_mat_bytes(m) + AIM_NN_MAT_SLACK + 63) / 64 * 64;
    size_t bytes = mb + sizeof(float) * 3 * (size_t)rw * rh;
    if (bytes > u->tile_cap) {
        free(u->tile_buf);
        u->tile_cap = 0;
        u->tile_buf = aligned_alloc(64, (bytes + 63) / 64 * 64);
        if (!u->tile_buf)
            return AIM_ERR(ENOMEM);
        u->tile_cap = bytes;
    }
    m->data = u->tile_buf;
    float *tmp = (float *)((unsigned char *)u->tile_buf + mb);
    float *planes[3] = { tmp, tmp + (size_t)rw * rh, tmp + 2 * (size_t)rw * rh };
    src->rd(src->opaque, sx0, sy0, rw, rh, planes, rw);
    aim_nn_window_c(m, left, top, w, h, clamp, (const float *const *)planes, rw, sx0, sy0);
    return 0;
}

// Submits the net on a tile buffer to `run` (aim_nn_run_wait gets the output); gap blobs are
// given when computed.
static int submit_net(AimNnUpscaler *u, AimNnRun *run, const AimNnMat *in,
                      const AimNnDevIo *io, int with_gaps)
{
    int ib[1 + MAX_GAPS];
    AimNnMat im[1 + MAX_GAPS];
    AimNnDevIo dv[1 + MAX_GAPS] = { *io };
    int n = 1;
    ib[0] = u->in_blob;
    im[0] = *in;
    for (int i = 0; with_gaps && i < u->ngap; i++, n++) {
        ib[n] = u->gap_blob[i];
        im[n] = u->gap[i];
    }
    return aim_nn_run_submit_dev(run, ib, im, dv, n, &u->out_blob, NULL, 1);
}

// Buffer extents for the input range [a0, a1) of an image side of n pixels.
static void extents(const AimNnUpscaler *u, int a0, int a1, int n, int *lo, int *len)
{
    int l = a0 - u->context > -u->border ? a0 - u->context : -u->border;
    int r = a1 + u->context < n + u->border ? a1 + u->context : n + u->border;
    l = -u->border + (l + u->border) / u->align * u->align; // same phase as a whole-image run
    int k = r - l;
    k = (k + u->align - 1) / u->align * u->align;
    *lo = l;
    *len = k;
}

// The SE averages as the area-weighted mean of the tile-local averages of a few tiles spread
// over the image, each run at full resolution with its own averages.
static int sample_gaps(AimNnUpscaler *u, const Src *src, int T)
{
    int w = src->w, h = src->h;
    int nx = (w + T - 1) / T, ny = (h + T - 1) / T, n = nx * ny;
    int ns = n < GAP_TILES ? n : GAP_TILES;
    double *acc[MAX_GAPS] = { 0 };
    double wsum = 0;
    int err = 0;
    for (int i = 0; i < u->ngap && !err; i++) {
        aim_nn_mat_free(&u->gap[i]);
        err = aim_nn_mat_alloc(&u->gap[i], 1, 1, 1, 1);
    }
    for (int k = 0; k < ns && !err; k++) {
        int ti = (int)(((int64_t)2 * k + 1) * n / (2 * ns)); // centres of ns equal runs
        int x0 = ti % nx * T, y0 = ti / nx * T;
        int x1 = x0 + T < w ? x0 + T : w, y1 = y0 + T < h ? y0 + T : h;
        int l, bw, t, bh;
        extents(u, x0, x1, w, &l, &bw);
        extents(u, y0, y1, h, &t, &bh);
        AimNnMat in = { 0 };
        AimNnDevIo io;
        err = fill_tile(u, src, &in, &io, l, t, bw, bh);
        const AimNnMat *outs[MAX_GAPS];
        if (!err)
            err = aim_nn_run_submit_dev(u->run, &u->in_blob, &in, &io, 1, u->gap_blob, NULL,
                                        u->ngap);
        if (!err)
            err = aim_nn_run_wait(u->run, outs);
        double wt = (double)(x1 - x0) * (y1 - y0);
        for (int i = 0; i < u->ngap && !err; i++) {
            size_t m = aim_nn_total(outs[i]);
            if (!acc[i] && !(acc[i] = calloc(m, sizeof(double))))
                err = AIM_ERR(ENOMEM);
            for (size_t j = 0; !err && j < m; j++)
                acc[i][j] += wt * outs[i]->data[j];
            if (!err && k == 0) {
                aim_nn_mat_free(&u->gap[i]);
                err = aim_nn_mat_alloc(&u->gap[i], outs[i]->dims, outs[i]->w, outs[i]->h,
                                       outs[i]->c);
            }
        }
        wsum += wt;
    }
    for (int i = 0; i < u->ngap; i++) {
        for (size_t j = 0; !err && j < aim_nn_total(&u->gap[i]); j++)
            u->gap[i].data[j] = (float)(acc[i][j] / wsum);
        free(acc[i]);
    }
    return err;
}

static int run_tiles(AimNnUpscaler *u, const Src *src, AimNnWriteFn wr, void *opaque);

int aim_nn_upscaler_run(AimNnUpscaler *u, int w, int h, AimNnReadFn rd, AimNnWriteFn wr,
                        void *opaque)
{
    if (w < 1 || h < 1)
        return AIM_ERR(EINVAL);
    Src src = { rd, opaque, NULL, w, h };
    int err = run_tiles(u, &src, wr, opaque);
    if (err < 0 && u->gpu && u->fallback && aim_nn_gpu_recoverable(err)) {
        // the whole image again on the CPU: the caller keeps nothing until run returns
        err = to_cpu(u, err);
        if (!err)
            err = run_tiles(u, &src, wr, opaque);
    }
    return err;
}

int aim_nn_upscaler_run_image(AimNnUpscaler *u, AimNnGpuImage *img, AimNnWriteFn wr,
                              void *opaque)
{
    Src src = { NULL, NULL, img, 0, 0 };
    aim_nn_gpu_image_size(img, &src.w, &src.h);
    if (!u->gpu)
        return AIM_ERR_UNSUPPORTED;
    if (src.w < 1 || src.h < 1 || aim_nn_gpu_image_device(img) != aim_nn_gpu_device(u->gpu))
        return AIM_ERR(EINVAL);
    return run_tiles(u, &src, wr, opaque);
}

// A tile submitted and not yet written.
typedef struct Tile {
    AimNnRun *run;  ///< NULL: none
    int x0, y0, x1, y1, l, t, bw, bh;
} Tile;

// Waits for tile p's run and writes its centre.
static int finish_tile(AimNnUpscaler *u, Tile *p, AimNnWriteFn wr, void *opaque)
{
    const AimNnMat *o = NULL;
    int err = aim_nn_run_wait(p->run, &o);
    p->run = NULL;
    if (err < 0)
        return err;
    int f = u->factor;
    // The net may crop a margin of its own (U-Nets): find it from the sizes.
    int mx2 = p->bw * f - o->w, my2 = p->bh * f - o->h;
    if (o->c != 3 || mx2 < 0 || my2 < 0 || mx2 % (2 * f) || my2 % (2 * f)) {
        aim_log(&u->log, AIM_LOG_ERROR, "nn: model output %dx%dx%d for a %dx%d tile "
                "is not a centred x%d upscale", o->w, o->h, o->c, p->bw, p->bh, f);
        return AIM_ERR_INVALID_DATA;
    }
    int ox = (p->x0 - p->l - mx2 / (2 * f)) * f, oy = (p->y0 - p->t - my2 / (2 * f)) * f;
    if (ox < 0 || oy < 0 || ox + (p->x1 - p->x0) * f > o->w || oy + (p->y1 - p->y0) * f > o->h) {
        aim_log(&u->log, AIM_LOG_ERROR, "nn: tile context too small for the model");
        return AIM_ERR_INVALID_DATA;
    }
    const float *pl[3];
    for (int c = 0; c < 3; c++)
        pl[c] = aim_nn_chan(o, c) + (size_t)oy * o->w + ox;
    wr(opaque, p->x0 * f, p->y0 * f, (p->x1 - p->x0) * f, (p->y1 - p->y0) * f, pl, o->w);
    return 0;
}

// Tiles in raster order. Serial (the CPU, or one run): fill, run, write each tile. With two
// runs (GPU): tile k is filled and submitted to run k % 2, then tile k-1 is waited for and
// written, so the device computes tile k while the host writes tile k-1 and fills tile k+1.
// Every tile runs the same plan on the same values either way, and wr sees the same calls in
// the same order: the output is identical (test_vk_overlap checks it bit for bit).
static int run_tiles(AimNnUpscaler *u, const Src *src, AimNnWriteFn wr, void *opaque)
{
    int w = src->w, h = src->h;
    int T = u->tile & ~1; // even tile origins: 4:2:0 writers get whole chroma samples
    T = T < 2 ? 2 : T;
    int tiles = ((w + T - 1) / T) * ((h + T - 1) / T);
    int GT = u->gap_tile ? u->gap_tile & ~1 : T;
    GT = GT < 2 ? 2 : GT;
    int gaps = u->ngap && (tiles > 1 || GT < w || GT < h);
    int err = gaps ? sample_gaps(u, src, GT) : 0;
    AimNnRun *runs[2] = { u->run, u->run2 };
    int nrun = u->run2 ? 2 : 1, k = 0;
    Tile pend[2] = { { 0 } };
    for (int y0 = 0; y0 < h && !err; y0 += T)
        for (int x0 = 0; x0 < w && !err; x0 += T, k++) {
            Tile *p = &pend[k % nrun];
            p->x0 = x0;
            p->y0 = y0;
            p->x1 = x0 + T < w ? x0 + T : w;
            p->y1 = y0 + T < h ? y0 + T : h;
            extents(u, p->x0, p->x1, w, &p->l, &p->bw);
            extents(u, p->y0, p->y1, h, &p->t, &p->bh);
            AimNnMat in = { 0 };
            AimNnDevIo io;
            err = fill_tile(u, src, &in, &io, p->l, p->t, p->bw, p->bh);
            if (!err)
                err = submit_net(u, runs[k % nrun], &in, &io, gaps);
            if (!err)
                p->run = runs[k % nrun];
            Tile *prev = &pend[(k + nrun - 1) % nrun]; // this tile itself when serial
            if (!err && prev->run)
                err = finish_tile(u, prev, wr, opaque);
        }
    // the last tile (overlapped), or what an error left in flight (waited for, not written)
    Tile *last = &pend[(k + nrun - 1) % nrun];
    if (!err && last->run)
        err = finish_tile(u, last, wr, opaque);
    for (int i = 0; i < nrun; i++)
        if (pend[i].run) {
            aim_nn_run_wait(pend[i].run, NULL);
            pend[i].run = NULL;
        }
    return err;
}
