// Internal to src/nn: op helpers shared by the reference ops (ops.c) and the optimised paths
// (conv.c, the Vulkan ops of src/nn/vk/); the activation and convolution-parameter helpers live
// in op_params.c.
#ifndef AIM_NN_OPS_H
#define AIM_NN_OPS_H

#include "nn/net.h"

/** ncnn fused activations (param 9 of Convolution/Deconvolution/InnerProduct). */
enum { AIM_NN_ACT_NONE, AIM_NN_ACT_RELU, AIM_NN_ACT_LEAKY, AIM_NN_ACT_CLIP, AIM_NN_ACT_SIGMOID,
       AIM_NN_ACT_MISH, AIM_NN_ACT_HARDSWISH };

typedef struct AimNnAct {
    int type;
    float a, b;
} AimNnAct;

/** Reads and validates params 9/10. 0 or AIM_ERR_INVALID_DATA. */
int aim_nn_act_parse(const AimNnLayer *l, AimNnAct *act, const AimLog *log);
float aim_nn_act_apply(const AimNnAct *act, float v);
/** Applies act to n floats in place. */
void aim_nn_act_row(const AimNnAct *act, float *p, size_t n);

/** Convolution geometry, resolved from params (and from the input size for SAME padding). */
typedef struct AimNnConv {
    int cout, cin, group, kw, kh, dw, dh, sw, sh;
    int pl, pr, pt, pb; ///< >= 0 after aim_nn_conv_pads; -233/-234 = SAME_UPPER/LOWER
    float pad_value;
    int bias;
    AimNnAct act;
    // Deconvolution only
    int opr, opb; ///< output_pad_right/bottom
} AimNnConv;

int aim_nn_conv_params(const AimNnLayer *l, int deconv, AimNnConv *c, const AimLog *log);
/** Resolves SAME padding for an input of w x h (convolution). */
void aim_nn_conv_pads(const AimNnConv *c, int w, int h, int *pl, int *pr, int *pt, int *pb);

/** The fast convolution/deconvolution paths (conv.c). */
int aim_nn_conv_init(AimNnLayer *l, int deconv, const AimLog *log);
void aim_nn_conv_uninit(AimNnLayer *l);
int aim_nn_conv_forward_fast(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out,
                             const AimNnOpt *o);
int aim_nn_deconv_forward_fast(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out,
                               const AimNnOpt *o);
/** Bytes of scratch (phase planes / padded input rows) the fast paths use for these shapes. */
size_t aim_nn_conv_scratch_fast(const AimNnLayer *l, const AimNnMat *in, const AimNnMat *out,
                                const AimNnOpt *o);
size_t aim_nn_deconv_scratch_fast(const AimNnLayer *l, const AimNnMat *in, const AimNnMat *out,
                                  const AimNnOpt *o);
/** Reference (naive) versions, the specification of the fast ones. */
int aim_nn_conv_forward_ref(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out);
int aim_nn_deconv_forward_ref(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out);

/** Pooling params (ncnn Pooling ids 0-7), validated (AIM_ERR_INVALID_DATA, logged). */
typedef struct AimNnPool {
    int type, kw, kh, sw, sh, pl, pr, pt, pb, global, mode, incl;
} AimNnPool;
int aim_nn_pool_params(const AimNnLayer *l, AimNnPool *p, const AimLog *log);
/** Right/bottom padding after ncnn's pad_mode 0 ("full": the last partial window is kept). */
void aim_nn_pool_tail(const AimNnPool *p, int w, int h, int *pr, int *pb);

/**
 * BinaryOp broadcasting: the element strides (channel, row, column) of input m against the
 * other input, such that output element (q, y, x) reads m at q*st[0] + y*st[1] + x*st[2]
 * (a broadcast axis has stride 0; ncnn's per-channel 1-d vector included).
 */
void aim_nn_binop_strides(const AimNnMat *m, const AimNnMat *other, size_t st[3]);

/** The window of ncnn Crop (offsets + sizes, a reference blob `ref`, or starts/ends/axes). */
typedef struct AimNnCropWin {
    int x0, y0, c0, w, h, c;
} AimNnCropWin;
int aim_nn_crop_window(const AimNnLayer *l, const AimNnMat *in, const AimNnMat *ref,
                       AimNnCropWin *r, const AimLog *log);

/**
 * Interp: the user scale of an axis (0 horizontal, 1 vertical) that nearest sampling uses (0:
 * the size was given), and per axis the source step between output samples (returned, as the
 * bilinear/bicubic coefficients use it) and the nearest-neighbour step *nearest.
 */
double aim_nn_interp_user_scale(const AimNnLayer *l, int vertical);
double aim_nn_interp_step(int align, int in, int out, double user_scale, float *nearest);

#endif
