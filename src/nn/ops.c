// The op table and the plain C reference of every op (the specification the optimised paths
// are tested against). Semantics follow ncnn's layers of the same name (src/layer/*.cpp).
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/ops.h"

#define BAD(...) do { aim_log(log, AIM_LOG_ERROR, __VA_ARGS__); return AIM_ERR_INVALID_DATA; } while (0)
// Largest tensor side and element count the shape functions accept (2^31 floats = 8 GiB is
// beyond any tile; this only stops hostile params from overflowing ints).
#define MAX_DIM (1 << 20)
#define MAX_ELEMS ((int64_t)1 << 31)

static int set_shape(AimNnMat *o, int dims, int64_t w, int64_t h, int64_t c, const AimLog *log,
                     const AimNnLayer *l)
{
    if (w < 1 || h < 1 || c < 1 || w > MAX_DIM || h > MAX_DIM || c > MAX_DIM ||
        w * h * c > MAX_ELEMS)
        BAD("%s: output shape %lldx%lldx%lld out of range", l->name, (long long)w, (long long)h,
            (long long)c);
    o->dims = dims;
    o->w = (int)w;
    o->h = (int)h;
    o->c = (int)c;
    return 0;
}

// --- Input, Split

static int input_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    BAD("%s: input blob was not given", l->name);
}

static int split_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    for (int i = 0; i < l->nout; i++)
        out[i] = (AimNnMat){ NULL, in[0].dims, in[0].w, in[0].h, in[0].c, 0 };
    return 0;
}

// The executor aliases Split outputs to the input; this copy is what it means.
static int split_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    for (int i = 0; i < l->nout; i++)
        for (int q = 0; q < in->c; q++)
            memcpy(aim_nn_chan(&out[i], q), aim_nn_chan(in, q), sizeof(float) * in->w * in->h);
    return 0;
}

// --- Convolution / ConvolutionDepthWise / Deconvolution / DeconvolutionDepthWise

static int conv_check(AimNnLayer *l, int wtype[], const AimLog *log)
{
    AimNnConv c;
    int deconv = !strncmp(l->type, "Deconvolution", 13);
    int err = aim_nn_conv_params(l, deconv, &c, log);
    if (err < 0)
        return err;
    l->nw = 1 + c.bias;
    l->wn[0] = (size_t)aim_nn_pi(l, 6, 0);
    wtype[0] = 0;
    l->wn[1] = (size_t)c.cout;
    wtype[1] = 1;
    return 0;
}

static int conv_init(AimNnLayer *l, const AimLog *log)
{
    return aim_nn_conv_init(l, !strncmp(l->type, "Deconvolution", 13), log);
}

static int conv_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    AimNnConv c;
    int deconv = !strncmp(l->type, "Deconvolution", 13);
    int err = aim_nn_conv_params(l, deconv, &c, log);
    if (err < 0)
        return err;
    if (in->dims != 3 || in->c != c.cin)
        BAD("%s: input has %d channels (dims %d), the weights need %d", l->name, in->c,
            in->dims, c.cin);
    int64_t ew = (int64_t)c.dw * (c.kw - 1) + 1, eh = (int64_t)c.dh * (c.kh - 1) + 1;
    int64_t ow, oh;
    if (deconv) {
        ow = (in->w - 1) * (int64_t)c.sw + ew + c.opr - c.pl - c.pr;
        oh = (in->h - 1) * (int64_t)c.sh + eh + c.opb - c.pt - c.pb;
    } else {
        int pl, pr, pt, pb;
        aim_nn_conv_pads(&c, in->w, in->h, &pl, &pr, &pt, &pb);
        int64_t iw = in->w + (int64_t)pl + pr, ih = in->h + (int64_t)pt + pb;
        if (iw < ew || ih < eh)
            BAD("%s: input %dx%d smaller than the kernel", l->name, in->w, in->h);
        ow = (iw - ew) / c.sw + 1;
        oh = (ih - eh) / c.sh + 1;
    }
    return set_shape(out, 3, ow, oh, c.cout, log, l);
}

int aim_nn_conv_forward_ref(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out)
{
    AimNnConv c;
    aim_nn_conv_params(l, 0, &c, NULL);
    int pl, pr, pt, pb;
    aim_nn_conv_pads(&c, in->w, in->h, &pl, &pr, &pt, &pb);
    int cing = c.cin / c.group, coutg = c.cout / c.group, maxk = c.kw * c.kh;
    for (int co = 0; co < c.cout; co++) {
        int g = co / coutg;
        const float *wk = l->w[0] + (size_t)co * cing * maxk;
        float *op = aim_nn_chan(out, co);
        for (int y = 0; y < out->h; y++)
            for (int x = 0; x < out->w; x++) {
                float sum = c.bias ? l->w[1][co] : 0.f;
                for (int ci = 0; ci < cing; ci++) {
                    const float *ip = aim_nn_chan(in, g * cing + ci);
                    for (int ky = 0; ky < c.kh; ky++) {
                        int iy = y * c.sh + ky * c.dh - pt;
                        for (int kx = 0; kx < c.kw; kx++) {
                            int ix = x * c.sw + kx * c.dw - pl;
                            float v = iy < 0 || iy >= in->h || ix < 0 || ix >= in->w ?
                                      c.pad_value : ip[(size_t)iy * in->w + ix];
                            sum += v * wk[(size_t)ci * maxk + ky * c.kw + kx];
                        }
                    }
                }
                op[(size_t)y * out->w + x] = aim_nn_act_apply(&c.act, sum);
            }
    }
    return 0;
}

// ncnn Deconvolution: weights [cout][cin/group][kh][kw]; input pixel (y, x) adds
// w * in to output (y * stride + ky * dilation - pad_top, x * stride + kx * dilation - pad_left).
int aim_nn_deconv_forward_ref(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out)
{
    AimNnConv c;
    aim_nn_conv_params(l, 1, &c, NULL);
    int cing = c.cin / c.group, coutg = c.cout / c.group, maxk = c.kw * c.kh;
    for (int co = 0; co < c.cout; co++) {
        int g = co / coutg;
        float *op = aim_nn_chan(out, co);
        float b = c.bias ? l->w[1][co] : 0.f;
        for (size_t i = 0; i < (size_t)out->w * out->h; i++)
            op[i] = b;
        const float *wk = l->w[0] + (size_t)co * cing * maxk;
        for (int ci = 0; ci < cing; ci++) {
            const float *ip = aim_nn_chan(in, g * cing + ci);
            for (int y = 0; y < in->h; y++)
                for (int x = 0; x < in->w; x++) {
                    float v = ip[(size_t)y * in->w + x];
                    for (int ky = 0; ky < c.kh; ky++) {
                        int oy = y * c.sh + ky * c.dh - c.pt;
                        if (oy < 0 || oy >= out->h)
                            continue;
                        for (int kx = 0; kx < c.kw; kx++) {
                            int ox = x * c.sw + kx * c.dw - c.pl;
                            if (ox >= 0 && ox < out->w)
                                op[(size_t)oy * out->w + ox] +=
                                    v * wk[(size_t)ci * maxk + ky * c.kw + kx];
                        }
                    }
                }
        }
        aim_nn_act_row(&c.act, op, (size_t)out->w * out->h);
    }
    return 0;
}

// The fast (de)convolution paths need the packed weights of conv_init and are off in
// reference mode; forward and the scratch request make the same choice.
static int fast_path(const AimNnLayer *l, const AimNnOpt *o)
{
    return !o->ref && l->priv;
}

static int conv_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    if (fast_path(l, o))
        return aim_nn_conv_forward_fast(l, in, out, o);
    return aim_nn_conv_forward_ref(l, in, out);
}

static int deconv_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    if (fast_path(l, o))
        return aim_nn_deconv_forward_fast(l, in, out, o);
    return aim_nn_deconv_forward_ref(l, in, out);
}

// Only the fast paths use scratch.
static size_t conv_scratch(const AimNnLayer *l, const AimNnMat *in, const AimNnMat *out,
                           const AimNnOpt *o)
{
    return fast_path(l, o) ? aim_nn_conv_scratch_fast(l, in, out, o) : 0;
}

static size_t deconv_scratch(const AimNnLayer *l, const AimNnMat *in, const AimNnMat *out,
                             const AimNnOpt *o)
{
    return fast_path(l, o) ? aim_nn_deconv_scratch_fast(l, in, out, o) : 0;
}

// --- InnerProduct

static int ip_check(AimNnLayer *l, int wtype[], const AimLog *log)
{
    int n = aim_nn_pi(l, 0, 0), bias = aim_nn_pi(l, 1, 0), ws = aim_nn_pi(l, 2, 0);
    if (n < 1 || n > 65536 || (bias != 0 && bias != 1) || ws < 1 || ws % n)
        BAD("%s: num_output %d, bias %d, weight_data_size %d invalid", l->name, n, bias, ws);
    if (aim_nn_pi(l, 8, 0) != 0)
        BAD("%s: int8 is not supported", l->name);
    AimNnAct act;
    int err = aim_nn_act_parse(l, &act, log);
    if (err < 0)
        return err;
    l->nw = 1 + bias;
    l->wn[0] = (size_t)ws;
    wtype[0] = 0;
    l->wn[1] = (size_t)n;
    wtype[1] = 1;
    return 0;
}

static int ip_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    int n = aim_nn_pi(l, 0, 0);
    if (aim_nn_total(in) * n != l->wn[0])
        BAD("%s: input of %zu values, the weights need %zu", l->name, aim_nn_total(in),
            l->wn[0] / n);
    return set_shape(out, 1, n, 1, 1, log, l);
}

static int ip_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    int n = aim_nn_pi(l, 0, 0);
    AimNnAct act;
    aim_nn_act_parse(l, &act, NULL);
    size_t plane = (size_t)in->w * in->h, k = aim_nn_total(in);
    for (int i = 0; i < n; i++) {
        const float *w = l->w[0] + (size_t)i * k;
        float sum = l->nw > 1 ? l->w[1][i] : 0.f;
        for (int q = 0; q < in->c; q++) {
            const float *ip = aim_nn_chan(in, q);
            for (size_t j = 0; j < plane; j++)
                sum += ip[j] * w[q * plane + j];
        }
        out->data[i] = aim_nn_act_apply(&act, sum);
    }
    return 0;
}

// --- element-wise activations

static int same_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    *out = (AimNnMat){ NULL, in->dims, in->w, in->h, in->c, 0 };
    return 0;
}

static int relu_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    float slope = aim_nn_pf(l, 0, 0);
    size_t plane = (size_t)in->w * in->h;
    for (int q = 0; q < in->c; q++) {
        const float *s = aim_nn_chan(in, q);
        float *d = aim_nn_chan(out, q);
        for (size_t i = 0; i < plane; i++)
            d[i] = s[i] > 0 ? s[i] : s[i] * slope;
    }
    return 0;
}

static int sigmoid_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    size_t plane = (size_t)in->w * in->h;
    for (int q = 0; q < in->c; q++) {
        const float *s = aim_nn_chan(in, q);
        float *d = aim_nn_chan(out, q);
        for (size_t i = 0; i < plane; i++)
            d[i] = 1.f / (1.f + expf(-s[i]));
    }
    return 0;
}

static int prelu_check(AimNnLayer *l, int wtype[], const AimLog *log)
{
    int n = aim_nn_pi(l, 0, 0);
    if (n < 1 || n > 65536)
        BAD("%s: num_slope %d", l->name, n);
    l->nw = 1;
    l->wn[0] = (size_t)n;
    wtype[0] = 1;
    return 0;
}

static int prelu_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    int n = (int)l->wn[0];
    int per = in->dims == 3 ? in->c : in->dims == 2 ? in->h : in->w;
    if (n != 1 && n != per)
        BAD("%s: %d slopes for %d channels", l->name, n, per);
    return same_shape(l, in, out, log);
}

static int prelu_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    const float *sl = l->w[0];
    int n = (int)l->wn[0];
    if (in->dims == 1) {
        for (int i = 0; i < in->w; i++) {
            float s = sl[n == 1 ? 0 : i], v = in->data[i];
            out->data[i] = v > 0 ? v : v * s;
        }
        return 0;
    }
    for (int q = 0; q < in->c; q++) {
        const float *sp = aim_nn_chan(in, q);
        float *d = aim_nn_chan(out, q);
        for (int y = 0; y < in->h; y++) {
            float s = sl[n == 1 ? 0 : in->dims == 2 ? y : q];
            for (int x = 0; x < in->w; x++) {
                float v = sp[(size_t)y * in->w + x];
                d[(size_t)y * in->w + x] = v > 0 ? v : v * s;
            }
        }
    }
    return 0;
}

// --- Pooling

int aim_nn_pool_params(const AimNnLayer *l, AimNnPool *p, const AimLog *log)
{
    p->type = aim_nn_pi(l, 0, 0);
    p->kw = aim_nn_pi(l, 1, 0);
    p->kh = aim_nn_pi(l, 11, p->kw);
    p->sw = aim_nn_pi(l, 2, 1);
    p->sh = aim_nn_pi(l, 12, p->sw);
    p->pl = aim_nn_pi(l, 3, 0);
    p->pr = aim_nn_pi(l, 14, p->pl);
    p->pt = aim_nn_pi(l, 13, p->pl);
    p->pb = aim_nn_pi(l, 15, p->pt);
    p->global = aim_nn_pi(l, 4, 0);
    p->mode = aim_nn_pi(l, 5, 0);
    p->incl = aim_nn_pi(l, 6, 0);
    if (p->type != 0 && p->type != 1)
        BAD("%s: pooling type %d", l->name, p->type);
    if (aim_nn_pi(l, 7, 0))
        BAD("%s: adaptive pooling is not supported", l->name);
    if (p->global)
        return 0;
    if (p->kw < 1 || p->kh < 1 || p->kw > 64 || p->kh > 64 || p->sw < 1 || p->sh < 1 ||
        p->sw > 64 || p->sh > 64 || p->pl < 0 || p->pr < 0 || p->pt < 0 || p->pb < 0 ||
        p->pl >= p->kw || p->pr >= p->kw || p->pt >= p->kh || p->pb >= p->kh ||
        p->mode < 0 || p->mode > 1)
        BAD("%s: pooling kernel/stride/pad/mode out of range or unsupported", l->name);
    return 0;
}

static int pool_check(AimNnLayer *l, int wtype[], const AimLog *log)
{
    AimNnPool p;
    return aim_nn_pool_params(l, &p, log);
}

void aim_nn_pool_tail(const AimNnPool *p, int w, int h, int *pr, int *pb)
{
    *pr = p->pr;
    *pb = p->pb;
    if (p->mode == 0) {
        int wt = (w + p->pl + p->pr - p->kw) % p->sw, ht = (h + p->pt + p->pb - p->kh) % p->sh;
        if (wt)
            *pr += p->sw - wt;
        if (ht)
            *pb += p->sh - ht;
    }
}

static int pool_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    AimNnPool p;
    int err = aim_nn_pool_params(l, &p, log);
    if (err < 0)
        return err;
    if (in->dims != 3)
        BAD("%s: pooling needs a 3-d input", l->name);
    if (p.global)
        return set_shape(out, 1, in->c, 1, 1, log, l);
    int pr, pb;
    aim_nn_pool_tail(&p, in->w, in->h, &pr, &pb);
    int64_t iw = (int64_t)in->w + p.pl + pr, ih = (int64_t)in->h + p.pt + pb;
    if (iw < p.kw || ih < p.kh)
        BAD("%s: input smaller than the pooling window", l->name);
    return set_shape(out, 3, (iw - p.kw) / p.sw + 1, (ih - p.kh) / p.sh + 1, in->c, log, l);
}

static int pool_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    AimNnPool p;
    aim_nn_pool_params(l, &p, NULL);
    size_t plane = (size_t)in->w * in->h;
    if (p.global) {
        for (int q = 0; q < in->c; q++) {
            const float *s = aim_nn_chan(in, q);
            if (p.type == 0) {
                float m = -FLT_MAX;
                for (size_t i = 0; i < plane; i++)
                    m = s[i] > m ? s[i] : m;
                out->data[q] = m;
            } else {
                double sum = 0; // double: a 1080p plane of floats loses digits in fp32
                for (size_t i = 0; i < plane; i++)
                    sum += s[i];
                out->data[q] = (float)(sum / (double)plane);
            }
        }
        return 0;
    }
    int pr, pb;
    aim_nn_pool_tail(&p, in->w, in->h, &pr, &pb);
    for (int q = 0; q < in->c; q++) {
        const float *s = aim_nn_chan(in, q);
        float *d = aim_nn_chan(out, q);
        for (int y = 0; y < out->h; y++)
            for (int x = 0; x < out->w; x++) {
                int y0 = y * p.sh - p.pt, x0 = x * p.sw - p.pl;
                float m = -FLT_MAX, sum = 0;
                int cnt = 0;
                for (int ky = 0; ky < p.kh; ky++)
                    for (int kx = 0; kx < p.kw; kx++) {
                        int iy = y0 + ky, ix = x0 + kx;
                        if (iy < 0 || ix < 0 || iy >= in->h || ix >= in->w)
                            continue;
                        float v = s[(size_t)iy * in->w + ix];
                        m = v > m ? v : m;
                        sum += v;
                        cnt++;
                    }
                if (p.type == 0) {
                    d[(size_t)y * out->w + x] = m;
                } else {
                    // count_include_pad counts the explicit padding, never the tail padding
                    int area = cnt;
                    if (p.incl) {
                        int ey = y0 + p.kh < in->h + p.pb ? y0 + p.kh : in->h + p.pb;
                        int ex = x0 + p.kw < in->w + p.pr ? x0 + p.kw : in->w + p.pr;
                        area = (ey - y0) * (ex - x0);
                    }
                    d[(size_t)y * out->w + x] = area ? sum / area : 0;
                }
            }
    }
    return 0;
}

// --- BinaryOp: numpy-style broadcasting on (c, h, w); ncnn's rule that a 1-d b whose length
// is a's channel count scales per channel is kept (Real-CUGAN's SE blocks rely on it).

static void bshape(const AimNnMat *m, const AimNnMat *other, int s[3])
{
    if (m->dims == 1 && other->dims == 3 && m->w == other->c && m->w != other->w) {
        s[0] = m->w; s[1] = 1; s[2] = 1;
    } else if (m->dims == 1) {
        s[0] = 1; s[1] = 1; s[2] = m->w;
    } else if (m->dims == 2) {
        s[0] = 1; s[1] = m->h; s[2] = m->w;
    } else {
        s[0] = m->c; s[1] = m->h; s[2] = m->w;
    }
}

void aim_nn_binop_strides(const AimNnMat *m, const AimNnMat *other, size_t st[3])
{
    int s[3];
    bshape(m, other, s);
    st[0] = s[0] > 1 ? (m->dims == 1 ? 1 : m->cstep) : 0;
    st[1] = s[1] > 1 ? (size_t)s[2] : 0;
    st[2] = s[2] > 1;
}

static int binop_check(AimNnLayer *l, int wtype[], const AimLog *log)
{
    int op = aim_nn_pi(l, 0, 0), ws = aim_nn_pi(l, 1, 0);
    if (op < 0 || op > 9)
        BAD("%s: binary op type %d not supported", l->name, op);
    if ((ws != 0 && ws != 1) || (ws ? l->nin != 1 : l->nin != 2))
        BAD("%s: with_scalar %d does not match %d inputs", l->name, ws, l->nin);
    return 0;
}

static int binop_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    if (l->nin == 1)
        return same_shape(l, in, out, log);
    int a[3], b[3], o[3];
    bshape(&in[0], &in[1], a);
    bshape(&in[1], &in[0], b);
    for (int i = 0; i < 3; i++) {
        if (a[i] != b[i] && a[i] != 1 && b[i] != 1)
            BAD("%s: shapes %dx%dx%d and %dx%dx%d do not broadcast", l->name, in[0].w, in[0].h,
                in[0].c, in[1].w, in[1].h, in[1].c);
        o[i] = a[i] > b[i] ? a[i] : b[i];
    }
    int dims = in[0].dims > in[1].dims ? in[0].dims : in[1].dims;
    return set_shape(out, dims, o[2], o[1], o[0], log, l);
}

static inline float binop(int op, float a, float b)
{
    switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return a / b;
    case 4: return a > b ? a : b;
    case 5: return a < b ? a : b;
    case 6: return powf(a, b);
    case 7: return b - a;
    case 8: return b / a;
    default: return powf(b, a);
    }
}

static int binop_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    int op = aim_nn_pi(l, 0, 0);
    if (l->nin == 1) {
        float b = aim_nn_pf(l, 2, 0);
        size_t plane = (size_t)in->w * in->h;
        for (int q = 0; q < in->c; q++) {
            const float *s = aim_nn_chan(in, q);
            float *d = aim_nn_chan(out, q);
            for (size_t i = 0; i < plane; i++)
                d[i] = binop(op, s[i], b);
        }
        return 0;
    }
    size_t as[3], bs[3];
    aim_nn_binop_strides(&in[0], &in[1], as);
    aim_nn_binop_strides(&in[1], &in[0], bs);
    for (int q = 0; q < out->c; q++) {
        float *d = aim_nn_chan(out, q);
        for (int y = 0; y < out->h; y++)
            for (int x = 0; x < out->w; x++) {
                float va = in[0].data[q * as[0] + y * as[1] + x * as[2]];
                float vb = in[1].data[q * bs[0] + y * bs[1] + x * bs[2]];
                d[(size_t)y * out->w + x] = binop(op, va, vb);
            }
    }
    return 0;
}

// --- Eltwise

static int eltwise_check(AimNnLayer *l, int wtype[], const AimLog *log)
{
    int op = aim_nn_pi(l, 0, 0);
    const AimNnParam *c = &l->p[1];
    if (op < 0 || op > 2)
        BAD("%s: eltwise op %d", l->name, op);
    if (c->type == AIM_NN_P_ARRAY && c->n && (op != 1 || c->n != l->nin))
        BAD("%s: %d coefficients for %d inputs", l->name, c->n, l->nin);
    return 0;
}

static int eltwise_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    for (int i = 1; i < l->nin; i++)
        if (in[i].w != in[0].w || in[i].h != in[0].h || in[i].c != in[0].c)
            BAD("%s: input %d has another shape", l->name, i);
    return same_shape(l, in, out, log);
}

static int eltwise_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    int op = aim_nn_pi(l, 0, 0);
    const AimNnParam *cp = &l->p[1];
    int coef = cp->type == AIM_NN_P_ARRAY && cp->n;
    size_t plane = (size_t)out->w * out->h;
    for (int q = 0; q < out->c; q++) {
        float *d = aim_nn_chan(out, q);
        const float *s0 = aim_nn_chan(&in[0], q);
        for (size_t i = 0; i < plane; i++)
            d[i] = coef ? s0[i] * cp->af[0] : s0[i];
        for (int k = 1; k < l->nin; k++) {
            const float *s = aim_nn_chan(&in[k], q);
            for (size_t i = 0; i < plane; i++)
                d[i] = op == 0 ? d[i] * s[i] : op == 2 ? (d[i] > s[i] ? d[i] : s[i]) :
                       d[i] + (coef ? s[i] * cp->af[k] : s[i]);
        }
    }
    return 0;
}

// --- Scale

static int scale_check(AimNnLayer *l, int wtype[], const AimLog *log)
{
    int n = aim_nn_pi(l, 0, 0), bias = aim_nn_pi(l, 1, 0);
    if (bias != 0 && bias != 1)
        BAD("%s: bias_term %d", l->name, bias);
    if (n == -233) {
        if (l->nin != 2 || bias)
            BAD("%s: scale from a blob needs 2 inputs and no bias", l->name);
        return 0;
    }
    if (n < 1 || n > 65536 || l->nin != 1)
        BAD("%s: scale_data_size %d with %d inputs", l->name, n, l->nin);
    l->nw = 1 + bias;
    l->wn[0] = l->wn[1] = (size_t)n;
    wtype[0] = wtype[1] = 1;
    return 0;
}

static int scale_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    size_t n = l->nin == 2 ? aim_nn_total(&in[1]) : l->wn[0];
    size_t per = in->dims == 3 ? (size_t)in->c : in->dims == 2 ? (size_t)in->h : (size_t)in->w;
    if (n != per)
        BAD("%s: %zu scales for %zu channels", l->name, n, per);
    return same_shape(l, in, out, log);
}

static int scale_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    const float *sc = l->nin == 2 ? in[1].data : l->w[0];
    const float *bi = l->nw > 1 ? l->w[1] : NULL;
    for (int q = 0; q < in->c; q++) {
        const float *s = aim_nn_chan(in, q);
        float *d = aim_nn_chan(out, q);
        for (int y = 0; y < in->h; y++)
            for (int x = 0; x < in->w; x++) {
                int k = in->dims == 3 ? q : in->dims == 2 ? y : x;
                size_t i = (size_t)y * in->w + x;
                d[i] = s[i] * sc[k] + (bi ? bi[k] : 0.f);
            }
    }
    return 0;
}

// --- Crop

int aim_nn_crop_window(const AimNnLayer *l, const AimNnMat *in, const AimNnMat *ref,
                       AimNnCropWin *r, const AimLog *log)
{
    int dims = in->dims;
    int sz[3] = { in->c, in->h, in->w }; // axis order c, h, w for 3-d
    int st[3] = { 0, 0, 0 }, en[3] = { sz[0], sz[1], sz[2] };
    const AimNnParam *ps = &l->p[9], *pe = &l->p[10], *pa = &l->p[11];
    if (ps->type == AIM_NN_P_ARRAY || pe->type == AIM_NN_P_ARRAY) {
        int n = ps->type == AIM_NN_P_ARRAY ? ps->n : 0;
        if (pe->type != AIM_NN_P_ARRAY || pe->n != n ||
            (pa->type == AIM_NN_P_ARRAY && pa->n != n) || n > dims)
            BAD("%s: starts/ends/axes arrays of different lengths", l->name);
        for (int i = 0; i < n; i++) {
            int ax = pa->type == AIM_NN_P_ARRAY ? pa->ai[i] : i;
            if (ax < 0)
                ax += dims;
            if (ax < 0 || ax >= dims)
                BAD("%s: crop axis %d out of range", l->name, pa->ai[i]);
            int k = ax + 3 - dims; // index into (c, h, w)
            int64_t s = ps->ai[i], e = pe->ai[i];
            if (s < 0)
                s += sz[k];
            if (e < 0)
                e += sz[k];
            if (e > sz[k])
                e = sz[k]; // INT_MAX style "to the end"
            if (s < 0 || s >= e)
                BAD("%s: crop %lld..%lld of %d is empty", l->name, (long long)s, (long long)e,
                    sz[k]);
            st[k] = (int)s;
            en[k] = (int)e;
        }
    } else {
        int off[3] = { aim_nn_pi(l, 2, 0), aim_nn_pi(l, 1, 0), aim_nn_pi(l, 0, 0) };
        int off2[3] = { aim_nn_pi(l, 8, 0), aim_nn_pi(l, 7, 0), aim_nn_pi(l, 6, 0) };
        int out[3] = { aim_nn_pi(l, 5, 0), aim_nn_pi(l, 4, 0), aim_nn_pi(l, 3, 0) };
        if (ref) {
            out[1] = ref->dims >= 2 ? ref->h : sz[1];
            out[2] = ref->w;
            out[0] = ref->dims == 3 ? ref->c : sz[0];
            if (dims == 1)
                out[2] = ref->w;
        }
        for (int k = 3 - dims; k < 3; k++) {
            if (off[k] < 0 || off2[k] < 0 || off[k] > sz[k])
                BAD("%s: crop offsets out of range", l->name);
            int64_t w = out[k] > 0 ? out[k] : (int64_t)sz[k] - off[k] - off2[k];
            if (w < 1 || off[k] + w > sz[k])
                BAD("%s: crop window %d+%lld exceeds %d", l->name, off[k], (long long)w, sz[k]);
            st[k] = off[k];
            en[k] = (int)(off[k] + w);
        }
    }
    *r = (AimNnCropWin){ st[2], st[1], st[0], en[2] - st[2], en[1] - st[1], en[0] - st[0] };
    return 0;
}

static int crop_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    AimNnCropWin r;
    int err = aim_nn_crop_window(l, &in[0], l->nin > 1 ? &in[1] : NULL, &r, log);
    if (err < 0)
        return err;
    return set_shape(out, in->dims, r.w, r.h, r.c, log, l);
}

static int crop_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    AimNnCropWin r;
    aim_nn_crop_window(l, &in[0], l->nin > 1 ? &in[1] : NULL, &r, NULL);
    for (int q = 0; q < r.c; q++)
        for (int y = 0; y < r.h; y++)
            memcpy(aim_nn_chan(out, q) + (size_t)y * r.w,
                   aim_nn_chan(in, q + r.c0) + (size_t)(y + r.y0) * in->w + r.x0,
                   sizeof(float) * r.w);
    return 0;
}

// --- Concat

static int concat_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    int dims = in[0].dims, ax = aim_nn_pi(l, 0, 0);
    if (ax < 0)
        ax += dims;
    if (ax < 0 || ax >= dims)
        BAD("%s: concat axis %d for %d dims", l->name, aim_nn_pi(l, 0, 0), dims);
    int k = ax + 3 - dims;
    int64_t s[3] = { in[0].c, in[0].h, in[0].w };
    for (int i = 1; i < l->nin; i++) {
        int64_t t[3] = { in[i].c, in[i].h, in[i].w };
        if (in[i].dims != dims)
            BAD("%s: inputs of different dims", l->name);
        for (int j = 0; j < 3; j++)
            if (j != k && t[j] != s[j])
                BAD("%s: input %d shape does not match", l->name, i);
        s[k] += t[k];
    }
    return set_shape(out, dims, s[2], s[1], s[0], log, l);
}

static int concat_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    int dims = in[0].dims, ax = aim_nn_pi(l, 0, 0);
    if (ax < 0)
        ax += dims;
    int k = ax + 3 - dims, oc = 0, oy = 0, ox = 0;
    for (int i = 0; i < l->nin; i++) {
        const AimNnMat *m = &in[i];
        for (int q = 0; q < m->c; q++)
            for (int y = 0; y < m->h; y++)
                memcpy(aim_nn_chan(out, q + oc) + (size_t)(y + oy) * out->w + ox,
                       aim_nn_chan(m, q) + (size_t)y * m->w, sizeof(float) * m->w);
        if (k == 0)
            oc += m->c;
        else if (k == 1)
            oy += m->h;
        else
            ox += m->w;
    }
    return 0;
}

// --- PixelShuffle

static int ps_check(AimNnLayer *l, int wtype[], const AimLog *log)
{
    int r = aim_nn_pi(l, 0, 1), mode = aim_nn_pi(l, 1, 0);
    if (r < 1 || r > 16 || (mode != 0 && mode != 1))
        BAD("%s: upscale factor %d / mode %d", l->name, r, mode);
    return 0;
}

static int ps_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    int r = aim_nn_pi(l, 0, 1);
    if (in->dims != 3 || in->c % (r * r))
        BAD("%s: %d channels not divisible by %d", l->name, in->c, r * r);
    return set_shape(out, 3, (int64_t)in->w * r, (int64_t)in->h * r, in->c / (r * r), log, l);
}

static int ps_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    int r = aim_nn_pi(l, 0, 1), mode = aim_nn_pi(l, 1, 0);
    for (int p = 0; p < out->c; p++)
        for (int sy = 0; sy < r; sy++)
            for (int sx = 0; sx < r; sx++) {
                // mode 0 (PyTorch): channel p*r*r + sy*r + sx; mode 1 (DCR): (sy*r+sx)*C + p
                int q = mode == 0 ? p * r * r + sy * r + sx : (sy * r + sx) * out->c + p;
                const float *s = aim_nn_chan(in, q);
                float *d = aim_nn_chan(out, p);
                for (int y = 0; y < in->h; y++)
                    for (int x = 0; x < in->w; x++)
                        d[(size_t)(y * r + sy) * out->w + x * r + sx] = s[(size_t)y * in->w + x];
            }
    return 0;
}

// --- Interp (ncnn coefficients: half-pixel centres, edges clamped; bicubic A = -0.75)

static int interp_check(AimNnLayer *l, int wtype[], const AimLog *log)
{
    int t = aim_nn_pi(l, 0, 0);
    if (t < 1 || t > 3)
        BAD("%s: resize type %d not supported", l->name, t);
    if (aim_nn_pi(l, 5, 0))
        BAD("%s: dynamic target size is not supported", l->name);
    float hs = aim_nn_pf(l, 1, 1), ws = aim_nn_pf(l, 2, 1);
    if (!(hs > 0 && hs <= 1024 && ws > 0 && ws <= 1024) || aim_nn_pi(l, 3, 0) < 0 ||
        aim_nn_pi(l, 4, 0) < 0)
        BAD("%s: scale %g x %g / output size out of range", l->name, ws, hs);
    return 0;
}

static int interp_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    if (in->dims != 3)
        BAD("%s: Interp needs a 3-d input", l->name);
    int oh = aim_nn_pi(l, 3, 0), ow = aim_nn_pi(l, 4, 0);
    int64_t w = ow ? ow : (int64_t)(in->w * (double)aim_nn_pf(l, 2, 1));
    int64_t h = oh ? oh : (int64_t)(in->h * (double)aim_nn_pf(l, 1, 1));
    return set_shape(out, 3, w, h, in->c, log, l);
}

double aim_nn_interp_user_scale(const AimNnLayer *l, int vertical)
{
    // nearest uses 1/scale when the size came from it (the width's test is param 4, as ncnn)
    if (vertical)
        return aim_nn_pi(l, 3, 0) ? 0 : aim_nn_pf(l, 1, 1);
    return aim_nn_pi(l, 4, 0) == 0 ? aim_nn_pf(l, 2, 1) : 0;
}

double aim_nn_interp_step(int align, int in, int out, double user_scale, float *nearest)
{
    *nearest = user_scale > 0 ? (float)(1.0 / user_scale) : (float)in / out;
    return align && out > 1 ? (double)(in - 1) / (out - 1) : (double)in / out;
}

static void cubic_w(float t, float c[4])
{
    const float A = -0.75f;
    float t0 = t + 1, t1 = t, t2 = 1 - t;
    c[0] = ((A * t0 - 5 * A) * t0 + 8 * A) * t0 - 4 * A;
    c[1] = ((A + 2) * t1 - (A + 3)) * t1 * t1 + 1;
    c[2] = ((A + 2) * t2 - (A + 3)) * t2 * t2 + 1;
    c[3] = 1.f - c[0] - c[1] - c[2];
}

// Per output coordinate: 4 source indices (clamped) and 4 weights.
static void interp_coeffs(int type, int align, int in, int out, double user_scale, int *idx,
                          float *wt)
{
    float ns;
    double scale = aim_nn_interp_step(align, in, out, user_scale, &ns);
    for (int d = 0; d < out; d++) {
        int *ix = idx + 4 * d;
        float *w = wt + 4 * d;
        if (type == 1) {
            int sx = (int)(d * ns);
            sx = sx < in - 1 ? sx : in - 1;
            ix[0] = ix[1] = ix[2] = ix[3] = sx;
            w[0] = 1; w[1] = w[2] = w[3] = 0;
            continue;
        }
        float f = align ? (float)(d * scale) : (float)((d + 0.5) * scale - 0.5);
        int s = (int)floorf(f);
        f -= s;
        if (type == 2) {
            if (s < 0) { s = 0; f = 0; }
            if (s >= in - 1) { s = in - 2; f = 1; }
            w[0] = 1 - f; w[1] = f; w[2] = w[3] = 0;
            for (int k = 0; k < 4; k++) {
                int v = s + k;
                ix[k] = v < 0 ? 0 : v >= in ? in - 1 : v;
            }
        } else {
            cubic_w(f, w);
            for (int k = 0; k < 4; k++) {
                int v = s - 1 + k;
                ix[k] = v < 0 ? 0 : v >= in ? in - 1 : v;
            }
        }
    }
}

static int interp_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    int type = aim_nn_pi(l, 0, 0), align = aim_nn_pi(l, 6, 0);
    int *xi = malloc(sizeof(int) * 4 * (size_t)out->w), *yi = malloc(sizeof(int) * 4 * (size_t)out->h);
    float *xw = malloc(sizeof(float) * 4 * (size_t)out->w), *yw = malloc(sizeof(float) * 4 * (size_t)out->h);
    float *row = malloc(sizeof(float) * 4 * (size_t)out->w);
    if (!xi || !yi || !xw || !yw || !row) {
        free(xi); free(yi); free(xw); free(yw); free(row);
        return AIM_ERR(ENOMEM);
    }
    interp_coeffs(type, align, in->w, out->w, aim_nn_interp_user_scale(l, 0), xi, xw);
    interp_coeffs(type, align, in->h, out->h, aim_nn_interp_user_scale(l, 1), yi, yw);
    for (int q = 0; q < in->c; q++) {
        const float *s = aim_nn_chan(in, q);
        float *d = aim_nn_chan(out, q);
        for (int y = 0; y < out->h; y++) {
            float *dr = d + (size_t)y * out->w;
            for (int x = 0; x < out->w; x++) {
                float sum = 0;
                for (int ky = 0; ky < 4; ky++) {
                    float wy = yw[4 * y + ky];
                    if (wy == 0)
                        continue;
                    const float *sr = s + (size_t)yi[4 * y + ky] * in->w;
                    float h = 0;
                    for (int kx = 0; kx < 4; kx++)
                        h += sr[xi[4 * x + kx]] * xw[4 * x + kx];
                    sum += h * wy;
                }
                dr[x] = sum;
            }
        }
    }
    free(xi); free(yi); free(xw); free(yw); free(row);
    return 0;
}

// --- Padding

static int pad_check(AimNnLayer *l, int wtype[], const AimLog *log)
{
    int t = aim_nn_pi(l, 0, 0), b = aim_nn_pi(l, 1, 0), le = aim_nn_pi(l, 2, 0),
        r = aim_nn_pi(l, 3, 0), type = aim_nn_pi(l, 4, 0);
    if (t < 0 || b < 0 || le < 0 || r < 0 || t > 4096 || b > 4096 || le > 4096 || r > 4096 ||
        type < 0 || type > 2 || aim_nn_pi(l, 6, 0) || aim_nn_pi(l, 7, 0) || aim_nn_pi(l, 8, 0))
        BAD("%s: padding params not supported", l->name);
    return 0;
}

static int pad_shape(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimLog *log)
{
    int t = aim_nn_pi(l, 0, 0), b = aim_nn_pi(l, 1, 0), le = aim_nn_pi(l, 2, 0),
        r = aim_nn_pi(l, 3, 0);
    if (in->dims != 3)
        BAD("%s: padding needs a 3-d input", l->name);
    if (aim_nn_pi(l, 4, 0) == 2 && (t >= in->h || b >= in->h || le >= in->w || r >= in->w))
        BAD("%s: reflect padding wider than the input", l->name);
    return set_shape(out, 3, (int64_t)in->w + le + r, (int64_t)in->h + t + b, in->c, log, l);
}

static int pad_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    int t = aim_nn_pi(l, 0, 0), le = aim_nn_pi(l, 2, 0), type = aim_nn_pi(l, 4, 0);
    float v = aim_nn_pf(l, 5, 0);
    for (int q = 0; q < in->c; q++) {
        const float *s = aim_nn_chan(in, q);
        float *d = aim_nn_chan(out, q);
        for (int y = 0; y < out->h; y++)
            for (int x = 0; x < out->w; x++) {
                int sy = y - t, sx = x - le;
                float val;
                if (type == 0) {
                    val = sy < 0 || sx < 0 || sy >= in->h || sx >= in->w ? v :
                          s[(size_t)sy * in->w + sx];
                } else if (type == 1) {
                    sy = sy < 0 ? 0 : sy >= in->h ? in->h - 1 : sy;
                    sx = sx < 0 ? 0 : sx >= in->w ? in->w - 1 : sx;
                    val = s[(size_t)sy * in->w + sx];
                } else {
                    sy = sy < 0 ? -sy : sy >= in->h ? 2 * in->h - 2 - sy : sy;
                    sx = sx < 0 ? -sx : sx >= in->w ? 2 * in->w - 2 - sx : sx;
                    val = s[(size_t)sy * in->w + sx];
                }
                d[(size_t)y * out->w + x] = val;
            }
    }
    return 0;
}

static int noop_fwd(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out, const AimNnOpt *o)
{
    return 0;
}

#define IO(a, b, c, d) a, b, c, d
static const AimNnOpDesc ops[] = {
    { "Input", IO(0, 0, 1, 1), NULL, NULL, NULL, input_shape, noop_fwd },
    { "Split", IO(1, 1, 1, 256), NULL, NULL, NULL, split_shape, split_fwd },
    { "Convolution", IO(1, 1, 1, 1), conv_check, conv_init, aim_nn_conv_uninit, conv_shape, conv_fwd,
      conv_scratch },
    { "ConvolutionDepthWise", IO(1, 1, 1, 1), conv_check, conv_init, aim_nn_conv_uninit, conv_shape, conv_fwd,
      conv_scratch },
    { "Deconvolution", IO(1, 1, 1, 1), conv_check, conv_init, aim_nn_conv_uninit, conv_shape, deconv_fwd,
      deconv_scratch },
    { "DeconvolutionDepthWise", IO(1, 1, 1, 1), conv_check, conv_init, aim_nn_conv_uninit, conv_shape, deconv_fwd,
      deconv_scratch },
    { "InnerProduct", IO(1, 1, 1, 1), ip_check, NULL, NULL, ip_shape, ip_fwd },
    { "ReLU", IO(1, 1, 1, 1), NULL, NULL, NULL, same_shape, relu_fwd },
    { "Sigmoid", IO(1, 1, 1, 1), NULL, NULL, NULL, same_shape, sigmoid_fwd },
    { "PReLU", IO(1, 1, 1, 1), prelu_check, NULL, NULL, prelu_shape, prelu_fwd },
    { "Pooling", IO(1, 1, 1, 1), pool_check, NULL, NULL, pool_shape, pool_fwd },
    { "BinaryOp", IO(1, 2, 1, 1), binop_check, NULL, NULL, binop_shape, binop_fwd },
    { "Eltwise", IO(1, 64, 1, 1), eltwise_check, NULL, NULL, eltwise_shape, eltwise_fwd },
    { "Scale", IO(1, 2, 1, 1), scale_check, NULL, NULL, scale_shape, scale_fwd },
    { "Crop", IO(1, 2, 1, 1), NULL, NULL, NULL, crop_shape, crop_fwd },
    { "Concat", IO(1, 64, 1, 1), NULL, NULL, NULL, concat_shape, concat_fwd },
    { "PixelShuffle", IO(1, 1, 1, 1), ps_check, NULL, NULL, ps_shape, ps_fwd },
    { "Interp", IO(1, 1, 1, 1), interp_check, NULL, NULL, interp_shape, interp_fwd },
    { "Padding", IO(1, 1, 1, 1), pad_check, NULL, NULL, pad_shape, pad_fwd },
};

const AimNnOpDesc *aim_nn_find_op(const char *type)
{
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (!strcmp(ops[i].type, type))
            return &ops[i];
    return NULL;
}
