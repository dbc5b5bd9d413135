// aim_gen internals: the scene (what every frame shows and why) and its renderer.
// Pure C, no libav: main.c turns the rendered images into an encoded, muxed clip.
#ifndef AIM_GEN_GEN_H
#define AIM_GEN_GEN_H

#include <stdint.h>

// Frame labels, as in ../shared/clips/truth/*.csv: label of frame i = interval i-1 -> i.
enum GenLabel { GEN_START, GEN_CUT, GEN_HOLD, GEN_MOTION, GEN_FADE, GEN_NB_LABELS };
extern const char *const gen_label_names[GEN_NB_LABELS];

// How the picture of a frame is made from its drawings.
enum GenMix {
    GEN_MIX_NONE,     // drawing a alone
    GEN_MIX_DISSOLVE, // a * (1 - t) + b * t
    GEN_MIX_BLACK,    // a * (1 - t)
    GEN_MIX_WHITE,    // a * (1 - t) + white * t (t = 1: a one-frame flash)
};

// Audio events whose onsets fall exactly on a frame's start time.
enum GenEvent { GEN_EVENT_NONE, GEN_EVENT_SHOT, GEN_EVENT_FLASH };

// One drawing: everything its pixels depend on (plus the seed and the size). Compared with
// memcmp, so keep it free of padding holes.
typedef struct GenDrawing {
    int32_t shot;  // global shot number: 3 per 120-frame cycle (kinds A, B, C)
    int32_t pose;  // drawing number within the shot
    int32_t mouth; // 0 closed, 1 half open, 2 open (the partial-motion stretch)
    int32_t pad;   // always 0
} GenDrawing;

typedef struct GenFrameDesc {
    GenDrawing a, b;   // b only for GEN_MIX_DISSOLVE
    int32_t mix;       // enum GenMix
    int32_t mix_num;   // t = mix_num / mix_den
    int32_t mix_den;
    int32_t label;     // layout label; hold/motion are confirmed against the pixels
    int32_t partial;   // 1 inside the mouth-only stretch
    int32_t event;     // enum GenEvent
} GenFrameDesc;

// The layout repeats every GEN_CYCLE frames (see gen_frame_desc in scene.c).
#define GEN_CYCLE 120

void gen_frame_desc(int64_t frame, GenFrameDesc *d);

// Float RGB picture (gamma-encoded, 0..1), interleaved.
typedef struct GenCanvas {
    int w, h;
    float *rgb;
} GenCanvas;

int gen_canvas_alloc(GenCanvas *c, int w, int h);
void gen_canvas_free(GenCanvas *c);
// Renders one drawing. Pure function of (seed, drawing, size): same inputs, same floats.
void gen_render(GenCanvas *c, uint64_t seed, const GenDrawing *d);

// Fast-motion scenes for the interpolation tests (not part of aim_gen's layout), at a continuous
// time in drawing intervals (0: one drawing, 1: the next; 0.5: the true in-between):
// GEN_SCENE_ZOOM, a camera push-in of 1.35x per interval; GEN_SCENE_OCCLUDE, a foreground pillar
// crossing a wide shot at 0.3 of the width per interval and a big second character walking
// left at 0.2, both in front of a walking character.
enum GenMotionScene { GEN_SCENE_ZOOM, GEN_SCENE_OCCLUDE };
void gen_render_motion(GenCanvas *c, uint64_t seed, int scene, float time);

// Quantised Y'CbCr (BT.709, limited range), one uint16 per sample at any depth.
typedef struct GenImage {
    int w, h, cw, ch, ssx, ssy, depth;
    uint16_t *plane[3];
    int stride[3]; // in samples
} GenImage;

int gen_image_alloc(GenImage *im, int w, int h, int ssx, int ssy, int depth);
void gen_image_free(GenImage *im);
int gen_image_equal(const GenImage *a, const GenImage *b);
// Composes the frame (mix of up to two canvases; scratch, of the same size, holds the mix) and
// quantises it into im.
void gen_compose(GenImage *im, const GenFrameDesc *d, const GenCanvas *ca, const GenCanvas *cb,
                 GenCanvas *scratch);

/**
 * Writes a PGS bitmap subtitle file (.sup) for a w x h clip of `seconds`: a solid box shown
 * for 0.4 s every 0.6 s from 0.2 s, then cleared (pgs.c). *events = the number shown. 0 or -1.
 */
int aim_gen_write_pgs(const char *path, int w, int h, double seconds, int *events);

#endif
