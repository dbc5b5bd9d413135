// Replay (pipeline.h: settings.records, a planned job's segments): the gate does not run, the
// given decisions are obeyed. On synthetic frames in memory, with variable-rate times (timed
// mode: a 24 fps part, then pictures 30 fps apart, off the 24 fps grid) at 2x and 5/2:
// - the records of a fresh run replayed over the whole stream give its frames exactly;
// - replayed in segments (each reads one frame past its range), the segments' frames, numbered
//   from aim_pipeline_first_out_at of their first picture, are the fresh run's, in order;
// - decisions that differ from the gate's are obeyed: a motion interval replayed as a hold
//   repeats its first picture, a cut replayed as a fade is blended;
// - an interval that needs its later picture when that is not read is refused (EINVAL).
// Part of the TSan suite (scripts/test.sh): the replay source thread and the sink share the
// first output number through the queues.
#include <string.h>

#include "pipeline/pipeline.h"
#include "square.h"
#include "test.h"

#define W 96
#define H 64
#define N 36
#define MAXOUT 128

// m = moved, h = same drawing, c = cut; frame 0 is the start
static const char script[N + 1] = "mmhmhhmcmhmmhhhhmmmhmcmmhmhhmmhmmhmm";

typedef struct Run {
    AimFrame *src[N];            // the source pictures (times in pts)
    int64_t next, end;           // read() yields src[next .. end - 1]
    AimGateRecord rec[N];        // fresh run: the gate's records (masks copied)
    int nrec;
    AimFrame *out[MAXOUT];       // copies of the written frames
    int64_t k[MAXOUT];           // their numbers
    int nout;
} Run;

static int make_sources(Run *r)
{
    int pos = 10, shot = 0;
    for (int i = 0; i < N; i++) {
        if (script[i] == 'm')
            pos = pos + 6 > W - 30 ? 10 : pos + 6;
        else if (script[i] == 'c')
            shot ^= 1, pos = 10;
        if (aim_frame_alloc(&r->src[i], W, H, 8, 1) < 0)
            return -1;
        square_draw(r->src[i], shot, pos);
        // 24 fps for 16 pictures, then 30 fps: variable rate, most of the rest off the grid
        r->src[i]->pts = i < 16 ? llround(i * 1e6 / 24)
                                : llround(16 * 1e6 / 24 + (i - 16) * 1e6 / 30);
    }
    return 0;
}

static int src_read(void *opaque, AimFrame **out)
{
    Run *r = opaque;
    if (r->next >= r->end)
        return AIM_ERR_EOF;
    *out = aim_frame_ref(r->src[r->next++]);
    return 0;
}

static int sink_write(void *opaque, const AimFrame *f)
{
    Run *r = opaque;
    if (r->nout >= MAXOUT)
        return AIM_ERR(ENOSPC);
    AimFrame *c = NULL;
    if (aim_frame_alloc(&c, f->width, f->height, f->depth, 0) < 0)
        return AIM_ERR(ENOMEM);
    aim_frame_copy(c, f);
    r->k[r->nout] = f->index;
    r->out[r->nout++] = c;
    return 0;
}

static void on_record(void *opaque, const AimGateRecord *rec)
{
    Run *r = opaque;
    if (rec->frame < 0 || rec->frame >= N)
        return;
    AimGateRecord *d = &r->rec[rec->frame];
    *d = *rec;
    d->mask.data = NULL;
    if (rec->mask.data) {
        size_t sz = (size_t)rec->mask.w * (size_t)rec->mask.h;
        if ((d->mask.data = malloc(sz)))
            memcpy(d->mask.data, rec->mask.data, sz);
    }
    r->nrec++;
}

static void clear_out(Run *r)
{
    for (int i = 0; i < r->nout; i++)
        aim_frame_unref(&r->out[i]);
    r->nout = 0;
}

// Runs frames [first, read_end) with records (NULL: the gate decides), emitting [first, end).
static int go(Run *r, AimRational R, const AimGateRecord *recs, int64_t first, int64_t end,
              int64_t read_end, AimPipelineStats *st)
{
    AimPool *pool = NULL;
    if (aim_pool_create(&pool, 1) < 0)
        return AIM_ERR(ENOMEM);
    AimPipelineSettings s;
    aim_pipeline_default_settings(&s);
    s.rate = R;
    s.timed = 1;
    s.frame_rate = (AimRational){ 24, 1 };
    s.width = s.out_width = W;
    s.height = s.out_height = H;
    s.depth = 8;
    s.queue_depth = 2;
    s.pool = pool;
    s.read = src_read;
    s.write = sink_write;
    s.on_record = recs ? NULL : on_record;
    s.opaque = r;
    s.records = recs;
    s.nb_records = recs ? N : 0;
    s.first_frame = recs ? first : 0;
    s.emit_end = end;
    r->next = first;
    r->end = read_end;
    int ret = aim_pipeline_run(&s, st);
    aim_pool_destroy(&pool);
    return ret;
}

// The output frames of source interval i in the fresh run: [k0, k1).
static void interval(const Run *r, AimRational R, int i, int64_t *k0, int64_t *k1)
{
    const AimRational fr = { 24, 1 };
    *k0 = aim_pipeline_first_out_at(R, fr, r->src[i]->pts);
    *k1 = aim_pipeline_first_out_at(R, fr, i + 1 < N ? r->src[i + 1]->pts
                                                     : 2 * r->src[i]->pts - r->src[i - 1]->pts);
}

static void test_rate(Run *r, AimRational R)
{
    AimPipelineStats st;
    // fresh: the gate decides
    CHECK_EQ_INT(go(r, R, NULL, 0, N, N, &st), 0);
    CHECK_EQ_INT(r->nrec, N);
    const int nfresh = r->nout;
    AimFrame *fresh[MAXOUT];
    int64_t kfresh[MAXOUT];
    memcpy(fresh, r->out, sizeof(fresh));
    memcpy(kfresh, r->k, sizeof(kfresh));
    r->nout = 0;
    // a motion interval in the off-grid part with two or more output frames, and a cut
    int motion = -1, cut = -1;
    int64_t k0, k1;
    for (int i = 1; i < N; i++) {
        interval(r, R, i - 1, &k0, &k1);
        if (r->rec[i].cls == AIM_CLASS_MOTION && motion < 0 && i > 17 && k1 - k0 >= 2)
            motion = i;
        if (r->rec[i].cls == AIM_CLASS_CUT && cut < 0)
            cut = i;
    }
    CHECK_MSG(motion > 0 && cut > 0, "the gate found no motion (%d) or no cut (%d)", motion,
              cut);
    if (motion < 0 || cut < 0)
        return;
    interval(r, R, N - 1, &k0, &k1);
    CHECK_EQ_INT(nfresh, k1);

    // the whole stream replayed
    CHECK_EQ_INT(go(r, R, r->rec, 0, N, N, &st), 0);
    CHECK_EQ_INT(r->nout, nfresh);
    int diff = 0;
    for (int j = 0; j < r->nout && j < nfresh; j++)
        diff += r->k[j] != kfresh[j] || !test_frames_same(r->out[j], fresh[j]);
    CHECK_MSG(!diff, "replay of the gate's records: %d frames differ", diff);
    clear_out(r);

    // in segments, boundaries in motion and in the off-grid part; each reads one frame past
    const int64_t bounds[] = { 0, 7, 19, 28, N };
    int at = 0;
    diff = 0;
    for (int g = 0; g < 4; g++) {
        int64_t first = bounds[g], end = bounds[g + 1], read_end = end < N ? end + 1 : N;
        CHECK_EQ_INT(go(r, R, r->rec, first, end, read_end, &st), 0);
        interval(r, R, (int)first, &k0, &k1);
        CHECK_MSG(r->nout > 0 && r->k[0] == k0, "segment %d starts at frame %lld, want %lld", g,
                  r->nout ? (long long)r->k[0] : -1LL, (long long)k0);
        for (int j = 0; j < r->nout; j++, at++)
            diff += at >= nfresh || r->k[j] != kfresh[at] || !test_frames_same(r->out[j], fresh[at]);
        clear_out(r);
    }
    CHECK_EQ_INT(at, nfresh);
    CHECK_MSG(!diff, "segments: %d frames differ from the one-piece run", diff);

    // decisions other than the gate's are obeyed
    AimGateRecord *alt = calloc(N, sizeof(*alt));
    if (!alt) {
        CHECK(0);
        return;
    }
    memcpy(alt, r->rec, N * sizeof(*alt));
    for (int i = 0; i < N; i++)
        alt[i].mask.data = NULL; // borrowed masks are not needed: classes only
    alt[motion].cls = AIM_CLASS_HOLD; // interval motion-1 -> motion
    alt[cut].cls = AIM_CLASS_FADE;    // interval cut-1 -> cut (interpolating two unrelated
                                      // pictures falls back to the nearest: a blend cannot)
    CHECK_EQ_INT(go(r, R, alt, 0, N, N, &st), 0);
    CHECK_EQ_INT(r->nout, nfresh);
    if (r->nout == nfresh) {
        interval(r, R, motion - 1, &k0, &k1);
        int fresh_new = 0;
        for (int64_t k = k0; k < k1; k++) {
            CHECK_MSG(test_frames_same(r->out[k], r->src[motion - 1]), "motion replayed as hold: frame "
                      "%lld is not a repeat of source %d", (long long)k, motion - 1);
            fresh_new += !test_frames_same(fresh[k], r->src[motion - 1]);
        }
        CHECK_MSG(fresh_new > 0, "the gate's motion at %d made no new frame", motion);
        interval(r, R, cut - 1, &k0, &k1);
        int made = 0;
        for (int64_t k = k0 + 1; k < k1; k++) {
            CHECK(test_frames_same(fresh[k], r->src[cut - 1])); // the gate's cut repeats
            made += !test_frames_same(r->out[k], r->src[cut - 1]) &&
                    !test_frames_same(r->out[k], r->src[cut]);
        }
        CHECK_MSG(k1 - k0 >= 2 && made == k1 - k0 - 1, "cut replayed as fade: %d of %lld "
                  "in-betweens blended", made, (long long)(k1 - k0 - 1));
    }
    clear_out(r);

    // a fade at the segment's end without its later picture: refused
    CHECK_EQ_INT(go(r, R, alt, 0, cut, cut, &st), AIM_ERR(EINVAL));
    clear_out(r);
    free(alt);

    for (int j = 0; j < nfresh; j++)
        aim_frame_unref(&fresh[j]);
    for (int i = 0; i < N; i++)
        aim_gate_record_clear(&r->rec[i]);
    r->nrec = 0;
}

int main(void)
{
    Run *r = calloc(1, sizeof(*r));
    if (!r || make_sources(r) < 0) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    test_rate(r, (AimRational){ 2, 1 });
    test_rate(r, (AimRational){ 5, 2 });
    for (int i = 0; i < N; i++)
        aim_frame_unref(&r->src[i]);
    free(r);
    return test_finish("test_pipeline_replay");
}
