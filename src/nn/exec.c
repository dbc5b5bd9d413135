// Graph executor: runs the layers in file order (ncnn files are topologically sorted), only
// those the requested outputs need, and frees every tensor after its last consumer.
// Split outputs alias their input (ops never write into their inputs), so they cost nothing.
#include <stdlib.h>
#include <string.h>

#include "nn/ops.h"

typedef struct Buf {
    float *data;
    int refs;
    size_t bytes;
} Buf;

struct AimNnRun {
    const AimNet *net;
    AimNnOpt opt;
    AimNnMat *mats;   ///< per blob (shape + data pointer into a Buf)
    int *buf_of;      ///< per blob: Buf index or -1
    Buf *bufs;        ///< at most one per blob
    int *uses;        ///< per blob: consumers still to run
    char *need;       ///< per layer
    size_t live, peak;
    double macs;
};

int aim_nn_run_create(AimNnRun **out, const AimNet *net, const AimNnOpt *opt)
{
    AimNnRun *r = calloc(1, sizeof(*r));
    if (!r)
        return AIM_ERR(ENOMEM);
    r->net = net;
    r->opt = *opt;
    r->mats = calloc((size_t)net->nblobs, sizeof(AimNnMat));
    r->buf_of = malloc(sizeof(int) * (size_t)net->nblobs);
    r->bufs = calloc((size_t)net->nblobs, sizeof(Buf));
    r->uses = calloc((size_t)net->nblobs, sizeof(int));
    r->need = calloc((size_t)net->nlayers, 1);
    if (!r->mats || !r->buf_of || !r->bufs || !r->uses || !r->need) {
        aim_nn_run_destroy(&r);
        return AIM_ERR(ENOMEM);
    }
    for (int i = 0; i < net->nblobs; i++)
        r->buf_of[i] = -1;
    *out = r;
    return 0;
}

static void release_all(AimNnRun *r)
{
    for (int i = 0; i < r->net->nblobs; i++) {
        free(r->bufs[i].data);
        r->bufs[i] = (Buf){ 0 };
        r->buf_of[i] = -1;
        r->mats[i].data = NULL;
    }
    r->live = 0;
}

void aim_nn_run_destroy(AimNnRun **pr)
{
    AimNnRun *r = pr ? *pr : NULL;
    if (!r)
        return;
    if (r->bufs && r->buf_of && r->mats)
        release_all(r);
    free(r->mats);
    free(r->buf_of);
    free(r->bufs);
    free(r->uses);
    free(r->need);
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

static void unref_blob(AimNnRun *r, int b)
{
    int k = r->buf_of[b];
    if (k < 0)
        return;
    r->buf_of[b] = -1;
    r->mats[b].data = NULL;
    if (--r->bufs[k].refs == 0) {
        r->live -= r->bufs[k].bytes;
        free(r->bufs[k].data);
        r->bufs[k] = (Buf){ 0 };
    }
}

// Allocates blob b with the shape in r->mats[b] into a free Buf slot.
static int alloc_blob(AimNnRun *r, int b)
{
    AimNnMat *m = &r->mats[b];
    AimNnMat t;
    int err = aim_nn_mat_alloc(&t, m->dims, m->w, m->h, m->c);
    if (err < 0)
        return err;
    size_t bytes = t.cstep * t.c * sizeof(float);
    if (r->opt.max_bytes && r->live + bytes > r->opt.max_bytes) {
        aim_nn_mat_free(&t);
        aim_log(&r->net->log, AIM_LOG_ERROR, "blob '%s' (%dx%dx%d) exceeds the memory limit",
                r->net->blobs[b].name, m->w, m->h, m->c);
        return AIM_ERR(ENOMEM);
    }
    int k = 0;
    while (r->bufs[k].refs)
        k++; // a free slot exists: at most one live Buf per blob
    r->bufs[k] = (Buf){ t.data, 1, bytes };
    r->buf_of[b] = k;
    *m = t;
    r->live += r->bufs[k].bytes;
    if (r->live > r->peak)
        r->peak = r->live;
    return 0;
}

int aim_nn_run(AimNnRun *r, const int *in_blobs, const AimNnMat *inputs, int nin,
               const int *out_blobs, const AimNnMat **outs, int nout)
{
    const AimNet *net = r->net;
    const AimLog *log = &net->log;
    release_all(r);
    memset(r->need, 0, (size_t)net->nlayers);
    memset(r->uses, 0, sizeof(int) * (size_t)net->nblobs);
    char *given = calloc((size_t)net->nblobs, 1);
    if (!given)
        return AIM_ERR(ENOMEM);
    int err = 0;
    for (int i = 0; i < nin && !err; i++) {
        int b = in_blobs[i];
        if (b < 0 || b >= net->nblobs) {
            err = AIM_ERR(EINVAL);
            break;
        }
        given[b] = 1;
    }
    // Mark the layers the outputs depend on, walking back from the outputs.
    for (int i = 0; i < nout && !err; i++) {
        if (out_blobs[i] < 0 || out_blobs[i] >= net->nblobs)
            err = AIM_ERR(EINVAL);
        else if (!given[out_blobs[i]])
            r->need[net->blobs[out_blobs[i]].producer] = 1;
    }
    for (int li = net->nlayers - 1; li >= 0 && !err; li--) {
        const AimNnLayer *l = &net->layers[li];
        if (!r->need[li])
            continue;
        for (int k = 0; k < l->nin; k++) {
            r->uses[l->in[k]]++;
            if (!given[l->in[k]])
                r->need[net->blobs[l->in[k]].producer] = 1;
        }
    }
    for (int i = 0; i < nout && !err; i++)
        r->uses[out_blobs[i]]++; // outputs are kept to the end
    for (int i = 0; i < nin && !err; i++) {
        int b = in_blobs[i];
        const AimNnMat *s = &inputs[i];
        r->mats[b] = (AimNnMat){ NULL, s->dims, s->w, s->h, s->c, 0 };
        err = alloc_blob(r, b);
        if (!err) {
            AimNnMat *d = &r->mats[b];
            r->bufs[r->buf_of[b]].refs = r->uses[b] ? r->uses[b] : 1;
            for (int q = 0; q < s->c; q++)
                memcpy(aim_nn_chan(d, q), aim_nn_chan(s, q), sizeof(float) * s->w * s->h);
            if (!r->uses[b])
                unref_blob(r, b);
        }
    }
    AimNnMat inm[64], outm[256];
    for (int li = 0; li < net->nlayers && !err; li++) {
        const AimNnLayer *l = &net->layers[li];
        if (!r->need[li])
            continue;
        if (r->opt.cancel && atomic_load(r->opt.cancel)) {
            err = AIM_ERR_INTERRUPTED;
            break;
        }
        if (l->nin > 64 || l->nout > 256) {
            err = AIM_ERR_UNSUPPORTED;
            break;
        }
        for (int k = 0; k < l->nin; k++) {
            if (!r->mats[l->in[k]].data) {
                aim_log(log, AIM_LOG_ERROR, "%s: input blob '%s' was not computed", l->name,
                        net->blobs[l->in[k]].name);
                err = AIM_ERR(EINVAL);
                break;
            }
            inm[k] = r->mats[l->in[k]];
        }
        if (err)
            break;
        if (!strcmp(l->type, "Input")) {
            for (int k = 0; k < l->nout; k++)
                if (!given[l->out[k]]) {
                    aim_log(log, AIM_LOG_ERROR, "input '%s' was not given",
                            net->blobs[l->out[k]].name);
                    err = AIM_ERR(EINVAL);
                }
            continue;
        }
        err = l->op->shape(l, inm, outm, log);
        if (err < 0)
            break;
        if (!strcmp(l->type, "Split")) {
            int k = r->buf_of[l->in[0]];
            for (int o = 0; o < l->nout; o++) {
                int b = l->out[o];
                r->mats[b] = inm[0];
                if (r->uses[b]) {
                    r->buf_of[b] = k;
                    r->bufs[k].refs++;
                }
            }
        } else {
            for (int o = 0; o < l->nout && !err; o++) {
                int b = l->out[o];
                r->mats[b] = outm[o];
                err = alloc_blob(r, b);
                outm[o] = r->mats[b];
            }
            if (!err)
                err = l->op->forward(l, inm, outm, &r->opt);
            if (!err)
                r->macs += layer_macs(l, inm, outm);
            for (int o = 0; o < l->nout; o++) // outputs nobody reads
                if (!r->uses[l->out[o]])
                    unref_blob(r, l->out[o]);
            if (err < 0)
                aim_log(log, AIM_LOG_ERROR, "%s (%s) failed: %s", l->name, l->type,
                        aim_strerror(err));
        }
        for (int k = 0; k < l->nin; k++)
            if (--r->uses[l->in[k]] == 0)
                unref_blob(r, l->in[k]);
    }
    free(given);
    for (int i = 0; i < nout && !err; i++) {
        outs[i] = &r->mats[out_blobs[i]];
        if (!outs[i]->data)
            err = AIM_ERR(EINVAL);
    }
    if (err)
        release_all(r);
    return err;
}
