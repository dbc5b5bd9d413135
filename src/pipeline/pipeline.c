// Stage graph (pipeline.h): four threads, three bounded queues.
//
//   source+gate --Q1(jobs)--> interp --Q2(outputs)--> scale --Q3(outputs)--> sink
//
// A job is one source frame i with its successor and the gate's record for i -> i+1; it fans out
// into the output frames of the grid (pipeline.h) that lie in [i, i+1): a source pair and the
// t's it must render. Memory is bounded: each queue holds queue_depth items, the gate window
// holds its lookahead, and every stage holds at most one item while working.
//
// Device hand-off: when Model A and Model B run on the same Vulkan device (aim_interp_device ==
// aim_scaler_device), an interpolated frame stays there: the interp thread renders it into a
// device frame (AimNnGpuYuv, nn/gpu.h: the YUV samples, bit-identical to the host's) that its
// Out carries through Q2 (Out.f then holds only the properties), and the scale thread upscales
// it from there. Device frames come from a free list (Ctx.dev_free, under Ctx.lock): taken by
// the interp thread, returned by whoever frees the Out, so there are at most as many as Outs
// alive. Source frames, holds and blends stay host frames (the upscaler uploads them).
// AIM_VK_FRAMES=host turns the hand-off off (the host path, for comparisons and benchmarks).
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/queue.h"
#include "nn/gpu.h"
#include "pipeline.h"

typedef struct Job {
    AimFrame *f0, *f1;   // f1 NULL for the last source frame
    AimGateRecord rec;   // interval f0 -> f1 (cls START when f1 is NULL)
} Job;

// Where a source frame sits on the source grid, in slots (pipeline.h): `slot` exact when
// `exact`, else the fractional position x.
typedef struct Pos {
    int64_t slot;
    double x;
    int exact;
} Pos;

typedef struct Out {
    AimFrame *f;
    int64_t k;           // output frame number
    AimNnGpuYuv *dev;    // the samples on the device (f: the properties only), or NULL
} Out;

typedef struct Ctx {
    const AimPipelineSettings *s;
    AimQueue *q1, *q2, *q3;
    AimFramePool *interp_pool, *scale_pool;
    AimGate *gate;
    AimInterp *interp, *blend;
    AimScaler *scaler;
    pthread_mutex_t lock;
    int error;               // first error
    AimPipelineStats st;     // counters: each written by one thread (see fields), read at end
    int64_t prev_pts;        // interp thread: the previous job's f0->pts (timed mode's last)
    int has_prev;
    int64_t first_k;         // the first output frame's number: set by the source thread
                             // before its first job, read by the sink after its first pop
    AimVkDevice *dev;        // device hand-off (see the top): the device, or NULL (off)
    AimNnGpuYuv **dev_free;  // idle device frames, under `lock`
    int ndev_free, dev_cap;
} Ctx;

static int cancelled(Ctx *c)
{
    return c->s->cancel && atomic_load(c->s->cancel);
}

// Records the first error and stops every stage.
static void fail(Ctx *c, int err)
{
    pthread_mutex_lock(&c->lock);
    if (!c->error)
        c->error = err;
    pthread_mutex_unlock(&c->lock);
    aim_queue_abort(c->q1);
    aim_queue_abort(c->q2);
    aim_queue_abort(c->q3);
}

static void job_free(Job *j)
{
    if (!j)
        return;
    aim_frame_unref(&j->f0);
    aim_frame_unref(&j->f1);
    aim_gate_record_clear(&j->rec);
    free(j);
}

// An idle device frame (created when none is). 0 or an error.
static int dev_get(Ctx *c, AimNnGpuYuv **out)
{
    pthread_mutex_lock(&c->lock);
    *out = c->ndev_free ? c->dev_free[--c->ndev_free] : NULL;
    pthread_mutex_unlock(&c->lock);
    return *out ? 0 : aim_nn_gpu_yuv_create(out, c->dev);
}

// Back to the free list (destroyed when the list cannot grow); sets *d = NULL.
static void dev_put(Ctx *c, AimNnGpuYuv **d)
{
    if (!*d)
        return;
    pthread_mutex_lock(&c->lock);
    if (c->ndev_free == c->dev_cap) {
        int cap = c->dev_cap ? 2 * c->dev_cap : 8;
        AimNnGpuYuv **nf = realloc(c->dev_free, (size_t)cap * sizeof(*nf));
        if (nf) {
            c->dev_free = nf;
            c->dev_cap = cap;
        }
    }
    if (c->ndev_free < c->dev_cap) {
        c->dev_free[c->ndev_free++] = *d;
        *d = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    aim_nn_gpu_yuv_destroy(d);
}

static void out_free(Ctx *c, Out *o)
{
    if (!o)
        return;
    aim_frame_unref(&o->f);
    dev_put(c, &o->dev);
    free(o);
}

// ---- stage 1: source + gate -------------------------------------------------------------

typedef struct Window {
    AimFrame **f;   // frames i0 .. i0+n-1 waiting for their record
    int64_t i0;
    int n, cap;
} Window;

static int window_push(Window *w, AimFrame *f)
{
    if (w->n == w->cap) {
        int cap = w->cap ? w->cap * 2 : 8;
        AimFrame **nf = realloc(w->f, (size_t)cap * sizeof(*nf));
        if (!nf)
            return AIM_ERR(ENOMEM);
        w->f = nf;
        w->cap = cap;
    }
    w->f[w->n++] = f;
    return 0;
}

static AimFrame *window_pop_front(Window *w)
{
    AimFrame *f = w->f[0];
    memmove(w->f, w->f + 1, (size_t)(w->n - 1) * sizeof(*w->f));
    w->n--;
    w->i0++;
    return f;
}

// Turns a gate record for interval r-1 -> r into the job of source frame r-1.
static int emit_record(Ctx *c, Window *w, AimGateRecord *rec)
{
    if (c->s->on_record)
        c->s->on_record(c->s->opaque, rec);
    if (rec->cls >= 0 && rec->cls < 5)
        c->st.class_count[rec->cls]++;
    if (rec->frame == 0) {
        aim_gate_record_clear(rec);
        return 0;
    }
    if (rec->frame != w->i0 + 1 || w->n < 2) {
        aim_gate_record_clear(rec);
        return AIM_ERR(EINVAL); // the gate broke its ordering contract
    }
    Job *j = calloc(1, sizeof(*j));
    if (!j) {
        aim_gate_record_clear(rec);
        return AIM_ERR(ENOMEM);
    }
    j->f0 = window_pop_front(w);
    j->f1 = aim_frame_ref(w->f[0]);
    j->rec = *rec;
    memset(rec, 0, sizeof(*rec));
    int ret = aim_queue_push(c->q1, j);
    if (ret < 0) {
        job_free(j);
        return c->error ? c->error : AIM_ERR_INTERRUPTED;
    }
    return 0;
}

static int drain_gate(Ctx *c, Window *w)
{
    for (;;) {
        AimGateRecord rec = { 0 };
        int ret = aim_gate_receive(c->gate, &rec);
        if (ret == AIM_ERR(EAGAIN) || ret == AIM_ERR_EOF)
            return ret;
        if (ret < 0)
            return ret;
        if ((ret = emit_record(c, w, &rec)) < 0)
            return ret;
    }
}

// The end of stage 1 (gate or replay): the first error stops every stage, else jobs end.
static void source_done(Ctx *c, int ret, double busy)
{
    c->st.stage_seconds[0] = busy;
    if (ret < 0)
        fail(c, ret);
    else
        aim_queue_close(c->q1);
}

// Next source frame, numbered i (global); AIM_ERR_EOF at the end.
static int read_frame(Ctx *c, int64_t i, AimFrame **out)
{
    const AimPipelineSettings *s = c->s;
    AimFrame *f = NULL;
    int ret = s->read(s->opaque, &f);
    if (ret < 0)
        return ret;
    if (f->width != s->width || f->height != s->height || f->depth != s->depth) {
        aim_log(&s->log, AIM_LOG_ERROR,
                "source frame %lld is %dx%d %d-bit, the stream started as %dx%d %d-bit: "
                "size changes mid-stream are not supported",
                (long long)i, f->width, f->height, f->depth, s->width, s->height, s->depth);
        aim_frame_unref(&f);
        return AIM_ERR_UNSUPPORTED;
    }
    f->index = i;
    *out = f;
    return 0;
}

static void *source_thread(void *arg)
{
    Ctx *c = arg;
    Window w = { 0 };
    int ret = 0;
    double busy = 0;
    for (int64_t i = 0;; i++) {
        if (cancelled(c)) {
            ret = AIM_ERR_INTERRUPTED;
            break;
        }
        double t0 = aim_now_s();
        AimFrame *f = NULL;
        ret = read_frame(c, i, &f);
        if (ret == AIM_ERR_EOF) {
            ret = 0;
            busy += aim_now_s() - t0;
            break;
        }
        if (ret < 0)
            break;
        c->st.src_frames = i + 1;
        if ((ret = window_push(&w, f)) < 0) {
            aim_frame_unref(&f);
            break;
        }
        while ((ret = aim_gate_send(c->gate, f)) == AIM_ERR(EAGAIN)) {
            if ((ret = drain_gate(c, &w)) != AIM_ERR(EAGAIN))
                break;
        }
        if (ret < 0)
            break;
        busy += aim_now_s() - t0;
        if ((ret = drain_gate(c, &w)) != AIM_ERR(EAGAIN)) {
            if (ret == AIM_ERR_EOF)
                ret = AIM_ERR(EINVAL);
            break;
        }
        ret = 0;
    }
    if (!ret) { // end of stream: drain the gate, then the last frame repeats
        ret = aim_gate_send(c->gate, NULL);
        if (!ret) {
            ret = drain_gate(c, &w);
            ret = ret == AIM_ERR_EOF ? 0 : (ret == AIM_ERR(EAGAIN) ? AIM_ERR(EINVAL) : ret);
        }
        if (!ret && w.n == 1) {
            Job *j = calloc(1, sizeof(*j));
            if (!j) {
                ret = AIM_ERR(ENOMEM);
            } else {
                j->f0 = window_pop_front(&w);
                j->rec.cls = AIM_CLASS_START;
                j->rec.frame = -1;
                if (aim_queue_push(c->q1, j) < 0) {
                    job_free(j);
                    ret = c->error ? c->error : AIM_ERR_INTERRUPTED;
                }
            }
        } else if (!ret && w.n > 1) {
            ret = AIM_ERR(EINVAL); // gate dropped records
        }
    }
    for (int k = 0; k < w.n; k++)
        aim_frame_unref(&w.f[k]);
    free(w.f);
    source_done(c, ret, busy);
    return NULL;
}

// ---- stage 1 (replay): source + recorded decisions ---------------------------------------

static Pos pos_of(const AimPipelineSettings *s, const AimFrame *f);
static int64_t first_out_pos(AimRational R, Pos p);

// A copy of records[i] that owns its mask (job_free releases it).
static int replay_record(const AimPipelineSettings *s, int64_t i, AimGateRecord *out)
{
    *out = s->records[i];
    out->mask.data = NULL;
    const AimMotionMask *m = &s->records[i].mask;
    if (m->data) {
        size_t n = (size_t)m->w * (size_t)m->h;
        if (!(out->mask.data = malloc(n)))
            return AIM_ERR(ENOMEM);
        memcpy(out->mask.data, m->data, n);
    }
    return 0;
}

// Frame f0 (global number i) with its successor f1 (NULL: not read) and records[i + 1].
static int replay_job(Ctx *c, AimFrame *f0, AimFrame *f1)
{
    const AimPipelineSettings *s = c->s;
    const int64_t i = f0->index;
    Job *j = calloc(1, sizeof(*j));
    if (!j) {
        aim_frame_unref(&f0);
        aim_frame_unref(&f1);
        return AIM_ERR(ENOMEM);
    }
    j->f0 = f0;
    j->f1 = f1;
    int ret = 0;
    if (i + 1 < s->nb_records) {
        ret = replay_record(s, i + 1, &j->rec);
        int needs_f1 = j->rec.cls == AIM_CLASS_MOTION || j->rec.cls == AIM_CLASS_FADE;
        if (!ret && needs_f1 && !f1) {
            aim_log(&s->log, AIM_LOG_ERROR, "replay: interval %lld -> %lld is interpolated but "
                    "frame %lld was not read", (long long)i, (long long)i + 1,
                    (long long)i + 1);
            ret = AIM_ERR(EINVAL);
        }
    } else {
        j->rec.cls = AIM_CLASS_START; // the last source frame repeats
        j->rec.frame = -1;
        aim_frame_unref(&j->f1);
    }
    if (!ret && aim_queue_push(c->q1, j) < 0)
        ret = c->error ? c->error : AIM_ERR_INTERRUPTED;
    if (ret < 0)
        job_free(j);
    return ret;
}

static void *replay_thread(void *arg)
{
    Ctx *c = arg;
    const AimPipelineSettings *s = c->s;
    AimFrame *prev = NULL;
    int ret = 0;
    double busy = 0;
    for (int64_t i = s->first_frame;; i++) {
        if (cancelled(c)) {
            ret = AIM_ERR_INTERRUPTED;
            break;
        }
        double t0 = aim_now_s();
        AimFrame *f = NULL;
        if (i > s->emit_end || i >= s->nb_records)
            ret = AIM_ERR_EOF; // nothing after the last frame a job may need
        else
            ret = read_frame(c, i, &f);
        busy += aim_now_s() - t0;
        if (ret == AIM_ERR_EOF) {
            ret = 0;
            break;
        }
        if (ret < 0)
            break;
        c->st.src_frames++;
        if (i == s->first_frame) // numbered on the global grid by its place (pipeline.h)
            c->first_k = first_out_pos(s->rate, pos_of(s, f));
        if (i < s->emit_end) {
            if (s->on_record)
                s->on_record(s->opaque, &s->records[i]);
            if (s->records[i].cls >= 0 && s->records[i].cls < 5)
                c->st.class_count[s->records[i].cls]++;
        }
        if (prev && (ret = replay_job(c, prev, aim_frame_ref(f))) < 0) {
            prev = NULL;
            aim_frame_unref(&f);
            break;
        }
        prev = f;
    }
    if (!ret && prev && prev->index < s->emit_end) {
        ret = replay_job(c, prev, NULL);
        prev = NULL;
    }
    aim_frame_unref(&prev);
    source_done(c, ret, busy);
    return NULL;
}

// ---- stage 2: interpolation -------------------------------------------------------------

// Moves f (and dev, may be NULL) into a new Out on q.
static int push_out(Ctx *c, AimQueue *q, AimFrame *f, AimNnGpuYuv *dev, int64_t k)
{
    Out *o = malloc(sizeof(*o));
    if (!o) {
        aim_frame_unref(&f);
        dev_put(c, &dev);
        return AIM_ERR(ENOMEM);
    }
    o->f = f;
    o->k = k;
    o->dev = dev;
    if (aim_queue_push(q, o) < 0) {
        out_free(c, o);
        return c->error ? c->error : AIM_ERR_INTERRUPTED;
    }
    return 0;
}

// Timed mode: the position of a time (us) on the source grid, exact within
// AIM_PIPELINE_ON_GRID of a slot.
static Pos pos_at(AimRational frame_rate, int64_t pts)
{
    const double x = (double)pts * frame_rate.num / (1e6 * frame_rate.den);
    const int64_t r = llround(x);
    if (fabs(x - (double)r) <= AIM_PIPELINE_ON_GRID)
        return (Pos){ r, (double)r, 1 };
    return (Pos){ r, x, 0 };
}

static Pos pos_of(const AimPipelineSettings *s, const AimFrame *f)
{
    return s->timed ? pos_at(s->frame_rate, f->pts) : (Pos){ f->index, (double)f->index, 1 };
}

// First output frame at or after p. Off the grid: 1e-6 output frames of slack (16 ns at 60 fps)
// so a picture that falls on an output frame's time is that frame's t = 0, not the t ~ 1 of
// the interval before, whatever the rounding of x * R.
static int64_t first_out_pos(AimRational R, Pos p)
{
    return p.exact ? aim_pipeline_first_out(R, p.slot)
                   : (int64_t)ceil(p.x * R.num / R.den - 1e-6);
}

int64_t aim_pipeline_first_out_at(AimRational rate, AimRational frame_rate, int64_t pts)
{
    return first_out_pos(rate, pos_at(frame_rate, pts));
}

static int run_job(Ctx *c, Job *j)
{
    const AimPipelineSettings *s = c->s;
    const AimRational R = s->rate;
    const Pos p0 = pos_of(s, j->f0);
    Pos p1;
    if (j->f1)
        p1 = pos_of(s, j->f1);
    else if (s->timed && c->has_prev) // the last frame lasts as long as the interval before it
        p1 = pos_at(s->frame_rate, 2 * j->f0->pts - c->prev_pts);
    else
        p1 = (Pos){ p0.slot + 1, p0.x + 1, p0.exact };
    c->prev_pts = j->f0->pts;
    c->has_prev = 1;
    // the grid of pipeline.h; t exact j/F-style where both ends are consecutive exact slots
    const int consecutive = p0.exact && p1.exact && p1.slot == p0.slot + 1;
    const int64_t k0 = first_out_pos(R, p0), k1 = first_out_pos(R, p1);
    AimInterp *engine = NULL;
    if (j->f1 && j->rec.cls == AIM_CLASS_MOTION)
        engine = c->interp;
    else if (j->f1 && j->rec.cls == AIM_CLASS_FADE)
        engine = c->blend; // a cross-fade is a blend by definition; flow would invent motion
    int ret, paired = 0;
    for (int64_t k = k0; k < k1; k++) {
        double t = consecutive ? aim_pipeline_out_t(R, p0.slot, k)
                               : ((double)k * R.den / R.num - p0.x) / (p1.x - p0.x);
        if (!(t > 0.0))
            t = 0.0;
        else if (t >= 1.0)
            t = nextafter(1.0, 0.0);
        AimFrame *f = NULL;
        AimNnGpuYuv *dev = NULL;
        if (t == 0.0) {
            f = aim_frame_ref(j->f0);
        } else if (engine) {
            if (!paired) {
                const AimMotionMask *mask = j->rec.mask.data ? &j->rec.mask : NULL;
                if ((ret = aim_interp_set_pair(engine, j->f0, j->f1, mask)) < 0)
                    return ret;
                paired = 1;
            }
            if ((ret = aim_frame_pool_get(c->interp_pool, &f)) < 0)
                return ret;
            if (engine == c->interp && c->dev) {
                if ((ret = dev_get(c, &dev)) < 0 ||
                    (ret = aim_interp_render_device(engine, t, f, dev)) < 0) {
                    aim_frame_unref(&f);
                    dev_put(c, &dev);
                    return ret;
                }
                if (ret == 1)
                    c->st.device_frames++;
                else
                    dev_put(c, &dev); // rendered on the host (a still pair, a fallback)
            } else if ((ret = aim_interp_render(engine, t, f)) < 0) {
                aim_frame_unref(&f);
                return ret;
            }
            f->color = j->f0->color;
            if (engine == c->blend)
                c->st.blended++;
            else
                c->st.interpolated++;
        } else {
            f = aim_frame_ref(j->f0);
            c->st.duplicated++;
        }
        if ((ret = push_out(c, c->q2, f, dev, k)) < 0)
            return ret;
    }
    return 0;
}

static void *interp_thread(void *arg)
{
    Ctx *c = arg;
    int ret;
    double busy = 0;
    for (;;) {
        Job *j = NULL;
        ret = aim_queue_pop(c->q1, (void **)&j);
        if (ret < 0)
            break;
        double t0 = aim_now_s();
        ret = run_job(c, j);
        job_free(j);
        busy += aim_now_s() - t0;
        if (ret < 0)
            break;
    }
    c->st.stage_seconds[1] = busy;
    if (ret == AIM_ERR_EOF)
        aim_queue_close(c->q2);
    else
        fail(c, ret);
    return NULL;
}

// ---- stage 3: upscaling -----------------------------------------------------------------

static void *scale_thread(void *arg)
{
    Ctx *c = arg;
    int ret;
    double busy = 0;
    for (;;) {
        Out *o = NULL;
        ret = aim_queue_pop(c->q2, (void **)&o);
        if (ret < 0)
            break;
        double t0 = aim_now_s();
        if (c->scaler) {
            AimFrame *dst = NULL;
            if ((ret = aim_frame_pool_get(c->scale_pool, &dst)) < 0 ||
                (ret = o->dev ? aim_scaler_run_device(c->scaler, o->f, o->dev, dst)
                              : aim_scaler_run(c->scaler, o->f, dst)) < 0) {
                aim_frame_unref(&dst);
                out_free(c, o);
                break;
            }
            aim_frame_copy_props(dst, o->f);
            aim_frame_unref(&o->f);
            dev_put(c, &o->dev);
            o->f = dst;
        }
        busy += aim_now_s() - t0;
        if (aim_queue_push(c->q3, o) < 0) {
            out_free(c, o);
            ret = c->error ? c->error : AIM_ERR_INTERRUPTED;
            break;
        }
    }
    c->st.stage_seconds[2] = busy;
    if (ret == AIM_ERR_EOF)
        aim_queue_close(c->q3);
    else
        fail(c, ret);
    return NULL;
}

// ---- stage 4: sink ----------------------------------------------------------------------

static int sink_loop(Ctx *c)
{
    const AimPipelineSettings *s = c->s;
    double busy = 0;
    int ret;
    for (int64_t n = 0, expect = 0;; n++, expect++) {
        Out *o = NULL;
        ret = aim_queue_pop(c->q3, (void **)&o);
        if (ret < 0)
            break;
        double t0 = aim_now_s();
        if (!n) // the source thread set it before its first job (the queues order the two)
            expect = c->first_k;
        if (o->k != expect) {
            out_free(c, o);
            ret = AIM_ERR(EINVAL);
            break;
        }
        // A view of the frame with this slot's number: duplicates share one frame.
        AimFrame view = *o->f;
        view.index = o->k;
        view.pts = 0;
        ret = s->write(s->opaque, &view);
        out_free(c, o);
        busy += aim_now_s() - t0;
        if (ret < 0)
            break;
        c->st.out_frames++;
        if (s->on_progress)
            s->on_progress(s->opaque, &c->st);
        if (cancelled(c)) {
            ret = AIM_ERR_INTERRUPTED;
            break;
        }
    }
    c->st.stage_seconds[3] = busy;
    return ret == AIM_ERR_EOF ? 0 : ret;
}

// ---- setup ------------------------------------------------------------------------------

void aim_pipeline_default_settings(AimPipelineSettings *s)
{
    memset(s, 0, sizeof(*s));
    s->rate = (AimRational){ 2, 1 };
    s->depth = 8;
    s->queue_depth = 4;
    aim_gate_default_settings(&s->gate);
    aim_interp_default_settings(&s->interp);
    aim_scaler_default_settings(&s->scale);
}

static int validate(const AimPipelineSettings *s)
{
    if (s->rate.num <= 0 || s->rate.den <= 0 || s->rate.num < s->rate.den ||
        s->rate.num > 8 * (int64_t)s->rate.den ||
        (s->timed && (s->frame_rate.num <= 0 || s->frame_rate.den <= 0)) || s->width <= 0 || s->height <= 0 ||
        s->out_width <= 0 || s->out_height <= 0 || (s->depth != 8 && s->depth != 10) ||
        s->queue_depth < 1 || s->queue_depth > 64 || !s->read || !s->write)
        return AIM_ERR(EINVAL);
    if (s->records && (s->first_frame < 0 || s->emit_end <= s->first_frame ||
                       s->emit_end > s->nb_records))
        return AIM_ERR(EINVAL);
    return 0;
}

int aim_pipeline_run(const AimPipelineSettings *s, AimPipelineStats *stats)
{
    int ret = validate(s);
    if (ret < 0)
        return ret;
    Ctx c = { .s = s };
    pthread_mutex_init(&c.lock, NULL);
    const size_t depth = (size_t)s->queue_depth;
    // Q2 carries up to ceil(R) outputs per job: give it room for a whole job so interp never
    // waits on a half-emitted job while scale is idle.
    const int per_job = (int)((s->rate.num + s->rate.den - 1) / s->rate.den);
    if ((ret = aim_queue_create(&c.q1, depth)) < 0 ||
        (ret = aim_queue_create(&c.q2, depth + (size_t)per_job)) < 0 ||
        (ret = aim_queue_create(&c.q3, depth)) < 0)
        goto end;
    if (!s->records && (ret = aim_gate_create(&c.gate, &s->gate)) < 0)
        goto end;
    if (s->rate.num > s->rate.den) {
        AimInterpSettings is = s->interp;
        is.width = s->width;
        is.height = s->height;
        is.depth = s->depth;
        is.pool = s->pool;
        is.log = s->log;
        is.cancel = s->cancel;
        if ((ret = aim_interp_create(&c.interp, &is)) < 0)
            goto end;
        is.engine = "blend";
        if ((ret = aim_interp_create(&c.blend, &is)) < 0)
            goto end;
        if ((ret = aim_frame_pool_create(&c.interp_pool, s->width, s->height, s->depth,
                                         (int)depth + per_job + 2)) < 0)
            goto end;
    }
    if (s->out_width != s->width || s->out_height != s->height) {
        AimScalerSettings ss = s->scale;
        ss.src_w = s->width;
        ss.src_h = s->height;
        ss.dst_w = s->out_width;
        ss.dst_h = s->out_height;
        ss.depth = s->depth;
        ss.pool = s->pool;
        ss.log = s->log;
        ss.cancel = s->cancel;
        if ((ret = aim_scaler_create(&c.scaler, &ss)) < 0)
            goto end;
        if ((ret = aim_frame_pool_create(&c.scale_pool, s->out_width, s->out_height, s->depth,
                                         (int)depth + 2)) < 0)
            goto end;
    }
    // the device hand-off (see the top): both models on one device
    const char *frames_env = getenv("AIM_VK_FRAMES");
    AimVkDevice *idev = aim_interp_device(c.interp);
    if (idev && c.scaler && idev == s->scale.device && !aim_scaler_device(c.scaler))
        aim_log(&s->log, AIM_LOG_INFO, "pipeline: the upscaler's input passes (deblock, "
                "denoise) or its backend need the frames on the host: no device hand-off");
    if (idev && idev == aim_scaler_device(c.scaler)) {
        if (frames_env && !strcmp(frames_env, "host")) {
            aim_log(&s->log, AIM_LOG_INFO, "pipeline: AIM_VK_FRAMES=host: interpolated frames "
                    "go to the upscaler through the host");
        } else {
            c.dev = idev;
            aim_log(&s->log, AIM_LOG_INFO, "pipeline: interpolated frames stay on the Vulkan "
                    "device between %s and %s", aim_interp_engine_name(c.interp),
                    s->scale.engine);
        }
    }

    pthread_t th[3];
    void *(*fn[3])(void *) = { s->records ? replay_thread : source_thread, interp_thread,
                               scale_thread };
    int started = 0;
    for (; started < 3; started++)
        if (pthread_create(&th[started], NULL, fn[started], &c)) {
            fail(&c, AIM_ERR(EAGAIN));
            break;
        }
    int sret = started == 3 ? sink_loop(&c) : 0;
    if (sret < 0)
        fail(&c, sret);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    ret = c.error;
    if (!ret && c.s->cancel && atomic_load(c.s->cancel))
        ret = AIM_ERR_INTERRUPTED;

end:
    // Whatever an aborted run left in the queues.
    for (void *item; c.q1 && aim_queue_try_pop(c.q1, &item) == 0;)
        job_free(item);
    for (void *item; c.q2 && aim_queue_try_pop(c.q2, &item) == 0;)
        out_free(&c, item);
    for (void *item; c.q3 && aim_queue_try_pop(c.q3, &item) == 0;)
        out_free(&c, item);
    if (c.dev)
        aim_log(&s->log, AIM_LOG_DEBUG, "pipeline: %lld of %lld interpolated frames handed to "
                "the upscaler on the device", (long long)c.st.device_frames,
                (long long)c.st.interpolated);
    for (int i = 0; i < c.ndev_free; i++)
        aim_nn_gpu_yuv_destroy(&c.dev_free[i]);
    free(c.dev_free);
    if (stats)
        *stats = c.st;
    aim_gate_destroy(&c.gate);
    aim_interp_destroy(&c.interp);
    aim_interp_destroy(&c.blend);
    aim_scaler_destroy(&c.scaler);
    aim_frame_pool_destroy(&c.interp_pool);
    aim_frame_pool_destroy(&c.scale_pool);
    aim_queue_destroy(&c.q1);
    aim_queue_destroy(&c.q2);
    aim_queue_destroy(&c.q3);
    pthread_mutex_destroy(&c.lock);
    return ret;
}
