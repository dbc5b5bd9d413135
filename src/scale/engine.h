// Model B engines: the table the dispatcher (scale.c) picks from by name.
//
// To add a classic engine: define a `const AimScaleEngine` with a unique name and add its
// address to the `engines[]` table in scale.c. A neural upscaler is a row of the model
// registry (src/nn/models.c, kind AIM_MODEL_UPSCALER): aim_scale_engine_nn runs every such
// model under the model's name. The pipeline only sees aim_scaler_*; nothing else changes.
//
// Contract:
// - create gets settings the dispatcher already validated (sizes, depth, chroma_loc,
//   strengths); an engine checks only what is specific to it (its model files:
//   AIM_ERR_MODEL_MISSING; a ratio it cannot do: AIM_ERR_UNSUPPORTED). It allocates all
//   its scratch there. The settings pointer is not kept (copy what you need).
// - run reads `in` (src size; may be a view whose planes point into the dispatcher's
//   restoration buffers) and writes the visible samples of `out` (dst size; may be a view).
//   It must not allocate, and may use s->pool. Props are copied by the dispatcher.
// - destroy frees everything and sets *priv = NULL; it accepts &NULL.
// Thread-safety: one run at a time per engine instance.
#ifndef AIM_SCALE_ENGINE_H
#define AIM_SCALE_ENGINE_H

#include "scale/scale.h"

typedef struct AimScaleEngine {
    const char *name;
    int (*create)(void **priv, const AimScalerSettings *s);
    int (*run)(void *priv, const AimFrame *in, AimFrame *out);
    void (*destroy)(void **priv);
    /**
     * Optional (may be NULL), with run_device: the Vulkan device whose frames run_device takes
     * (aim_scaler_run_device, scale.h), or NULL when it would not take them now.
     */
    struct AimVkDevice *(*device)(void *priv);
    /** run, with the input's samples on the device in `dev`; `in` gives only its properties. */
    int (*run_device)(void *priv, const AimFrame *in, struct AimNnGpuYuv *dev, AimFrame *out);
} AimScaleEngine;

// Classic separable resamplers (resample.c).
extern const AimScaleEngine aim_scale_engine_lanczos;
extern const AimScaleEngine aim_scale_engine_bicubic;
extern const AimScaleEngine aim_scale_engine_bilinear;

// Every upscaler model of the registry (nn_engine.c); create reads the model's name from the
// settings' `engine`.
extern const AimScaleEngine aim_scale_engine_nn;

#endif
