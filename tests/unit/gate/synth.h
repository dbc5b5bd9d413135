// Synthetic cel-style pictures with exact ground truth for the gate tests: a vertical gradient
// background, flat-shaded ellipses and rectangles with dark outlines, optional noise.
#ifndef AIM_TESTS_GATE_SYNTH_H
#define AIM_TESTS_GATE_SYNTH_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ainimotion/frame.h"

typedef struct SynthShape {
    int ellipse;         // 1 = ellipse, 0 = rectangle
    double cx, cy, rx, ry;
    int y, u, v;         // 8-bit fill
} SynthShape;

typedef struct SynthScene {
    int top[3], bottom[3]; // background gradient, 8-bit YUV
    SynthShape shape[8];
    int nshape;
    int outline;           // outline luma, 0 = dark (30)
} SynthScene;

// Deterministic noise.
static inline uint32_t synth_rand(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

// Colour (8-bit Y, U, V) of the scene at luma position (x, y); outline 2 px wide, dark.
static inline void synth_color(const SynthScene *sc, double x, double y, int h, int out[3])
{
    double t = y / (h > 1 ? h - 1 : 1);
    for (int c = 0; c < 3; c++)
        out[c] = (int)(sc->top[c] + (sc->bottom[c] - sc->top[c]) * t + 0.5);
    for (int k = 0; k < sc->nshape; k++) {
        const SynthShape *s = &sc->shape[k];
        double dx = (x - s->cx) / s->rx, dy = (y - s->cy) / s->ry, in, edge;
        if (s->ellipse) {
            double d = dx * dx + dy * dy;
            in = d <= 1.0;
            // outline: within ~2 px of the border
            double r = sqrt(d), px = 2.0 / (s->rx < s->ry ? s->rx : s->ry);
            edge = in && r > 1.0 - px;
        } else {
            double ax = fabs(dx), ay = fabs(dy);
            in = ax <= 1.0 && ay <= 1.0;
            edge = in && (ax > 1.0 - 2.0 / s->rx || ay > 1.0 - 2.0 / s->ry);
        }
        if (edge) {
            out[0] = sc->outline ? sc->outline : 30; out[1] = 128; out[2] = 128;
        } else if (in) {
            out[0] = s->y; out[1] = s->u; out[2] = s->v;
        }
    }
}

// Renders a blend (1 - a) * s0 + a * s1 (s1 may be NULL = black) with +-noise levels of
// uniform noise (8-bit units) into f.
static inline void synth_render(AimFrame *f, const SynthScene *s0, const SynthScene *s1, double a,
                                int noise, uint32_t seed)
{
    int mx = (1 << f->depth) - 1, sh = f->depth - 8;
    uint32_t rs = seed * 2654435761u + 1;
    for (int p = 0; p < 3; p++) {
        int pw = aim_plane_w(f, p), ph = aim_plane_h(f, p), sc = p ? 2 : 1;
        for (int y = 0; y < ph; y++)
            for (int x = 0; x < pw; x++) {
                int c0[3], c1[3] = { 16, 128, 128 };
                synth_color(s0, x * sc + 0.5 * (sc - 1), y * sc + 0.5 * (sc - 1), f->height, c0);
                if (s1)
                    synth_color(s1, x * sc + 0.5 * (sc - 1), y * sc + 0.5 * (sc - 1), f->height, c1);
                double v = (1 - a) * c0[p] + a * c1[p];
                if (noise && p == 0)
                    v += (double)((int)(synth_rand(&rs) % (2 * noise + 1)) - noise);
                long q = lround(v * (1 << sh));
                f->data[p][(size_t)y * f->stride[p] + x] = (uint16_t)(q < 0 ? 0 : q > mx ? mx : q);
            }
    }
}

// Anti-aliased render (4x4 samples per pixel, luma only; chroma flat grey) of s0 moved by
// (dx, dy) pixels: for sub-pixel camera moves.
static inline AimFrame *synth_frame_aa(int w, int h, int depth, const SynthScene *s0, double dx,
                                       double dy, int noise, uint32_t seed)
{
    AimFrame *f = NULL;
    if (aim_frame_alloc(&f, w, h, depth, 0) < 0)
        return NULL;
    SynthScene sc = *s0;
    for (int k = 0; k < sc.nshape; k++) {
        sc.shape[k].cx += dx;
        sc.shape[k].cy += dy;
    }
    int sh = depth - 8, mx = (1 << depth) - 1;
    uint32_t rs = seed * 2654435761u + 1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double acc = 0;
            for (int j = 0; j < 4; j++)
                for (int i = 0; i < 4; i++) {
                    int c[3];
                    synth_color(&sc, x + (i + 0.5) / 4 - 0.5, y + (j + 0.5) / 4 - 0.5, h, c);
                    acc += c[0];
                }
            double v = acc / 16;
            if (noise)
                v += (double)((int)(synth_rand(&rs) % (2 * noise + 1)) - noise);
            long q = lround(v * (1 << sh));
            f->data[0][(size_t)y * f->stride[0] + x] = (uint16_t)(q < 0 ? 0 : q > mx ? mx : q);
        }
    for (int p = 1; p < 3; p++)
        for (int y = 0; y < aim_plane_h(f, p); y++)
            for (int x = 0; x < aim_plane_w(f, p); x++)
                f->data[p][(size_t)y * f->stride[p] + x] = (uint16_t)(128 << sh);
    return f;
}

static inline AimFrame *synth_frame(int w, int h, int depth, const SynthScene *s0,
                                    const SynthScene *s1, double a, int noise, uint32_t seed)
{
    AimFrame *f = NULL;
    if (aim_frame_alloc(&f, w, h, depth, 0) < 0)
        return NULL;
    synth_render(f, s0, s1, a, noise, seed);
    return f;
}

#endif
