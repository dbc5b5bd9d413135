// YUV <-> RGB of the neural engines: known values per matrix/range, and round trips at 8 and
// 10 bit within one code value on smooth content.
#include <stdlib.h>

#include "test.h"
#include "nn/color.h"

static void fill_frame(AimFrame *f, int y, int u, int v)
{
    for (int p = 0; p < 3; p++)
        for (int r = 0; r < aim_plane_h(f, p); r++)
            for (int x = 0; x < aim_plane_w(f, p); x++)
                f->data[p][r * f->stride[p] + x] = (uint16_t)(p == 0 ? y : p == 1 ? u : v);
}

static void rgb_of(const AimNnColor *cc, const AimFrame *f, float out[3])
{
    float r, g, b;
    float *pl[3] = { &r, &g, &b };
    aim_nn_yuv_to_rgb(cc, f, 1, 1, 1, 1, pl, 1);
    out[0] = r; out[1] = g; out[2] = b;
}

static void test_known(void)
{
    AimFrame *f = NULL;
    CHECK_EQ_INT(aim_frame_alloc(&f, 8, 6, 8, 1), 0);
    AimNnColor cc;
    AimColor c709 = { 1, 1, 1, 1, 1 };
    aim_nn_color_init(&cc, &c709, 8, 1080);
    float rgb[3];
    fill_frame(f, 235, 128, 128);
    rgb_of(&cc, f, rgb);
    CHECK_NEAR(rgb[0], 1, 1e-5); CHECK_NEAR(rgb[1], 1, 1e-5); CHECK_NEAR(rgb[2], 1, 1e-5);
    fill_frame(f, 16, 128, 128);
    rgb_of(&cc, f, rgb);
    CHECK_NEAR(rgb[0], 0, 1e-5); CHECK_NEAR(rgb[2], 0, 1e-5);
    // BT.709 limited red: Y 63, Cb 102, Cr 240 (ITU-R BT.709 table, rounded codes)
    fill_frame(f, 63, 102, 240);
    rgb_of(&cc, f, rgb);
    CHECK_NEAR(rgb[0], 1, 0.01); CHECK_NEAR(rgb[1], 0, 0.01); CHECK_NEAR(rgb[2], 0, 0.01);
    // BT.601 limited red: Y 81, Cb 90, Cr 240
    AimColor c601 = { 6, 6, 6, 1, 1 };
    aim_nn_color_init(&cc, &c601, 8, 480);
    fill_frame(f, 81, 90, 240);
    rgb_of(&cc, f, rgb);
    CHECK_NEAR(rgb[0], 1, 0.01); CHECK_NEAR(rgb[1], 0, 0.01); CHECK_NEAR(rgb[2], 0, 0.01);
    // Unspecified matrix: 601 for SD, 709 for HD
    AimColor cu = { 2, 2, 2, 0, 0 };
    aim_nn_color_init(&cc, &cu, 8, 480);
    CHECK_NEAR(cc.kr, 0.299, 1e-6);
    aim_nn_color_init(&cc, &cu, 8, 720);
    CHECK_NEAR(cc.kr, 0.2126, 1e-6);
    // Full range 10-bit white
    AimColor cf = { 1, 1, 1, 2, 1 };
    aim_nn_color_init(&cc, &cf, 10, 1080);
    aim_frame_unref(&f);
    CHECK_EQ_INT(aim_frame_alloc(&f, 8, 6, 10, 1), 0);
    fill_frame(f, 1023, 512, 512);
    rgb_of(&cc, f, rgb);
    CHECK_NEAR(rgb[1], 1, 1e-5);
    aim_frame_unref(&f);
}

static void test_roundtrip(void)
{
    int depths[2] = { 8, 10 };
    AimColor cols[3] = { { 1, 1, 1, 1, 1 }, { 6, 6, 6, 2, 2 }, { 9, 9, 14, 1, 1 } };
    for (int di = 0; di < 2; di++)
        for (int ci = 0; ci < 3; ci++) {
            int d = depths[di], w = 38, h = 22, m = 1 << (d - 8);
            AimFrame *a = NULL, *b = NULL;
            aim_frame_alloc(&a, w, h, d, 1);
            aim_frame_alloc(&b, w, h, d, 1);
            // smooth content inside the legal range; chroma constant over each 2x2 block
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    a->data[0][y * a->stride[0] + x] = (uint16_t)((60 + x * 3 + y * 2) * m);
            for (int y = 0; y < aim_chroma_h(h); y++)
                for (int x = 0; x < aim_chroma_w(w); x++) {
                    a->data[1][y * a->stride[1] + x] = (uint16_t)((110 + x) * m);
                    a->data[2][y * a->stride[2] + x] = (uint16_t)((140 - y) * m);
                }
            AimNnColor cc;
            aim_nn_color_init(&cc, &cols[ci], d, h);
            float *buf = malloc(sizeof(float) * 3 * w * h);
            float *pl[3] = { buf, buf + w * h, buf + 2 * w * h };
            // two rectangles, as tiles would come
            aim_nn_yuv_to_rgb(&cc, a, 0, 0, w, h, pl, w);
            aim_nn_rgb_to_yuv(&cc, b, 0, 0, 20, h, (const float *const *)pl, w);
            const float *p2[3] = { pl[0] + 20, pl[1] + 20, pl[2] + 20 };
            aim_nn_rgb_to_yuv(&cc, b, 20, 0, w - 20, h, p2, w);
            int maxd = 0, maxc = 0;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    maxd = abs(a->data[0][y * a->stride[0] + x] - b->data[0][y * b->stride[0] + x]) > maxd ?
                           abs(a->data[0][y * a->stride[0] + x] - b->data[0][y * b->stride[0] + x]) : maxd;
            // chroma: interior samples (the bilinear upsampling then 2x2 averaging is a small
            // blur of a linear ramp, exact up to rounding away from the edges)
            for (int p = 1; p < 3; p++)
                for (int y = 1; y < aim_chroma_h(h) - 1; y++)
                    for (int x = 1; x < aim_chroma_w(w) - 1; x++) {
                        int dd = abs(a->data[p][y * a->stride[p] + x] - b->data[p][y * b->stride[p] + x]);
                        maxc = dd > maxc ? dd : maxc;
                    }
            CHECK_MSG(maxd <= 1, "depth %d matrix %d: luma differs by %d", d, cols[ci].matrix, maxd);
            CHECK_MSG(maxc <= 1 * m, "depth %d matrix %d: chroma differs by %d", d, cols[ci].matrix, maxc);
            free(buf);
            aim_frame_unref(&a);
            aim_frame_unref(&b);
        }
}

int main(void)
{
    test_known();
    test_roundtrip();
    return test_finish("test_color");
}
