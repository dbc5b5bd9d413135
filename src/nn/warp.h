// "rife.Warp": the custom layer of RIFE's ncnn models (rife-ncnn-vulkan's rife_ops.h), a
// backward warp: out(c, y, x) = in(c, y + flow(1, y, x), x + flow(0, y, x)), bilinear, source
// coordinates clamped to the image (border padding). Registered by callers that load RIFE
// (AimNetSettings.extra_ops), which is how other custom ops plug in too.
#ifndef AIM_NN_WARP_H
#define AIM_NN_WARP_H

#include "nn/net.h"

extern const AimNnOpDesc aim_nn_op_rife_warp;

#endif
