// Model B: upscaling (and optional restoration) engines behind one interface.
// Thread-safety: the built scaler (filter plan, loaded model) is immutable; aim_scaler_run may
// be called by one thread at a time per AimScaler and slices its work over the pool.
#ifndef AIM_SCALE_SCALE_H
#define AIM_SCALE_SCALE_H

#include "ainimotion/frame.h"
#include "core/pool.h"

/** Restoration strengths, 0 = off, 1 = the strongest the preset allows. */
typedef struct AimRestore {
    float deblock;
    float denoise;
    float sharpen;
} AimRestore;

typedef struct AimScalerSettings {
    const char *engine;    ///< "lanczos" (default), "bicubic", "bilinear"; neural names later
    int src_w, src_h, dst_w, dst_h;
    int depth;             ///< 8 or 10 (in and out)
    AimColor color;        ///< chroma siting (chroma_loc) and matrix for RGB models
    AimRestore restore;
    AimPool *pool;
    unsigned cpu_flags;
    const char *models_dir;
    AimLog log;
} AimScalerSettings;

typedef struct AimScaler AimScaler;

void aim_scaler_default_settings(AimScalerSettings *s);
/** 0, AIM_ERR(EINVAL), AIM_ERR_MODEL_MISSING, AIM_ERR(ENOMEM). */
int aim_scaler_create(AimScaler **out, const AimScalerSettings *s);
void aim_scaler_destroy(AimScaler **s);
/** Scales `in` (src size) into `out` (dst size, allocated by the caller); copies props. */
int aim_scaler_run(AimScaler *s, const AimFrame *in, AimFrame *out);

#endif
