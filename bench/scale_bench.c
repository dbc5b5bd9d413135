// Model B benchmark: our classic scaler against libswscale (SWS_LANCZOS) in the same run.
//
//   build/bench/scale_bench [STILLS_DIR] [--seconds S]
//
// 1. Speed: frames/s, 1 and 2 threads, 1920x1080 -> 2560x1440 and 640x480 -> 854x640, 8- and
//    10-bit 4:2:0. Each side works on its native frame format (ours: uint16 samples; swscale:
//    yuv420p / yuv420p10le), all three planes, the same content.
// 2. Quality on the PNG stills (default ../shared/clips/stills): RGB -> yuv420p (swscale,
//    BT.709), luma downscaled by 1/1.333 with swscale SWS_LANCZOS|SWS_ACCURATE_RND (the same
//    input for every upscaler), upscaled back by each upscaler; PSNR-Y against the original,
//    and PSNR-Y inside a dilated Sobel edge mask of the original ("edge PSNR").
//
//   build/bench/scale_bench --nn [--crop WxH] [--only NAME,...] [STILLS_DIR]
//
// 3. Restoration candidates for the presets (bench/RESULTS-nn.md): only the quality tables, on
//    the centred WxH crop of each still (default 960x540), classic rows and every neural
//    engine whose model is installed (others print "not installed"); each model at its native
//    factor then the engine's Lanczos to the crop size, as the product runs it; plus CPU
//    seconds (process CPU time, all threads) per frame. `--only` runs only the methods named
//    in the comma-separated list.
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include "core/clock.h"
#include "core/cpu.h"
#include "core/pool.h"
#include "scale/scale.h"

// Single-threaded runs are timed with the calling thread's CPU time (aim_thread_cpu_s), so the
// other agents sharing this machine's 2 cores do not count (they still share caches).

static void die(const char *what)
{
    fprintf(stderr, "scale_bench: %s\n", what);
    exit(1);
}

static struct SwsContext *sws_make(int sw, int sh, enum AVPixelFormat sf, int dw, int dh,
                                   enum AVPixelFormat df, int flags, int threads)
{
    struct SwsContext *c = sws_alloc_context();
    if (!c)
        die("sws_alloc_context");
    av_opt_set_int(c, "srcw", sw, 0);
    av_opt_set_int(c, "srch", sh, 0);
    av_opt_set_int(c, "src_format", sf, 0);
    av_opt_set_int(c, "dstw", dw, 0);
    av_opt_set_int(c, "dsth", dh, 0);
    av_opt_set_int(c, "dst_format", df, 0);
    av_opt_set_int(c, "sws_flags", flags, 0);
    if (av_opt_set_int(c, "threads", threads, 0) < 0)
        die("swscale has no threads option");
    if (sws_init_context(c, NULL, NULL) < 0)
        die("sws_init_context");
    return c;
}

static AVFrame *av_frame(int w, int h, enum AVPixelFormat fmt)
{
    AVFrame *f = av_frame_alloc();
    if (!f)
        die("av_frame_alloc");
    f->width = w;
    f->height = h;
    f->format = fmt;
    if (av_frame_get_buffer(f, 64) < 0)
        die("av_frame_get_buffer");
    return f;
}

// Same synthetic content in both formats: flat cel regions, dark outlines, a gradient.
static int content(int p, int x, int y, int w, int h, int maxv)
{
    int v = ((x / 97 + y / 61) % 4) * maxv / 5 + maxv / 8 + (x + y) * maxv / (8 * (w + h));
    if (!p && ((x % 97) < 3 || (y % 61) < 3))
        v = maxv / 12;
    return v > maxv ? maxv : v;
}

static void fill_both(AimFrame *a, AVFrame *b, int depth)
{
    const int maxv = (1 << depth) - 1;
    for (int p = 0; p < 3; p++)
        for (int y = 0; y < aim_plane_h(a, p); y++)
            for (int x = 0; x < aim_plane_w(a, p); x++) {
                int v = content(p, x << (p > 0), y << (p > 0), a->width, a->height, maxv);
                a->data[p][y * a->stride[p] + x] = (uint16_t)v;
                if (depth == 8)
                    b->data[p][y * b->linesize[p] + x] = (uint8_t)v;
                else
                    ((uint16_t *)(b->data[p] + y * b->linesize[p]))[x] = (uint16_t)v;
            }
}

typedef struct Speed {
    double ours[2], sws[2]; // frames/s with 1 and 2 threads
} Speed;

typedef struct OursCtx { AimScaler *s; AimFrame *in, *out; } OursCtx;
typedef struct SwsCtx { struct SwsContext *c; AVFrame *in, *out; } SwsCtx;

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

// Alternates one call of ours and one of swscale until `seconds` have passed, so both see
// the same machine load (2 shared cores), and returns the median frames/s of each; with
// `cpu` set, from the calling thread's CPU time (single-threaded runs), else wall clock.
static void race(double seconds, int cpu, OursCtx *oc, SwsCtx *sc, double *ours_fps,
                 double *sws_fps)
{
    double (*clk)(void) = cpu ? aim_thread_cpu_s : aim_now_s;
    enum { MAXN = 4096 };
    static double ta[MAXN], tb[MAXN];
    aim_scaler_run(oc->s, oc->in, oc->out); // warm-up: page faults, caches
    sws_scale_frame(sc->c, sc->out, sc->in);
    int n = 0;
    double start = aim_now_s();
    while (n < MAXN && (aim_now_s() - start < seconds || n < 5)) {
        double t0 = clk();
        if (aim_scaler_run(oc->s, oc->in, oc->out))
            die("aim_scaler_run");
        double t1 = clk();
        if (sws_scale_frame(sc->c, sc->out, sc->in) < 0)
            die("sws_scale_frame");
        double t2 = clk();
        ta[n] = t1 - t0;
        tb[n] = t2 - t1;
        n++;
    }
    qsort(ta, (size_t)n, sizeof(double), cmpd);
    qsort(tb, (size_t)n, sizeof(double), cmpd);
    *ours_fps = 1.0 / ta[n / 2];
    *sws_fps = 1.0 / tb[n / 2];
}

// Cost of the options: ours alone, 1 thread, median frames/s of thread CPU time.
static void bench_options(double seconds)
{
    static const struct { const char *name; const char *preset; float ar; } opts[] = {
        { "plain lanczos", NULL, 0 }, { "lanczos ar=0.6", NULL, 0.6f },
        { "anime-clean", "anime-clean", 0 }, { "anime-strong", "anime-strong", 0 },
    };
    AimFrame *in = NULL, *out = NULL;
    if (aim_frame_alloc(&in, 1920, 1080, 8, 1) || aim_frame_alloc(&out, 2560, 1440, 8, 1))
        die("aim_frame_alloc");
    AVFrame *dummy = av_frame(1920, 1080, AV_PIX_FMT_YUV420P);
    fill_both(in, dummy, 8);
    av_frame_free(&dummy);
    printf("\noptions, ours, 1 thread, 1920x1080 -> 2560x1440 8-bit: frames/s (median, CPU "
           "time)\n");
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        AimScalerSettings s;
        aim_scaler_default_settings(&s);
        s.src_w = 1920;
        s.src_h = 1080;
        s.dst_w = 2560;
        s.dst_h = 1440;
        s.cpu_flags = aim_cpu_detect();
        s.antiring = opts[i].ar;
        if (opts[i].preset)
            aim_scaler_apply_preset(&s, opts[i].preset);
        AimScaler *sc = NULL;
        if (aim_scaler_create(&sc, &s))
            die("aim_scaler_create");
        enum { MAXN = 1024 };
        static double t[MAXN];
        int n = 0;
        aim_scaler_run(sc, in, out);
        double start = aim_now_s();
        while (n < MAXN && (aim_now_s() - start < seconds || n < 5)) {
            double t0 = aim_thread_cpu_s();
            aim_scaler_run(sc, in, out);
            t[n++] = aim_thread_cpu_s() - t0;
        }
        qsort(t, (size_t)n, sizeof(double), cmpd);
        printf("  %-16s %7.1f\n", opts[i].name, 1.0 / t[n / 2]);
        aim_scaler_destroy(&sc);
    }
    aim_frame_unref(&in);
    aim_frame_unref(&out);
}

static Speed bench_speed(int sw, int sh, int dw, int dh, int depth, double seconds, AimPool *pool2)
{
    Speed r;
    enum AVPixelFormat fmt = depth == 8 ? AV_PIX_FMT_YUV420P : AV_PIX_FMT_YUV420P10LE;
    AimFrame *in = NULL, *out = NULL;
    if (aim_frame_alloc(&in, sw, sh, depth, 1) || aim_frame_alloc(&out, dw, dh, depth, 1))
        die("aim_frame_alloc");
    AVFrame *ain = av_frame(sw, sh, fmt), *aout = av_frame(dw, dh, fmt);
    fill_both(in, ain, depth);
    for (int t = 0; t < 2; t++) {
        AimScalerSettings s;
        aim_scaler_default_settings(&s);
        s.src_w = sw;
        s.src_h = sh;
        s.dst_w = dw;
        s.dst_h = dh;
        s.depth = depth;
        s.cpu_flags = aim_cpu_detect();
        s.pool = t ? pool2 : NULL;
        OursCtx oc = { NULL, in, out };
        if (aim_scaler_create(&oc.s, &s))
            die("aim_scaler_create");
        SwsCtx sc = { sws_make(sw, sh, fmt, dw, dh, fmt, SWS_LANCZOS, t + 1), ain, aout };
        race(seconds, t == 0, &oc, &sc, &r.ours[t], &r.sws[t]);
        aim_scaler_destroy(&oc.s);
        sws_freeContext(sc.c);
    }
    aim_frame_unref(&in);
    aim_frame_unref(&out);
    av_frame_free(&ain);
    av_frame_free(&aout);
    return r;
}

// --- quality

static AVFrame *load_png_yuv(const char *path)
{
    AVFormatContext *fmt = NULL;
    if (avformat_open_input(&fmt, path, NULL, NULL) < 0)
        return NULL;
    AVFrame *rgb = NULL, *yuv = NULL;
    AVCodecContext *dec = NULL;
    if (avformat_find_stream_info(fmt, NULL) < 0 || fmt->nb_streams < 1)
        goto end;
    const AVCodec *codec = avcodec_find_decoder(fmt->streams[0]->codecpar->codec_id);
    dec = codec ? avcodec_alloc_context3(codec) : NULL;
    if (!dec || avcodec_parameters_to_context(dec, fmt->streams[0]->codecpar) < 0 ||
        avcodec_open2(dec, codec, NULL) < 0)
        goto end;
    AVPacket *pkt = av_packet_alloc();
    rgb = av_frame_alloc();
    int got = 0;
    while (!got && av_read_frame(fmt, pkt) >= 0) {
        if (avcodec_send_packet(dec, pkt) >= 0 && avcodec_receive_frame(dec, rgb) >= 0)
            got = 1;
        av_packet_unref(pkt);
    }
    if (!got && avcodec_send_packet(dec, NULL) >= 0 && avcodec_receive_frame(dec, rgb) >= 0)
        got = 1;
    av_packet_free(&pkt);
    if (got) {
        yuv = av_frame(rgb->width, rgb->height, AV_PIX_FMT_YUV420P);
        struct SwsContext *c = sws_make(rgb->width, rgb->height, rgb->format, rgb->width,
                                        rgb->height, AV_PIX_FMT_YUV420P,
                                        SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, 1);
        const int *coefs = sws_getCoefficients(SWS_CS_ITU709);
        sws_setColorspaceDetails(c, coefs, 1, coefs, 0, 0, 1 << 16, 1 << 16);
        sws_scale_frame(c, yuv, rgb);
        sws_freeContext(c);
    }
end:
    av_frame_free(&rgb);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    return yuv;
}

// Encodes one frame as MPEG-2 intra at a fixed quantiser and decodes it back: 8x8 DCT
// blocking and ringing as in DVD / old broadcast anime (MPEG-2 has no in-loop deblocking).
static AVFrame *mpeg2_roundtrip(const AVFrame *in, int qscale)
{
    const AVCodec *enc = avcodec_find_encoder(AV_CODEC_ID_MPEG2VIDEO);
    const AVCodec *dec = avcodec_find_decoder(AV_CODEC_ID_MPEG2VIDEO);
    if (!enc || !dec)
        return NULL;
    AVCodecContext *e = avcodec_alloc_context3(enc), *d = avcodec_alloc_context3(dec);
    e->width = in->width;
    e->height = in->height;
    e->pix_fmt = AV_PIX_FMT_YUV420P;
    e->time_base = (AVRational){ 1, 25 };
    e->gop_size = 0;
    e->flags |= AV_CODEC_FLAG_QSCALE;
    AVFrame *out = NULL, *f = av_frame_clone(in);
    AVPacket *pkt = av_packet_alloc();
    if (avcodec_open2(e, enc, NULL) < 0 || avcodec_open2(d, dec, NULL) < 0 || !f)
        goto end;
    f->quality = FF_QP2LAMBDA * qscale;
    f->pts = 0;
    f->pict_type = AV_PICTURE_TYPE_I;
    if (avcodec_send_frame(e, f) < 0 || avcodec_send_frame(e, NULL) < 0)
        goto end;
    out = av_frame_alloc();
    int got = 0;
    while (!got && avcodec_receive_packet(e, pkt) >= 0) {
        avcodec_send_packet(d, pkt);
        av_packet_unref(pkt);
        avcodec_send_packet(d, NULL);
        got = avcodec_receive_frame(d, out) >= 0;
    }
    if (!got)
        av_frame_free(&out);
end:
    av_packet_free(&pkt);
    av_frame_free(&f);
    avcodec_free_context(&e);
    avcodec_free_context(&d);
    return out;
}

static void av_to_aim(AimFrame *d, const AVFrame *s)
{
    for (int p = 0; p < 3; p++)
        for (int y = 0; y < aim_plane_h(d, p); y++)
            for (int x = 0; x < aim_plane_w(d, p); x++)
                d->data[p][y * d->stride[p] + x] = s->data[p][y * s->linesize[p] + x];
}

// Sobel magnitude |gx| + |gy| >= EDGE_T on the original, dilated by EDGE_R pixels.
// EDGE_T = 96: a clean step of 24 levels (8-bit) between flat areas; anime outlines are
// steps of 60-200, so they and their surroundings are in, flat shading and gradients are out.
// EDGE_R = 3: Lanczos-3 ringing reaches 3 output pixels from an edge.
#define EDGE_T 96
#define EDGE_R 3
static uint8_t *edge_mask(const AVFrame *f, double *coverage)
{
    const int w = f->width, h = f->height;
    uint8_t *e = calloc((size_t)w * h, 1), *m = calloc((size_t)w * h, 1);
    for (int y = 1; y < h - 1; y++)
        for (int x = 1; x < w - 1; x++) {
            const uint8_t *r0 = f->data[0] + (y - 1) * f->linesize[0], *r1 = r0 + f->linesize[0],
                          *r2 = r1 + f->linesize[0];
            int gx = (r0[x + 1] + 2 * r1[x + 1] + r2[x + 1]) -
                     (r0[x - 1] + 2 * r1[x - 1] + r2[x - 1]);
            int gy = (r2[x - 1] + 2 * r2[x] + r2[x + 1]) - (r0[x - 1] + 2 * r0[x] + r0[x + 1]);
            e[y * w + x] = abs(gx) + abs(gy) >= EDGE_T;
        }
    long n = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int on = 0;
            for (int dy = -EDGE_R; dy <= EDGE_R && !on; dy++)
                for (int dx = -EDGE_R; dx <= EDGE_R && !on; dx++) {
                    int yy = y + dy, xx = x + dx;
                    on = yy >= 0 && yy < h && xx >= 0 && xx < w && e[yy * w + xx];
                }
            m[y * w + x] = (uint8_t)on;
            n += on;
        }
    free(e);
    *coverage = (double)n / ((double)w * h);
    return m;
}

static double psnr(double sse, long n)
{
    return n ? 10 * log10(255.0 * 255.0 * n / (sse > 0 ? sse : 1e-9)) : 0;
}

typedef struct Method {
    const char *name;
    int is_sws;
    const char *engine;
    const char *preset;   // ours: NULL = plain
    float antiring;       // ours, when no preset
    float denoise;        // ours, when no preset: restore.denoise (waifu2x-cunet's level / 3)
    const char *pre;      // ours: a same-size engine run first (Anime4K restore), or NULL
} Method;

static const Method methods[] = {
    { "swscale lanczos", 1, NULL, NULL, 0 },
    { "swscale bicubic", 1, NULL, NULL, 0 },
    { "ours lanczos", 0, "lanczos", NULL, 0 },
    { "ours lanczos ar=0.6", 0, "lanczos", NULL, 0.6f },
    { "ours lanczos ar=1", 0, "lanczos", NULL, 1.0f },
    { "ours bicubic (C-R)", 0, "bicubic", NULL, 0 },
    { "ours bilinear", 0, "bilinear", NULL, 0 },
    { "ours anime-clean", 0, "lanczos", "anime-clean", 0 },
    { "ours anime-strong", 0, "lanczos", "anime-strong", 0 },
};
#define NMETHODS (int)(sizeof(methods) / sizeof(methods[0]))

// --nn: what `anime-strong` may use. Neural rows run with no classic restoration.
static const Method nn_methods[] = {
    { "lanczos", 0, "lanczos", NULL, 0 },
    { "classic-anime-clean", 0, "lanczos", "anime-clean", 0 },
    { "classic-anime-strong", 0, "lanczos", "anime-strong", 0 },
    { "realesr-animevideov3", 0, "realesr-animevideov3", NULL, 0 },
    { "realcugan-se-conservative", 0, "realcugan-se-conservative", NULL, 0 },
    { "realcugan-se-no-denoise", 0, "realcugan-se-no-denoise", NULL, 0 },
    { "realcugan-se-denoise1x", 0, "realcugan-se-denoise1x", NULL, 0 },
    { "realcugan-se-denoise2x", 0, "realcugan-se-denoise2x", NULL, 0 },
    { "realcugan-se-denoise3x", 0, "realcugan-se-denoise3x", NULL, 0 },
    { "waifu2x-cunet-noise0", 0, "waifu2x-cunet", NULL, 0, 0.0f },
    { "waifu2x-cunet-noise1", 0, "waifu2x-cunet", NULL, 0, 1 / 3.0f },
    { "waifu2x-cunet-noise2", 0, "waifu2x-cunet", NULL, 0, 2 / 3.0f },
    { "waifu2x-cunet-noise3", 0, "waifu2x-cunet", NULL, 0, 1.0f },
    { "anime4k-cnn-m", 0, "anime4k-cnn-m", NULL, 0 },
    // the product: `--preset anime-strong` with waifu2x-cunet (its restore.denoise 0.45 picks
    // noise level 2; deblock, denoise and sharpen skipped; the downscale's antiring 1 kept)
    { "anime-strong+waifu2x-cunet", 0, "waifu2x-cunet", "anime-strong", 0 },
    { "a4k-restore-s+lanczos", 0, "anime4k-restore-s", NULL, 0 },
    { "a4k-restore-m+lanczos", 0, "anime4k-restore-m", NULL, 0 },
    { "a4k-restore-m+a4k-cnn-m", 0, "anime4k-cnn-m", NULL, 0, 0, "anime4k-restore-m" },
};
#define NNN (int)(sizeof(nn_methods) / sizeof(nn_methods[0]))
#define MAXM 32

// Our scaler `engine` from in to out (their sizes); 0 or the error.
static int run_ours(const Method *me, const char *engine, const AimFrame *in, AimFrame *out,
                    AimPool *pool)
{
    AimScalerSettings s;
    aim_scaler_default_settings(&s);
    s.engine = engine;
    s.src_w = in->width;
    s.src_h = in->height;
    s.dst_w = out->width;
    s.dst_h = out->height;
    s.cpu_flags = aim_cpu_detect();
    s.pool = pool;
    s.antiring = me->antiring;
    s.restore.denoise = me->denoise;
    if (me->preset)
        aim_scaler_apply_preset(&s, me->preset);
    AimScaler *sc = NULL;
    int err = aim_scaler_create(&sc, &s);
    if (!err)
        err = aim_scaler_run(sc, in, out);
    aim_scaler_destroy(&sc);
    return err;
}

// 1 if `name` is one of the comma-separated names in `list`.
static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (!strncmp(p, name, n) && (p[n] == ',' || !p[n]))
            return 1;
    return 0;
}

// The centred cw x ch crop (even offsets) of a yuv420p frame, as a new frame.
static AVFrame *crop_centre(const AVFrame *f, int cw, int ch)
{
    const int x0 = (f->width - cw) / 4 * 2, y0 = (f->height - ch) / 4 * 2;
    AVFrame *c = av_frame(cw, ch, AV_PIX_FMT_YUV420P);
    for (int p = 0; p < 3; p++) {
        int sh = p ? 1 : 0, w = p ? (cw + 1) / 2 : cw, h = p ? (ch + 1) / 2 : ch;
        for (int y = 0; y < h; y++)
            memcpy(c->data[p] + y * c->linesize[p],
                   f->data[p] + ((y0 >> sh) + y) * f->linesize[p] + (x0 >> sh), (size_t)w);
    }
    return c;
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// Quality table of `nm` methods (<= MAXM); crop cw x ch (0: whole stills); CPU s/frame.
static void bench_quality(const char *dir, int qscale, const Method *methods, int nm, int cw,
                          int ch, const char *only, AimPool *pool)
{
    DIR *d = opendir(dir);
    if (!d) {
        printf("\nquality: %s not found, skipped\n", dir);
        return;
    }
    char *names[64];
    int nn = 0;
    struct dirent *de;
    while ((de = readdir(d)) && nn < 64) {
        size_t l = strlen(de->d_name);
        if (l > 4 && !strcmp(de->d_name + l - 4, ".png"))
            names[nn++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)nn, sizeof(*names), cmpstr);
    double sum_all[MAXM] = { 0 }, sum_edge[MAXM] = { 0 }, cpu[MAXM] = { 0 };
    int ok[MAXM];
    for (int m = 0; m < nm; m++)
        ok[m] = !only || in_list(only, methods[m].name);
    long n_all = 0, n_edge = 0;
    if (cw)
        printf("\n(centred %dx%d crop of each still)", cw, ch);
    if (qscale)
        printf("\nquality, compressed source: %s, downscale 1/1.333 (swscale lanczos), MPEG-2 "
               "intra at qscale %d, upscale back; PSNR-Y / edge PSNR-Y (dB, vs original)\n",
               dir, qscale);
    else
        printf("\nquality: %s, downscale 1/1.333 (swscale lanczos), upscale back; PSNR-Y / "
               "edge PSNR-Y (dB, vs original)\n", dir);
    printf("%-26s", "method");
    for (int i = 0; i < nn; i++)
        printf(" | %-18.18s", names[i]);
    printf(" | %-15s | %s\n", "all stills", "CPU s/frame");
    // per-still results, printed after all methods ran on it
    static double res[64][MAXM][2];
    double coverage[64];
    for (int i = 0; i < nn; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        AVFrame *orig = load_png_yuv(path);
        if (!orig)
            die("cannot decode a still");
        if (cw && cw <= orig->width && ch <= orig->height) {
            AVFrame *c = crop_centre(orig, cw, ch);
            av_frame_free(&orig);
            orig = c;
        }
        const int W = orig->width, H = orig->height;
        const int w = (int)lround(W / 1.333), h = (int)lround(H / 1.333);
        AVFrame *small = av_frame(w, h, AV_PIX_FMT_YUV420P);
        struct SwsContext *down = sws_make(W, H, AV_PIX_FMT_YUV420P, w, h, AV_PIX_FMT_YUV420P,
                                           SWS_LANCZOS | SWS_ACCURATE_RND, 1);
        sws_scale_frame(down, small, orig);
        sws_freeContext(down);
        if (qscale) {
            AVFrame *c = mpeg2_roundtrip(small, qscale);
            if (!c)
                die("MPEG-2 round trip failed");
            av_frame_free(&small);
            small = c;
        }
        double cov;
        uint8_t *mask = edge_mask(orig, &cov);
        AimFrame *asmall = NULL, *aout = NULL;
        if (aim_frame_alloc(&asmall, w, h, 8, 1) || aim_frame_alloc(&aout, W, H, 8, 1))
            die("aim_frame_alloc");
        av_to_aim(asmall, small);
        AVFrame *up = av_frame(W, H, AV_PIX_FMT_YUV420P);
        for (int m = 0; m < nm; m++) {
            const Method *me = &methods[m];
            double t0 = aim_cpu_s();
            if (!ok[m]) {
                continue;
            } else if (me->is_sws) {
                int fl = (m == 0 ? SWS_LANCZOS : SWS_BICUBIC) | SWS_ACCURATE_RND;
                struct SwsContext *c = sws_make(w, h, AV_PIX_FMT_YUV420P, W, H,
                                                AV_PIX_FMT_YUV420P, fl, 1);
                sws_scale_frame(c, up, small);
                sws_freeContext(c);
            } else {
                const AimFrame *src = asmall;
                AimFrame *mid = NULL;
                int err = 0;
                if (me->pre) {
                    err = aim_frame_alloc(&mid, w, h, 8, 1);
                    if (!err)
                        err = run_ours(me, me->pre, asmall, mid, pool);
                    src = mid;
                }
                if (!err)
                    err = run_ours(me, me->engine, src, aout, pool);
                aim_frame_unref(&mid);
                if (err == AIM_ERR_MODEL_MISSING) {
                    ok[m] = 0;
                    continue;
                }
                if (err)
                    die("our scaler failed");
            }
            cpu[m] += aim_cpu_s() - t0;
            double se_all = 0, se_edge = 0;
            long ne = 0;
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++) {
                    int o = orig->data[0][y * orig->linesize[0] + x];
                    int v = me->is_sws ? up->data[0][y * up->linesize[0] + x]
                                       : aout->data[0][y * aout->stride[0] + x];
                    double e = (double)(v - o) * (v - o);
                    se_all += e;
                    if (mask[y * W + x]) {
                        se_edge += e;
                        ne++;
                    }
                }
            res[i][m][0] = psnr(se_all, (long)W * H);
            res[i][m][1] = psnr(se_edge, ne);
            sum_all[m] += se_all;
            sum_edge[m] += se_edge;
            if (n_all <= (long)i * W * H) { // the first method run on this still
                n_all += (long)W * H;
                n_edge += ne;
            }
        }
        coverage[i] = cov;
        free(mask);
        aim_frame_unref(&asmall);
        aim_frame_unref(&aout);
        av_frame_free(&up);
        av_frame_free(&small);
        av_frame_free(&orig);
    }
    for (int m = 0; m < nm; m++) {
        if (!ok[m] && (!only || in_list(only, methods[m].name))) {
            printf("%-26s | not installed (ainimotion models install %s)\n", methods[m].name,
                   methods[m].engine);
            continue;
        }
        if (!ok[m])
            continue;
        printf("%-26s", methods[m].name);
        for (int i = 0; i < nn; i++)
            printf(" | %6.2f / %6.2f    ", res[i][m][0], res[i][m][1]);
        printf(" | %6.2f / %6.2f | %8.3f\n", psnr(sum_all[m], n_all),
               psnr(sum_edge[m], n_edge), cpu[m] / nn);
    }
    printf("(all stills: PSNR of the pooled MSE; edge: inside Sobel >= %d dilated by %d px, "
           "covering", EDGE_T, EDGE_R);
    for (int i = 0; i < nn; i++)
        printf(" %.1f%s", 100 * coverage[i], i + 1 < nn ? "," : " % of the stills)\n");
    for (int i = 0; i < nn; i++)
        free(names[i]);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *stills = "../shared/clips/stills", *only = NULL;
    double seconds = 1.0;
    int nn = 0, cw = 960, ch = 540;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--nn"))
            nn = 1;
        else if (!strcmp(argv[i], "--crop") && i + 1 < argc)
            sscanf(argv[++i], "%dx%d", &cw, &ch);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else
            stills = argv[i];
    }
    if (nn) {
        AimPool *pool = NULL; // both cores: the neural rows take seconds per frame
        if (aim_pool_create(&pool, 1))
            die("aim_pool_create");
        bench_quality(stills, 6, nn_methods, NNN, cw, ch, only, pool);
        bench_quality(stills, 0, nn_methods, NNN, cw, ch, only, pool);
        aim_pool_destroy(&pool);
        return 0;
    }
    AimPool *pool2 = NULL;
    if (aim_pool_create(&pool2, 1))
        die("aim_pool_create");
    static const int sizes[][4] = { { 1920, 1080, 2560, 1440 }, { 640, 480, 854, 640 } };
    printf("speed: frames/s (median of alternating calls, %.1f s per row; 1t: from the thread's "
           "CPU time, 2t: wall clock), Lanczos-3, all planes 4:2:0 (ours: AVX2 %s; swscale: "
           "SWS_LANCZOS, its own SIMD)\n", seconds,
           (aim_cpu_detect() & AIM_CPU_AVX2) ? "on" : "unavailable");
    printf("%-24s | %-5s | %9s %9s %6s | %9s %9s %6s\n", "size", "depth", "ours 1t", "sws 1t",
           "ratio", "ours 2t", "sws 2t", "ratio");
    for (int i = 0; i < 2; i++)
        for (int depth = 8; depth <= 10; depth += 2) {
            Speed r = bench_speed(sizes[i][0], sizes[i][1], sizes[i][2], sizes[i][3], depth,
                                  seconds, pool2);
            char sz[64];
            snprintf(sz, sizeof(sz), "%dx%d -> %dx%d", sizes[i][0], sizes[i][1], sizes[i][2],
                     sizes[i][3]);
            printf("%-24s | %-5d | %9.1f %9.1f %5.2fx | %9.1f %9.1f %5.2fx\n", sz, depth,
                   r.ours[0], r.sws[0], r.ours[0] / r.sws[0], r.ours[1], r.sws[1],
                   r.ours[1] / r.sws[1]);
            fflush(stdout);
        }
    aim_pool_destroy(&pool2);
    bench_options(seconds);
    bench_quality(stills, 0, methods, NMETHODS, 0, 0, NULL, NULL);
    // qscale 6: visible 8x8 blocking in flat gradients and mosquito noise around lines at
    // the bitrate of a low-rate MPEG-2 stream (~0.5 bit/pixel on these stills).
    bench_quality(stills, 6, methods, NMETHODS, 0, 0, NULL, NULL);
    return 0;
}
