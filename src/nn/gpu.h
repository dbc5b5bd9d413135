// A net's weights on a Vulkan device: the GPU backend's per-net, per-device state (the
// immutable AimNet stays backend-neutral). A run executes on the GPU when its options name one
// (AimNnOpt.gpu); the executor's plan is the same, its arena one device buffer.
//
// Precision: fp16 storage and arithmetic (the "_fp16" shader variants) when the device has
// them and its settings allow (aim_vk_device_fp16), else fp32. Convolutions accumulate in fp32
// either way.
//
// Thread-safety: immutable after create; runs using it may be on several threads only if each
// has its own AimNnRun (the device serialises submissions).
#ifndef AIM_NN_GPU_H
#define AIM_NN_GPU_H

#include "nn/net.h"
#include "vk/vk.h"

typedef struct AimNnGpu AimNnGpu;

/**
 * Uploads `net`'s weights to `dev` (both must outlive the result). Every layer type must have a
 * Vulkan op (src/nn/vk/ops.c): otherwise AIM_ERR_UNSUPPORTED, the type named in the log. Other
 * errors: vk.h's (ENOMEM for device memory, ENODEV for a lost device). On failure *out is
 * untouched.
 */
int aim_nn_gpu_create(AimNnGpu **out, const AimNet *net, AimVkDevice *dev, const AimLog *log);
void aim_nn_gpu_destroy(AimNnGpu **g);
/** 1: the fp16 variants run. */
int aim_nn_gpu_fp16(const AimNnGpu *g);
AimVkDevice *aim_nn_gpu_device(const AimNnGpu *g);
/**
 * 1 for the errors of a GPU run the CPU can take over from (--device auto's fallback): an op
 * without a Vulkan shader, out of (device) memory, a lost device, another driver error, a tensor
 * beyond one binding.
 */
int aim_nn_gpu_recoverable(int err);
/** 1 if every layer type of `net` has a Vulkan op (no log, no device needed). */
int aim_nn_gpu_supports(const AimNet *net, const char **missing);

#endif
