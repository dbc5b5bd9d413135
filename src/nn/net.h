// Neural network graphs: an immutable loaded model (AimNet: layers, blobs, fp32 weights) and the
// tensors (AimNnMat) the executor passes between layers. Loaders: ncnn .param/.bin (ncnn.c) and
// Anime4K JSON (anime4k.c) both produce an AimNet; one executor (exec.c) runs any of them.
//
// Design for later models (RIFE v4): a net has any number of Input layers and any number of
// outputs (looked up by blob name); ops are found in a table by their ncnn type name, and a
// caller may pass extra op descriptors (e.g. "rife.Warp") to the loader; shapes are inferred
// per run from the input sizes, so multi-scale graphs (Interp by factors, Crop, Concat) need no
// fixed sizes.
//
// Thread-safety: an AimNet is immutable after loading and may be shared by threads; each thread
// runs it with its own AimNnRun (scratch tensors).
#ifndef AIM_NN_NET_H
#define AIM_NN_NET_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "ainimotion/common.h"
#include "core/pool.h"

/** ncnn ParamDict: ids 0..31, each an int, a float or an array (ncnn key -23300 - id). */
#define AIM_NN_MAX_PARAM 32
/** Up to this many weight arrays per layer (BatchNorm has 4). */
#define AIM_NN_MAX_WEIGHTS 4

enum { AIM_NN_P_NONE = 0, AIM_NN_P_INT, AIM_NN_P_FLOAT, AIM_NN_P_ARRAY };

typedef struct AimNnParam {
    int type;
    int i;
    float f;
    int n;     ///< array length
    int *ai;   ///< array as ints (values written as floats are truncated)
    float *af; ///< array as floats
} AimNnParam;

/**
 * A tensor: dims 1 (w), 2 (w, h) or 3 (w, h, c), fp32. Channel q starts at data + q * cstep;
 * rows are contiguous (stride w). cstep >= w * h, rounded up so channels are 64-byte aligned.
 */
typedef struct AimNnMat {
    float *data;
    int dims, w, h, c;
    size_t cstep;
} AimNnMat;

static inline float *aim_nn_chan(const AimNnMat *m, int q) { return m->data + (size_t)q * m->cstep; }
static inline size_t aim_nn_total(const AimNnMat *m) { return (size_t)m->w * m->h * m->c; }

struct AimNnOpDesc;
struct AimNnExec;

typedef struct AimNnLayer {
    const struct AimNnOpDesc *op;
    char type[64];
    char name[64];
    int nin, nout;
    int *in, *out;                 ///< blob indices
    AimNnParam p[AIM_NN_MAX_PARAM];
    int nw;                        ///< weight arrays loaded
    float *w[AIM_NN_MAX_WEIGHTS];
    size_t wn[AIM_NN_MAX_WEIGHTS]; ///< element counts
    void *priv;                    ///< op-prepared data (packed weights), freed by op->uninit
} AimNnLayer;

typedef struct AimNnBlob {
    char name[64];
    int producer;  ///< layer index
    int consumers; ///< number of layer inputs reading it
} AimNnBlob;

typedef struct AimNet {
    int nlayers, nblobs;
    AimNnLayer *layers;
    AimNnBlob *blobs;
    AimLog log;
} AimNet;

/** Extra cpu_flags bit for nn: use the AVX-512 conv kernel (not the default: kernels.c). */
#define AIM_NN_CPU_PREFER_AVX512 (1u << 31)

/** Per-run options an op sees. */
typedef struct AimNnOpt {
    int ref;            ///< 1: use the plain C reference ops only
    unsigned cpu_flags; ///< AIM_CPU_* allowed
    AimPool *pool;
    size_t max_bytes;   ///< refuse to hold more tensor bytes at once (0 = no limit)
    const atomic_int *cancel; ///< polled before every layer: nonzero stops the run with
                              ///< AIM_ERR_INTERRUPTED (a 1080p frame is seconds of layers)
    /** NULL: run on the CPU. Else the net's weights on a Vulkan device (nn/gpu.h): the run
     *  executes there (ref, cpu_flags and pool are then unused). Not owned. */
    struct AimNnGpu *gpu;
    /** Set by the executor for one forward call (leave NULL/0): the temporary memory the op's
     *  scratch() asked for, 64-byte aligned, from the run's arena; NULL: the op allocates. */
    void *scratch;
    size_t scratch_bytes;
} AimNnOpt;

/** One op type. Functions return 0 or a negative AIM error (validation errors are logged). */
typedef struct AimNnOpDesc {
    const char *type; ///< ncnn type name
    int min_in, max_in, min_out, max_out;
    /** Validates params and fills l->nw / wn[] (counts) and wtype[] (ncnn ModelBin type 0/1). */
    int (*check)(AimNnLayer *l, int wtype[AIM_NN_MAX_WEIGHTS], const AimLog *log);
    /** After weights are loaded: optional packing into l->priv. */
    int (*init)(AimNnLayer *l, const AimLog *log);
    void (*uninit)(AimNnLayer *l);
    /** Output shapes (dims, w, h, c) from input shapes; validates sizes. */
    int (*shape)(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log);
    /** Computes outputs (already allocated with the shapes above). */
    int (*forward)(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o);
    /** Optional: bytes of temporary memory forward needs for these shapes and options (0:
     *  none); the executor plans it in its arena and passes it in o->scratch. */
    size_t (*scratch)(const AimNnLayer *l, const AimNnMat *in, const AimNnMat *out,
                      const AimNnOpt *o);
} AimNnOpDesc;

typedef struct AimNetSettings {
    AimLog log;
    const AimNnOpDesc *extra_ops; ///< custom layer types (e.g. "rife.Warp"), may be NULL
    int n_extra_ops;
} AimNetSettings;

void aim_net_default_settings(AimNetSettings *s);

/**
 * Loads an ncnn model from memory: `param` is the text .param (magic 7767517), `bin` the
 * weights. Everything is validated; a malformed file returns AIM_ERR_INVALID_DATA (the reason
 * logged), an unknown layer type AIM_ERR_UNSUPPORTED. The inputs are not referenced after the
 * call. On success *out owns everything; on failure *out is untouched.
 */
int aim_net_load_ncnn_mem(AimNet **out, const char *param, size_t param_len, const void *bin,
                          size_t bin_len, const AimNetSettings *s);
/** Same from files. AIM_ERR(ENOENT) etc. when a file cannot be read. */
int aim_net_load_ncnn(AimNet **out, const char *param_path, const char *bin_path,
                      const AimNetSettings *s);
void aim_net_destroy(AimNet **net);

/** Index of the blob called `name`, or -1. */
int aim_net_blob(const AimNet *net, const char *name);
/** Parameter helpers (ncnn ParamDict::get). */
int aim_nn_pi(const AimNnLayer *l, int id, int def);
float aim_nn_pf(const AimNnLayer *l, int id, float def);

/** The built-in op table entry for an ncnn type name, or NULL. */
const AimNnOpDesc *aim_nn_find_op(const char *type);

/** Reads a whole file (at most max bytes) into a malloc'ed buffer with a NUL appended. */
int aim_nn_read_file(const char *path, size_t max, char **data, size_t *len);

// --- execution
typedef struct AimNnRun AimNnRun;

/** Scratch for running `net` (one per thread). opt is copied. */
int aim_nn_run_create(AimNnRun **out, const AimNet *net, const AimNnOpt *opt);
void aim_nn_run_destroy(AimNnRun **r);
/**
 * Runs the net: inputs[i] is copied into blob in_blobs[i] (inputs must not point into this
 * run's previous outputs); outputs are computed for the blobs out_blobs[] and returned in outs[]
 * (owned by the run, valid until the next run/destroy). Only layers the outputs need are run.
 * All tensors live in one arena per run, laid out once per set of inputs, shapes and outputs
 * (a few such plans are cached): a tensor's bytes are reused once its last consumer ran, so
 * memory follows the tile size.
 */
int aim_nn_run(AimNnRun *r, const int *in_blobs, const AimNnMat *inputs, int nin,
               const int *out_blobs, const AimNnMat **outs, int nout);
/**
 * aim_nn_run in two halves, so the host can prepare another run while this one computes: on
 * a GPU run, submit copies the inputs (they may be freed on return), records the layers and
 * submits them without waiting; aim_nn_run_wait waits and sets outs[0..nout) as aim_nn_run
 * does. On the CPU submit computes and wait only hands out the outputs. A run holds one
 * submission at a time: a second submit before the wait is AIM_ERR(EBUSY); wait without a
 * successful submit is AIM_ERR(EINVAL). Overlap means several AimNnRun (each its own arena).
 * A failed submit leaves nothing pending.
 */
int aim_nn_run_submit(AimNnRun *r, const int *in_blobs, const AimNnMat *inputs, int nin,
                      const int *out_blobs, int nout);

struct AimNnGpuImage;
/**
 * An input read from, or an output written to, a frame on the device (AimNnGpuImage, nn/gpu.h)
 * instead of host memory: frames stay on the GPU between two nets on one device.
 */
typedef struct AimNnDevIo {
    struct AimNnGpuImage *img; ///< NULL: this input or output is on the host
    int x, y;  ///< input: top-left of the window in the frame (the input's w x h from there;
               ///< outside the frame: the edge rule below)
    int clamp; ///< input: 1 clamp-to-edge, 0 reflect-101 (the upscaler's two rules)
    int w, h;  ///< output: the frame is the top-left w x h of the tensor (0: all of it)
} AimNnDevIo;
/**
 * aim_nn_run_submit with inputs and outputs on the device: in_dev[i].img (in_dev may be NULL)
 * makes input i a window of that image (inputs[i] gives the shape: dims 3, c 3; its data is
 * not read); out_dev[i].img (out_dev may be NULL) writes output i (c 3) into that image, and
 * aim_nn_run_wait then hands it out with data NULL. A run whose outputs all go to images
 * completes in submit. AIM_ERR_UNSUPPORTED on a CPU run; AIM_ERR(EINVAL) for an image of
 * another device, an empty image, or a shape that is not 3 channels.
 */
int aim_nn_run_submit_dev(AimNnRun *r, const int *in_blobs, const AimNnMat *inputs,
                          const AimNnDevIo *in_dev, int nin, const int *out_blobs,
                          const AimNnDevIo *out_dev, int nout);
int aim_nn_run_wait(AimNnRun *r, const AimNnMat **outs);
/**
 * Plans a run for these inputs (shapes only: data is not read) and outputs without running it
 * (the plan is cached for a later aim_nn_run): *arena = bytes of the arena it needs (the
 * fp32 layout: a backend with smaller elements needs proportionally less), *largest = the
 * largest single buffer. 0 or the planning errors of aim_nn_run.
 */
int aim_nn_run_plan_bytes(AimNnRun *r, const int *in_blobs, const AimNnMat *inputs, int nin,
                          const int *out_blobs, int nout, size_t *arena, size_t *largest);
/** Peak bytes of tensors alive at once during the last runs (for memory reports). */
size_t aim_nn_run_peak_bytes(const AimNnRun *r);
/** Multiply-adds of the (de)convolution layers run so far (for GFLOP/s reports). */
double aim_nn_run_macs(const AimNnRun *r);

/**
 * Bytes every tensor owns past its last channel: one cache line, as the first allocator gave (a
 * margin for a vector access that runs past the end; the arena keeps it so kernels see the
 * same memory).
 */
#define AIM_NN_MAT_SLACK 64

/**
 * Fills m's shape and cstep exactly as aim_nn_mat_alloc lays the tensor out, data = NULL
 * (the executor's memory plan places such tensors in one arena). 0 or AIM_ERR(EINVAL/ERANGE).
 */
int aim_nn_mat_layout(AimNnMat *m, int dims, int w, int h, int c);
/** Bytes of a laid-out tensor's channels (cstep * c floats), without the slack. */
static inline size_t aim_nn_mat_bytes(const AimNnMat *m) { return m->cstep * m->c * sizeof(float); }
/** Allocates a tensor (64-byte aligned channels). 0 or AIM_ERR(ENOMEM)/EINVAL. */
int aim_nn_mat_alloc(AimNnMat *m, int dims, int w, int h, int c);
void aim_nn_mat_free(AimNnMat *m);

#endif
