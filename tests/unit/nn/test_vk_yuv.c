// The pipeline's device hand-off between Model A and Model B (nn/gpu.h AimNnGpuYuv), on
// lavapipe with the validation layer (any message fails), against the host path bit for bit:
//  1. aim_nn_gpu_yuv_merge ("yuv_merge": RGB -> YUV of a region, the mask's static blocks from
//     the base frame) == aim_nn_rgb_to_yuv over the region of a copy of f0, then f0's samples
//     in every static block (what the rife engine and the interp dispatcher do on the host);
//  2. aim_nn_gpu_yuv_to_rgb ("yuv_rgb") == aim_nn_yuv_to_rgb of the whole frame (the
//     upscaler's per-tile read; per pixel, so the same values whatever the tiles);
//  3. upload -> download returns the frame;
//  4. aim_scaler_run_device (the scale thread's entry) == aim_scaler_run on the same samples,
//     with anime4k-cnn-m on the device and on the CPU (the upscaler's fallback: the samples
//     are downloaded), at x2 and at 1.5x (the model's x2, then Lanczos), with and without the
//     sharpen pass after the model; skipped with a message when the model is not installed.
// Over frame shapes (1x1, odd sizes), regions (the whole frame, inner ones at even offsets,
// odd sizes), masks (none, blocks of 2, 4, 16), 8 and 10 bits, and colour descriptions (each
// matrix family, both ranges, every chroma siting), with RGB values beyond [0, 1] (the network's
// output is not clamped) so the quantiser's clamps are hit. Then the packing cases (the device
// frame holds two 16-bit samples per uint32 word, rows padded to whole words, nn/gpu.c): frames
// 1 pixel wide or high and odd sizes, whose samples (f0's and the RGB's quantised) alternate
// between 0 and the depth's maximum (255, 1023), so a swapped, shifted, truncated or shared half
// word changes a sample. No device: exit 77.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "nn/color.h"
#include "nn/models.h"
#include "scale/scale.h"
#include "vk_check.h"

static uint32_t rng_state = 12345;

static uint32_t rnd(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

static void fill_frame(AimFrame *f)
{
    const int maxv = (1 << f->depth) - 1;
    for (int p = 0; p < 3; p++)
        for (int y = 0; y < aim_plane_h(f, p); y++)
            for (int x = 0; x < aim_plane_w(f, p); x++)
                f->data[p][y * f->stride[p] + x] = (uint16_t)(rnd() % (maxv + 1));
}

// the packing cases' frame: 0 and the maximum alternating (a checkerboard, each plane's shifted)
static void fill_extremes(AimFrame *f)
{
    const int maxv = (1 << f->depth) - 1;
    for (int p = 0; p < 3; p++)
        for (int y = 0; y < aim_plane_h(f, p); y++)
            for (int x = 0; x < aim_plane_w(f, p); x++)
                f->data[p][y * f->stride[p] + x] = (uint16_t)((x ^ y ^ p) & 1 ? maxv : 0);
}

static int same_frame(const AimFrame *a, const AimFrame *b)
{
    int diff = 0;
    for (int p = 0; p < 3; p++)
        for (int y = 0; y < aim_plane_h(a, p); y++)
            for (int x = 0; x < aim_plane_w(a, p); x++)
                diff += a->data[p][y * a->stride[p] + x] != b->data[p][y * b->stride[p] + x];
    if (diff)
        fprintf(stderr, "  %d samples differ\n", diff);
    return diff == 0;
}

// f0's samples in the mask's static blocks (the interp dispatcher's copy_static, per sample)
static void copy_static_ref(const AimMotionMask *m, const AimFrame *f0, AimFrame *out)
{
    for (int p = 0; p < 3; p++) {
        int b = p ? m->block / 2 : m->block;
        for (int y = 0; y < aim_plane_h(f0, p); y++)
            for (int x = 0; x < aim_plane_w(f0, p); x++)
                if (!m->data[(y / b) * m->w + x / b])
                    out->data[p][y * out->stride[p] + x] = f0->data[p][y * f0->stride[p] + x];
    }
}

typedef struct Gpu {
    AimNnGpuYuv *base, *dst;
    AimNnGpuImage *img;
} Gpu;

static void one_case(Gpu *g, int w, int h, int depth, const AimColor *col, int rx, int ry,
                     int rw, int rh, int block, int extremes, int *cases, int *ok)
{
    AimNnColor cc;
    aim_nn_color_init(&cc, col, depth, h);
    AimFrame *f0 = NULL, *ref = NULL, *got = NULL;
    CHECK_EQ_INT(aim_frame_alloc(&f0, w, h, depth, 0), 0);
    CHECK_EQ_INT(aim_frame_alloc(&ref, w, h, depth, 0), 0);
    CHECK_EQ_INT(aim_frame_alloc(&got, w, h, depth, 0), 0);
    f0->color = *col;
    if (extremes)
        fill_extremes(f0);
    else
        fill_frame(f0);
    float *rgb[3];
    for (int c = 0; c < 3; c++) {
        CHECK((rgb[c] = malloc(sizeof(float) * (size_t)rw * rh)) != NULL);
        for (int i = 0; i < rw * rh; i++) // extremes: grey beyond black and white, alternating
            rgb[c][i] = extremes ? ((i % rw + i / rw) & 1 ? 1.2f : -0.2f)
                                 : -0.2f + 1.4f * (float)(rnd() % 100000) / 100000.f;
    }
    AimMotionMask m = { NULL, 0, 0, block };
    if (block) {
        m.w = (w + block - 1) / block;
        m.h = (h + block - 1) / block;
        CHECK((m.data = malloc((size_t)m.w * m.h)) != NULL);
        for (int i = 0; i < m.w * m.h; i++)
            m.data[i] = rnd() % 3 != 0; // two thirds move
    }
    // the host path
    aim_frame_copy(ref, f0);
    aim_nn_rgb_to_yuv(&cc, ref, rx, ry, rw, rh, (const float *const *)rgb, rw);
    if (block)
        copy_static_ref(&m, f0, ref);
    // the device
    int err = aim_nn_gpu_yuv_upload(g->base, f0);
    if (!err)
        err = aim_nn_gpu_image_upload(g->img, rw, rh, (const float *const *)rgb, rw);
    if (!err)
        err = aim_nn_gpu_yuv_merge(g->dst, g->base, g->img, rx, ry, block ? &m : NULL, &cc);
    if (!err)
        err = aim_nn_gpu_yuv_download(g->dst, got);
    CHECK_EQ_INT(err, 0);
    int good = !err && same_frame(ref, got);
    // 3. the round trip of the base frame
    if (!err && !(err = aim_nn_gpu_yuv_download(g->base, got)))
        good &= same_frame(f0, got);
    CHECK_EQ_INT(err, 0);
    // 2. YUV -> RGB of the merged frame
    float *want[3], *have[3];
    for (int c = 0; c < 3; c++) {
        CHECK((want[c] = malloc(sizeof(float) * (size_t)w * h)) != NULL);
        CHECK((have[c] = malloc(sizeof(float) * (size_t)w * h)) != NULL);
    }
    aim_nn_yuv_to_rgb(&cc, ref, 0, 0, w, h, want, w);
    if (!err)
        err = aim_nn_gpu_yuv_to_rgb(g->dst, &cc, g->img);
    if (!err)
        err = aim_nn_gpu_image_download(g->img, have, w);
    CHECK_EQ_INT(err, 0);
    int iw = 0, ih = 0;
    aim_nn_gpu_image_size(g->img, &iw, &ih);
    good &= iw == w && ih == h;
    size_t diff = 0;
    for (int c = 0; c < 3 && !err; c++)
        for (int i = 0; i < w * h; i++)
            diff += memcmp(&want[c][i], &have[c][i], sizeof(float)) != 0;
    if (diff)
        fprintf(stderr, "  yuv_rgb: %zu values differ\n", diff);
    good &= diff == 0;
    if (!good)
        fprintf(stderr, "  case %dx%d %d-bit matrix %d range %d loc %d region %d,%d %dx%d "
                "block %d%s failed\n", w, h, depth, col->matrix, col->range, col->chroma_loc, rx,
                ry, rw, rh, block, extremes ? " extremes" : "");
    CHECK(good);
    (*cases)++;
    *ok += good;
    for (int c = 0; c < 3; c++) {
        free(rgb[c]);
        free(want[c]);
        free(have[c]);
    }
    free(m.data);
    aim_frame_unref(&f0);
    aim_frame_unref(&ref);
    aim_frame_unref(&got);
}

static void test_device(AimVkDevice *dev, const char *name)
{
    Gpu g = { 0 };
    CHECK_EQ_INT(aim_nn_gpu_yuv_create(&g.base, dev), 0);
    CHECK_EQ_INT(aim_nn_gpu_yuv_create(&g.dst, dev), 0);
    CHECK_EQ_INT(aim_nn_gpu_image_create(&g.img, dev), 0);
    static const int shapes[][2] = { { 1, 1 }, { 2, 2 }, { 3, 5 }, { 17, 9 }, { 64, 36 },
                                     { 33, 20 } };
    // matrix, range, chroma_loc: BT.709 limited centre-left, BT.601 full centre, BT.2020
    // limited top-left, unspecified (by height) full bottom-left, FCC, SMPTE 240M
    static const AimColor cols[] = {
        { 1, 2, 2, 1, 1 }, { 6, 2, 2, 2, 2 }, { 9, 2, 2, 1, 3 }, { 2, 2, 2, 2, 5 },
        { 4, 2, 2, 0, 4 }, { 7, 2, 2, 1, 6 },
    };
    static const int blocks[] = { 0, 2, 4, 16 };
    int cases = 0, ok = 0;
    for (size_t si = 0; si < sizeof(shapes) / sizeof(shapes[0]); si++)
        for (int depth = 8; depth <= 10; depth += 2)
            for (size_t ci = 0; ci < sizeof(cols) / sizeof(cols[0]); ci++)
                for (size_t bi = 0; bi < sizeof(blocks) / sizeof(blocks[0]); bi++) {
                    int w = shapes[si][0], h = shapes[si][1];
                    int rx = 0, ry = 0, rw = w, rh = h;
                    if ((ci + bi) & 1) { // an inner region at even offsets, any size
                        rx = (int)(rnd() % (unsigned)w) & ~1;
                        ry = (int)(rnd() % (unsigned)h) & ~1;
                        rw = 1 + (int)(rnd() % (unsigned)(w - rx));
                        rh = 1 + (int)(rnd() % (unsigned)(h - ry));
                    }
                    one_case(&g, w, h, depth, &cols[ci], rx, ry, rw, rh, blocks[bi], 0, &cases,
                             &ok);
                }
    fprintf(stderr, "%s: %d/%d merge + yuv_rgb cases bit-identical to the host path\n", name,
            ok, cases);
    // the packing cases: 1 wide or high, odd widths (a padded last word per row, odd chroma
    // widths), full range so the luma reaches 0 and the maximum; the whole frame, then an inner
    // region at x = 2 (merge's offsets are even) one pixel short of the right edge, without
    // and with a mask (blocks of 2: the static samples are f0's, read from its half words)
    static const int pshapes[][2] = { { 1, 1 }, { 1, 7 }, { 7, 1 }, { 2, 1 }, { 1, 2 },
                                      { 5, 3 }, { 3, 6 }, { 6, 5 }, { 13, 4 } };
    static const AimColor full = { 1, 2, 2, 2, 1 };
    int pcases = 0, pok = 0;
    for (size_t si = 0; si < sizeof(pshapes) / sizeof(pshapes[0]); si++)
        for (int depth = 8; depth <= 10; depth += 2)
            for (int k = 0; k < 3; k++) {
                int w = pshapes[si][0], h = pshapes[si][1];
                int rx = k && w > 2 ? 2 : 0, rw = k && w > 3 ? w - rx - 1 : w - rx;
                one_case(&g, w, h, depth, k ? &cols[0] : &full, rx, 0, rw, h, k == 2 ? 2 : 0,
                         1, &pcases, &pok);
            }
    fprintf(stderr, "%s: %d/%d packing cases (0 and the maximum alternating) bit-identical\n",
            name, pok, pcases);
    aim_nn_gpu_yuv_destroy(&g.base);
    aim_nn_gpu_yuv_destroy(&g.dst);
    aim_nn_gpu_image_destroy(&g.img);
}

// --- 4. the scaler's device entry

static void test_scaler(AimVkDevice *dev)
{
    char path[4096];
    AimLog quiet = { 0 };
    if (aim_models_locate(path, sizeof(path), NULL, "anime4k-cnn-m", "cnn-2x-m-an.json",
                          &quiet) < 0) {
        fprintf(stderr, "SKIP part 4: anime4k-cnn-m not installed\n");
        return;
    }
    const int w = 37, h = 22, depth = 10;
    AimFrame *in = NULL;
    CHECK_EQ_INT(aim_frame_alloc(&in, w, h, depth, 0), 0);
    in->color = (AimColor){ 1, 2, 2, 1, 1 };
    fill_frame(in);
    AimNnGpuYuv *y = NULL;
    CHECK_EQ_INT(aim_nn_gpu_yuv_create(&y, dev), 0);
    CHECK_EQ_INT(aim_nn_gpu_yuv_upload(y, in), 0);
    int cases = 0, ok = 0;
    for (int on_dev = 0; on_dev < 2; on_dev++)
        for (int k = 0; k < 4; k++) {
            AimScalerSettings ss;
            aim_scaler_default_settings(&ss);
            ss.engine = "anime4k-cnn-m";
            ss.src_w = w;
            ss.src_h = h;
            ss.dst_w = k & 1 ? w * 3 / 2 : 2 * w;
            ss.dst_h = k & 1 ? h * 3 / 2 : 2 * h;
            ss.depth = depth;
            ss.color = in->color;
            ss.restore.sharpen = k & 2 ? 0.5f : 0.f;
            ss.device = on_dev ? dev : NULL;
            AimScaler *sc = NULL;
            AimFrame *want = NULL, *got = NULL;
            CHECK_EQ_INT(aim_scaler_create(&sc, &ss), 0);
            if (!sc)
                continue;
            CHECK(aim_scaler_device(sc) == (on_dev ? dev : NULL));
            CHECK_EQ_INT(aim_frame_alloc(&want, ss.dst_w, ss.dst_h, depth, 0), 0);
            CHECK_EQ_INT(aim_frame_alloc(&got, ss.dst_w, ss.dst_h, depth, 0), 0);
            CHECK_EQ_INT(aim_scaler_run(sc, in, want), 0);
            CHECK_EQ_INT(aim_scaler_run_device(sc, in, y, got), 0);
            int good = same_frame(want, got);
            if (!good)
                fprintf(stderr, "  scaler %s %dx%d sharpen %.1f differs\n",
                        on_dev ? "device" : "cpu", ss.dst_w, ss.dst_h, (double)ss.restore.sharpen);
            CHECK(good);
            cases++;
            ok += good;
            aim_frame_unref(&want);
            aim_frame_unref(&got);
            aim_scaler_destroy(&sc);
        }
    // a deblock before the model reads the host samples: no device entry
    AimScalerSettings ss;
    aim_scaler_default_settings(&ss);
    ss.engine = "anime4k-cnn-m";
    ss.src_w = w;
    ss.src_h = h;
    ss.dst_w = 2 * w;
    ss.dst_h = 2 * h;
    ss.depth = depth;
    ss.restore.deblock = 0.25f;
    ss.device = dev;
    AimScaler *sc = NULL;
    AimFrame *out = NULL;
    CHECK_EQ_INT(aim_scaler_create(&sc, &ss), 0);
    CHECK_EQ_INT(aim_frame_alloc(&out, ss.dst_w, ss.dst_h, depth, 0), 0);
    CHECK(aim_scaler_device(sc) == NULL);
    CHECK_EQ_INT(aim_scaler_run_device(sc, in, y, out), AIM_ERR(EINVAL));
    fprintf(stderr, "scaler: %d/%d device-entry runs equal to the host entry\n", ok, cases);
    aim_frame_unref(&out);
    aim_scaler_destroy(&sc);
    aim_nn_gpu_yuv_destroy(&y);
    aim_frame_unref(&in);
}

int main(void)
{
    VkCheck vc;
    vkc_open(&vc);
    // the shaders are fp32 whatever the device's precision: the fp32 device is enough
    test_device(vc.dev[0], "fp32 device");
    test_scaler(vc.dev[0]);
    return vkc_close(&vc, "test_vk_yuv");
}
