// Internal to src/nn: op helpers shared by the reference ops (ops.c) and the optimised paths
// (conv.c); the activation and convolution-parameter helpers live in op_params.c.
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

#endif
