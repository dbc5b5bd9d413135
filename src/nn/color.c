// YUV <-> RGB for the neural upscalers (see color.h).
#include <math.h>

#include "nn/color.h"

void aim_nn_color_init(AimNnColor *cc, const AimColor *c, int depth, int height)
{
    float kr, kb;
    switch (c->matrix) {
    case 1: kr = 0.2126f; kb = 0.0722f; break;
    case 5: case 6: kr = 0.299f; kb = 0.114f; break;
    case 9: case 10: kr = 0.2627f; kb = 0.0593f; break;
    case 4: kr = 0.30f; kb = 0.11f; break;
    case 7: kr = 0.212f; kb = 0.087f; break;
    default:
        if (height > 576) {
            kr = 0.2126f; kb = 0.0722f;
        } else {
            kr = 0.299f; kb = 0.114f;
        }
    }
    cc->kr = kr;
    cc->kb = kb;
    float m = (float)(1 << (depth - 8));
    cc->maxv = (float)((1 << depth) - 1);
    if (c->range == 2) {
        cc->y_off = 0;
        cc->y_scale = 1.f / cc->maxv;
        cc->c_off = (float)(1 << (depth - 1));
        cc->c_scale = 1.f / cc->maxv;
    } else {
        cc->y_off = 16 * m;
        cc->y_scale = 1.f / (219 * m);
        cc->c_off = 128 * m;
        cc->c_scale = 1.f / (224 * m);
    }
    int loc = c->chroma_loc;
    cc->cx_center = loc == 2 || loc == 4 || loc == 6;
    cc->cy_mode = loc == 3 || loc == 4 ? 1 : loc == 5 || loc == 6 ? 2 : 0;
}

// Source chroma position (in chroma samples) of luma coordinate i along one axis.
static inline float chroma_pos(int i, int mode)
{
    return mode == 0 ? (i - 0.5f) * 0.5f   // centred between two luma samples
         : mode == 1 ? i * 0.5f            // co-sited with the first
                     : (i - 1.f) * 0.5f;   // co-sited with the second (bottom)
}

void aim_nn_yuv_to_rgb(const AimNnColor *cc, const AimFrame *f, int x0, int y0, int w, int h,
                       float *const rgb[3], ptrdiff_t stride)
{
    int cw = aim_chroma_w(f->width), ch = aim_chroma_h(f->height);
    float kr = cc->kr, kb = cc->kb, kg = 1.f - kr - kb;
    float crr = 2 * (1 - kr), cbb = 2 * (1 - kb);
    float cgr = -crr * kr / kg, cgb = -cbb * kb / kg;
    for (int y = 0; y < h; y++) {
        int ly = y0 + y;
        float fy = chroma_pos(ly, cc->cy_mode == 0 ? 0 : cc->cy_mode == 1 ? 1 : 2);
        int cy0 = (int)floorf(fy);
        float wy = fy - cy0;
        int ya = cy0 < 0 ? 0 : cy0 >= ch ? ch - 1 : cy0;
        int yb = cy0 + 1 < 0 ? 0 : cy0 + 1 >= ch ? ch - 1 : cy0 + 1;
        const uint16_t *yr = f->data[0] + (ptrdiff_t)ly * f->stride[0];
        const uint16_t *ua = f->data[1] + (ptrdiff_t)ya * f->stride[1];
        const uint16_t *ub = f->data[1] + (ptrdiff_t)yb * f->stride[1];
        const uint16_t *va = f->data[2] + (ptrdiff_t)ya * f->stride[2];
        const uint16_t *vb = f->data[2] + (ptrdiff_t)yb * f->stride[2];
        for (int x = 0; x < w; x++) {
            int lx = x0 + x;
            float fx = cc->cx_center ? (lx - 0.5f) * 0.5f : lx * 0.5f;
            int cx0 = (int)floorf(fx);
            float wx = fx - cx0;
            int xa = cx0 < 0 ? 0 : cx0 >= cw ? cw - 1 : cx0;
            int xb = cx0 + 1 < 0 ? 0 : cx0 + 1 >= cw ? cw - 1 : cx0 + 1;
            float u = (1 - wy) * ((1 - wx) * ua[xa] + wx * ua[xb]) + wy * ((1 - wx) * ub[xa] + wx * ub[xb]);
            float v = (1 - wy) * ((1 - wx) * va[xa] + wx * va[xb]) + wy * ((1 - wx) * vb[xa] + wx * vb[xb]);
            float Y = (yr[lx] - cc->y_off) * cc->y_scale;
            float Cb = (u - cc->c_off) * cc->c_scale, Cr = (v - cc->c_off) * cc->c_scale;
            rgb[0][y * stride + x] = Y + crr * Cr;
            rgb[1][y * stride + x] = Y + cgr * Cr + cgb * Cb;
            rgb[2][y * stride + x] = Y + cbb * Cb;
        }
    }
}

static inline uint16_t quant(float v, float maxv)
{
    v = v + 0.5f;
    return v <= 0 ? 0 : v >= maxv ? (uint16_t)maxv : (uint16_t)v;
}

void aim_nn_rgb_to_yuv(const AimNnColor *cc, AimFrame *f, int x0, int y0, int w, int h,
                       const float *const rgb[3], ptrdiff_t stride)
{
    float kr = cc->kr, kb = cc->kb, kg = 1.f - kr - kb;
    float ys = 1.f / cc->y_scale, cs = 1.f / cc->c_scale;
    float sb = 0.5f / (1 - kb), sr = 0.5f / (1 - kr);
    for (int y = 0; y < h; y++) {
        uint16_t *d = f->data[0] + (ptrdiff_t)(y0 + y) * f->stride[0] + x0;
        for (int x = 0; x < w; x++) {
            float Y = kr * rgb[0][y * stride + x] + kg * rgb[1][y * stride + x] +
                      kb * rgb[2][y * stride + x];
            d[x] = quant(Y * ys + cc->y_off, cc->maxv);
        }
    }
    for (int y = 0; y < h; y += 2) {
        int ny = y + 1 < h ? 2 : 1;
        uint16_t *u = f->data[1] + (ptrdiff_t)((y0 + y) >> 1) * f->stride[1] + (x0 >> 1);
        uint16_t *v = f->data[2] + (ptrdiff_t)((y0 + y) >> 1) * f->stride[2] + (x0 >> 1);
        for (int x = 0; x < w; x += 2) {
            int nx = x + 1 < w ? 2 : 1;
            float r = 0, g = 0, b = 0;
            for (int j = 0; j < ny; j++)
                for (int i = 0; i < nx; i++) {
                    r += rgb[0][(y + j) * stride + x + i];
                    g += rgb[1][(y + j) * stride + x + i];
                    b += rgb[2][(y + j) * stride + x + i];
                }
            float n = 1.f / (nx * ny);
            r *= n; g *= n; b *= n;
            float Y = kr * r + kg * g + kb * b;
            u[x >> 1] = quant((b - Y) * sb * cs + cc->c_off, cc->maxv);
            v[x >> 1] = quant((r - Y) * sr * cs + cc->c_off, cc->maxv);
        }
    }
}
