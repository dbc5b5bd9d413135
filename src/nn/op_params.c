// The op helpers of ops.h that the reference ops (ops.c) and the optimised convolution
// (conv.c) share: fused activations and convolution geometry from a layer's params. Kept apart
// from both so they depend on it, not on each other.
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "nn/ops.h"

#define BAD(...) do { aim_log(log, AIM_LOG_ERROR, __VA_ARGS__); return AIM_ERR_INVALID_DATA; } while (0)

// --- activations

int aim_nn_act_parse(const AimNnLayer *l, AimNnAct *act, const AimLog *log)
{
    act->type = aim_nn_pi(l, 9, 0);
    act->a = act->b = 0;
    const AimNnParam *p = &l->p[10];
    int n = p->type == AIM_NN_P_ARRAY ? p->n : 0;
    switch (act->type) {
    case AIM_NN_ACT_NONE: case AIM_NN_ACT_RELU: case AIM_NN_ACT_SIGMOID: case AIM_NN_ACT_MISH:
        return 0;
    case AIM_NN_ACT_LEAKY:
        if (n < 1)
            BAD("%s: leaky relu needs its slope (param 10)", l->name);
        act->a = p->af[0];
        return 0;
    case AIM_NN_ACT_CLIP: case AIM_NN_ACT_HARDSWISH:
        if (n < 2)
            BAD("%s: activation %d needs 2 params", l->name, act->type);
        act->a = p->af[0];
        act->b = p->af[1];
        return 0;
    default:
        BAD("%s: unknown activation type %d", l->name, act->type);
    }
}

float aim_nn_act_apply(const AimNnAct *act, float v)
{
    switch (act->type) {
    case AIM_NN_ACT_RELU: return v > 0 ? v : 0;
    case AIM_NN_ACT_LEAKY: return v > 0 ? v : v * act->a;
    case AIM_NN_ACT_CLIP: return v < act->a ? act->a : v > act->b ? act->b : v;
    case AIM_NN_ACT_SIGMOID: return 1.f / (1.f + expf(-v));
    case AIM_NN_ACT_MISH: return v * tanhf(log1pf(expf(v)));
    case AIM_NN_ACT_HARDSWISH: {
        float lower = -act->b / act->a, upper = 1.f / act->a + lower;
        return v < lower ? 0 : v > upper ? v : v * (v * act->a + act->b);
    }
    default: return v;
    }
}

void aim_nn_act_row(const AimNnAct *act, float *p, size_t n)
{
    if (act->type == AIM_NN_ACT_NONE)
        return;
    if (act->type == AIM_NN_ACT_LEAKY) {
        float a = act->a;
        for (size_t i = 0; i < n; i++)
            p[i] = p[i] > 0 ? p[i] : p[i] * a;
        return;
    }
    for (size_t i = 0; i < n; i++)
        p[i] = aim_nn_act_apply(act, p[i]);
}

// --- Convolution / ConvolutionDepthWise / Deconvolution / DeconvolutionDepthWise geometry

int aim_nn_conv_params(const AimNnLayer *l, int deconv, AimNnConv *c, const AimLog *log)
{
    memset(c, 0, sizeof(*c));
    c->cout = aim_nn_pi(l, 0, 0);
    c->kw = aim_nn_pi(l, 1, 0);
    c->kh = aim_nn_pi(l, 11, c->kw);
    c->dw = aim_nn_pi(l, 2, 1);
    c->dh = aim_nn_pi(l, 12, c->dw);
    c->sw = aim_nn_pi(l, 3, 1);
    c->sh = aim_nn_pi(l, 13, c->sw);
    c->pl = aim_nn_pi(l, 4, 0);
    c->pr = aim_nn_pi(l, 15, c->pl);
    c->pt = aim_nn_pi(l, 14, c->pl);
    c->pb = aim_nn_pi(l, 16, c->pt);
    c->pad_value = deconv ? 0 : aim_nn_pf(l, 18, 0);
    c->bias = aim_nn_pi(l, 5, 0);
    c->group = strstr(l->type, "DepthWise") ? aim_nn_pi(l, 7, 1) : 1;
    int wsize = aim_nn_pi(l, 6, 0);
    if (c->cout < 1 || c->cout > 65536)
        BAD("%s: num_output %d out of range", l->name, c->cout);
    // Kernels up to 31, dilation/stride up to 64: far above any model (RIFE's largest is 4).
    if (c->kw < 1 || c->kh < 1 || c->kw > 31 || c->kh > 31 || c->dw < 1 || c->dh < 1 ||
        c->dw > 64 || c->dh > 64 || c->sw < 1 || c->sh < 1 || c->sw > 64 || c->sh > 64)
        BAD("%s: kernel %dx%d dilation %dx%d stride %dx%d out of range", l->name, c->kw, c->kh,
            c->dw, c->dh, c->sw, c->sh);
    int same = c->pl == -233 || c->pl == -234;
    if (deconv && (aim_nn_pi(l, 20, 0) > 0 || aim_nn_pi(l, 21, 0) > 0))
        BAD("%s: deconvolution output_w/output_h are not supported", l->name);
    if (same ? deconv : (c->pl < 0 || c->pr < 0 || c->pt < 0 || c->pb < 0 || c->pl > 1024 ||
                         c->pr > 1024 || c->pt > 1024 || c->pb > 1024))
        BAD("%s: padding %d,%d,%d,%d not supported", l->name, c->pl, c->pr, c->pt, c->pb);
    if (c->bias != 0 && c->bias != 1)
        BAD("%s: bias_term %d", l->name, c->bias);
    if (aim_nn_pi(l, 8, 0) != 0)
        BAD("%s: int8 convolution is not supported", l->name);
    if (aim_nn_pi(l, 19, 0) != 0 && !deconv)
        BAD("%s: dynamic weights are not supported", l->name);
    if (c->group < 1 || c->cout % c->group)
        BAD("%s: group %d does not divide num_output %d", l->name, c->group, c->cout);
    int64_t per = (int64_t)c->cout * c->kw * c->kh;
    if (wsize < 1 || wsize % per)
        BAD("%s: weight_data_size %d is not a multiple of num_output*kernel (%lld)", l->name,
            wsize, (long long)per);
    c->cin = (int)(wsize / per) * c->group;
    if (deconv) {
        c->opr = aim_nn_pi(l, 18, 0);
        c->opb = aim_nn_pi(l, 19, c->opr);
        if (c->opr < 0 || c->opb < 0 || c->opr > 64 || c->opb > 64)
            BAD("%s: output padding out of range", l->name);
    }
    return aim_nn_act_parse(l, &c->act, log);
}

void aim_nn_conv_pads(const AimNnConv *c, int w, int h, int *pl, int *pr, int *pt, int *pb)
{
    if (c->pl != -233 && c->pl != -234) {
        *pl = c->pl; *pr = c->pr; *pt = c->pt; *pb = c->pb;
        return;
    }
    int64_t ew = (int64_t)c->dw * (c->kw - 1) + 1, eh = (int64_t)c->dh * (c->kh - 1) + 1;
    int64_t tw = ((w + c->sw - 1) / c->sw - 1) * (int64_t)c->sw + ew - w;
    int64_t th = ((h + c->sh - 1) / c->sh - 1) * (int64_t)c->sh + eh - h;
    tw = tw > 0 ? tw : 0;
    th = th > 0 ? th : 0;
    int upper = c->pl == -233;
    *pl = (int)(upper ? tw / 2 : tw - tw / 2);
    *pr = (int)(tw - *pl);
    *pt = (int)(upper ? th / 2 : th - th / 2);
    *pb = (int)(th - *pt);
}
