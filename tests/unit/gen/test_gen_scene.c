// aim_gen's scene (tests/gen/scene.c): the tiled rasteriser equals the per-pixel reference, the
// layout has the documented labels, and the pictures make those labels true for a gate:
// holds are bit-identical, motion changes a block visibly, cuts change the whole picture,
// mouth-only drawings change only a small box.
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "gen/scene.c"

typedef struct Canvases {
    GenCanvas a, b, scratch;
    GenDrawing ka, kb; // drawings now in a and b
    int va, vb;
} Canvases;

static void compose_frame(GenImage *im, int64_t frame, uint64_t seed, Canvases *c)
{
    GenFrameDesc d;
    gen_frame_desc(frame, &d);
    if (!c->va || memcmp(&c->ka, &d.a, sizeof(d.a))) { // renders only new drawings
        gen_render(&c->a, seed, &d.a);
        c->ka = d.a;
        c->va = 1;
    }
    if (d.mix == GEN_MIX_DISSOLVE && (!c->vb || memcmp(&c->kb, &d.b, sizeof(d.b)))) {
        gen_render(&c->b, seed, &d.b);
        c->kb = d.b;
        c->vb = 1;
    }
    gen_compose(im, &d, &c->a, d.mix == GEN_MIX_DISSOLVE ? &c->b : NULL, &c->scratch);
}

// Largest mean |dY| over 16x16 blocks (8-bit), the hold rule of ../shared/clips/truth.
static double block_max(const GenImage *a, const GenImage *b)
{
    double best = 0.0;
    for (int by = 0; by + 16 <= a->h; by += 16)
        for (int bx = 0; bx + 16 <= a->w; bx += 16) {
            long sum = 0;
            for (int y = by; y < by + 16; y++)
                for (int x = bx; x < bx + 16; x++)
                    sum += labs((long)a->plane[0][y * a->w + x] - b->plane[0][y * a->w + x]);
            best = fmax(best, (double)sum / 256.0);
        }
    return best;
}

static double mean_abs(const GenImage *a, const GenImage *b)
{
    long sum = 0;
    for (int i = 0; i < a->w * a->h; i++)
        sum += labs((long)a->plane[0][i] - b->plane[0][i]);
    return (double)sum / (a->w * a->h);
}

static void test_tiles_match_reference(void)
{
    static const int sizes[][2] = { { 640, 360 }, { 321, 181 }, { 64, 48 }, { 17, 16 } };
    static const int poses[][2] = { { 0, 0 }, { 5, 0 }, { 10, 0 }, { 15, 0 }, { 15, 1 },
                                    { 15, 2 }, { 16, 0 } }; // pose, mouth
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        GenCanvas a, b;
        CHECK(!gen_canvas_alloc(&a, sizes[k][0], sizes[k][1]));
        CHECK(!gen_canvas_alloc(&b, sizes[k][0], sizes[k][1]));
        const size_t n = (size_t)sizes[k][0] * sizes[k][1] * 3 * sizeof(float);
        for (int shot = 0; shot < 6; shot++)
            for (size_t p = 0; p < sizeof(poses) / sizeof(poses[0]); p++) {
                const GenDrawing d = { shot, poses[p][0], poses[p][1], 0 };
                const uint64_t seed = 1 + (uint64_t)(p & 1);
                render(&a, seed, &d, 1);
                render(&b, seed, &d, 0);
                CHECK_MSG(!memcmp(a.rgb, b.rgb, n), "%dx%d shot %d pose %d mouth %d",
                          sizes[k][0], sizes[k][1], shot, d.pose, d.mouth);
            }
        gen_canvas_free(&a);
        gen_canvas_free(&b);
    }
}

static void test_layout(void)
{
    int count[GEN_NB_LABELS] = { 0 };
    for (int64_t i = 0; i < 240; i++) {
        GenFrameDesc d;
        gen_frame_desc(i, &d);
        count[i == 0 ? GEN_START : d.label]++;
        if (i < 120)
            continue;
        GenFrameDesc d0;
        gen_frame_desc(i - 120, &d0);
        CHECK_EQ_INT(d.label, i == 120 ? GEN_CUT : d0.label); // cycles repeat, cut in front
    }
    CHECK_EQ_INT(count[GEN_START], 1);
    CHECK_EQ_INT(count[GEN_CUT], 3);
    CHECK_EQ_INT(count[GEN_HOLD], 120);
    CHECK_EQ_INT(count[GEN_MOTION], 84);
    CHECK_EQ_INT(count[GEN_FADE], 32);
}

// 640x360, two seeds: every label is what a gate should see.
static void test_labels_hold_in_pixels(void)
{
    const int w = 640, h = 360;
    Canvases c = { 0 };
    GenImage im[2];
    CHECK(!gen_canvas_alloc(&c.a, w, h) && !gen_canvas_alloc(&c.b, w, h) &&
          !gen_canvas_alloc(&c.scratch, w, h));
    CHECK(!gen_image_alloc(&im[0], w, h, 1, 1, 8) && !gen_image_alloc(&im[1], w, h, 1, 1, 8));
    for (uint64_t seed = 1; seed <= 2; seed++) {
        c.va = c.vb = 0;
        double min_motion = 1e9, min_cut = 1e9, max_partial_area = 0;
        for (int64_t i = 0; i < 121; i++) {
            GenImage *cur = &im[i & 1], *prev = &im[(i & 1) ^ 1];
            compose_frame(cur, i, seed, &c);
            if (i == 0)
                continue;
            GenFrameDesc d;
            gen_frame_desc(i, &d);
            const int same = gen_image_equal(cur, prev);
            if (d.label == GEN_HOLD)
                CHECK_MSG(same, "frame %d labelled hold differs", (int)i);
            else
                CHECK_MSG(!same, "frame %d labelled %s is a repeat", (int)i,
                          gen_label_names[d.label]);
            if (d.label == GEN_MOTION)
                min_motion = fmin(min_motion, block_max(cur, prev));
            if (d.label == GEN_CUT)
                min_cut = fmin(min_cut, mean_abs(cur, prev));
            if (d.partial && d.label == GEN_MOTION) {
                struct { int x0, y0, x1, y1; } b = { INT32_MAX, INT32_MAX, -1, -1 };
                int changed = 0;
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        if (cur->plane[0][y * w + x] != prev->plane[0][y * w + x]) {
                            b.x0 = x < b.x0 ? x : b.x0;
                            b.x1 = x > b.x1 ? x : b.x1;
                            b.y0 = y < b.y0 ? y : b.y0;
                            b.y1 = y > b.y1 ? y : b.y1;
                            changed = 1;
                        }
                CHECK(changed);
                max_partial_area = fmax(max_partial_area,
                                        (double)(b.x1 - b.x0 + 1) * (b.y1 - b.y0 + 1));
            }
        }
        fprintf(stderr, "seed %d: min motion block-max %.1f, min cut mean|dY| %.1f, mouth box "
                "%.0f px\n", (int)seed, min_motion, min_cut, max_partial_area);
        // 8.0: the hold threshold of ../shared/clips/truth (max 16x16 block mean |dY|); every
        // motion interval must clear it, so a gate tuned on the real clips calls it motion.
        CHECK(min_motion >= 8.0);
        // 12: the cut rule's SAD floor in ../shared/clips/truth (mean |dY|, 8-bit).
        CHECK(min_cut >= 12.0);
        // The mouth is a few percent of the picture: the "small region" of partial motion.
        CHECK(max_partial_area > 0 && max_partial_area <= 0.01 * w * h);
    }
    gen_canvas_free(&c.a);
    gen_canvas_free(&c.b);
    gen_canvas_free(&c.scratch);
    gen_image_free(&im[0]);
    gen_image_free(&im[1]);
}

static void test_seed(void)
{
    GenCanvas a, b;
    CHECK(!gen_canvas_alloc(&a, 160, 90) && !gen_canvas_alloc(&b, 160, 90));
    const GenDrawing d = { 0, 3, 0, 0 };
    gen_render(&a, 1, &d);
    gen_render(&b, 1, &d);
    CHECK(!memcmp(a.rgb, b.rgb, 160 * 90 * 3 * sizeof(float)));
    gen_render(&b, 2, &d);
    CHECK(memcmp(a.rgb, b.rgb, 160 * 90 * 3 * sizeof(float)));
    gen_canvas_free(&a);
    gen_canvas_free(&b);
}

int main(void)
{
    test_tiles_match_reference();
    test_layout();
    test_labels_hold_in_pixels();
    test_seed();
    return test_finish("test_gen_scene");
}
