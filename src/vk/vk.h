// The Vulkan device layer: the ONE place that calls vk* (STYLE 5b). Everything above it (the
// neural runtime's GPU backend in src/nn/gpu.c, its ops in src/nn/vk/) sees opaque handles:
// a device (instance, the chosen physical device, its compute queue, the pipeline cache),
// buffers, and command lists of compute dispatches.
//
// The loader (libvulkan.so.1) is opened at run time, so a machine without Vulkan runs the CPU
// path; no loader, no device, a lost device and out-of-device-memory are returned as errors the
// caller recovers from, never an abort:
//   AIM_ERR(ENODEV)       no loader / no (matching) device / device lost
//   AIM_ERR(ENOMEM)       out of host or device memory
//   AIM_ERR_UNSUPPORTED   built without Vulkan (AIM_HAVE_VULKAN=0), or a shader not embedded
//   AIM_ERR_EXTERNAL      any other VkResult (the call and the result are logged)
//
// Shaders: src/nn/vk/<name>.comp, compiled at build time into "<name>" (fp32) and
// "<name>_fp16" (fp16 storage + arithmetic) and embedded (cmake/vulkan.cmake). A pipeline is
// keyed by shader name + specialization constants (constant_id i = spec[i]) and cached in the
// device. Bindings are storage buffers 0..nbind-1 of set 0, each a byte range of a buffer;
// push constants are one block from offset 0.
//
// Validation: with settings.validation = 1 (or -1 and the environment's AIM_VK_VALIDATION=1)
// the instance enables VK_LAYER_KHRONOS_validation and a debug messenger; every warning/error
// message is logged and counted (aim_vk_device_messages), so tests can fail on any.
//
// Thread-safety: a device may be shared by threads (the pipeline cache and the queue are
// locked); a buffer or a command list is used by one thread at a time.
#ifndef AIM_VK_VK_H
#define AIM_VK_VK_H

#include <stddef.h>
#include <stdint.h>

#include "ainimotion/common.h"

/** An embedded SPIR-V module (the generated vk_shaders.c). */
typedef struct AimVkShaderBlob {
    const char *name;
    const uint32_t *code;
    size_t words;
} AimVkShaderBlob;
extern const AimVkShaderBlob aim_vk_shaders[]; ///< ends with { 0 }
extern const int aim_vk_nshaders;

enum { AIM_VK_TYPE_OTHER, AIM_VK_TYPE_INTEGRATED, AIM_VK_TYPE_DISCRETE, AIM_VK_TYPE_VIRTUAL,
       AIM_VK_TYPE_CPU };

/** One physical device, as `ainimotion devices` lists it. */
typedef struct AimVkDeviceInfo {
    int index;          ///< position in the loader's enumeration (vulkan:N)
    char name[256];
    int type;           ///< AIM_VK_TYPE_*
    uint64_t memory;    ///< bytes of the largest device-local heap
    int fp16;           ///< shaderFloat16 and storageBuffer16BitAccess
    int coopmat;        ///< VK_NV_cooperative_matrix with a 16x16x16 fp16 -> fp32 shape
    int subgroup;       ///< subgroup size (0: unknown)
    uint32_t api;       ///< apiVersion
} AimVkDeviceInfo;

/** "discrete GPU", "integrated GPU", "virtual GPU", "CPU", "other". */
const char *aim_vk_type_name(int type);

/** Device choice policies. */
enum {
    AIM_VK_AUTO,  ///< the first real GPU (discrete before integrated/virtual); never a CPU driver
    AIM_VK_ANY,   ///< the first device of any kind, GPUs before CPU drivers (lavapipe)
    AIM_VK_INDEX, ///< device `index` of the enumeration
    AIM_VK_CPU,   ///< no device (--device cpu): not a policy aim_vk_device_create takes
};

/**
 * Parses --device: "auto", "cpu", "vulkan" (AIM_VK_ANY), "vulkan:N" (N in 0..63). 0 or
 * AIM_ERR(EINVAL) (outputs untouched).
 */
int aim_vk_parse_device(const char *s, int *policy, int *index);

typedef struct AimVkSettings {
    int policy;      ///< AIM_VK_*
    int index;       ///< for AIM_VK_INDEX
    int validation;  ///< 1: Khronos validation layer + messenger; 0: off; -1: env AIM_VK_VALIDATION
    int fp16;        ///< 1: use fp16 where the device has it; 0: fp32 only
    int timestamps;  ///< 1: time every dispatch (logged at debug level after each submit)
    AimLog log;
} AimVkSettings;

void aim_vk_default_settings(AimVkSettings *s);

/**
 * Lists the physical devices (a temporary instance): fills up to `max` infos and sets *count
 * to the number of devices. 0, AIM_ERR(ENODEV) (no loader; *count = 0), or another error.
 */
int aim_vk_enumerate(AimVkDeviceInfo *infos, int max, int *count, const AimLog *log);

typedef struct AimVkDevice AimVkDevice;

/**
 * Opens the device the policy picks, with one compute queue. 0 or an error above (the reason
 * logged); on failure *out is untouched.
 */
int aim_vk_device_create(AimVkDevice **out, const AimVkSettings *s);
/**
 * Opens the device a --device value names (`policy` and `index` as aim_vk_parse_device gives
 * them), every other setting at its default but `timestamps` (as AimVkSettings); `log` may be
 * NULL (the device layer logs nothing). AIM_VK_CPU opens none: 0 with *out = NULL. Otherwise
 * the errors and ownership of aim_vk_device_create. The one way a program or tool opens the
 * device a user chose.
 */
int aim_vk_device_open(AimVkDevice **out, int policy, int index, int timestamps,
                       const AimLog *log);
/** Waits for the device to be idle and frees everything; accepts &NULL; NULLs the pointer. */
void aim_vk_device_destroy(AimVkDevice **d);
const AimVkDeviceInfo *aim_vk_device_info(const AimVkDevice *d);
/** 1 when the fp16 shader variants run on this device (info->fp16 and settings.fp16). */
int aim_vk_device_fp16(const AimVkDevice *d);
/**
 * 1 when the cooperative-matrix shaders run: the device has the shape (info->coopmat), fp16
 * is on, its subgroups are 32 wide (the shaders' layout), and the environment has
 * AIM_VK_COOPMAT=1: opt-in until the shaders are checked on such a GPU (test_vk_conv with
 * AIM_VK_COOPMAT=1 compares them with the CPU there).
 */
int aim_vk_device_coopmat(const AimVkDevice *d);
/** Validation messages (warnings and errors) seen so far. */
int aim_vk_device_messages(const AimVkDevice *d);
/** 1 when the validation layer and its messenger are active on this device. */
int aim_vk_device_validating(const AimVkDevice *d);
/**
 * Bytes of device-local memory this process may still use: VK_EXT_memory_budget's budget minus
 * usage when the device has it, else the largest device-local heap (minus what we allocated).
 */
uint64_t aim_vk_device_budget(const AimVkDevice *d);
/** Bytes of device memory this device object holds now and held at most. */
uint64_t aim_vk_device_allocated(const AimVkDevice *d, uint64_t *peak);
/** Largest single storage-buffer binding (maxStorageBufferRange) and offset alignment. */
uint64_t aim_vk_device_max_range(const AimVkDevice *d);
size_t aim_vk_device_offset_align(const AimVkDevice *d);
/** 1 if shader `name` is embedded. */
int aim_vk_have_shader(const char *name);

// --- buffers
enum {
    AIM_VK_BUF_DEVICE, ///< device-local, storage + transfer src/dst
    AIM_VK_BUF_HOST,   ///< host-visible coherent staging, persistently mapped (transfer/storage)
};
typedef struct AimVkBuffer AimVkBuffer;

/** 0, AIM_ERR(ENOMEM) (host or device memory), or another error. bytes > 0. */
int aim_vk_buffer_create(AimVkBuffer **out, AimVkDevice *d, size_t bytes, int kind);
/** The buffer must not be in use by a pending command list. Accepts &NULL. */
void aim_vk_buffer_destroy(AimVkBuffer **b);
size_t aim_vk_buffer_size(const AimVkBuffer *b);
/** The mapping of an AIM_VK_BUF_HOST buffer (NULL for device buffers). */
void *aim_vk_buffer_map(AimVkBuffer *b);

// --- command lists: record, submit, wait
typedef struct AimVkCmd AimVkCmd;

/** A byte range of a buffer bound as a storage buffer (size 0: to the end). */
typedef struct AimVkBinding {
    AimVkBuffer *buf;
    size_t offset, size;
} AimVkBinding;

#define AIM_VK_MAX_SPEC 16
#define AIM_VK_MAX_BIND 8
#define AIM_VK_MAX_PUSH 128 ///< the minimum maxPushConstantsSize every device has

typedef struct AimVkDispatch {
    const char *shader;      ///< embedded module name (e.g. "relu" or "relu_fp16")
    const int32_t *spec;     ///< specialization constants 0..nspec-1 (ints; floats by bits)
    int nspec;
    const AimVkBinding *bind;
    int nbind;
    const void *push;        ///< push constants (push_bytes, a multiple of 4, <= AIM_VK_MAX_PUSH)
    int push_bytes;
    uint32_t groups[3];      ///< work groups (each >= 1, <= the device's limit: ERANGE)
    const char *label;       ///< for the timestamps (e.g. the layer name); may be NULL
} AimVkDispatch;

/** A command list (command buffer, descriptor pools, timestamp queries, fence). */
int aim_vk_cmd_create(AimVkCmd **out, AimVkDevice *d);
/** Waits for a pending submission and frees; accepts &NULL. */
void aim_vk_cmd_destroy(AimVkCmd **c);
/** Starts recording (waits first for a submission still pending after aim_vk_cmd_flush). */
int aim_vk_cmd_begin(AimVkCmd *c);
/** Records a dispatch (creating and caching its pipeline on first use). */
int aim_vk_cmd_dispatch(AimVkCmd *c, const AimVkDispatch *d);
/**
 * A device-local range of `bytes` for the dispatches being recorded (e.g. partial sums between
 * two passes), owned by the command list and valid until its next begin (offset aligned for a
 * storage binding; contents undefined). EINVAL when not recording, ENOMEM, or vk.h's errors.
 */
int aim_vk_cmd_scratch(AimVkCmd *c, size_t bytes, AimVkBinding *out);
/**
 * Like aim_vk_cmd_scratch, but every call of the list returns the start of the same buffer
 * (grown to the largest request): its contents are valid only until the next call, so the
 * caller records a barrier before the next user (the executor's barriers between layers do).
 * For large per-layer temporaries (Winograd's transforms) that would add up over a net's layers
 * in aim_vk_cmd_scratch. Same errors.
 */
int aim_vk_cmd_scratch_shared(AimVkCmd *c, size_t bytes, AimVkBinding *out);
/**
 * aim_vk_cmd_scratch in host-visible memory (aim_vk_buffer_map(out->buf) + out->offset, 64-byte
 * aligned): uploads staged for the list being recorded, and downloads the host reads after
 * the submission completes (still valid until the next begin). Same errors.
 */
int aim_vk_cmd_staging(AimVkCmd *c, size_t bytes, AimVkBinding *out);
/** Records a buffer copy. */
int aim_vk_cmd_copy(AimVkCmd *c, AimVkBuffer *src, size_t src_off, AimVkBuffer *dst,
                    size_t dst_off, size_t bytes);
/** Records a fill of a range with a 32-bit pattern (offset and size multiples of 4). */
int aim_vk_cmd_fill(AimVkCmd *c, AimVkBuffer *dst, size_t off, size_t bytes, uint32_t value);
/**
 * Records a full memory barrier between the commands before and after (compute and transfer
 * writes visible to compute and transfer reads/writes, and to the host after the submit).
 */
void aim_vk_cmd_barrier(AimVkCmd *c);
/** Ends, submits, and waits for completion; logs the dispatch times when timestamps are on. */
int aim_vk_cmd_submit(AimVkCmd *c);
/**
 * Ends and submits without waiting: the list is pending until aim_vk_cmd_wait (or begin or
 * destroy, which wait). The host may record and submit other lists meanwhile (upload, compute
 * and download of several runs overlap), but must not touch the buffers this one uses.
 */
int aim_vk_cmd_flush(AimVkCmd *c);
/** Waits for a flushed list (AIM_ERR(EINVAL) when none is pending); reads its timestamps. */
int aim_vk_cmd_wait(AimVkCmd *c);
/** Total GPU time of the last submission's timed dispatches (ms), 0 without timestamps. */
double aim_vk_cmd_gpu_ms(const AimVkCmd *c);

#endif
