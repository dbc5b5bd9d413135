// Gate: synthetic sequences with exact ground truth (cuts between similar and dissimilar shots, a
// flash frame, fades, holds with noise, a partial hold with a small moving region, 2s/3s
// cadence), 8- and 10-bit, C and SIMD kernels; the send/receive contract; the CSV/JSON writers,
// the cadence summary and the timeline picture.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/parse.h"
#include "gate/gate.h"
#include "gate/report.h"
#include "gate/timeline.h"
#include "synth.h"
#include "test.h"

#define W 640
#define H 360
#define MAXF 64

static const char C = 'c', Hd = 'h', M = 'm', S = 's', F = 'f';

// Shot A: a character (ellipse) and props on a warm gradient.
static SynthScene scene_a(double x)
{
    SynthScene s = { .top = { 120, 110, 150 }, .bottom = { 170, 100, 140 }, .nshape = 3 };
    s.shape[0] = (SynthShape){ 1, 200 + x, 180, 50, 70, 200, 110, 160 };
    s.shape[1] = (SynthShape){ 0, 480, 120, 60, 40, 70, 150, 110 };
    s.shape[2] = (SynthShape){ 1, 520, 280, 30, 30, 230, 90, 120 };
    return s;
}

// Shot A2: another angle of the same room: the same colours, other layout and sizes.
static SynthScene scene_a2(double x)
{
    SynthScene s = { .top = { 120, 110, 150 }, .bottom = { 170, 100, 140 }, .nshape = 3 };
    s.shape[0] = (SynthShape){ 1, 420 + x, 200, 90, 120, 200, 110, 160 };
    s.shape[1] = (SynthShape){ 0, 110, 250, 40, 70, 70, 150, 110 };
    s.shape[2] = (SynthShape){ 1, 160, 70, 45, 25, 230, 90, 120 };
    return s;
}

// Shot B: another place (cold palette).
static SynthScene scene_b(double x)
{
    SynthScene s = { .top = { 50, 160, 100 }, .bottom = { 90, 150, 110 }, .nshape = 2 };
    s.shape[0] = (SynthShape){ 0, 320 + x, 200, 120, 80, 210, 80, 170 };
    s.shape[1] = (SynthShape){ 1, 120, 90, 40, 55, 140, 170, 80 };
    return s;
}

// Shot N: a night sky, black at the top (what a black frame matches), bright shapes below.
static SynthScene scene_night(double x)
{
    SynthScene s = { .top = { 16, 128, 128 }, .bottom = { 16, 128, 128 }, .nshape = 2 };
    s.shape[0] = (SynthShape){ 0, 320 + x, 300, 200, 40, 120, 140, 120 };
    s.shape[1] = (SynthShape){ 1, 500, 80, 25, 25, 230, 120, 140 };
    return s;
}

typedef struct Seq {
    AimFrame *f[MAXF];
    char want[MAXF + 1];
    int n;
} Seq;

static void seq_free(Seq *q)
{
    for (int i = 0; i < q->n; i++)
        aim_frame_unref(&q->f[i]);
    q->n = 0;
}

static void add(Seq *q, int depth, SynthScene s0, const SynthScene *s1, double a, int noise,
                char want)
{
    q->f[q->n] = synth_frame(W, H, depth, &s0, s1, a, noise, (uint32_t)q->n + 1);
    if (q->f[q->n]) // the reader's microseconds (io.h), at 24 fps
        q->f[q->n]->pts = q->n * INT64_C(1000000) / 24;
    q->want[q->n] = want;
    q->n++;
    q->want[q->n] = 0;
}

static char letter(AimGateClass c)
{
    return "schmf"[(unsigned)c < 5 ? c : 0];
}

// Runs the gate over q, checks the send/receive contract, returns the classes as letters and
// (if recs) the records with their masks (caller clears).
static void run(const Seq *q, const AimGateSettings *s, char *got, AimGateRecord *recs)
{
    AimGate *g = NULL;
    CHECK_EQ_INT(aim_gate_create(&g, s), 0);
    int next = 0;
    for (int i = 0; i <= q->n; i++) {
        int ret;
        while ((ret = aim_gate_send(g, i < q->n ? q->f[i] : NULL)) == AIM_ERR(EAGAIN)) {
            AimGateRecord r;
            CHECK_EQ_INT(aim_gate_receive(g, &r), 0);
            CHECK_EQ_INT(r.frame, next);
            CHECK(r.pts == q->f[next]->pts); // the frame's own time, for the reports
            // a record waits for at most AIM_GATE_LOOKAHEAD later frames
            CHECK(i - 1 <= next + AIM_GATE_LOOKAHEAD);
            got[next] = letter(r.cls);
            if (recs)
                recs[next] = r;
            else
                aim_gate_record_clear(&r);
            next++;
        }
        CHECK_EQ_INT(ret, 0);
        // after each frame every record that can be final is handed out
        if (i < q->n && i >= AIM_GATE_LOOKAHEAD + 1) {
            AimGateRecord r;
            int rr;
            while ((rr = aim_gate_receive(g, &r)) == 0) {
                CHECK_EQ_INT(r.frame, next);
                CHECK(r.pts == q->f[next]->pts);
                got[next] = letter(r.cls);
                if (recs)
                    recs[next] = r;
                else
                    aim_gate_record_clear(&r);
                next++;
            }
            CHECK_EQ_INT(rr, AIM_ERR(EAGAIN));
            CHECK_EQ_INT(next, i - AIM_GATE_LOOKAHEAD + 1);
        }
    }
    AimGateRecord r;
    int ret;
    while ((ret = aim_gate_receive(g, &r)) == 0) {
        CHECK_EQ_INT(r.frame, next);
        CHECK(next < q->n && r.pts == q->f[next]->pts);
        got[next] = letter(r.cls);
        if (recs)
            recs[next] = r;
        else
            aim_gate_record_clear(&r);
        next++;
    }
    CHECK_EQ_INT(ret, AIM_ERR_EOF);
    CHECK_EQ_INT(next, q->n);
    got[next] = 0;
    CHECK_EQ_INT(aim_gate_send(g, q->f[0]), AIM_ERR(EINVAL)); // nothing after end of stream
    aim_gate_destroy(&g);
    CHECK(g == NULL);
}

static void check_seq(const char *name, const Seq *q, const AimGateSettings *s)
{
    char got[MAXF + 1];
    run(q, s, got, NULL);
    CHECK_MSG(!strcmp(got, q->want), "%s (metric %s, cpu %x):\n  want %s\n  got  %s", name,
              aim_gate_metric_name(s->metric), s->cpu_flags, q->want, got);
}

// Drawings on 2s: each drawing moves the character 6 px.
static void shot_on2(Seq *q, int depth, SynthScene (*scene)(double), int n, char first)
{
    for (int k = 0; k < n; k++)
        add(q, depth, scene(6.0 * (k / 2)), NULL, 0, 0, k == 0 ? first : k % 2 ? Hd : M);
}

static void test_cuts(int depth, const AimGateSettings *s)
{
    Seq q = { 0 };
    shot_on2(&q, depth, scene_a, 16, S);
    shot_on2(&q, depth, scene_a2, 16, C); // similar shot: same palette, other layout
    shot_on2(&q, depth, scene_b, 16, C);  // dissimilar shot
    check_seq("cuts", &q, s);
    seq_free(&q);
}

static void test_flash(int depth, const AimGateSettings *s)
{
    Seq q = { 0 };
    SynthScene white = { .top = { 235, 128, 128 }, .bottom = { 235, 128, 128 } };
    // A on 2s, one white frame replacing a frame, A goes on: both ends are a flash, no cut.
    shot_on2(&q, depth, scene_a, 12, S);
    add(&q, depth, white, NULL, 0, 0, F);
    add(&q, depth, scene_a(36), NULL, 0, 0, F);
    add(&q, depth, scene_a(36), NULL, 0, 0, Hd);
    add(&q, depth, scene_a(42), NULL, 0, 0, M);
    add(&q, depth, scene_a(42), NULL, 0, 0, Hd);
    // a flash held two frames (on 2s), then a new drawing
    add(&q, depth, white, NULL, 0, 0, F);
    add(&q, depth, white, NULL, 0, 0, Hd);
    add(&q, depth, scene_a(48), NULL, 0, 0, F);
    add(&q, depth, scene_a(48), NULL, 0, 0, Hd);
    add(&q, depth, scene_a(54), NULL, 0, 0, M);
    add(&q, depth, scene_a(54), NULL, 0, 0, Hd);
    check_seq("flash", &q, s);
    seq_free(&q);
}

static void test_fades(int depth, const AimGateSettings *s)
{
    Seq q = { 0 };
    SynthScene a = scene_a(0), b = scene_b(0);
    for (int k = 0; k < 6; k++)
        add(&q, depth, a, NULL, 0, 0, k ? Hd : S);
    for (int k = 1; k <= 8; k++) // fade to black
        add(&q, depth, a, NULL, k / 8.0, 0, F);
    for (int k = 0; k < 4; k++)
        add(&q, depth, a, NULL, 1.0, 0, Hd);
    for (int k = 1; k <= 8; k++) // fade in to B (from black)
        add(&q, depth, b, NULL, 1.0 - k / 8.0, 0, F);
    for (int k = 0; k < 4; k++)
        add(&q, depth, b, NULL, 0, 0, Hd);
    for (int k = 1; k <= 8; k++) // cross-dissolve B -> A2
    {
        SynthScene a2 = scene_a2(0);
        add(&q, depth, b, &a2, k / 8.0, 0, F);
    }
    for (int k = 0; k < 4; k++)
        add(&q, depth, scene_a2(0), NULL, 0, 0, Hd);
    check_seq("fades", &q, s);
    seq_free(&q);
    // fade to black, then a hard cut out of black into a moving shot (aim_gen's cycle start):
    // a black frame matches anything, so only the direction from the new picture counts, and
    // the fade does not raise the local history the cut must stand out from
    shot_on2(&q, depth, scene_a, 8, S);
    for (int k = 1; k <= 8; k++)
        add(&q, depth, scene_a(18), NULL, k / 8.0, 0, F);
    add(&q, depth, scene_a(18), NULL, 1.0, 0, Hd);
    shot_on2(&q, depth, scene_night, 12, C);
    check_seq("fade out, cut in", &q, s);
    seq_free(&q);
}

// A dissolve frame at a cut (DVD-era and field-blended sources): A, (A + B) / 2, B. Neither
// interval around the blended frame may be motion: the engine would warp a shot toward a
// double exposure. Variants: shots on 1s and on 2s (held a frame before the cut), to a shot of
// the same palette or another, the blend of the two frames around it or (with noise) of the
// two shots each one drawing on (field-blend timing). 8-bit, SIMD kernels.
static void test_dissolve_frame(int depth, const AimGateSettings *s)
{
    SynthScene (*from[3])(double) = { scene_a, scene_a, scene_b };
    SynthScene (*to[3])(double) = { scene_b, scene_a2, scene_night };
    for (int v = 0; v < 3 * 2 * 2; v++) {
        const int pair = v % 3, step = 1 + (v / 3) % 2;
        const int held = step == 2; // on 2s: the last drawing before the cut is held a frame
        // field-blend style: each half of the blended frame is at its own time, A one drawing
        // on and B one drawing before its first frame (both shots keep moving through it)
        const int timed = (v / 6) % 2, noise = timed ? 2 : 0;
        Seq q = { 0 };
        double x = 0;
        for (int k = 0; k < 10; k++) {
            x = 6.0 * (k / step);
            add(&q, depth, from[pair](x), NULL, 0, noise, k == 0 ? S : k % step ? Hd : M);
        }
        if (held)
            add(&q, depth, from[pair](x), NULL, 0, noise, Hd);
        const int d = q.n;
        SynthScene a = from[pair](timed ? x + 6.0 : x), b = to[pair](timed ? -6.0 : 0);
        add(&q, depth, a, &b, 0.5, noise, F);
        for (int k = 0; k < 10; k++)
            add(&q, depth, to[pair](6.0 * (k / step)), NULL, 0, noise,
                k == 0 ? F : k % step ? Hd : M);
        char got[MAXF + 1];
        run(&q, s, got, NULL);
        int ok = (got[d] == C || got[d] == F) && (got[d + 1] == C || got[d + 1] == F);
        CHECK_MSG(ok, "dissolve frame %d (pair %d, on %ds, noise %d, held %d, depth %d): "
                  "timed %d: A -> (A+B)/2 is '%c', (A+B)/2 -> B is '%c' (want c or f): %s", d,
                  pair, step, noise, held, depth, timed, got[d], got[d + 1], got);
        // and nothing else in the two shots is a cut
        for (int k = 1; k < q.n; k++)
            if (k != d && k != d + 1)
                CHECK_MSG(got[k] != C, "dissolve variant %d: cut at %d: %s", v, k, got);
        seq_free(&q);
    }
}

static void test_noise_hold(int depth, const AimGateSettings *s)
{
    Seq q = { 0 };
    // One drawing held 20 frames, every frame with fresh +-1 level noise (compression noise).
    for (int k = 0; k < 20; k++)
        add(&q, depth, scene_a(0), NULL, 0, 1, k ? Hd : S);
    // then it moves on 2s, still noisy: motion is seen through the noise
    for (int k = 0; k < 8; k++)
        add(&q, depth, scene_a(6.0 * (k / 2 + 1)), NULL, 0, 1, k % 2 ? Hd : M);
    check_seq("noise hold", &q, s);
    seq_free(&q);
}

// A 13x9 px "mouth" at (294..306, 196..204) toggles colour on 2s; the rest holds with noise.
static void test_partial(int depth, const AimGateSettings *s)
{
    Seq q = { 0 };
    for (int k = 0; k < 16; k++) {
        SynthScene sc = scene_a(0);
        sc.shape[sc.nshape++] = (SynthShape){ 0, 300, 200, 6, 4, (k / 2) % 2 ? 60 : 220, 128, 128 };
        add(&q, depth, sc, NULL, 0, 1, k == 0 ? S : k % 2 ? Hd : M);
    }
    char got[MAXF + 1];
    AimGateRecord rec[MAXF];
    run(&q, s, got, rec);
    CHECK_MSG(!strcmp(got, q.want), "partial:\n  want %s\n  got  %s", q.want, got);
    for (int i = 0; i < q.n; i++) {
        const AimMotionMask *m = &rec[i].mask;
        if (rec[i].cls != AIM_CLASS_MOTION) {
            CHECK(m->data == NULL);
            continue;
        }
        CHECK(m->data != NULL);
        if (!m->data)
            continue;
        CHECK_EQ_INT(m->block, AIM_GATE_BLOCK);
        CHECK_EQ_INT(m->w, (W + 15) / 16);
        CHECK_EQ_INT(m->h, (H + 15) / 16);
        int on = 0, bad_far = 0, bad_near = 0;
        for (int by = 0; by < m->h; by++)
            for (int bx = 0; bx < m->w; bx++) {
                int v = m->data[by * m->w + bx] != 0;
                on += v;
                int x0 = bx * 16, x1 = x0 + 15, y0 = by * 16, y1 = y0 + 15;
                int inside = x1 >= 294 && x0 <= 306 && y1 >= 196 && y0 <= 204;
                // distance in blocks from the mouth's blocks
                int dx = bx < 294 / 16 ? 294 / 16 - bx : bx > 306 / 16 ? bx - 306 / 16 : 0;
                int dy = by < 196 / 16 ? 196 / 16 - by : by > 204 / 16 ? by - 204 / 16 : 0;
                if (inside && !v)
                    bad_near++;
                if ((dx > 2 || dy > 2) && v)
                    bad_far++;
            }
        CHECK_MSG(bad_near == 0, "frame %d: %d blocks of the mouth not in the mask", i, bad_near);
        CHECK_MSG(bad_far == 0, "frame %d: %d static blocks far from the mouth in the mask", i,
                  bad_far);
        // the mouth's blocks, dilated by one block: at least 3x3, at most 6x5
        CHECK_MSG(on >= 9 && on <= 30, "frame %d: %d blocks in the mask", i, on);
        CHECK_NEAR(rec[i].moving, (double)on / (m->w * m->h), 1e-9);
        CHECK(rec[i].blockmax >= s->block_threshold);
    }
    for (int i = 0; i < q.n; i++)
        aim_gate_record_clear(&rec[i]);
    seq_free(&q);
}

// A held drawing under a slow camera pan (1.5 px per frame, low-contrast shapes so no 16x16
// block changes visibly) must be interpolated; the same drawing under a +-0.25 px film weave
// is a hold.
static void test_camera(int depth, const AimGateSettings *s)
{
    SynthScene sc = { .top = { 110, 128, 128 }, .bottom = { 130, 128, 128 }, .nshape = 3,
                      .outline = 100 };
    sc.shape[0] = (SynthShape){ 1, 100, 90, 40, 50, 150, 128, 128 };
    sc.shape[1] = (SynthShape){ 0, 230, 60, 40, 25, 95, 128, 128 };
    sc.shape[2] = (SynthShape){ 1, 250, 140, 20, 20, 145, 128, 128 };
    Seq q = { 0 };
    for (int k = 0; k < 10; k++) {
        q.f[q.n] = synth_frame_aa(320, 180, depth, &sc, 1.5 * k, 0, 0, (uint32_t)k + 1);
        q.want[q.n++] = k ? M : S;
    }
    q.want[q.n] = 0;
    char got[MAXF + 1];
    AimGateRecord rec[MAXF];
    run(&q, s, got, rec);
    CHECK_MSG(!strcmp(got, q.want), "camera pan:\n  want %s\n  got  %s", q.want, got);
    int global = 0;
    for (int i = 1; i < q.n; i++) {
        global += rec[i].blockmax < s->block_threshold && (rec[i].why & AIM_GATE_WHY_GLOBAL) &&
                  rec[i].camera >= 1.0 && rec[i].moving == 1.0;
        aim_gate_record_clear(&rec[i]);
    }
    CHECK_MSG(global == q.n - 1, "camera pan: %d of %d intervals under the block threshold",
              global, q.n - 1);
    seq_free(&q);
    for (int k = 0; k < 10; k++) {
        q.f[q.n] = synth_frame_aa(320, 180, depth, &sc, k % 2 ? 0.25 : -0.25, 0, 0,
                                  (uint32_t)k + 1);
        q.want[q.n++] = k ? Hd : S;
    }
    q.want[q.n] = 0;
    check_seq("film weave", &q, s);
    seq_free(&q);
}

static void test_cadence(int depth, const AimGateSettings *s)
{
    Seq q = { 0 };
    // 16 frames on 2s, then 18 frames on 3s, in one shot.
    for (int k = 0; k < 16; k++)
        add(&q, depth, scene_a(6.0 * (k / 2)), NULL, 0, 0, k == 0 ? S : k % 2 ? Hd : M);
    for (int k = 0; k < 18; k++)
        add(&q, depth, scene_a(48 + 6.0 * (k / 3)), NULL, 0, 0, k % 3 ? Hd : M);
    char got[MAXF + 1];
    run(&q, s, got, NULL);
    CHECK_MSG(!strcmp(got, q.want), "cadence:\n  want %s\n  got  %s", q.want, got);
    AimGateClass cls[MAXF];
    uint8_t on[MAXF];
    for (int i = 0; i < q.n; i++)
        cls[i] = strchr("schmf", got[i]) ? (AimGateClass)(strchr("schmf", got[i]) - "schmf") : 0;
    AimGateSummary sum;
    CHECK_EQ_INT(aim_gate_summarize(&sum, cls, q.n, on), 0);
    CHECK_EQ_INT(sum.frames, 34);
    CHECK_EQ_INT(sum.on_frames[2], 16);
    CHECK_EQ_INT(sum.on_frames[3], 18);
    CHECK_EQ_INT(sum.dominant, 3);
    CHECK_EQ_INT(sum.nruns, 2);
    if (sum.nruns == 2) {
        CHECK_EQ_INT(sum.runs[0].first, 0);
        CHECK_EQ_INT(sum.runs[0].last, 15);
        CHECK_EQ_INT(sum.runs[0].on, 2);
        CHECK_EQ_INT(sum.runs[1].first, 16);
        CHECK_EQ_INT(sum.runs[1].last, 33);
        CHECK_EQ_INT(sum.runs[1].on, 3);
    }
    CHECK_EQ_INT(on[0], 2);
    CHECK_EQ_INT(on[15], 2);
    CHECK_EQ_INT(on[16], 3);
    CHECK_EQ_INT(on[33], 3);
    aim_gate_summary_free(&sum);
    seq_free(&q);
}

// The summary on hand-made class sequences: runs break at cuts, need AIM_GATE_RUN_MIN drawings.
static void test_summary(void)
{
    const char *seq = "shmhmhmhmhchhmhhmhhmhhmhhmhmhfm";
    int n = (int)strlen(seq);
    AimGateClass cls[64];
    uint8_t on[64];
    for (int i = 0; i < n; i++)
        cls[i] = (AimGateClass)(strchr("schmf", seq[i]) - "schmf");
    AimGateSummary s;
    CHECK_EQ_INT(aim_gate_summarize(&s, cls, n, on), 0);
    CHECK_EQ_INT(s.count[AIM_CLASS_CUT], 1);
    CHECK_EQ_INT(s.count[AIM_CLASS_FADE], 1);
    CHECK_EQ_INT(s.nruns, 2);
    if (s.nruns == 2) {
        CHECK_EQ_INT(s.runs[0].first, 0); // s h m h m h m h m h: 5 drawings on 2s
        CHECK_EQ_INT(s.runs[0].last, 9);
        CHECK_EQ_INT(s.runs[0].on, 2);
        CHECK_EQ_INT(s.runs[1].first, 10); // c h h m h h m h h m h h m h h: 5 on 3s
        CHECK_EQ_INT(s.runs[1].last, 24);
        CHECK_EQ_INT(s.runs[1].on, 3);
    }
    CHECK_EQ_INT(on[n - 1], 1);
    CHECK_EQ_INT(on[n - 2], 1);
    // the cut list, with times at the source rate (frame 10 at 24 fps: 0.417 s)
    CHECK(s.ncuts == 1 && s.cuts[0] == 10);
    char *txt = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&txt, &len);
    AimGateRecord recs[64] = { { 0 } };
    for (int i = 0; i < n; i++)
        recs[i].pts = i * INT64_C(1000000) / 24;
    aim_gate_summary_json(f, &s, recs);
    aim_gate_summary_text(f, &s, recs);
    fclose(f);
    CHECK_MSG(strstr(txt, "\"cuts\": [{\"frame\": 10, \"time\": 0.417, \"timecode\": "
                          "\"00:00:00.417\"}]") != NULL, "%s", txt);
    CHECK_MSG(strstr(txt, "cuts: 10 (00:00:00.417)\n") != NULL, "%s", txt);
    free(txt);
    char buf[128];
    aim_gate_summary_free(&s);
    CHECK(!strcmp(aim_gate_why_string(AIM_GATE_WHY_PALETTE | AIM_GATE_WHY_INSERT, buf,
                                      sizeof(buf)), "palette+insert"));
    CHECK(!strcmp(aim_gate_why_string(0, buf, sizeof(buf)), ""));
    CHECK(!strcmp(aim_gate_why_string(AIM_GATE_WHY_GLOBAL, buf, 4), "")); // too small: cut off
}

static void test_api(void)
{
    AimGateSettings s;
    aim_gate_default_settings(&s);
    CHECK_NEAR(s.hold_threshold, 0.003, 0);
    CHECK_NEAR(s.cut_threshold, 0.35, 0);
    CHECK_EQ_INT(s.metric, AIM_GATE_METRIC_MC);
    AimGate *g = NULL;
    AimGateSettings bad = s;
    bad.cut_threshold = 0;
    CHECK_EQ_INT(aim_gate_create(&g, &bad), AIM_ERR(EINVAL));
    bad = s;
    bad.hold_threshold = -1;
    CHECK_EQ_INT(aim_gate_create(&g, &bad), AIM_ERR(EINVAL));
    bad = s;
    bad.metric = (AimGateMetric)7;
    CHECK_EQ_INT(aim_gate_create(&g, &bad), AIM_ERR(EINVAL));
    CHECK(g == NULL);
    AimGateMetric m;
    CHECK_EQ_INT(aim_gate_metric_parse("ssim", &m), 0);
    CHECK_EQ_INT(m, AIM_GATE_METRIC_SSIM);
    CHECK_EQ_INT(aim_gate_metric_parse("psnr", &m), AIM_ERR(EINVAL));
    CHECK(!strcmp(aim_gate_class_name(AIM_CLASS_FADE), "fade"));
    CHECK(!strcmp(aim_gate_metric_name(AIM_GATE_METRIC_MC), "mc"));

    CHECK_EQ_INT(aim_gate_create(&g, &s), 0);
    AimGateRecord r;
    CHECK_EQ_INT(aim_gate_receive(g, &r), AIM_ERR(EAGAIN));
    SynthScene a = scene_a(0);
    AimFrame *f0 = synth_frame(64, 48, 8, &a, NULL, 0, 0, 1);
    AimFrame *f1 = synth_frame(64, 40, 8, &a, NULL, 0, 0, 1);
    AimFrame *tiny = synth_frame(8, 8, 8, &a, NULL, 0, 0, 1);
    CHECK_EQ_INT(aim_gate_send(g, tiny), AIM_ERR(EINVAL));
    CHECK_EQ_INT(aim_gate_send(g, f0), 0);
    CHECK_EQ_INT(aim_gate_send(g, f0), AIM_ERR(EAGAIN)); // the start record first
    CHECK_EQ_INT(aim_gate_receive(g, &r), 0);
    CHECK_EQ_INT(r.cls, AIM_CLASS_START);
    CHECK(r.mask.data == NULL);
    CHECK_EQ_INT(aim_gate_send(g, f1), AIM_ERR(EINVAL)); // size change
    CHECK_EQ_INT(aim_gate_send(g, f0), 0);
    CHECK_EQ_INT(aim_gate_receive(g, &r), AIM_ERR(EAGAIN)); // waits for its lookahead
    CHECK_EQ_INT(aim_gate_send(g, NULL), 0);
    CHECK_EQ_INT(aim_gate_receive(g, &r), 0);
    CHECK_EQ_INT(r.frame, 1);
    CHECK_EQ_INT(r.cls, AIM_CLASS_HOLD);
    CHECK_EQ_INT(aim_gate_receive(g, &r), AIM_ERR_EOF);
    aim_gate_destroy(&g);
    aim_gate_destroy(&g); // &NULL accepted
    aim_gate_destroy(NULL);
    aim_gate_record_clear(NULL);
    aim_frame_unref(&f0);
    aim_frame_unref(&f1);
    aim_frame_unref(&tiny);
}

// Odd and tiny sizes (partial blocks, one-block analysis planes) run through and keep the
// contract: a hold stays a hold, a change is seen, masks have the documented size.
static void test_sizes(void)
{
    static const int sizes[][2] = { { 16, 16 }, { 17, 31 }, { 333, 187 }, { 1000, 18 } };
    AimGateSettings s;
    aim_gate_default_settings(&s);
    s.cpu_flags = aim_cpu_detect();
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        int w = sizes[k][0], h = sizes[k][1];
        Seq q = { 0 };
        SynthScene a = scene_a(0), b = scene_b(0);
        for (int i = 0; i < 8; i++) {
            q.f[q.n] = synth_frame(w, h, 8, i < 4 ? &a : &b, NULL, 0, 0, 1);
            q.want[q.n++] = i == 0 ? S : i == 4 ? 'x' : Hd;
        }
        q.want[q.n] = 0;
        char got[MAXF + 1];
        AimGateRecord rec[MAXF];
        run(&q, &s, got, rec);
        got[4] = 'x'; // the change from a to b: cut, motion or fade by size; not a hold
        CHECK_MSG(!strcmp(got, q.want), "%dx%d: want %s got %s", w, h, q.want, got);
        CHECK_MSG(rec[4].cls != AIM_CLASS_HOLD, "%dx%d: change missed", w, h);
        for (int i = 0; i < q.n; i++) {
            if (rec[i].mask.data) {
                CHECK_EQ_INT(rec[i].mask.w, (w + 15) / 16);
                CHECK_EQ_INT(rec[i].mask.h, (h + 15) / 16);
            }
            aim_gate_record_clear(&rec[i]);
        }
        seq_free(&q);
    }
}

// CSV schema, JSON shape, timeline picture on records of a real gate run.
static void test_outputs(const AimGateSettings *s)
{
    Seq q = { 0 };
    shot_on2(&q, 8, scene_a, 12, S);
    shot_on2(&q, 8, scene_b, 12, C);
    char got[MAXF + 1];
    AimGateRecord rec[MAXF];
    run(&q, s, got, rec);
    CHECK(!strcmp(got, q.want));
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    aim_gate_csv_header(f);
    for (int i = 0; i < q.n; i++)
        aim_gate_csv_row(f, &rec[i], 2);
    fclose(f);
    const char *hdr = "frame,class,why,mad,ssim,hist,mc,cut_score,rel,palette,blockmax,sad,moving,"
                      "luma,fade_fit,camera,on,time\n";
    CHECK(!strncmp(buf, hdr, strlen(hdr)));
    int lines = 0, rows_ok = 0;
    for (char *line = buf, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = 0;
        int commas = 0;
        for (char *c = line; *c; c++)
            commas += *c == ',';
        if (lines > 0) {
            long fr = strtol(line, NULL, 10);
            char cls[16] = "";
            sscanf(strchr(line, ',') + 1, "%15[^,]", cls);
            char tc[32];
            aim_format_time((lines - 1) / 24.0, tc, sizeof(tc));
            rows_ok += commas == 17 && fr == lines - 1 &&
                       !strcmp(cls, aim_gate_class_name(rec[lines - 1].cls)) &&
                       !strcmp(strrchr(line, ',') + 1, tc); // the timecode, last

        }
        lines++;
    }
    CHECK_EQ_INT(lines, q.n + 1);
    CHECK_EQ_INT(rows_ok, q.n);
    // the cut row says why, the hold rows have no mc
    CHECK(strstr(hdr, "mc") != NULL);
    free(buf);
    f = open_memstream(&buf, &len);
    aim_gate_json_record(f, &rec[12], 2);
    fclose(f);
    CHECK_MSG(!strncmp(buf, "{\"frame\": 12, \"time\": 0.500, \"class\": \"cut\", \"why\": "
                            "\"isolated\"", 62), "%s", buf);
    CHECK(buf[len - 1] == '}');
    free(buf);
    f = open_memstream(&buf, &len);
    aim_gate_json_record(f, &rec[1], 2);
    fclose(f);
    CHECK(strstr(buf, "\"mc\": null") != NULL); // a hold: not measured
    free(buf);

    AimTimeline t;
    CHECK_EQ_INT(aim_timeline_render(&t, rec, 0, s, 24), AIM_ERR(EINVAL));
    CHECK_EQ_INT(aim_timeline_render(&t, rec, q.n, s, 0), AIM_ERR(EINVAL));
    CHECK_EQ_INT(aim_timeline_render(&t, rec, q.n, s, 24), 0);
    CHECK(t.w == AIM_TIMELINE_WIDTH && t.rows == 1);
    // The band holds each frame's class colour, in frame order, across the whole width.
    int strip_ok = 0, colours = 0, xprev = -1, xs_ok = 0;
    uint8_t seen[64][3];
    for (int i = 0; i < q.n; i++) {
        uint8_t want[3];
        aim_timeline_class_color(rec[i].cls, want);
        int x, y;
        CHECK_EQ_INT(aim_timeline_band_point(&t, i, &x, &y), 0);
        strip_ok += !memcmp(t.rgb + ((size_t)y * t.w + x) * 3, want, 3);
        xs_ok += x > xprev;
        xprev = x;
    }
    CHECK_EQ_INT(strip_ok, q.n);
    CHECK_EQ_INT(xs_ok, q.n);
    CHECK(xprev > t.w * 3 / 4); // the frames spread over the width, not one pixel each
    // Text: the legend and the time axis are drawn in ink (30, 30, 30).
    int ink = 0;
    for (size_t p = 0; p < (size_t)t.w * t.h; p++)
        ink += !memcmp(t.rgb + 3 * p, (const uint8_t[3]){ 30, 30, 30 }, 3);
    CHECK_MSG(ink > 2000, "only %d text pixels", ink);
    for (size_t p = 0; p < (size_t)t.w * t.h && colours < 64; p++) {
        int known = 0;
        for (int c = 0; c < colours && !known; c++)
            known = !memcmp(seen[c], t.rgb + 3 * p, 3);
        if (!known)
            memcpy(seen[colours++], t.rgb + 3 * p, 3);
    }
    CHECK_MSG(colours >= 8, "timeline has only %d colours", colours);
    f = open_memstream(&buf, &len);
    int ret = aim_timeline_write_png(&t, f);
    fclose(f);
#ifdef AIM_HAVE_PNG
    CHECK_EQ_INT(ret, 0);
    CHECK(len > 100 && !memcmp(buf, "\x89PNG\r\n\x1a\n", 8));
#else
    CHECK_EQ_INT(ret, AIM_ERR_UNSUPPORTED);
#endif
    free(buf);
    aim_timeline_free(&t);
    aim_timeline_free(&t);
    // Long inputs: one row per minute (2.5 min: 3 rows); beyond 30 minutes, whole minutes per
    // row (2 h: 4 min per row, 30 rows); every frame's band colour where it says.
    static const struct { int64_t n; int rows; int64_t fpr; } longs[] = {
        { 3600, 3, 1440 }, { 172800, 30, 5760 },
    };
    for (int k = 0; k < 2; k++) {
        int64_t n = longs[k].n;
        AimGateRecord *lr = calloc((size_t)n, sizeof(*lr));
        if (!lr)
            continue;
        for (int64_t i = 0; i < n; i++) {
            lr[i].frame = i;
            lr[i].pts = i * INT64_C(1000000) / 24;
            lr[i].cls = i % 500 == 0 ? AIM_CLASS_CUT : AIM_CLASS_HOLD;
        }
        CHECK_EQ_INT(aim_timeline_render(&t, lr, n, s, 24), 0);
        CHECK_EQ_INT(t.rows, longs[k].rows);
        CHECK_EQ_INT(t.frames_per_row, longs[k].fpr);
        int cuts_ok = 0, x, y;
        uint8_t red[3];
        aim_timeline_class_color(AIM_CLASS_CUT, red);
        for (int64_t i = 0; i < n; i += 500)
            cuts_ok += aim_timeline_band_point(&t, i, &x, &y) == 0 &&
                       !memcmp(t.rgb + ((size_t)y * t.w + x) * 3, red, 3);
        CHECK_EQ_INT(cuts_ok, (n + 499) / 500);
        aim_timeline_free(&t);
        free(lr);
    }
    for (int i = 0; i < q.n; i++)
        aim_gate_record_clear(&rec[i]);
    seq_free(&q);
}

int main(void)
{
    test_api();
    test_summary();
    test_sizes();
    AimGateSettings s;
    aim_gate_default_settings(&s);
    unsigned cpus[2] = { 0, aim_cpu_detect() };
    for (int k = 0; k < 2; k++) {
        s.cpu_flags = cpus[k];
        int depth = k ? 10 : 8; // C kernels on 8-bit, SIMD on 10-bit (and the reverse below)
        test_cuts(depth, &s);
        test_flash(depth, &s);
        test_fades(depth, &s);
        test_noise_hold(depth, &s);
        test_partial(depth, &s);
        test_camera(depth, &s);
        test_cadence(depth, &s);
    }
    s.cpu_flags = aim_cpu_detect();
    test_cuts(8, &s);
    test_dissolve_frame(8, &s);
    test_outputs(&s);
    return test_finish("test_gate");
}
