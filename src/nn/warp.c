// rife.Warp (see warp.h). Plain C; RIFE's cost is in its convolutions.
#include <math.h>

#include "nn/warp.h"

#define BAD(...) do { aim_log(log, AIM_LOG_ERROR, __VA_ARGS__); return AIM_ERR_INVALID_DATA; } while (0)

static int warp_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    if (in[0].dims != 3 || in[1].dims != 3 || in[1].c != 2 || in[1].w != in[0].w ||
        in[1].h != in[0].h)
        BAD("%s: warp needs an image and a 2-channel flow of its size", l->name);
    *out = (AimNnMat){ NULL, 3, in[0].w, in[0].h, in[0].c, 0 };
    return 0;
}

static int warp_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    const AimNnMat *img = &in[0], *flow = &in[1];
    int w = img->w, h = img->h;
    const float *fx = aim_nn_chan(flow, 0), *fy = aim_nn_chan(flow, 1);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            float sx = x + fx[i], sy = y + fy[i];
            // written so that NaN (a broken model) clamps to 0 instead of indexing anywhere
            sx = sx > 0 ? (sx < w - 1 ? sx : (float)(w - 1)) : 0;
            sy = sy > 0 ? (sy < h - 1 ? sy : (float)(h - 1)) : 0;
            int x0 = (int)floorf(sx), y0 = (int)floorf(sy);
            int x1 = x0 + 1 < w ? x0 + 1 : x0, y1 = y0 + 1 < h ? y0 + 1 : y0;
            float ax = sx - x0, ay = sy - y0;
            for (int q = 0; q < img->c; q++) {
                const float *s = aim_nn_chan(img, q);
                float v0 = s[(size_t)y0 * w + x0] * (1 - ax) + s[(size_t)y0 * w + x1] * ax;
                float v1 = s[(size_t)y1 * w + x0] * (1 - ax) + s[(size_t)y1 * w + x1] * ax;
                aim_nn_chan(out, q)[i] = v0 * (1 - ay) + v1 * ay;
            }
        }
    return 0;
}

const AimNnOpDesc aim_nn_op_rife_warp = { "rife.Warp", 2, 2, 1, 1, NULL, NULL, NULL,
                                          warp_shape, warp_fwd };
