// Output rates that are not whole multiples, through the whole stage graph in memory: a camera
// pan at constant velocity (soft stripes and a disc, anti-aliased, sub-pixel steps) on 24
// source frames at 23.976, rendered at 59.94 (ratio 5/2) with the default classic engine:
//   - exactly ceil(24 * 5/2) = 60 output frames, numbered in order;
//   - the disc's centroid in every output frame lies on the line of constant velocity within
//     0.5 px (no judder: output frame k sits at k * 2/5 source frames), and its slope is the
//     pan's;
//   - the disc is whole in every frame (no two half-transparent discs: a blend would be);
//   - the same measures find the dup engine's judder and the blend engine's double disc (so
//     they can fail).
// The same pan as a 29.97 part on a 23.976 grid in timed mode (pipeline.h), rendered at 47.952
// from the pictures' own times: within 0.5 px too. And the grid itself: first_out / out_t for
// 5/2, 1001/960 and whole multiples.
#include <math.h>
#include <string.h>

#include "pipeline/pipeline.h"
#include "test.h"

#define W 320
#define H 180
#define N 24
#define MAXOUT 256
#define VX 6.5  // px per source frame: a fast pan, 156 px/s at 23.976
#define VY 0.7
#define R0 16.0 // disc radius

typedef struct Run {
    int next;
    double step;        // slots of the 23.976 grid per picture (0.8: a 29.97 part)
    AimFrame *out[MAXOUT];
    int n;
} Run;

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

// The picture at slot time i (23.976 frames): the scene shifted by (VX, VY) * i. Stripes in
// luma 65..115, the disc 220.
static void draw(AimFrame *f, double i)
{
    const double ox = VX * i, oy = VY * i, cx = 60.0 + ox, cy = 80.0 + oy;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double u = (double)x - ox, v = (double)y - oy;
            double bg = 90.0 + 25.0 * sin(2.0 * M_PI * (u + 0.5 * v) / 40.0);
            double d = hypot((double)x - cx, (double)y - cy);
            double cov = clampd(R0 + 0.5 - d, 0.0, 1.0);
            f->data[0][y * f->stride[0] + x] = (uint16_t)lround(bg + (220.0 - bg) * cov);
        }
    for (int p = 1; p < 3; p++)
        for (int y = 0; y < aim_plane_h(f, p); y++)
            for (int x = 0; x < aim_plane_w(f, p); x++)
                f->data[p][y * f->stride[p] + x] = 128;
}

static int src_read(void *opaque, AimFrame **out)
{
    Run *r = opaque;
    if (r->next >= N)
        return AIM_ERR_EOF;
    AimFrame *f = NULL;
    int ret = aim_frame_alloc(&f, W, H, 8, 1);
    if (ret < 0)
        return ret;
    const double slot = r->next++ * r->step;
    draw(f, slot);
    f->pts = llround(slot * 1e6 * 1001 / 24000);
    *out = f;
    return 0;
}

static int sink_write(void *opaque, const AimFrame *f)
{
    Run *r = opaque;
    CHECK_EQ_INT(f->index, r->n);
    AimFrame *c = NULL;
    if (aim_frame_alloc(&c, f->width, f->height, f->depth, 0) < 0)
        return AIM_ERR(ENOMEM);
    aim_frame_copy(c, f);
    if (r->n < MAXOUT)
        r->out[r->n++] = c;
    else
        aim_frame_unref(&c);
    return 0;
}

// The disc's centroid (luma above the stripes' top, weighted by how far) and its solid area.
static void measure(const AimFrame *f, double *mx, double *my, int *solid)
{
    double sw = 0, sx = 0, sy = 0;
    *solid = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int v = f->data[0][y * f->stride[0] + x];
            double w = v > 150 ? v - 150 : 0;
            sw += w;
            sx += w * x;
            sy += w * y;
            *solid += v >= 200;
        }
    *mx = sw > 0 ? sx / sw : -1;
    *my = sw > 0 ? sy / sw : -1;
}

// Renders the pan at rate R with `engine`; returns the largest distance of the disc's centroid
// from the constant-velocity line over the frames before the last source frame's hold, and the
// smallest solid area relative to the source's.
static void run_pan_timed(const char *engine, AimRational R, double step, int want_out,
                          double *max_err, double *min_solid)
{
    AimPool *pool = NULL;
    CHECK_EQ_INT(aim_pool_create(&pool, 1), 0);
    Run r = { .step = step };
    AimPipelineSettings s;
    aim_pipeline_default_settings(&s);
    s.rate = R;
    s.timed = step != 1.0;
    s.frame_rate = (AimRational){ 24000, 1001 };
    s.width = s.out_width = W;
    s.height = s.out_height = H;
    s.depth = 8;
    s.interp.engine = engine;
    s.pool = pool;
    s.read = src_read;
    s.write = sink_write;
    s.opaque = &r;
    AimPipelineStats st;
    CHECK_EQ_INT(aim_pipeline_run(&s, &st), 0);
    CHECK_EQ_INT(r.n, want_out);
    CHECK_EQ_INT(st.out_frames, want_out);
    CHECK_EQ_INT(st.class_count[AIM_CLASS_MOTION], N - 1);

    double x0, y0;
    int solid0;
    measure(r.out[0], &x0, &y0, &solid0);
    *max_err = 0;
    *min_solid = 1e9;
    // from here: the last frame, held
    const int64_t last = (int64_t)ceil((N - 1) * step * R.num / R.den - 1e-6);
    for (int k = 0; k < r.n && k < last; k++) {
        double mx, my;
        int solid;
        measure(r.out[k], &mx, &my, &solid);
        const double ts = (double)k * R.den / R.num; // 23.976 slots since the first
        double e = hypot(mx - (x0 + VX * ts), my - (y0 + VY * ts));
        if (e > *max_err)
            *max_err = e;
        if ((double)solid / solid0 < *min_solid)
            *min_solid = (double)solid / solid0;
    }
    for (int k = 0; k < r.n; k++)
        aim_frame_unref(&r.out[k]);
    aim_pool_destroy(&pool);
}

static void run_pan(const char *engine, AimRational R, int want_out, double *max_err,
                    double *min_solid)
{
    run_pan_timed(engine, R, 1.0, want_out, max_err, min_solid);
}

int main(void)
{
    // the grid: 5/2 (23.976 -> 59.94)
    const AimRational r52 = { 5, 2 };
    const int64_t first52[6] = { 0, 3, 5, 8, 10, 13 };
    for (int i = 0; i < 6; i++)
        CHECK_EQ_INT(aim_pipeline_first_out(r52, i), first52[i]);
    CHECK_NEAR(aim_pipeline_out_t(r52, 1, 3), 0.2, 1e-12);
    CHECK_NEAR(aim_pipeline_out_t(r52, 1, 4), 0.6, 1e-12);
    CHECK_NEAR(aim_pipeline_out_t(r52, 2, 5), 0.0, 0);
    // whole multiples: i*F and exactly j/F, as before
    for (int F = 1; F <= 8; F++)
        for (int64_t i = 0; i < 50; i++) {
            const AimRational rf = { F, 1 };
            CHECK_EQ_INT(aim_pipeline_first_out(rf, i), i * F);
            for (int j = 0; j < F; j++)
                CHECK(aim_pipeline_out_t(rf, i, i * F + j) == (double)j / F);
        }
    // 25 on 23.976 (1001/960): every output frame in exactly one interval, t in [0, 1), far in
    const AimRational rp = { 1001, 960 };
    int64_t seen = 0;
    for (int64_t i = 1000000; i < 1000100; i++)
        for (int64_t k = aim_pipeline_first_out(rp, i); k < aim_pipeline_first_out(rp, i + 1);
             k++, seen++) {
            double t = aim_pipeline_out_t(rp, i, k);
            CHECK(t >= 0.0 && t < 1.0);
        }
    CHECK_EQ_INT(seen, aim_pipeline_first_out(rp, 1000100) - aim_pipeline_first_out(rp, 1000000));

    double err, solid;
    run_pan("classic", r52, 60, &err, &solid);
    fprintf(stderr, "classic at 5/2: centroid off the line by at most %.3f px, solid area %.3f "
            "of the source's\n", err, solid);
    CHECK_MSG(err <= 0.5, "judder: the disc is %.3f px off its constant-velocity line", err);
    CHECK_MSG(solid >= 0.9, "the disc's solid area falls to %.3f (a blend?)", solid);

    run_pan("dup", r52, 60, &err, &solid);
    fprintf(stderr, "dup at 5/2: centroid off the line by at most %.3f px\n", err);
    CHECK_MSG(err > 2.0, "the measure misses dup's judder (%.3f px)", err);
    run_pan("blend", r52, 60, &err, &solid);
    fprintf(stderr, "blend at 5/2: solid area %.3f\n", solid);
    CHECK_MSG(solid < 0.9, "the measure misses blend's double disc (solid %.3f)", solid);

    run_pan("classic", (AimRational){ 2, 1 }, 48, &err, &solid);
    fprintf(stderr, "classic at 2x: %.3f px, solid %.3f\n", err, solid);
    CHECK_MSG(err <= 0.5, "judder at 2x: %.3f px", err);

    // timed mode (variable-rate input): 24 pictures of a 29.97 part on the 23.976 grid (0.8
    // slots apart) rendered at 47.952: the grid between their own times, at fractional t;
    // 18.4 + 0.8 slots = 38.4 output frames -> 39
    run_pan_timed("classic", (AimRational){ 2, 1 }, 0.8, 39, &err, &solid);
    fprintf(stderr, "timed, 29.97 pictures at 47.952: %.3f px, solid %.3f\n", err, solid);
    CHECK_MSG(err <= 0.5, "judder in timed mode: %.3f px", err);
    CHECK_MSG(solid >= 0.9, "timed: the disc's solid area falls to %.3f", solid);
    return test_finish("test_pipeline_rate");
}
