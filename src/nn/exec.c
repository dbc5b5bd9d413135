// Graph executor: runs the layers in file order (ncnn files are topologically sorted), only
// those the requested outputs need.
//
// Memory is planned statically, as TFLite's arena planner does: the first run with a given set
// of inputs, input shapes and outputs walks the layers calling only their shape functions,
// simulates the tensor lifetimes (Split outputs alias their input, since ops never write into
// their inputs; requested outputs are kept to the end; outputs nobody reads are freed at once;
// every other tensor is freed after its last consumer; an op's scratch lives during its layer)
// and places every buffer in ONE arena away from every buffer alive at the same time (largest
// first, each at the lowest offset that fits: TFLite's "greedy by size"). Real runs then only
// point tensors into the arena. With a malloc per tensor and per convolution scratch, glibc's
// heap stayed fragmented: max RSS was 2-7x the live tensors (bench/RESULTS-nn.md). The upscaler
// runs one net over many tiles of a few sizes, so a few cached plans cover a whole video.
//
// The kernels are a backend (nn/backend.h): the CPU one below runs op->forward on a host arena;
// the Vulkan one (gpu.c) holds the same plan in one device buffer.
#include <stdlib.h>
#include <string.h>

#include "nn/backend.h"
#include "nn/ops.h"
#include "nn/plan.h"

// Plans kept per run: the upscaler's inner, right, bottom and corner tiles, each with and
// without the SE gap inputs (realcugan), is 8 shapes; planning again costs a walk over the
// shape functions only, so a miss is cheap.
#define MAX_PLANS 8
// Offsets and sizes in the arena are multiples of a cache line, as aim_nn_mat_alloc's
// 64-byte aligned blocks are (a backend may ask for more: its align()).
#define ALIGN 64

// One plan: the key (inputs, their shapes, outputs) and where every tensor goes.
typedef struct Plan {
    int nin, nout;
    int *in_blobs, *out_blobs;
    AimNnMat *in_shape;  ///< per input: dims, w, h, c (the key; data NULL)
    char *need;          ///< per layer: run it
    int *first;          ///< per layer: its first output slot (layers that allocate outputs)
    int *scratch;        ///< per layer: the buffer of its op's scratch, or -1
    AimNnMat *slot;      ///< inputs (nin slots), then the outputs of each allocating layer;
                         ///< shapes with cstep, data NULL
    int *slot_buf;       ///< per slot: its buffer in bufs
    AimNnPlanBuf *bufs;
    int nslots, nbufs;
    size_t peak;         ///< largest sum of live tensor bytes (as the per-tensor executor counted)
    size_t arena;        ///< bytes of arena the plan needs
    unsigned long used;  ///< run counter at the last use (least recently used is replaced)
} Plan;

struct AimNnRun {
    const AimNet *net;
    AimNnOpt opt;
    const AimNnBackendFns *be;
    void *st;            ///< the backend's state
    size_t align;        ///< of every offset and size in the plans
    AimNnMat *mats;      ///< per blob during a run (shape; data set for the outputs at the end)
    size_t *offs;        ///< per blob during a run: its arena offset
    Plan plans[MAX_PLANS];
    const Plan *last;    ///< plan of the last successful run
    const Plan *pending; ///< plan of the run submitted and not yet waited for
    int pend_nout;
    char pend_dev[64];   ///< per output: went into an image (data stays NULL)
    int pend_out[64];    ///< its output blobs
    AimNnMat pend_res[64]; ///< its outputs (those into images: as output_dev left them)
    AimNnMat pend_host[64]; ///< its host outputs, packed, as the backend's end() left them
    int pend_nhost;
    unsigned long runs;
    size_t peak;
    double macs;
};

// --- the CPU backend: a host arena, op->forward on pointers into it

typedef struct CpuState {
    unsigned char *arena;
    size_t arena_bytes;  ///< grown to the largest plan used, never shrunk
    const AimLog *log;
} CpuState;

static int cpu_create(void **st, const AimNet *net, const AimNnOpt *opt)
{
    CpuState *c = calloc(1, sizeof(*c));
    if (!c)
        return AIM_ERR(ENOMEM);
    c->log = &net->log;
    *st = c;
    return 0;
}

static void cpu_destroy(void **st)
{
    CpuState *c = *st;
    if (c)
        free(c->arena);
    free(c);
    *st = NULL;
}

static size_t cpu_align(void *st)
{
    return ALIGN;
}

static size_t cpu_scratch(void *st, const AimNnLayer *l, const AimNnMat *in, const AimNnMat *out,
                          const AimNnOpt *o)
{
    return l->op->scratch ? l->op->scratch(l, in, out, o) : 0;
}

static int cpu_begin(void *st, size_t arena)
{
    CpuState *c = st;
    if (arena > c->arena_bytes) {
        // Grown, never shrunk: the next tile is usually the same size. The old contents are
        // dead (outputs are valid until the next run only).
        free(c->arena);
        c->arena_bytes = 0;
        c->arena = aligned_alloc(ALIGN, arena);
        if (!c->arena) {
            aim_log(c->log, AIM_LOG_ERROR, "nn: cannot allocate a %.1f MB tensor arena",
                    arena / 1e6);
            return AIM_ERR(ENOMEM);
        }
        c->arena_bytes = arena;
    }
    return 0;
}

static int cpu_input(void *st, const AimNnMat *m, size_t off, const AimNnMat *s)
{
    CpuState *c = st;
    AimNnMat d = *m;
    d.data = (float *)(c->arena + off);
    for (int q = 0; q < s->c; q++)
        memcpy(aim_nn_chan(&d, q), aim_nn_chan(s, q), sizeof(float) * s->w * s->h);
    return 0;
}

static int cpu_layer(void *st, const AimNnLayer *l, const AimNnMat *in, const size_t *in_off,
                     const AimNnMat *out, const size_t *out_off, size_t scratch_off,
                     size_t scratch_bytes, const AimNnOpt *opt)
{
    CpuState *c = st;
    AimNnMat inm[64], outm[256];
    for (int k = 0; k < l->nin; k++) {
        inm[k] = in[k];
        inm[k].data = (float *)(c->arena + in_off[k]);
    }
    for (int k = 0; k < l->nout; k++) {
        outm[k] = out[k];
        outm[k].data = (float *)(c->arena + out_off[k]);
    }
    AimNnOpt o = *opt;
    if (scratch_bytes) {
        o.scratch = c->arena + scratch_off;
        o.scratch_bytes = scratch_bytes;
    }
    return l->op->forward(l, inm, outm, &o);
}

static int cpu_end(void *st, AimNnMat *outs, const size_t *offs, int nout)
{
    CpuState *c = st;
    for (int i = 0; i < nout; i++)
        outs[i].data = (float *)(c->arena + offs[i]);
    return 0;
}

static const AimNnBackendFns backend_cpu = {
    "cpu", cpu_create, cpu_destroy, cpu_align, cpu_scratch, cpu_begin, cpu_input, cpu_layer,
    cpu_end, NULL, NULL, NULL,
};

static void plan_free(Plan *p)
{
    free(p->in_blobs);
    free(p->out_blobs);
    free(p->in_shape);
    free(p->need);
    free(p->first);
    free(p->scratch);
    free(p->slot);
    free(p->slot_buf);
    free(p->bufs);
    *p = (Plan){ 0 };
}

int aim_nn_run_create(AimNnRun **out, const AimNet *net, const AimNnOpt *opt)
{
    AimNnRun *r = calloc(1, sizeof(*r));
    if (!r)
        return AIM_ERR(ENOMEM);
    r->net = net;
    r->opt = *opt;
    r->opt.scratch = NULL; // set per layer from the plan
    r->opt.scratch_bytes = 0;
    r->be = opt->gpu ? &aim_nn_backend_vk : &backend_cpu;
    r->mats = calloc((size_t)net->nblobs, sizeof(AimNnMat));
    r->offs = calloc((size_t)net->nblobs, sizeof(size_t));
    int err = r->mats && r->offs ? r->be->create(&r->st, net, &r->opt) : AIM_ERR(ENOMEM);
    if (err < 0) {
        aim_nn_run_destroy(&r);
        return err;
    }
    r->align = r->be->align(r->st);
    *out = r;
    return 0;
}

void aim_nn_run_destroy(AimNnRun **pr)
{
    AimNnRun *r = pr ? *pr : NULL;
    if (!r)
        return;
    for (int i = 0; i < MAX_PLANS; i++)
        plan_free(&r->plans[i]);
    if (r->st)
        r->be->destroy(&r->st);
    free(r->offs);
    free(r->mats);
    free(r);
    *pr = NULL;
}

size_t aim_nn_run_peak_bytes(const AimNnRun *r)
{
    return r->peak;
}

double aim_nn_run_macs(const AimNnRun *r)
{
    return r->macs;
}

int aim_nn_run_plan(const AimNnRun *r, const AimNnPlanBuf **bufs, size_t *arena_bytes)
{
    *bufs = r->last ? r->last->bufs : NULL;
    *arena_bytes = r->last ? r->last->arena : 0;
    return r->last ? r->last->nbufs : 0;
}

static double layer_macs(const AimNnLayer *l, const AimNnMat *in, const AimNnMat *out)
{
    int deconv = !strncmp(l->type, "Deconvolution", 13);
    if (!deconv && strncmp(l->type, "Convolution", 11))
        return 0;
    AimNnConv c;
    if (aim_nn_conv_params(l, deconv, &c, NULL) < 0)
        return 0;
    const AimNnMat *px = deconv ? in : out;
    return (double)c.cout * (c.cin / c.group) * c.kw * c.kh * px->w * px->h;
}

// --- planning

// The lifetime simulation: what the per-tensor executor did, recording each buffer's interval
// instead of calling malloc/free.
typedef struct Sim {
    const AimNet *net;
    const AimNnRun *run;
    const AimNnOpt *opt;
    Plan *p;
    int *buf_of;   ///< per blob: buffer index or -1
    int *uses;     ///< per blob: consumers still to run
    char *have;    ///< per blob: computed (what the executor checked as a non-NULL data pointer)
    AimNnMat *shape; ///< per blob: its shape once computed
    int *refs;     ///< per buffer: blobs pointing at it
    size_t *size;  ///< per buffer: tensor bytes (for the live count)
    size_t live;
    int t;         ///< current layer (-1 while the inputs are placed)
} Sim;

// A new buffer for blob b (shape m, with cstep), alive from the current layer on; its slot k
// refers to it. The offset is chosen later (place_bufs), when every interval is known.
static int sim_alloc(Sim *s, int b, const AimNnMat *m, int slot)
{
    Plan *p = s->p;
    size_t tensor = aim_nn_mat_bytes(m);
    if (s->opt->max_bytes && s->live + tensor > s->opt->max_bytes) {
        aim_log(&s->net->log, AIM_LOG_ERROR, "blob '%s' (%dx%dx%d) exceeds the memory limit",
                s->net->blobs[b].name, m->w, m->h, m->c);
        return AIM_ERR(ENOMEM);
    }
    int k = p->nbufs++;
    size_t align = s->run->align;
    size_t bytes = (tensor + AIM_NN_MAT_SLACK + align - 1) / align * align;
    p->bufs[k] = (AimNnPlanBuf){ 0, bytes, s->t, s->net->nlayers };
    p->slot_buf[slot] = k;
    s->refs[k] = 1;
    s->size[k] = tensor;
    s->buf_of[b] = k;
    s->have[b] = 1;
    s->live += tensor;
    p->peak = s->live > p->peak ? s->live : p->peak;
    return 0;
}

static void sim_unref(Sim *s, int b)
{
    int k = s->buf_of[b];
    if (k < 0)
        return;
    s->buf_of[b] = -1;
    s->have[b] = 0;
    if (--s->refs[k])
        return;
    s->live -= s->size[k];
    s->p->bufs[k].t1 = s->t;
}

// Marks the layers the outputs need (walking back from the outputs) and counts the consumers
// of every blob; requested outputs count one more use, so they live to the end.
static int mark_needed(Sim *s, const char *given, const int *out_blobs, int nout)
{
    const AimNet *net = s->net;
    char *need = s->p->need;
    for (int i = 0; i < nout; i++) {
        if (out_blobs[i] < 0 || out_blobs[i] >= net->nblobs)
            return AIM_ERR(EINVAL);
        if (!given[out_blobs[i]])
            need[net->blobs[out_blobs[i]].producer] = 1;
    }
    for (int li = net->nlayers - 1; li >= 0; li--) {
        const AimNnLayer *l = &net->layers[li];
        if (!need[li])
            continue;
        for (int k = 0; k < l->nin; k++) {
            s->uses[l->in[k]]++;
            if (!given[l->in[k]])
                need[net->blobs[l->in[k]].producer] = 1;
        }
    }
    for (int i = 0; i < nout; i++)
        s->uses[out_blobs[i]]++;
    return 0;
}

// Walks the needed layers: shapes, checks, and the lifetime simulation.
static int sim_layers(Sim *s, const char *given)
{
    const AimNet *net = s->net;
    const AimLog *log = &net->log;
    Plan *p = s->p;
    AimNnMat inm[64], outm[256];
    for (int li = 0; li < net->nlayers; li++) {
        const AimNnLayer *l = &net->layers[li];
        p->first[li] = p->scratch[li] = -1;
        if (!p->need[li])
            continue;
        s->t = li;
        if (l->nin > 64 || l->nout > 256)
            return AIM_ERR_UNSUPPORTED;
        for (int k = 0; k < l->nin; k++) {
            if (!s->have[l->in[k]]) {
                aim_log(log, AIM_LOG_ERROR, "%s: input blob '%s' was not computed", l->name,
                        net->blobs[l->in[k]].name);
                return AIM_ERR(EINVAL);
            }
            inm[k] = s->shape[l->in[k]];
        }
        if (!strcmp(l->type, "Input")) {
            for (int k = 0; k < l->nout; k++)
                if (!given[l->out[k]]) {
                    aim_log(log, AIM_LOG_ERROR, "input '%s' was not given",
                            net->blobs[l->out[k]].name);
                    return AIM_ERR(EINVAL);
                }
            continue;
        }
        int err = l->op->shape(l, inm, outm, log);
        if (err < 0)
            return err;
        if (!strcmp(l->type, "Split")) {
            int k = s->buf_of[l->in[0]];
            for (int o = 0; o < l->nout; o++) {
                int b = l->out[o];
                s->shape[b] = inm[0];
                s->have[b] = 1;
                if (s->uses[b] && k >= 0) {
                    s->buf_of[b] = k;
                    s->refs[k]++;
                }
            }
        } else {
            p->first[li] = p->nslots;
            for (int o = 0; o < l->nout; o++) {
                int b = l->out[o];
                AimNnMat *m = &p->slot[p->nslots];
                err = aim_nn_mat_layout(m, outm[o].dims, outm[o].w, outm[o].h, outm[o].c);
                if (err < 0)
                    return err;
                sim_unref(s, b); // a given blob computed again: the new tensor replaces it
                err = sim_alloc(s, b, m, p->nslots);
                if (err < 0)
                    return err;
                s->shape[b] = *m;
                p->nslots++;
            }
            // The op's temporary memory (the convolution's phase planes, 21 MB on a realesr
            // tile) lives during this layer only; from the heap it fragmented as the tensors
            // did. Not a tensor: outside the live count and max_bytes, as before.
            const AimNnRun *r = s->run;
            size_t sb = r->be->scratch ? r->be->scratch(r->st, l, inm, p->slot + p->first[li],
                                                        s->opt) : 0;
            if (sb) {
                int k = p->nbufs++;
                p->bufs[k] = (AimNnPlanBuf){ 0, (sb + r->align - 1) / r->align * r->align, li, li };
                p->scratch[li] = k;
            }
            for (int o = 0; o < l->nout; o++) // outputs nobody reads
                if (!s->uses[l->out[o]])
                    sim_unref(s, l->out[o]);
        }
        for (int k = 0; k < l->nin; k++)
            if (--s->uses[l->in[k]] == 0)
                sim_unref(s, l->in[k]);
    }
    return 0;
}

typedef struct Order {
    int life;     ///< layers alive (0 when ordering by size alone)
    size_t bytes;
    int t0, k;
} Order;

static int by_order(const void *a, const void *b)
{
    const Order *x = a, *y = b;
    if (x->life != y->life)
        return x->life > y->life ? -1 : 1;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    if (x->t0 != y->t0)
        return x->t0 < y->t0 ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k;
}

// Offsets: buffers in order (largest first, or longest-lived first then largest), each at the
// lowest offset where it overlaps no placed buffer whose interval meets its own (intervals are
// inclusive: a layer's inputs and outputs are alive together). Sets p->arena.
static int place_bufs(Plan *p, int by_life)
{
    int n = p->nbufs;
    Order *ord = malloc(sizeof(Order) * (size_t)(n + 1));
    int *placed = malloc(sizeof(int) * (size_t)(n + 1)); // sorted by offset
    if (!ord || !placed) {
        free(ord);
        free(placed);
        return AIM_ERR(ENOMEM);
    }
    for (int k = 0; k < n; k++)
        ord[k] = (Order){ by_life ? p->bufs[k].t1 - p->bufs[k].t0 : 0, p->bufs[k].bytes,
                          p->bufs[k].t0, k };
    qsort(ord, (size_t)n, sizeof(Order), by_order);
    int np = 0;
    p->arena = 0;
    for (int i = 0; i < n; i++) {
        AimNnPlanBuf *b = &p->bufs[ord[i].k];
        size_t at = 0;
        int pos = 0;
        for (; pos < np; pos++) {
            const AimNnPlanBuf *a = &p->bufs[placed[pos]];
            if (a->t1 < b->t0 || b->t1 < a->t0)
                continue;
            if (a->off >= at && a->off - at >= b->bytes)
                break;
            if (a->off + a->bytes > at)
                at = a->off + a->bytes;
        }
        b->off = at;
        // keep placed sorted by offset: insert after every buffer starting at or before it
        int ins = 0;
        while (ins < np && p->bufs[placed[ins]].off <= at)
            ins++;
        memmove(placed + ins + 1, placed + ins, sizeof(int) * (size_t)(np - ins));
        placed[ins] = ord[i].k;
        np++;
        p->arena = at + b->bytes > p->arena ? at + b->bytes : p->arena;
    }
    free(ord);
    free(placed);
    return 0;
}

static int key_equal(const Plan *p, const int *in_blobs, const AimNnMat *inputs, int nin,
                     const int *out_blobs, int nout)
{
    if (!p->need || p->nin != nin || p->nout != nout)
        return 0;
    for (int i = 0; i < nin; i++) {
        const AimNnMat *a = &p->in_shape[i], *b = &inputs[i];
        if (p->in_blobs[i] != in_blobs[i] || a->dims != b->dims || a->w != b->w ||
            a->h != b->h || a->c != b->c)
            return 0;
    }
    for (int i = 0; i < nout; i++)
        if (p->out_blobs[i] != out_blobs[i])
            return 0;
    return 1;
}

// Builds the plan for these inputs and outputs into p (empty on entry; left empty on failure).
static int plan_build(const AimNnRun *r, Plan *p, const int *in_blobs, const AimNnMat *inputs,
                      int nin, const int *out_blobs, int nout)
{
    const AimNet *net = r->net;
    size_t nb = (size_t)net->nblobs, nl = (size_t)net->nlayers;
    // Slots: one per input, then at most one per layer output; buffers: at most one per slot
    // and one scratch per layer.
    size_t ns = (size_t)nin;
    for (int li = 0; li < net->nlayers; li++)
        ns += (size_t)net->layers[li].nout;
    ns += !ns; // calloc(0) may return NULL
    p->nin = nin;
    p->nout = nout;
    p->in_blobs = malloc(sizeof(int) * (size_t)(nin + 1));
    p->out_blobs = malloc(sizeof(int) * (size_t)(nout + 1));
    p->in_shape = calloc((size_t)nin + 1, sizeof(AimNnMat));
    p->need = calloc(nl + 1, 1);
    p->first = malloc(sizeof(int) * (nl + 1));
    p->scratch = malloc(sizeof(int) * (nl + 1));
    p->slot = calloc(ns, sizeof(AimNnMat));
    p->slot_buf = calloc(ns, sizeof(int));
    p->bufs = calloc(ns + nl, sizeof(AimNnPlanBuf));
    Sim s = { net, r, &r->opt, p, malloc(sizeof(int) * nb), calloc(nb, sizeof(int)), calloc(nb, 1),
              calloc(nb, sizeof(AimNnMat)), calloc(ns + nl, sizeof(int)),
              calloc(ns + nl, sizeof(size_t)), 0, -1 };
    char *given = calloc(nb, 1);
    int err = 0;
    if (!p->in_blobs || !p->out_blobs || !p->in_shape || !p->need || !p->first || !p->scratch ||
        !p->slot ||
        !p->slot_buf || !p->bufs || !s.buf_of || !s.uses || !s.have || !s.shape || !s.refs ||
        !s.size || !given)
        err = AIM_ERR(ENOMEM);
    for (size_t b = 0; b < nb && !err; b++)
        s.buf_of[b] = -1;
    for (int i = 0; i < nin && !err; i++) {
        if (in_blobs[i] < 0 || in_blobs[i] >= net->nblobs)
            err = AIM_ERR(EINVAL);
        else
            given[in_blobs[i]] = 1;
    }
    if (!err)
        err = mark_needed(&s, given, out_blobs, nout);
    // The inputs, in the order the executor copies them in.
    for (int i = 0; i < nin && !err; i++) {
        int b = in_blobs[i];
        const AimNnMat *in = &inputs[i];
        p->in_blobs[i] = b;
        p->in_shape[i] = (AimNnMat){ NULL, in->dims, in->w, in->h, in->c, 0 };
        err = aim_nn_mat_layout(&p->slot[i], in->dims, in->w, in->h, in->c);
        if (!err) {
            sim_unref(&s, b); // the same blob given twice: the last copy wins
            err = sim_alloc(&s, b, &p->slot[i], i);
        }
        if (!err) {
            s.shape[b] = p->slot[i];
            s.refs[s.buf_of[b]] = s.uses[b] ? s.uses[b] : 1;
            if (!s.uses[b])
                sim_unref(&s, b);
        }
    }
    p->nslots = nin;
    if (!err)
        err = sim_layers(&s, given);
    for (int i = 0; i < nout && !err; i++) {
        p->out_blobs[i] = out_blobs[i];
        if (!s.have[out_blobs[i]])
            err = AIM_ERR(EINVAL);
    }
    free(given);
    free(s.buf_of);
    free(s.uses);
    free(s.have);
    free(s.shape);
    free(s.refs);
    free(s.size);
    // Neither order wins everywhere (480x270 x2, --verbose; buffers alive at one layer bound
    // the arena from below): realesr's 286x286 tile 64.2 MB by size (the bound) and 80.0 by
    // lifetime; realcugan's 228x228 tile with its SE inputs 153.8 by size, 134.0 by lifetime
    // (bound 119.2; first fit in allocation order gave 159.5 for the tensors alone). Both are
    // tried and the smaller kept: a placement is microseconds.
    if (!err && !(err = place_bufs(p, 1))) {
        size_t by_life = p->arena;
        err = place_bufs(p, 0);
        if (!err && by_life < p->arena)
            err = place_bufs(p, 1);
    }
    if (err) {
        plan_free(p);
        return err;
    }
    // No arena can be smaller than the buffers alive at one layer: how close the placement is.
    size_t bound = 0;
    for (int t = -1; t <= net->nlayers; t++) {
        size_t sum = 0;
        for (int k = 0; k < p->nbufs; k++)
            sum += p->bufs[k].t0 <= t && t <= p->bufs[k].t1 ? p->bufs[k].bytes : 0;
        bound = sum > bound ? sum : bound;
    }
    aim_log(&net->log, AIM_LOG_DEBUG, "nn: memory plan for %d input(s) (first %dx%dx%d): %d "
            "buffers, tensors %.1f MB alive at most, arena %.1f MB (at least %.1f MB with "
            "scratch)", nin, nin ? inputs[0].w : 0, nin ? inputs[0].h : 0, nin ? inputs[0].c : 0,
            p->nbufs, p->peak / 1e6, p->arena / 1e6, bound / 1e6);
    return 0;
}

// The cached plan for this key, or a new one in the least recently used place.
static int get_plan(AimNnRun *r, const int *in_blobs, const AimNnMat *inputs, int nin,
                    const int *out_blobs, int nout, Plan **out)
{
    Plan *victim = &r->plans[0];
    for (int i = 0; i < MAX_PLANS; i++) {
        Plan *p = &r->plans[i];
        if (key_equal(p, in_blobs, inputs, nin, out_blobs, nout)) {
            *out = p;
            return 0;
        }
        if (p->used < victim->used)
            victim = p;
    }
    plan_free(victim);
    int err = plan_build(r, victim, in_blobs, inputs, nin, out_blobs, nout);
    if (err < 0)
        return err;
    *out = victim;
    return 0;
}

int aim_nn_run_plan_bytes(AimNnRun *r, const int *in_blobs, const AimNnMat *inputs, int nin,
                          const int *out_blobs, int nout, size_t *arena, size_t *largest)
{
    Plan *p;
    int err = get_plan(r, in_blobs, inputs, nin, out_blobs, nout, &p);
    if (err < 0)
        return err;
    p->used = ++r->runs;
    *arena = p->arena;
    *largest = 0;
    for (int k = 0; k < p->nbufs; k++)
        *largest = p->bufs[k].bytes > *largest ? p->bufs[k].bytes : *largest;
    return 0;
}

// --- execution

int aim_nn_run_submit(AimNnRun *r, const int *in_blobs, const AimNnMat *inputs, int nin,
                      const int *out_blobs, int nout)
{
    return aim_nn_run_submit_dev(r, in_blobs, inputs, NULL, nin, out_blobs, NULL, nout);
}

int aim_nn_run_submit_dev(AimNnRun *r, const int *in_blobs, const AimNnMat *inputs,
                          const AimNnDevIo *in_dev, int nin, const int *out_blobs,
                          const AimNnDevIo *out_dev, int nout)
{
    const AimNet *net = r->net;
    const AimLog *log = &net->log;
    r->last = NULL;
    if (r->pending)
        return AIM_ERR(EBUSY);
    if (nout > 64)
        return AIM_ERR_UNSUPPORTED;
    Plan *p;
    int err = get_plan(r, in_blobs, inputs, nin, out_blobs, nout, &p);
    if (err < 0)
        return err;
    p->used = ++r->runs;
    r->peak = p->peak > r->peak ? p->peak : r->peak;
    err = r->be->begin(r->st, p->arena);
    if (err < 0)
        return err;
    memset(r->mats, 0, sizeof(AimNnMat) * (size_t)net->nblobs);
    for (int i = 0; i < nin && !err; i++) {
        size_t off = p->bufs[p->slot_buf[i]].off;
        r->mats[in_blobs[i]] = p->slot[i];
        r->offs[in_blobs[i]] = off;
        if (in_dev && in_dev[i].img)
            err = r->be->input_dev ? r->be->input_dev(r->st, &p->slot[i], off, &in_dev[i])
                                   : AIM_ERR_UNSUPPORTED;
        else
            err = r->be->input(r->st, &p->slot[i], off, &inputs[i]);
    }
    // The plan checked every shape and that every input is computed before it is read.
    AimNnMat outm[256];
    size_t in_off[64], out_off[256];
    for (int li = 0; li < net->nlayers && !err; li++) {
        const AimNnLayer *l = &net->layers[li];
        if (!p->need[li] || !strcmp(l->type, "Input"))
            continue;
        if (r->opt.cancel && atomic_load(r->opt.cancel)) {
            err = AIM_ERR_INTERRUPTED;
            break;
        }
        if (p->first[li] < 0) { // Split: the outputs alias the input
            for (int o = 0; o < l->nout; o++) {
                r->mats[l->out[o]] = r->mats[l->in[0]];
                r->offs[l->out[o]] = r->offs[l->in[0]];
            }
            continue;
        }
        AimNnMat inm[64];
        for (int k = 0; k < l->nin; k++) {
            inm[k] = r->mats[l->in[k]];
            in_off[k] = r->offs[l->in[k]];
        }
        for (int o = 0; o < l->nout; o++) {
            int k = p->first[li] + o;
            outm[o] = p->slot[k];
            out_off[o] = p->bufs[p->slot_buf[k]].off;
            r->mats[l->out[o]] = outm[o];
            r->offs[l->out[o]] = out_off[o];
        }
        int sk = p->scratch[li];
        err = r->be->layer(r->st, l, inm, in_off, outm, out_off, sk >= 0 ? p->bufs[sk].off : 0,
                           sk >= 0 ? p->bufs[sk].bytes : 0, &r->opt);
        if (err < 0)
            aim_log(log, AIM_LOG_ERROR, "%s (%s) failed: %s", l->name, l->type,
                    aim_strerror(err));
        else
            r->macs += layer_macs(l, inm, outm);
    }
    if (err) {
        r->be->end(r->st, NULL, NULL, 0);
        return err;
    }
    // outputs into images first; the rest (host outputs) go to end() packed at the front
    size_t offs[64];
    int nhost = 0;
    for (int i = 0; i < nout; i++) {
        r->pend_out[i] = out_blobs[i];
        r->pend_dev[i] = out_dev && out_dev[i].img;
        r->pend_res[i] = r->mats[out_blobs[i]];
        r->pend_res[i].data = NULL;
        size_t off = r->offs[out_blobs[i]];
        if (r->pend_dev[i]) {
            if (!err)
                err = r->be->output_dev ? r->be->output_dev(r->st, &r->pend_res[i], off,
                                                            &out_dev[i])
                                        : AIM_ERR_UNSUPPORTED;
        } else {
            offs[nhost] = off;
            r->pend_host[nhost++] = r->pend_res[i];
        }
    }
    if (err) {
        r->be->end(r->st, NULL, NULL, 0);
        return err;
    }
    err = r->be->end(r->st, r->pend_host, offs, nhost);
    if (err < 0)
        return err;
    r->pend_nout = nout;
    r->pend_nhost = nhost;
    r->pending = p;
    return 0;
}

int aim_nn_run_wait(AimNnRun *r, const AimNnMat **outs)
{
    const Plan *p = r->pending;
    if (!p)
        return AIM_ERR(EINVAL);
    r->pending = NULL;
    // (no host outputs: end() completed the run, nothing is pending in the backend)
    int nh = r->pend_nhost;
    int err = r->be->wait && nh ? r->be->wait(r->st, r->pend_host, nh) : 0;
    if (err < 0)
        return err;
    for (int i = 0, k = 0; i < r->pend_nout; i++) {
        AimNnMat *m = &r->mats[r->pend_out[i]];
        *m = r->pend_dev[i] ? r->pend_res[i] : r->pend_host[k++];
        if (outs)
            outs[i] = m;
    }
    r->last = p;
    return 0;
}

int aim_nn_run(AimNnRun *r, const int *in_blobs, const AimNnMat *inputs, int nin,
               const int *out_blobs, const AimNnMat **outs, int nout)
{
    int err = aim_nn_run_submit(r, in_blobs, inputs, nin, out_blobs, nout);
    return err < 0 ? err : aim_nn_run_wait(r, outs);
}
