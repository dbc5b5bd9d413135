// Model A on generated fast-motion scenes (tests/gen: a fast camera push-in, a foreground pillar
// crossing a walking character): the in-between must not tear. Measured by the benchmark's
// "harm" (bench/harm.h, ../shared/README.md): the share of changed 16x16 blocks where the
// in-between is worse than both of its neighbours by more than 4 levels, i.e. a structure that
// is in neither drawing. The truth is the scene rendered at the in-between's time.
// Both scenes are drawn in memory by the clip generator's rasteriser (tests/gen/scene.c).
#include <string.h>

#include "../bench/harm.h"
#include "core/cpu.h"
#include "gen/gen.h"
#include "interp/interp.h"
#include "test.h"

#define W 640
#define H 360

// Renders the scene at time into f (8-bit 4:2:0) and its luma into y.
static void render(AimFrame *f, uint8_t *y, int scene, float time)
{
    GenCanvas c;
    GenImage im;
    CHECK_EQ_INT(gen_canvas_alloc(&c, W, H), 0);
    CHECK_EQ_INT(gen_image_alloc(&im, W, H, 1, 1, 8), 0);
    gen_render_motion(&c, 7, scene, time);
    GenFrameDesc d;
    memset(&d, 0, sizeof(d));
    d.mix = GEN_MIX_NONE;
    d.mix_den = 1;
    gen_compose(&im, &d, &c, NULL, NULL);
    for (int p = 0; p < 3; p++)
        for (int r = 0; r < aim_plane_h(f, p); r++)
            memcpy(f->data[p] + r * f->stride[p], im.plane[p] + r * im.stride[p],
                   (size_t)aim_plane_w(f, p) * 2);
    for (int i = 0; i < W * H; i++)
        y[i] = (uint8_t)im.plane[0][i];
    gen_image_free(&im);
    gen_canvas_free(&c);
}

// Harm of classic's in-betweens on a scene: pairs (k, k + 1) of drawing times, in-betweens at
// t = 0.25, 0.5, 0.75 against the scene at k + t. Returns harm in percent, pooled.
static double scene_harm(int scene, const char *name, unsigned cpu)
{
    AimFrame *f0 = NULL, *f1 = NULL, *ft = NULL, *o = NULL;
    aim_frame_alloc(&f0, W, H, 8, 0);
    aim_frame_alloc(&f1, W, H, 8, 0);
    aim_frame_alloc(&ft, W, H, 8, 0);
    aim_frame_alloc(&o, W, H, 8, 0);
    uint8_t *y0 = malloc(W * H), *y1 = malloc(W * H), *yt = malloc(W * H), *yo = malloc(W * H);
    AimInterpSettings s;
    aim_interp_default_settings(&s);
    s.width = W;
    s.height = H;
    s.cpu_flags = cpu;
    AimInterp *ip = NULL;
    CHECK_EQ_INT(aim_interp_create(&ip, &s), 0);
    AimHarm all = { 0 };
    for (int k = 0; k < 2; k++) {
        render(f0, y0, scene, (float)k);
        render(f1, y1, scene, (float)k + 1.0f);
        CHECK_EQ_INT(aim_interp_set_pair(ip, f0, f1, NULL), 0);
        static const double ts[3] = { 0.25, 0.5, 0.75 };
        for (int i = 0; i < 3; i++) {
            render(ft, yt, scene, (float)k + (float)ts[i]);
            CHECK_EQ_INT(aim_interp_render(ip, ts[i], o), 0);
            for (int r = 0; r < H; r++)
                for (int x = 0; x < W; x++)
                    yo[r * W + x] = (uint8_t)o->data[0][r * o->stride[0] + x];
            AimHarm h = { 0 };
            aim_harm_add(&h, y0, y1, yo, yt, W, H, NULL);
            fprintf(stderr, "  %s, cpu %#x, pair %d, t=%.2f: harm %ld of %ld changed blocks\n",
                    name, cpu, k, ts[i], h.harmed, h.changed);
            all.harmed += h.harmed;
            all.changed += h.changed;
        }
    }
    CHECK(all.changed > 100); // the scene really moves
    aim_interp_destroy(&ip);
    aim_frame_unref(&f0);
    aim_frame_unref(&f1);
    aim_frame_unref(&ft);
    aim_frame_unref(&o);
    free(y0);
    free(y1);
    free(yt);
    free(yo);
    double pct = aim_harm_percent(&all);
    fprintf(stderr, "%s, cpu %#x: harm %.2f %% (%ld of %ld)\n", name, cpu, pct, all.harmed,
            all.changed);
    return pct;
}

// Harm bound: today's engine measures 0.17 % on the zoom (4 of 2377 changed blocks) and 0 on the
// occlusion; before the "no tears" rule (classic.c grow_regions) the zoom measured 0.63 % (15
// blocks: an arm torn in two, half-warped dots). 0.35 % allows 8 harmed blocks.
#define HARM_BOUND 0.35

int main(void)
{
    unsigned cpu = aim_cpu_detect();
    unsigned cpus[2] = { cpu, 0 };
    for (int i = 0; i < (cpu ? 2 : 1); i++) {
        double zoom = scene_harm(GEN_SCENE_ZOOM, "zoom", cpus[i]);
        double occl = scene_harm(GEN_SCENE_OCCLUDE, "occlusion", cpus[i]);
        CHECK_MSG(zoom <= HARM_BOUND, "zoom harm %.2f %% above %.2f %%", zoom, HARM_BOUND);
        CHECK_MSG(occl <= HARM_BOUND, "occlusion harm %.2f %% above %.2f %%", occl, HARM_BOUND);
    }
    return test_finish("test_interp_tear");
}
