// Internal to src/nn and its tests: the executor's static memory plan (exec.c), exposed so a
// test can check that no two tensors alive at the same time share arena bytes.
#ifndef AIM_NN_PLAN_H
#define AIM_NN_PLAN_H

#include <stddef.h>

#include "nn/net.h"

/** One tensor buffer of a plan (Split outputs share their input's buffer). */
typedef struct AimNnPlanBuf {
    size_t off;   ///< byte offset in the arena, a multiple of 64
    size_t bytes; ///< bytes reserved: the tensor, its slack, rounded up to 64
    int t0, t1;   ///< alive from layer t0 (-1: a given input) to layer t1 inclusive
                  ///< (nlayers: kept to the end of the run, i.e. an output)
} AimNnPlanBuf;

/**
 * The buffers of the plan the last successful aim_nn_run used (owned by the run, valid until
 * the next run/destroy) and the arena size it needs; returns their count, 0 before any run.
 */
int aim_nn_run_plan(const AimNnRun *r, const AimNnPlanBuf **bufs, size_t *arena_bytes);

#endif
