// Convolution, Deconvolution and their DepthWise (grouped) forms on the GPU: conv.comp, one
// shader for both (a specialization constant picks the gather), every kernel size, stride,
// dilation, padding (SAME included), group, bias and fused activation the CPU op takes.
#include <stdlib.h>
#include <string.h>

#include "nn/ops.h"
#include "nn/vk/vkop.h"

typedef struct ConvPriv {
    AimVkBuffer *w, *b; ///< weights in the run's precision, bias fp32 (NULL without bias)
} ConvPriv;

static int is_deconv(const AimNnLayer *l)
{
    return !strncmp(l->type, "Deconvolution", 13);
}

static void conv_uninit(void *priv)
{
    ConvPriv *c = priv;
    aim_vk_buffer_destroy(&c->w);
    aim_vk_buffer_destroy(&c->b);
    free(c);
}

static int conv_init(const AimNnVkInit *ini, const AimNnLayer *l, void **priv)
{
    AimNnConv c;
    int err = aim_nn_conv_params(l, is_deconv(l), &c, ini->log);
    if (err < 0)
        return err;
    ConvPriv *p = calloc(1, sizeof(*p));
    if (!p)
        return AIM_ERR(ENOMEM);
    err = aim_nn_vk_upload(ini, l->w[0], l->wn[0], &p->w);
    if (!err && c.bias)
        err = aim_nn_vk_upload_f32(ini, l->w[1], l->wn[1], &p->b);
    if (err < 0) {
        conv_uninit(p);
        return err;
    }
    *priv = p;
    return 0;
}

static int32_t float_bits(float f)
{
    int32_t i;
    memcpy(&i, &f, sizeof(i));
    return i;
}

static int conv_record(const AimNnVkRec *rc, const AimNnLayer *l, const void *priv,
                       const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    const ConvPriv *cp = priv;
    int deconv = is_deconv(l);
    AimNnConv c;
    int err = aim_nn_conv_params(l, deconv, &c, rc->log);
    if (err < 0)
        return err;
    int pl = c.pl, pr, pt = c.pt, pb;
    if (!deconv)
        aim_nn_conv_pads(&c, in[0].w, in[0].h, &pl, &pr, &pt, &pb);
    // narrow tiles for few output channels (conv.comp); the cooperative-matrix shader has
    // 64 x 64 tiles only and takes the wide layers
    int bm = c.cout / c.group <= 16 ? 16 : 64, cm = rc->coopmat && bm == 64 && !deconv;
    // a strided deconvolution by output phase (conv.comp PHASE): SH * SW dispatches in one,
    // each over its share of the output with only its taps
    int phase = deconv && (c.sw > 1 || c.sh > 1);
    // the register-blocked form (conv.comp DIRECT) where the executor asks for it (a CPU
    // driver: AimNnVkRec.direct_conv)
    int direct = rc->direct_conv && !cm && !phase;
    int32_t spec[14] = { c.kw, c.kh, c.dw, c.dh, c.sw, c.sh, deconv, c.act.type,
                         float_bits(c.act.a), float_bits(c.act.b), c.bias, bm, phase, direct };
    int64_t npix = phase ? (int64_t)((out[0].w + c.sw - 1) / c.sw) * ((out[0].h + c.sh - 1) / c.sh)
                         : (int64_t)out[0].w * out[0].h;
    struct {
        int32_t w, h, cstep, ow, oh, ocstep, cing, coutg, pl, pt;
        float pad_value;
        int32_t nz;
    } pc = { in[0].w, in[0].h, in[0].cstep, out[0].w, out[0].h, out[0].cstep, c.cin / c.group,
             c.cout / c.group, pl, pt, c.pad_value, c.group * (phase ? c.sw * c.sh : 1) };
    // without a bias the weights fill binding 3 (never read: BIAS is 0)
    AimVkBinding b[4] = { in[0].bind, out[0].bind, aim_nn_vk_whole(cp->w),
                          aim_nn_vk_whole(cp->b ? cp->b : cp->w) };
    // a work group's pixels x output channels: conv.comp DIRECT 256 * RN x RM (8 x 8), the
    // tiles 4096 / BM x BM
    int gpix = direct ? 256 * 8 : 4096 / bm, gch = direct ? 8 : bm;
    // tensor cores where the device has them (vk.h aim_vk_device_coopmat), else conv.comp
    return aim_nn_vk_dispatch(rc, l, cm ? "conv_cm" : "conv", spec, cm ? 11 : 14, b, 4, &pc,
                              sizeof(pc), aim_nn_vk_groups(npix, gpix),
                              aim_nn_vk_groups(pc.coutg, gch), (uint32_t)pc.nz);
}

const AimNnVkOp aim_nn_vk_op_convolution = { "Convolution", conv_init, conv_uninit, conv_record };
const AimNnVkOp aim_nn_vk_op_convolutiondepthwise = { "ConvolutionDepthWise", conv_init,
                                                      conv_uninit, conv_record };
const AimNnVkOp aim_nn_vk_op_deconvolution = { "Deconvolution", conv_init, conv_uninit,
                                               conv_record };
const AimNnVkOp aim_nn_vk_op_deconvolutiondepthwise = { "DeconvolutionDepthWise", conv_init,
                                                        conv_uninit, conv_record };
