// The scene of aim_gen: which drawing every frame shows (the layout, the source of the truth
// labels) and a small anti-aliased rasteriser for flat-shaded cel shapes with dark outlines.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

const char *const gen_label_names[GEN_NB_LABELS] = { "start", "cut", "hold", "motion", "fade" };

// ---------------------------------------------------------------------------------------------
// Layout. One cycle of GEN_CYCLE = 120 frames, c = frame % 120, cycle k = frame / 120, with
// three shots A (3k), B (3k+1), C (3k+2):
//   c   0- 23  shot A, character drawn on 2s (12 drawings)    c=0: start (k=0) or cut (k>0)
//   c  24- 35  shot A on 3s (4 drawings)
//   c  36- 47  shot A, only the mouth changes, on 2s (6 drawings): partial motion
//   c  48- 63  shot A, one new drawing held 16 frames (48 motion, 49-63 hold)
//   c  64- 87  hard cut to shot B, on 2s; c=76 is a single white flash frame replacing the first
//              frame of drawing 6 (76 and 77 are both motion)
//   c  88- 95  cross-dissolve from B's last drawing to C's first, t = 1/8 .. 8/8 (fade)
//   c  96-111  shot C on 2s (8 drawings)
//   c 112-119  fade to black of C's last drawing, t = 1/8 .. 8/8 (119 is black)
// Per cycle: start/cut 1 + 1, hold 60, motion 42, fade 16.
void gen_frame_desc(int64_t frame, GenFrameDesc *d)
{
    memset(d, 0, sizeof(*d));
    const int c = (int)(frame % GEN_CYCLE);
    const int32_t shot = (int32_t)(frame / GEN_CYCLE) * 3;
    d->mix = GEN_MIX_NONE;
    d->mix_den = 1;
    if (c < 24) {
        d->a = (GenDrawing){ shot, c / 2, 0, 0 };
        d->label = c == 0 ? (frame == 0 ? GEN_START : GEN_CUT) : c % 2 ? GEN_HOLD : GEN_MOTION;
        d->event = c == 0 ? GEN_EVENT_SHOT : GEN_EVENT_NONE;
    } else if (c < 36) {
        d->a = (GenDrawing){ shot, 12 + (c - 24) / 3, 0, 0 };
        d->label = (c - 24) % 3 == 0 ? GEN_MOTION : GEN_HOLD;
    } else if (c < 48) {
        d->a = (GenDrawing){ shot, 15, 1 + ((c - 36) / 2) % 2, 0 };
        d->label = c % 2 ? GEN_HOLD : GEN_MOTION;
        d->partial = 1;
    } else if (c < 64) {
        d->a = (GenDrawing){ shot, 16, 0, 0 };
        d->label = c == 48 ? GEN_MOTION : GEN_HOLD;
    } else if (c < 88) {
        const int j = c - 64;
        d->a = (GenDrawing){ shot + 1, j / 2, 0, 0 };
        if (c == 64) {
            d->label = GEN_CUT;
            d->event = GEN_EVENT_SHOT;
        } else if (c == 76) {
            d->mix = GEN_MIX_WHITE;
            d->mix_num = 1;
            d->label = GEN_MOTION;
            d->event = GEN_EVENT_FLASH;
        } else {
            d->label = c == 77 || j % 2 == 0 ? GEN_MOTION : GEN_HOLD;
        }
    } else if (c < 96) {
        d->a = (GenDrawing){ shot + 1, 11, 0, 0 };
        d->b = (GenDrawing){ shot + 2, 0, 0, 0 };
        d->mix = GEN_MIX_DISSOLVE;
        d->mix_num = c - 88 + 1;
        d->mix_den = 8;
        d->label = GEN_FADE;
    } else if (c < 112) {
        d->a = (GenDrawing){ shot + 2, 1 + (c - 96) / 2, 0, 0 };
        d->label = c % 2 ? GEN_HOLD : GEN_MOTION;
    } else {
        d->a = (GenDrawing){ shot + 2, 8, 0, 0 };
        d->mix = GEN_MIX_BLACK;
        d->mix_num = c - 112 + 1;
        d->mix_den = 8;
        d->label = GEN_FADE;
    }
}

// ---------------------------------------------------------------------------------------------
// Shapes, described by signed distance functions in pixel units (negative inside).

enum { SH_ELLIPSE, SH_RRECT, SH_POLY };

#define MAX_VERTS 10
#define MAX_SHAPES 40

typedef struct Shape {
    int type;
    float cx, cy, angle;  // centre and rotation (radians) in pixels
    float a, b, r;        // ellipse radii, or rounded-rect half sizes and corner radius
    int nv;
    float vx[MAX_VERTS], vy[MAX_VERTS]; // polygon, relative to the centre
    float fill[3];
    float line_w;         // outline width in pixels, centred on the edge; 0 = none
    float line[3];
} Shape;

typedef struct Scene {
    int bg_kind;          // 0 vertical gradient, 1 flat, 2 diagonal gradient
    float bg0[3], bg1[3];
    int n;
    Shape s[MAX_SHAPES];
} Scene;

// Plain min/max: fminf/fmaxf are library calls (NaN rules) unless -ffinite-math-only.
static inline float minf(float a, float b)
{
    return a < b ? a : b;
}

static inline float maxf(float a, float b)
{
    return a > b ? a : b;
}

static inline float clampf(float v, float lo, float hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

// Inigo Quilez's ellipse distance approximation (exact on the edge, good to ~1 px around it,
// which is all the 1-px anti-aliasing and the outline need).
static float sd_ellipse(float px, float py, float a, float b)
{
    const float k0 = sqrtf((px / a) * (px / a) + (py / b) * (py / b));
    const float k1 = sqrtf((px / (a * a)) * (px / (a * a)) + (py / (b * b)) * (py / (b * b)));
    if (k1 <= 0.0f)
        return -minf(a, b);
    return k0 * (k0 - 1.0f) / k1;
}

static float sd_rrect(float px, float py, float hw, float hh, float r)
{
    const float qx = fabsf(px) - hw + r, qy = fabsf(py) - hh + r;
    const float ox = maxf(qx, 0.0f), oy = maxf(qy, 0.0f);
    return sqrtf(ox * ox + oy * oy) + minf(maxf(qx, qy), 0.0f) - r;
}

// Exact distance to a simple polygon (Quilez's sdPolygon): sign by crossing count.
static float sd_poly(float px, float py, int n, const float *vx, const float *vy)
{
    float d = (px - vx[0]) * (px - vx[0]) + (py - vy[0]) * (py - vy[0]);
    float s = 1.0f;
    for (int i = 0, j = n - 1; i < n; j = i, i++) {
        const float ex = vx[j] - vx[i], ey = vy[j] - vy[i];
        const float wx = px - vx[i], wy = py - vy[i];
        const float t = clampf((wx * ex + wy * ey) / (ex * ex + ey * ey), 0.0f, 1.0f);
        const float bx = wx - ex * t, by = wy - ey * t;
        d = minf(d, bx * bx + by * by);
        const int c0 = py >= vy[i], c1 = py < vy[j], c2 = ex * wy > ey * wx;
        if ((c0 && c1 && c2) || (!c0 && !c1 && !c2))
            s = -s;
    }
    return s * sqrtf(d);
}

static float shape_extent(const Shape *s)
{
    float e = 0.0f;
    switch (s->type) {
    case SH_ELLIPSE: e = maxf(s->a, s->b); break;
    case SH_RRECT: e = sqrtf(s->a * s->a + s->b * s->b); break;
    default:
        for (int i = 0; i < s->nv; i++)
            e = maxf(e, sqrtf(s->vx[i] * s->vx[i] + s->vy[i] * s->vy[i]));
    }
    return e + s->line_w * 0.5f + 2.0f;
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness: splitmix64 of (seed, shot, index).

static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static float rnd(uint64_t seed, int64_t shot, int idx)
{
    const uint64_t h = mix64(mix64(mix64(seed) ^ (uint64_t)shot) ^ (uint64_t)idx);
    return (float)(h >> 40) / (float)(1 << 24);
}

static void hsv(float *rgb, float h, float s, float v)
{
    h = (h - floorf(h)) * 6.0f;
    const int i = (int)h % 6;
    const float f = h - floorf(h);
    const float p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
    const float tab[6][3] = { { v, t, p }, { q, v, p }, { p, v, t },
                              { p, q, v }, { t, p, v }, { v, p, q } };
    memcpy(rgb, tab[i], sizeof(tab[i]));
}

static const float ink[3] = { 0.06f, 0.05f, 0.08f }; // outline colour: near-black, cool

static Shape *add(Scene *sc, int type, float cx, float cy, float angle, const float *fill,
                  float line_w)
{
    if (sc->n >= MAX_SHAPES)
        abort(); // a layout bug, not an input error
    Shape *s = &sc->s[sc->n++];
    memset(s, 0, sizeof(*s));
    s->type = type;
    s->cx = cx;
    s->cy = cy;
    s->angle = angle;
    memcpy(s->fill, fill, sizeof(s->fill));
    s->line_w = line_w;
    memcpy(s->line, ink, sizeof(s->line));
    return s;
}

static void add_ellipse(Scene *sc, float cx, float cy, float a, float b, float angle,
                        const float *fill, float lw)
{
    Shape *s = add(sc, SH_ELLIPSE, cx, cy, angle, fill, lw);
    s->a = a;
    s->b = b;
}

static void add_rrect(Scene *sc, float cx, float cy, float hw, float hh, float r, float angle,
                      const float *fill, float lw)
{
    Shape *s = add(sc, SH_RRECT, cx, cy, angle, fill, lw);
    s->a = hw;
    s->b = hh;
    s->r = minf(r, minf(hw, hh));
}

// A limb: rounded rect hanging from a pivot, rotated by angle around it.
static void add_limb(Scene *sc, float px, float py, float len, float half_w, float angle,
                     const float *fill, float lw)
{
    const float cx = px - sinf(angle) * len * 0.5f, cy = py + cosf(angle) * len * 0.5f;
    add_rrect(sc, cx, cy, half_w, len * 0.5f + half_w, half_w, angle, fill, lw);
}

// Regular star (inner == outer: regular polygon) with n points, radius r.
static void add_star(Scene *sc, float cx, float cy, float r, float inner, int n, float angle,
                     const float *fill, float lw)
{
    Shape *s = add(sc, SH_POLY, cx, cy, angle, fill, lw);
    const int nv = inner < r ? 2 * n : n;
    s->nv = nv;
    for (int i = 0; i < nv; i++) {
        const float rr = inner < r && (i & 1) ? inner : r;
        const float t = (float)i * 6.28318530718f / (float)nv;
        s->vx[i] = rr * sinf(t);
        s->vy[i] = -rr * cosf(t);
    }
}

// A character: legs, body, arm, head, eyes and a mouth (drawn last, over the head only, so a
// mouth-only change leaves every other pixel bit-identical). Feet at (x, gy), height ~0.6*s.
static void add_character(Scene *sc, float x, float gy, float s, int pose, int mouth,
                          float hue, float lw, int facing)
{
    float cloth[3], cloth2[3], skin[3], dark[3], lips[3];
    hsv(cloth, hue, 0.65f, 0.85f);
    hsv(cloth2, hue + 0.08f, 0.7f, 0.55f);
    hsv(skin, 0.07f, 0.3f, 1.0f);
    hsv(dark, hue + 0.5f, 0.6f, 0.18f);
    hsv(lips, 0.98f, 0.75f, 0.45f);
    const float p = (float)pose;
    const float swing = 0.45f * sinf(p * 1.7f);
    const float hip_y = gy - 0.17f * s;
    add_limb(sc, x - 0.02f * s, hip_y, 0.15f * s, 0.025f * s, swing, cloth2, lw);
    add_limb(sc, x + 0.02f * s, hip_y, 0.15f * s, 0.025f * s, -swing, cloth2, lw);
    add_rrect(sc, x, gy - 0.28f * s, 0.075f * s, 0.125f * s, 0.035f * s, 0.06f * sinf(p * 0.9f),
              cloth, lw);
    add_limb(sc, x + 0.03f * s * (float)facing, gy - 0.37f * s, 0.17f * s, 0.022f * s,
             (float)facing * (0.2f + 0.8f * sinf(p * 1.3f + 0.5f)), skin, lw);
    const float hx = x + 0.01f * s * (float)facing, hy = gy - 0.5f * s;
    add_ellipse(sc, hx, hy, 0.09f * s, 0.1f * s, 0.0f, skin, lw);
    const float ex = hx + 0.015f * s * (float)facing;
    add_ellipse(sc, ex - 0.035f * s, hy - 0.02f * s, 0.013f * s, 0.022f * s, 0.0f, dark, 0.0f);
    add_ellipse(sc, ex + 0.035f * s, hy - 0.02f * s, 0.013f * s, 0.022f * s, 0.0f, dark, 0.0f);
    static const float open[3] = { 0.006f, 0.018f, 0.032f };
    const float mb = maxf(open[mouth < 0 || mouth > 2 ? 0 : mouth] * s, 0.6f);
    add_ellipse(sc, ex, hy + 0.048f * s, 0.032f * s, mb, 0.0f, lips, 0.0f);
}

static void build_scene(Scene *sc, uint64_t seed, int w, int h, const GenDrawing *d)
{
    memset(sc, 0, sizeof(*sc));
    const float W = (float)w, H = (float)h;
    // 2.5 px outlines at 360 lines, scaled with the height, kept within the 1-3 px of the brief
    // (thinner than 1 px would vanish into the anti-aliasing).
    const float lw = clampf(2.5f * H / 360.0f, 1.0f, 3.0f);
    const int kind = (int)(d->shot % 3);
    const int64_t cycle = d->shot / 3;
    // Shots of a cycle are a third of the hue circle apart, so a cut always changes colours.
    const float hue = rnd(seed, cycle, 0) + (float)kind * 0.36f;
    const float j1 = rnd(seed, d->shot, 1) - 0.5f, j2 = rnd(seed, d->shot, 2) - 0.5f;
    const int pose = d->pose;
    float c0[3], c1[3], c2[3];
    switch (kind) {
    case 0: // wide shot: sky gradient, sun, hill, ground, a character walking to the right
        sc->bg_kind = 0;
        hsv(sc->bg0, hue, 0.5f, 0.9f);
        hsv(sc->bg1, hue + 0.04f, 0.18f, 1.0f);
        hsv(c0, 0.13f, 0.6f, 1.0f);
        add_ellipse(sc, (0.8f + 0.08f * j1) * W, 0.2f * H, 0.08f * H, 0.08f * H, 0.0f, c0, lw);
        hsv(c1, hue + 0.3f, 0.35f, 0.6f);
        {
            Shape *hill = add(sc, SH_POLY, (0.3f + 0.1f * j2) * W, 0.62f * H, 0.0f, c1, lw);
            const float vx[5] = { -0.3f, -0.12f, 0.02f, 0.12f, 0.3f };
            const float vy[5] = { 0.2f, -0.12f, -0.22f, -0.05f, 0.2f };
            hill->nv = 5;
            for (int i = 0; i < 5; i++) {
                hill->vx[i] = vx[i] * W;
                hill->vy[i] = vy[i] * H;
            }
        }
        hsv(c2, hue + 0.25f, 0.5f, 0.7f);
        add_rrect(sc, 0.5f * W, 0.95f * H, 0.56f * W, 0.2f * H, 0.05f * H, 0.0f, c2, lw);
        add_character(sc, (0.18f + 0.025f * (float)pose) * W, 0.86f * H, 0.9f * H, pose,
                      d->mouth, hue + 0.5f, lw, 1);
        break;
    case 1: // close-up: flat background, window, star, a big face, a ball flying right to left
        sc->bg_kind = 1;
        hsv(sc->bg0, hue, 0.35f, 0.72f);
        memcpy(sc->bg1, sc->bg0, sizeof(sc->bg1));
        hsv(c0, hue + 0.5f, 0.15f, 0.95f);
        add_rrect(sc, (0.76f + 0.05f * j1) * W, 0.3f * H, 0.14f * W, 0.2f * H, 0.03f * H, 0.0f,
                  c0, lw);
        hsv(c1, hue + 0.5f, 0.3f, 0.6f);
        add_rrect(sc, (0.76f + 0.05f * j1) * W, 0.3f * H, 0.01f * H, 0.2f * H, 0.0f, 0.0f, c1,
                  lw);
        hsv(c2, 0.14f, 0.7f, 1.0f);
        add_star(sc, 0.12f * W, (0.22f + 0.1f * j2) * H, 0.09f * H, 0.04f * H, 5, 0.3f, c2, lw);
        add_character(sc, (0.36f + 0.008f * (float)pose) * W, 1.5f * H, 2.2f * H, pose, 0,
                      hue + 0.45f, lw, -1);
        {
            float ball[3];
            hsv(ball, hue + 0.2f, 0.8f, 0.95f);
            const float bx = (0.92f - 0.045f * (float)pose) * W;
            const float by = (0.78f - 0.4f * fabsf(sinf((float)pose * 0.55f))) * H;
            add_ellipse(sc, bx, by, 0.06f * H, 0.055f * H, 0.0f, ball, lw);
        }
        break;
    default: // medium shot: diagonal gradient, boxes, a rotating star, a character walking left
        sc->bg_kind = 2;
        hsv(sc->bg0, hue, 0.55f, 0.55f);
        hsv(sc->bg1, hue + 0.1f, 0.3f, 0.92f);
        hsv(c0, hue + 0.6f, 0.4f, 0.8f);
        add_rrect(sc, 0.15f * W, 0.7f * H, 0.1f * W, 0.25f * H, 0.02f * H, 0.0f, c0, lw);
        hsv(c1, hue + 0.7f, 0.3f, 0.9f);
        add_rrect(sc, (0.3f + 0.05f * j1) * W, 0.8f * H, 0.08f * W, 0.15f * H, 0.02f * H, 0.0f,
                  c1, lw);
        hsv(c2, 0.12f + 0.1f * j2, 0.75f, 1.0f);
        add_star(sc, 0.72f * W, 0.3f * H, 0.14f * H, 0.065f * H, 5, 0.25f * (float)pose, c2, lw);
        add_character(sc, (0.78f - 0.03f * (float)pose) * W, 0.97f * H, 1.0f * H, pose, 0,
                      hue + 0.3f, lw, -1);
        break;
    }
}

// ---------------------------------------------------------------------------------------------
// Rasteriser: one sample per pixel centre, 1-px box anti-aliasing from the distance.

int gen_canvas_alloc(GenCanvas *c, int w, int h)
{
    c->w = w;
    c->h = h;
    c->rgb = malloc((size_t)w * (size_t)h * 3 * sizeof(float));
    return c->rgb ? 0 : -1;
}

void gen_canvas_free(GenCanvas *c)
{
    free(c->rgb);
    c->rgb = NULL;
}

static float shape_sd(const Shape *s, float ca, float sa, float x, float y)
{
    const float dx = x - s->cx, dy = y - s->cy;
    const float lx = ca * dx + sa * dy, ly = -sa * dx + ca * dy;
    switch (s->type) {
    case SH_ELLIPSE: return sd_ellipse(lx, ly, s->a, s->b);
    case SH_RRECT: return sd_rrect(lx, ly, s->a, s->b, s->r);
    default: return sd_poly(lx, ly, s->nv, s->vx, s->vy);
    }
}

// Blends as a * (1 - t) + b * t, so t = 0 keeps a and t = 1 gives b exactly.
static inline void blend(float *px, const float *c, float t)
{
    for (int k = 0; k < 3; k++)
        px[k] = px[k] * (1.0f - t) + c[k] * t;
}

#define TILE 8

static void draw_shape(GenCanvas *c, const Shape *s, int use_tiles)
{
    const float e = shape_extent(s);
    const int x0 = (int)maxf(floorf(s->cx - e), 0.0f);
    const int x1 = (int)minf(ceilf(s->cx + e), (float)c->w);
    const int y0 = (int)maxf(floorf(s->cy - e), 0.0f);
    const int y1 = (int)minf(ceilf(s->cy + e), (float)c->h);
    const float ca = cosf(s->angle), sa = sinf(s->angle);
    // Whole tiles far outside the shape are skipped and those far inside are filled without
    // per-pixel distances. Sound for 1-Lipschitz distances (rounded rects, polygons: exact);
    // the ellipse approximation is only used this way when nearly round, with a 2x margin.
    const int tiles = use_tiles && (s->type != SH_ELLIPSE ||
                                    maxf(s->a, s->b) <= 1.5f * minf(s->a, s->b));
    const float reach = (s->type == SH_ELLIPSE ? 2.0f : 1.0f) * (TILE * 0.7072f) +
                        s->line_w * 0.5f + 1.0f;
    for (int ty = y0; ty < y1; ty += TILE)
        for (int tx = x0; tx < x1; tx += TILE) {
            const int tx1 = tx + TILE < x1 ? tx + TILE : x1, ty1 = ty + TILE < y1 ? ty + TILE : y1;
            int mode = 0; // 0 per pixel, 1 all outside, 2 all inside
            if (tiles && tx1 - tx == TILE && ty1 - ty == TILE) {
                const float dc = shape_sd(s, ca, sa, (float)tx + TILE * 0.5f,
                                          (float)ty + TILE * 0.5f);
                mode = dc > reach ? 1 : dc < -reach ? 2 : 0;
            }
            if (mode == 1)
                continue;
            for (int y = ty; y < ty1; y++) {
                float *row = c->rgb + (size_t)y * (size_t)c->w * 3;
                for (int x = tx; x < tx1; x++) {
                    float *px = row + 3 * x;
                    if (mode == 2) {
                        memcpy(px, s->fill, 3 * sizeof(float));
                        continue;
                    }
                    const float d = shape_sd(s, ca, sa, (float)x + 0.5f, (float)y + 0.5f);
                    const float fc = clampf(0.5f - d, 0.0f, 1.0f);
                    if (fc > 0.0f)
                        blend(px, s->fill, fc);
                    if (s->line_w > 0.0f) {
                        const float lc = clampf(s->line_w * 0.5f + 0.5f - fabsf(d), 0.0f, 1.0f);
                        if (lc > 0.0f)
                            blend(px, s->line, lc);
                    }
                }
            }
        }
}

// Paints a built scene: its background, then its shapes in order.
static void paint(GenCanvas *c, const Scene *scp, int use_tiles)
{
    const Scene sc = *scp;
    for (int y = 0; y < c->h; y++) {
        float *row = c->rgb + (size_t)y * (size_t)c->w * 3;
        for (int x = 0; x < c->w; x++) {
            float t = 0.0f;
            if (sc.bg_kind == 0)
                t = ((float)y + 0.5f) / (float)c->h;
            else if (sc.bg_kind == 2)
                t = 0.5f * (((float)x + 0.5f) / (float)c->w + ((float)y + 0.5f) / (float)c->h);
            for (int k = 0; k < 3; k++)
                row[3 * x + k] = sc.bg0[k] + (sc.bg1[k] - sc.bg0[k]) * t;
        }
    }
    for (int i = 0; i < sc.n; i++)
        draw_shape(c, &sc.s[i], use_tiles);
}

// use_tiles = 0 is the plain per-pixel reference (tests/unit/gen checks both agree exactly).
static void render(GenCanvas *c, uint64_t seed, const GenDrawing *d, int use_tiles)
{
    Scene sc;
    build_scene(&sc, seed, c->w, c->h, d);
    paint(c, &sc, use_tiles);
}

void gen_render(GenCanvas *c, uint64_t seed, const GenDrawing *d)
{
    render(c, seed, d, 1);
}

// Scales every shape of sc about (zx, zy) by z (a camera push-in: positions, sizes, outlines).
static void zoom_scene(Scene *sc, float zx, float zy, float z)
{
    for (int i = 0; i < sc->n; i++) {
        Shape *s = &sc->s[i];
        s->cx = zx + z * (s->cx - zx);
        s->cy = zy + z * (s->cy - zy);
        s->a *= z;
        s->b *= z;
        s->r *= z;
        s->line_w *= z;
        for (int k = 0; k < s->nv; k++) {
            s->vx[k] *= z;
            s->vy[k] *= z;
        }
    }
}

void gen_render_motion(GenCanvas *c, uint64_t seed, int scene, float time)
{
    Scene sc;
    const float W = (float)c->w, H = (float)c->h;
    if (scene == GEN_SCENE_ZOOM) {
        // shot C's medium shot (boxes, a star, a character) on a flat background, with a ring
        // of small outlined dots so every part of the picture has line art to follow
        const GenDrawing d = { 2, 3, 0, 0 };
        build_scene(&sc, seed, c->w, c->h, &d);
        sc.bg_kind = 1;
        for (int i = 0; i < 12 && sc.n < MAX_SHAPES; i++) {
            float col[3];
            hsv(col, 0.08f * (float)i, 0.6f, 0.9f);
            const float a = (float)i * 0.5236f;
            add_ellipse(&sc, 0.5f * W + 0.38f * W * cosf(a), 0.5f * H + 0.4f * H * sinf(a),
                        0.03f * H, 0.03f * H, 0.0f, col, 2.5f * H / 360.0f);
        }
        // 1.35x per drawing interval: a fast push-in, as jjk's accelerating camera at its end
        zoom_scene(&sc, 0.55f * W, 0.45f * H, powf(1.35f, time));
    } else {
        // shot A's wide shot (sky, sun, hill, ground, a character walking right) behind a
        // foreground pillar crossing right to left at 0.3 of the width per drawing interval and
        // a big second character walking left at 0.2, in front of both
        const GenDrawing d = { 0, (int32_t)(4.0f + 2.0f * time), 0, 0 };
        build_scene(&sc, seed, c->w, c->h, &d);
        float col[3];
        hsv(col, 0.6f, 0.45f, 0.5f);
        add_rrect(&sc, (0.75f - 0.3f * time) * W, 0.55f * H, 0.07f * W, 0.6f * H, 0.02f * H,
                  0.0f, col, 2.5f * H / 360.0f);
        add_character(&sc, (0.7f - 0.2f * time) * W, 1.05f * H, 1.1f * H, (int)(2.0f * time), 0,
                      0.8f, 2.5f * H / 360.0f, -1);
    }
    paint(c, &sc, 1);
}

// ---------------------------------------------------------------------------------------------
// Composition and quantisation to BT.709 limited-range Y'CbCr.

int gen_image_alloc(GenImage *im, int w, int h, int ssx, int ssy, int depth)
{
    memset(im, 0, sizeof(*im));
    im->w = w;
    im->h = h;
    im->ssx = ssx;
    im->ssy = ssy;
    im->cw = (w + (1 << ssx) - 1) >> ssx;
    im->ch = (h + (1 << ssy) - 1) >> ssy;
    im->depth = depth;
    im->stride[0] = w;
    im->stride[1] = im->stride[2] = im->cw;
    im->plane[0] = calloc((size_t)w * (size_t)h, sizeof(uint16_t));
    im->plane[1] = calloc((size_t)im->cw * (size_t)im->ch, sizeof(uint16_t));
    im->plane[2] = calloc((size_t)im->cw * (size_t)im->ch, sizeof(uint16_t));
    if (!im->plane[0] || !im->plane[1] || !im->plane[2]) {
        gen_image_free(im);
        return -1;
    }
    return 0;
}

void gen_image_free(GenImage *im)
{
    for (int p = 0; p < 3; p++) {
        free(im->plane[p]);
        im->plane[p] = NULL;
    }
}

int gen_image_equal(const GenImage *a, const GenImage *b)
{
    return !memcmp(a->plane[0], b->plane[0], (size_t)a->w * (size_t)a->h * sizeof(uint16_t)) &&
           !memcmp(a->plane[1], b->plane[1], (size_t)a->cw * (size_t)a->ch * sizeof(uint16_t)) &&
           !memcmp(a->plane[2], b->plane[2], (size_t)a->cw * (size_t)a->ch * sizeof(uint16_t));
}

// BT.709 luma coefficients.
#define KR 0.2126f
#define KB 0.0722f
#define KG (1.0f - KR - KB)

static inline uint16_t quant(float v, float offset, float range, int maxv)
{
    const float q = offset + range * v + 0.5f; // offset > 0 and range * v > -offset: q > 0
    const int i = q < 0.0f ? 0 : (int)q;
    return (uint16_t)(i > maxv ? maxv : i);
}

void gen_compose(GenImage *im, const GenFrameDesc *d, const GenCanvas *ca, const GenCanvas *cb,
                 GenCanvas *scratch)
{
    const size_t n = (size_t)im->w * (size_t)im->h * 3;
    const float *src = ca->rgb;
    if (d->mix != GEN_MIX_NONE) {
        const float t = (float)d->mix_num / (float)d->mix_den;
        float *dst = scratch->rgb;
        const float *a = ca->rgb, *b = cb ? cb->rgb : NULL;
        for (size_t i = 0; i < n; i++)
            switch (d->mix) {
            case GEN_MIX_DISSOLVE: dst[i] = a[i] * (1.0f - t) + b[i] * t; break;
            case GEN_MIX_BLACK: dst[i] = a[i] * (1.0f - t); break;
            default: dst[i] = a[i] * (1.0f - t) + t; break; // white
            }
        src = dst;
    }
    const float sc = (float)(1 << (im->depth - 8));
    const int maxv = (1 << im->depth) - 1;
    for (int y = 0; y < im->h; y++) {
        const float *row = src + (size_t)y * (size_t)im->w * 3;
        uint16_t *out = im->plane[0] + (size_t)y * (size_t)im->stride[0];
        for (int x = 0; x < im->w; x++) {
            const float yy = KR * row[3 * x] + KG * row[3 * x + 1] + KB * row[3 * x + 2];
            out[x] = quant(yy, 16.0f * sc, 219.0f * sc, maxv);
        }
    }
    // Chroma: the mean R'G'B' of the pixels a sample covers (fewer at odd right/bottom edges).
    for (int cy = 0; cy < im->ch; cy++) {
        const int ya = cy << im->ssy, yb = ((cy + 1) << im->ssy) < im->h ? (cy + 1) << im->ssy
                                                                         : im->h;
        for (int cx = 0; cx < im->cw; cx++) {
            const int xa = cx << im->ssx, xb = ((cx + 1) << im->ssx) < im->w ? (cx + 1) << im->ssx
                                                                             : im->w;
            float acc[3] = { 0, 0, 0 };
            for (int y = ya; y < yb; y++)
                for (int x = xa; x < xb; x++) {
                    const float *p = src + ((size_t)y * (size_t)im->w + (size_t)x) * 3;
                    acc[0] += p[0];
                    acc[1] += p[1];
                    acc[2] += p[2];
                }
            const float inv = 1.0f / (float)((yb - ya) * (xb - xa));
            const float r = acc[0] * inv, g = acc[1] * inv, b = acc[2] * inv;
            const float yy = KR * r + KG * g + KB * b;
            const size_t o = (size_t)cy * (size_t)im->stride[1] + (size_t)cx;
            im->plane[1][o] = quant((b - yy) / (2.0f * (1.0f - KB)), 128.0f * sc, 224.0f * sc,
                                    maxv);
            im->plane[2][o] = quant((r - yy) / (2.0f * (1.0f - KR)), 128.0f * sc, 224.0f * sc,
                                    maxv);
        }
    }
}
