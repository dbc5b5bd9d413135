// Internal to src/nn: the Vulkan ops. Each ncnn layer type that runs on the GPU has one entry
// in the table of src/nn/vk/ops.c, a record function and, optionally, an init that uploads its
// weights (once per net per device, into AimNnGpu). The executor (exec.c -> gpu.c) records
// one layer after another into one command list, with a full barrier between layers.
//
// HOW TO ADD AN OP (e.g. "Pooling"):
//   1. src/nn/vk/pooling.comp: `#version 450`, `#include "common.glsl"`; storage buffers of
//      `sfp` (the storage type: float, or float16_t in the _fp16 variant) at bindings 0..n-1
//      of set 0 (inputs, then outputs, then weights), arithmetic in `afp` (or float where fp16
//      would lose too much), sizes in a push-constant block (<= 128 bytes, ints and floats),
//      tile sizes / flags as specialization constants (constant_id 0.. in order); the element
//      index along x is GLOBAL_X (common.glsl), not gl_GlobalInvocationID.x: long grids are
//      folded over z (aim_nn_vk_dispatch), and it bound-checks. The build compiles it into
//      "pooling" and "pooling_fp16" (cmake/vulkan.cmake) and embeds both.
//   2. src/nn/vk/pooling.c: a record function (and init/uninit when it has weights):
//        static int pool_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
//                               const AimNnVkTensor *in, const AimNnVkTensor *out)
//        {   // read params with aim_nn_pi/aim_nn_pf; shapes are in in[k] / out[o]
//            struct { int32_t w, h, c, cstep, ow, oh, ocstep; } pc = { ... };
//            AimVkBinding b[2] = { in[0].bind, out[0].bind };
//            return aim_nn_vk_dispatch(rc, "pooling", NULL, 0, b, 2, &pc, sizeof(pc),
//                                      aim_nn_vk_groups(out[0].w * out[0].h, 64),
//                                      (uint32_t)out[0].c, 1);
//        }
//        const AimNnVkOp aim_nn_vk_op_pooling = { "Pooling", NULL, NULL, pool_record };
//      Weights: init packs on the host and uploads with aim_nn_vk_upload (stored in the
//      precision of the run) or aim_nn_vk_upload_f32 (always fp32), into its priv struct;
//      uninit frees it with aim_vk_buffer_destroy.
//      Several dependent dispatches inside one op: call aim_vk_cmd_barrier(rc->cmd) between.
//   3. Add the extern declaration below and one line to the table in src/nn/vk/ops.c.
//   4. A test in tests/unit/nn/ with tests/unit/nn/vk_check.h (GPU vs the CPU op on random
//      tensors at several shapes, odd sizes included, fp32 and fp16, validation on).
// Tensors keep the CPU layout: channel q at element q * cstep, rows contiguous (stride w).
#ifndef AIM_NN_VK_VKOP_H
#define AIM_NN_VK_VKOP_H

#include <stdint.h>

#include "nn/net.h"
#include "vk/vk.h"

/** A tensor of the arena: its binding (byte range) and shape; elements of the run's precision. */
typedef struct AimNnVkTensor {
    AimVkBinding bind;
    int dims, w, h, c;
    int cstep; ///< elements from one channel to the next
} AimNnVkTensor;

/** What an op's record function gets. */
typedef struct AimNnVkRec {
    AimVkDevice *dev;
    AimVkCmd *cmd;
    int fp16;        ///< 1: the "_fp16" variants, 2-byte elements
    const AimLog *log;
    int coopmat;     ///< 1: cooperative-matrix shaders may be used (aim_vk_device_coopmat)
    int direct_conv; ///< 1: conv.comp's register-blocked form (aim_nn_gpu_create says when)
} AimNnVkRec;

/** AimNnVkInit.winograd: never, from a channel count up, always. */
enum { AIM_NN_VK_WINO_OFF, AIM_NN_VK_WINO_WIDE, AIM_NN_VK_WINO_ALL };

/**
 * AimNnVkInit.wino_gemm: wino_gemm.comp (register-blocked, CPU drivers), wino_gemm_tiled.comp
 * (shared-memory tiles, GPUs), wino_gemm_cm.comp (cooperative matrices: only where
 * aim_vk_device_coopmat).
 */
enum { AIM_NN_VK_WGEMM_DIRECT, AIM_NN_VK_WGEMM_TILED, AIM_NN_VK_WGEMM_COOPMAT };

/** What an op's init gets: upload with the helpers below (they submit and wait). */
typedef struct AimNnVkInit {
    AimVkDevice *dev;
    AimVkCmd *cmd;
    int fp16;
    const AimLog *log;
    int winograd; ///< AIM_NN_VK_WINO_*: where 3x3 stride-1 convolutions use Winograd: conv.c
                  ///< then keeps their weights transformed only, and its record follows them
    int wino_m;   ///< Winograd's output tile: 2 (F(2x2, 3x3)), 4 (F(4x4, 3x3)), 0 by the
                  ///< layer's output plane at record (conv.c WINO_M4_MIN_TILES)
    int wino_gemm; ///< AIM_NN_VK_WGEMM_*: the form of Winograd's GEMM pass (conv.c)
    int wino_small; ///< with wino_gemm DIRECT, chunks of fewer tiles than this take the passes'
                    ///< small shape (conv.c); -1: conv.c's WINO_GEMM_SMALL_TILES, 0: never
} AimNnVkInit;

typedef struct AimNnVkOp {
    const char *type; ///< ncnn type name
    /** Optional: prepares *priv (uploaded weights) from the CPU layer. 0 or an error. */
    int (*init)(const AimNnVkInit *ini, const AimNnLayer *l, void **priv);
    /** Frees what init made (priv may be NULL). */
    void (*uninit)(void *priv);
    /** Records the layer's dispatches: in[0..l->nin), out[0..l->nout). */
    int (*record)(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                  const AimNnVkTensor *in, const AimNnVkTensor *out);
} AimNnVkOp;

/** The table entry for an ncnn type, or NULL (ops.c). */
const AimNnVkOp *aim_nn_vk_find_op(const char *type);

/**
 * Records a dispatch of shader `base` (its "_fp16" variant when rc->fp16), labelled with the
 * layer's name for the timestamps, over the logical grid gx x gy x gz: any gx (a grid of more
 * than 65535 groups along x is folded over z; the shader finds its logical group with
 * common.glsl's GROUP_X / GROUP_Z / GLOBAL_X and bound-checks). Errors from vk.h; ERANGE past
 * 2^32 work groups.
 */
int aim_nn_vk_dispatch(const AimNnVkRec *rc, const AimNnLayer *l, const char *base,
                       const int32_t *spec, int nspec, const AimVkBinding *bind, int nbind,
                       const void *push, int push_bytes, uint32_t gx, uint32_t gy, uint32_t gz);
/** Work groups of `size` to cover n items (at least 1). */
static inline uint32_t aim_nn_vk_groups(int64_t n, int size)
{
    return n > 0 ? (uint32_t)((n + size - 1) / size) : 1u;
}
/** Uploads n floats into a new device buffer of the run's precision (fp16: converted). */
int aim_nn_vk_upload(const AimNnVkInit *ini, const float *src, size_t n, AimVkBuffer **out);
/** Uploads n floats into a new device buffer as fp32 whatever the precision. */
int aim_nn_vk_upload_f32(const AimNnVkInit *ini, const float *src, size_t n,
                         AimVkBuffer **out);
/** A whole buffer as a binding. */
static inline AimVkBinding aim_nn_vk_whole(AimVkBuffer *b)
{
    return (AimVkBinding){ b, 0, 0 };
}

/** The tensor's shape as an AimNnMat (data NULL), for the CPU ops' shape helpers (ops.h). */
static inline AimNnMat aim_nn_vk_mat(const AimNnVkTensor *t)
{
    return (AimNnMat){ NULL, t->dims, t->w, t->h, t->c, (size_t)t->cstep };
}

// Small weight arrays (weights.c): init/uninit of ops whose weights are a few fp32 arrays
// (PReLU, Scale, InnerProduct): every l->w[i] uploaded as fp32 into buf[i].
typedef struct AimNnVkWeights {
    AimVkBuffer *buf[AIM_NN_MAX_WEIGHTS];
} AimNnVkWeights;
int aim_nn_vk_weights_init(const AimNnVkInit *ini, const AimNnLayer *l, void **priv);
void aim_nn_vk_weights_uninit(void *priv);
/** Weight array i of such a priv as a binding, or `fallback` when the layer has none. */
AimVkBinding aim_nn_vk_weight(const void *priv, int i, AimVkBinding fallback);

/** One-input element-wise op (unary.c): BinaryOp type op (0..9) with scalar b, or Sigmoid. */
int aim_nn_vk_unary(const AimNnVkRec *rc, const AimNnLayer *l, int op, float b,
                    const AimNnVkTensor *in, const AimNnVkTensor *out);

// The ops (one file each in src/nn/vk/; copy.c has the three window copies).
extern const AimNnVkOp aim_nn_vk_op_relu;
extern const AimNnVkOp aim_nn_vk_op_convolution;
extern const AimNnVkOp aim_nn_vk_op_convolutiondepthwise;
extern const AimNnVkOp aim_nn_vk_op_deconvolution;
extern const AimNnVkOp aim_nn_vk_op_deconvolutiondepthwise;
extern const AimNnVkOp aim_nn_vk_op_sigmoid;
extern const AimNnVkOp aim_nn_vk_op_binaryop;
extern const AimNnVkOp aim_nn_vk_op_prelu;
extern const AimNnVkOp aim_nn_vk_op_eltwise;
extern const AimNnVkOp aim_nn_vk_op_scale;
extern const AimNnVkOp aim_nn_vk_op_crop;
extern const AimNnVkOp aim_nn_vk_op_slice;
extern const AimNnVkOp aim_nn_vk_op_concat;
extern const AimNnVkOp aim_nn_vk_op_pixelshuffle;
extern const AimNnVkOp aim_nn_vk_op_interp;
extern const AimNnVkOp aim_nn_vk_op_padding;
extern const AimNnVkOp aim_nn_vk_op_pooling;
extern const AimNnVkOp aim_nn_vk_op_innerproduct;
extern const AimNnVkOp aim_nn_vk_op_rife_warp;

#endif
