// The stage graph on synthetic frames in memory: frame counts, order, the output rule
// (source frames exact, duplicates for holds and cuts, new frames for motion), factor 3,
// scaling, error propagation and cancel, with no leaks (run under ASan in CI).
#include <string.h>

#include "pipeline/pipeline.h"
#include "square.h"
#include "test.h"

#define W 96
#define H 64

typedef struct Src {
    int n, next;
    const char *script; // one char per frame: 'm' new position, 'h' same as previous, 'c' cut
    int pos;            // square x position
    int shot;           // background level
} Src;

typedef struct Sink {
    AimFrame *out[256];
    int n;
    int fail_at;        // write returns an error at this frame (-1: never)
    int cancel_at;      // progress sets cancel at this frame (-1: never)
    atomic_int *cancel;
    AimGateClass cls[256];
    int nrec;
} Sink;

typedef struct Both { Src src; Sink sink; AimFrame *srcf[256]; } Both;

static int src_read(void *opaque, AimFrame **out)
{
    Both *b = opaque;
    Src *s = &b->src;
    if (s->next >= s->n)
        return AIM_ERR_EOF;
    char c = s->script[s->next];
    if (c == 'm')
        s->pos += 6;
    else if (c == 'c')
        s->shot ^= 1, s->pos = 10;
    AimFrame *f = NULL;
    int ret = aim_frame_alloc(&f, W, H, 8, 1);
    if (ret < 0)
        return ret;
    square_draw(f, s->shot, s->pos);
    b->srcf[s->next++] = aim_frame_ref(f);
    *out = f;
    return 0;
}

static int sink_write(void *opaque, const AimFrame *f)
{
    Both *b = opaque;
    Sink *k = &b->sink;
    if (k->fail_at >= 0 && f->index == k->fail_at)
        return AIM_ERR(EIO);
    CHECK_EQ_INT(f->index, k->n);
    AimFrame *c = NULL;
    if (aim_frame_alloc(&c, f->width, f->height, f->depth, 0) < 0)
        return AIM_ERR(ENOMEM);
    aim_frame_copy(c, f);
    if (k->n < 256)
        k->out[k->n++] = c;
    else
        aim_frame_unref(&c);
    return 0;
}

static void on_progress(void *opaque, const AimPipelineStats *st)
{
    Both *b = opaque;
    if (b->sink.cancel_at >= 0 && st->out_frames >= b->sink.cancel_at)
        atomic_store(b->sink.cancel, 1);
}

static void on_record(void *opaque, const AimGateRecord *rec)
{
    Both *b = opaque;
    if (rec->frame >= 0 && rec->frame < 256)
        b->sink.cls[rec->frame] = rec->cls;
    b->sink.nrec++;
}

static void cleanup(Both *b)
{
    for (int i = 0; i < b->sink.n; i++)
        aim_frame_unref(&b->sink.out[i]);
    for (int i = 0; i < b->src.next; i++)
        aim_frame_unref(&b->srcf[i]);
}

static void reset(Both *b, const char *script, atomic_int *cancel)
{
    memset(b, 0, sizeof(*b));
    b->src.script = script;
    b->src.n = (int)strlen(script);
    b->src.pos = 10;
    b->sink.fail_at = -1;
    b->sink.cancel_at = -1;
    b->sink.cancel = cancel;
}

static int go(Both *b, int factor, int ow, int oh, int threads, atomic_int *cancel,
              AimPipelineStats *st)
{
    AimPool *pool = NULL;
    if (aim_pool_create(&pool, threads - 1) < 0)
        return AIM_ERR(ENOMEM);
    AimPipelineSettings s;
    aim_pipeline_default_settings(&s);
    s.rate = (AimRational){ factor, 1 };
    s.width = W;
    s.height = H;
    s.depth = 8;
    s.out_width = ow;
    s.out_height = oh;
    s.queue_depth = 2;
    s.pool = pool;
    s.read = src_read;
    s.write = sink_write;
    s.on_progress = on_progress;
    s.on_record = on_record;
    s.opaque = b;
    s.cancel = cancel;
    int ret = aim_pipeline_run(&s, st);
    aim_pool_destroy(&pool);
    return ret;
}

int main(void)
{
    // m = moved, h = same drawing, c = cut. Frame 0 is the start.
    const char *script = "mmhmhhmcmhmmhhhhm";
    const int n = (int)strlen(script);
    atomic_int cancel = 0;
    Both *b = calloc(1, sizeof(*b));
    AimPipelineStats st;

    for (int threads = 1; threads <= 3; threads += 2) {
        reset(b, script, &cancel);
        CHECK_EQ_INT(go(b, 2, W, H, threads, &cancel, &st), 0);
        CHECK_EQ_INT(b->sink.n, 2 * n);
        CHECK_EQ_INT(st.out_frames, 2 * n);
        CHECK_EQ_INT(st.src_frames, n);
        CHECK_EQ_INT(b->sink.nrec, n);
        for (int i = 0; i < n && b->sink.n == 2 * n; i++) {
            CHECK_MSG(test_frames_same(b->sink.out[2 * i], b->srcf[i]), "source frame %d not exact", i);
            if (i + 1 == n) {
                CHECK(test_frames_same(b->sink.out[2 * i + 1], b->srcf[i])); // last frame repeats
                continue;
            }
            char next = script[i + 1];
            AimGateClass c = b->sink.cls[i + 1];
            if (next == 'h') {
                CHECK_MSG(c == AIM_CLASS_HOLD, "interval %d->%d: class %d, want hold", i, i + 1,
                          c);
                CHECK(test_frames_same(b->sink.out[2 * i + 1], b->srcf[i]));
            } else if (next == 'c') {
                CHECK_MSG(c == AIM_CLASS_CUT, "interval %d->%d: class %d, want cut", i, i + 1, c);
                CHECK(test_frames_same(b->sink.out[2 * i + 1], b->srcf[i]));
            } else {
                CHECK_MSG(c == AIM_CLASS_MOTION, "interval %d->%d: class %d, want motion", i,
                          i + 1, c);
                CHECK_MSG(!test_frames_same(b->sink.out[2 * i + 1], b->srcf[i]) &&
                          !test_frames_same(b->sink.out[2 * i + 1], b->srcf[i + 1]),
                          "motion in-between %d is a copy", i);
            }
        }
        cleanup(b);
    }

    // factor 3 with upscaling: 3n frames of the output size
    reset(b, script, &cancel);
    CHECK_EQ_INT(go(b, 3, 2 * W, 2 * H, 2, &cancel, &st), 0);
    CHECK_EQ_INT(b->sink.n, 3 * n);
    CHECK(b->sink.n && b->sink.out[0]->width == 2 * W && b->sink.out[0]->height == 2 * H);
    CHECK_EQ_INT(st.interpolated + st.blended + st.duplicated, 2 * n);
    cleanup(b);

    // factor 1: pure pass-through (no interpolation engine), source frames exact
    reset(b, script, &cancel);
    CHECK_EQ_INT(go(b, 1, W, H, 2, &cancel, &st), 0);
    CHECK_EQ_INT(b->sink.n, n);
    for (int i = 0; i < n && b->sink.n == n; i++)
        CHECK(test_frames_same(b->sink.out[i], b->srcf[i]));
    cleanup(b);

    // a failing sink stops everything and its error comes back
    reset(b, script, &cancel);
    b->sink.fail_at = 7;
    CHECK_EQ_INT(go(b, 2, W, H, 2, &cancel, &st), AIM_ERR(EIO));
    CHECK_EQ_INT(b->sink.n, 7);
    cleanup(b);

    // cancel (SIGINT) mid-stream
    reset(b, script, &cancel);
    b->sink.cancel_at = 5;
    CHECK_EQ_INT(go(b, 2, W, H, 2, &cancel, &st), AIM_ERR_INTERRUPTED);
    CHECK(b->sink.n < 2 * n);
    atomic_store(&cancel, 0);
    cleanup(b);

    free(b);
    return test_finish("test_pipeline");
}
