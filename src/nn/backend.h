// Internal to src/nn: the executor's backend seam (in the spirit of libplacebo's pl_gpu function
// table). exec.c owns everything backend-neutral: the graph walk, shape inference, the static
// memory plan (byte offsets of every tensor in ONE arena, laid out as fp32) and the Split
// aliasing. A backend owns the arena's memory and runs the layers on it:
//   - CPU (exec.c): the arena is host memory; a layer calls op->forward on pointers into it.
//   - Vulkan (gpu.c): the arena is one device buffer holding the same plan (halved for fp16);
//     inputs are uploaded, each layer is recorded as dispatches with barriers, the outputs'
//     downloads are recorded last and the list is submitted by end(); wait() waits for it, so
//     the host can fill another run (another AimNnRun: its own arena and staging) meanwhile.
// Offsets are the plan's (fp32 bytes); a backend with smaller elements scales them.
//
// Thread-safety: a backend state belongs to one AimNnRun (one thread at a time).
#ifndef AIM_NN_BACKEND_H
#define AIM_NN_BACKEND_H

#include <stddef.h>

#include "nn/net.h"

typedef struct AimNnBackendFns {
    const char *name;
    /** Per-run state for `net` with these options. 0 or a negative AIM error. */
    int (*create)(void **st, const AimNet *net, const AimNnOpt *opt);
    void (*destroy)(void **st);
    /** Alignment (bytes, a multiple of 64) of every offset the plan gives this backend. */
    size_t (*align)(void *st);
    /** Bytes of temporary memory layer l needs for these shapes (0: none; may be NULL). */
    size_t (*scratch)(void *st, const AimNnLayer *l, const AimNnMat *in, const AimNnMat *out,
                      const AimNnOpt *o);
    /** Starts a run whose plan needs `arena` bytes. */
    int (*begin)(void *st, size_t arena);
    /** Copies input `src` into the tensor laid out as `m` at arena offset off. */
    int (*input)(void *st, const AimNnMat *m, size_t off, const AimNnMat *src);
    /**
     * Runs (or records) layer l: inputs in[k] at in_off[k], outputs out[o] at out_off[o]
     * (shapes with cstep; data NULL), scratch at scratch_off (scratch_bytes 0: none).
     */
    int (*layer)(void *st, const AimNnLayer *l, const AimNnMat *in, const size_t *in_off,
                 const AimNnMat *out, const size_t *out_off, size_t scratch_off,
                 size_t scratch_bytes, const AimNnOpt *o);
    /**
     * Finishes recording the run: outs[i] (shape set, data NULL on entry) at offs[i] are the
     * outputs; end may change their cstep (the host layout) and, with no wait(), sets their
     * data (valid until the next begin/destroy). With nout = 0 (a failed run, to clean up, or
     * a run whose outputs all went to output_dev) the run is completed: nothing is left
     * pending.
     */
    int (*end)(void *st, AimNnMat *outs, const size_t *offs, int nout);
    /**
     * NULL: end() completed the run. Else waits for the run end() started and sets the data
     * of its outputs (as end() left them; valid until the next begin/destroy). Called once
     * after every successful end() with nout > 0, before the next begin.
     */
    int (*wait)(void *st, AimNnMat *outs, int nout);
    /** Optional (NULL: AIM_ERR_UNSUPPORTED): input m at off is a window of io->img. */
    int (*input_dev)(void *st, const AimNnMat *m, size_t off, const AimNnDevIo *io);
    /** Optional (NULL: AIM_ERR_UNSUPPORTED): output m at off goes into io->img (before end). */
    int (*output_dev)(void *st, const AimNnMat *m, size_t off, const AimNnDevIo *io);
} AimNnBackendFns;

/** The Vulkan backend (gpu.c); runs use it when their options name an AimNnGpu. */
extern const AimNnBackendFns aim_nn_backend_vk;

#endif
