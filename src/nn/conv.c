// Fast convolution and deconvolution on top of the indirect GEMM kernel (kernels.h).
//
// Convolution: the input is copied once into zero-padded "phase planes" (stride s splits the
// padded input into s*s planes, so every tap of every output row reads contiguous floats), then
// for each output row a table of K = cin/group * kh * kw row pointers feeds the kernel, which
// computes 4 output channels x 24 (AVX2) or 48 (AVX-512) pixels at a time. Weights are packed at load time.
// Deconvolution: a 1x1 GEMM gives every (output channel, tap) product for a row of input
// pixels, which is then added into the output at its strided position (col2im).
#include <stdlib.h>
#include <string.h>

#include "nn/kernels.h"
#include "nn/ops.h"

// Reduction rows per kernel call: 192 rows of 24-48 floats (18-36 KB) fit L1d with the
// weights; measured on nn_convbench 3x3 64->64 (K = 576).
#define KC 192

// aligned_alloc needs a size that is a multiple of the alignment (C11 7.22.3.1).
static void *alloc64(size_t bytes)
{
    return aligned_alloc(64, (bytes + 63) & ~(size_t)63);
}

typedef struct ConvPriv {
    AimNnConv c;
    int deconv;
    int K;      ///< reduction length per group: conv cin/g*kh*kw, deconv cin/g
    int nblk;   ///< MR-blocks per group (conv) or per output channel (deconv)
    float *pw;  ///< packed weights
} ConvPriv;

void aim_nn_conv_uninit(AimNnLayer *l)
{
    ConvPriv *p = l->priv;
    if (p)
        free(p->pw);
    free(p);
    l->priv = NULL;
}

int aim_nn_conv_init(AimNnLayer *l, int deconv, const AimLog *log)
{
    ConvPriv *p = calloc(1, sizeof(*p));
    if (!p)
        return AIM_ERR(ENOMEM);
    aim_nn_conv_params(l, deconv, &p->c, log);
    const AimNnConv *c = &p->c;
    p->deconv = deconv;
    int maxk = c->kw * c->kh, cing = c->cin / c->group, coutg = c->cout / c->group;
    size_t n;
    if (!deconv) {
        p->K = cing * maxk;
        p->nblk = (coutg + AIM_NN_MR - 1) / AIM_NN_MR;
        n = (size_t)c->group * p->nblk * p->K * AIM_NN_MR;
    } else {
        p->K = cing;
        p->nblk = (maxk + AIM_NN_MR - 1) / AIM_NN_MR;
        n = (size_t)c->cout * p->nblk * p->K * AIM_NN_MR;
    }
    p->pw = calloc(n, sizeof(float));
    if (!p->pw) {
        free(p);
        return AIM_ERR(ENOMEM);
    }
    const float *w = l->w[0];
    if (!deconv) {
        // pw[g][blk][r][m] = w[co = g*coutg + blk*MR + m][r], r = ci*maxk + tap
        for (int g = 0; g < c->group; g++)
            for (int co = 0; co < coutg; co++) {
                int blk = co / AIM_NN_MR, m = co % AIM_NN_MR;
                float *d = p->pw + ((size_t)g * p->nblk + blk) * p->K * AIM_NN_MR + m;
                const float *s = w + (size_t)(g * coutg + co) * p->K;
                for (int r = 0; r < p->K; r++)
                    d[(size_t)r * AIM_NN_MR] = s[r];
            }
    } else {
        // pw[co][blk][ci][m] = w[co][ci][tap = blk*MR + m]
        for (int co = 0; co < c->cout; co++)
            for (int ci = 0; ci < cing; ci++)
                for (int t = 0; t < maxk; t++) {
                    int blk = t / AIM_NN_MR, m = t % AIM_NN_MR;
                    p->pw[(((size_t)co * p->nblk + blk) * p->K + ci) * AIM_NN_MR + m] =
                        w[((size_t)co * cing + ci) * maxk + t];
                }
    }
    l->priv = p;
    return 0;
}

// --- convolution

typedef struct ConvJob {
    const AimNnLayer *l;
    const ConvPriv *p;
    const AimNnMat *in;
    AimNnMat *out;
    AimNnGemmFn gemm;
    int nr;            ///< pixels per kernel call (AimNnKernels.nr)
    float *q;          ///< phase planes [cin][sh*sw][hq][wq]
    int hq, wq, pl, pt, nxb;
    size_t qplane;
    int err;
} ConvJob;

static void fill_planes(void *ctx, int job, int njobs)
{
    ConvJob *j = ctx;
    const AimNnConv *c = &j->p->c;
    const AimNnMat *in = j->in;
    int nph = c->sh * c->sw;
    for (int ci = job; ci < in->c; ci += njobs) {
        const float *s = aim_nn_chan(in, ci);
        for (int ph = 0; ph < nph; ph++) {
            int py = ph / c->sw, px = ph % c->sw;
            float *d = j->q + ((size_t)ci * nph + ph) * j->qplane;
            for (int y = 0; y < j->hq; y++) {
                int iy = py + y * c->sh - j->pt;
                float *dr = d + (size_t)y * j->wq;
                if (iy < 0 || iy >= in->h) {
                    for (int x = 0; x < j->wq; x++)
                        dr[x] = c->pad_value;
                    continue;
                }
                const float *sr = s + (size_t)iy * in->w;
                if (c->sw == 1) {
                    int x0 = j->pl - px; // first x with ix >= 0
                    int x = 0;
                    for (; x < x0 && x < j->wq; x++)
                        dr[x] = c->pad_value;
                    int n = in->w < j->wq - x ? in->w : j->wq - x;
                    if (n > 0) {
                        memcpy(dr + x, sr, sizeof(float) * n);
                        x += n;
                    }
                    for (; x < j->wq; x++)
                        dr[x] = c->pad_value;
                } else {
                    for (int x = 0; x < j->wq; x++) {
                        int ix = px + x * c->sw - j->pl;
                        dr[x] = ix < 0 || ix >= in->w ? c->pad_value : sr[ix];
                    }
                }
            }
        }
    }
}

static void conv_rows(void *ctx, int job, int njobs)
{
    ConvJob *j = ctx;
    const ConvPriv *p = j->p;
    const AimNnConv *c = &p->c;
    AimNnMat *out = j->out;
    int oh = out->h, ow = out->w, maxk = c->kw * c->kh;
    int cing = c->cin / c->group, coutg = c->cout / c->group, nph = c->sh * c->sw;
    const int NR = j->nr;
    const float **rows = malloc(sizeof(float *) * (size_t)p->K);
    float *acc = malloc(sizeof(float) * (size_t)p->nblk * AIM_NN_MR * NR);
    if (!rows || !acc) {
        free(rows);
        free(acc);
        j->err = AIM_ERR(ENOMEM);
        return;
    }
    int y0 = (int)((int64_t)oh * job / njobs), y1 = (int)((int64_t)oh * (job + 1) / njobs);
    const float *bias = c->bias ? j->l->w[1] : NULL;
    for (int oy = y0; oy < y1; oy++)
        for (int g = 0; g < c->group; g++) {
            for (int ci = 0; ci < cing; ci++)
                for (int ky = 0; ky < c->kh; ky++)
                    for (int kx = 0; kx < c->kw; kx++) {
                        int ay = ky * c->dh, ax = kx * c->dw;
                        int ph = (ay % c->sh) * c->sw + ax % c->sw;
                        rows[ci * maxk + ky * c->kw + kx] =
                            j->q + ((size_t)(g * cing + ci) * nph + ph) * j->qplane +
                            (size_t)(oy + ay / c->sh) * j->wq + ax / c->sw;
                    }
            // x blocks outside; the reduction in chunks of KC rows (K blocking, as in BLIS):
            // a KC x NR input block (~20 KB) stays in L1 while every channel block uses it.
            for (int xb = 0; xb < j->nxb; xb++) {
                int x0 = xb * NR, n = ow - x0 < NR ? ow - x0 : NR;
                for (int r0 = 0; r0 < p->K; r0 += KC) {
                    int kc = p->K - r0 < KC ? p->K - r0 : KC;
                    for (int blk = 0; blk < p->nblk; blk++) {
                        const float *w = p->pw + (((size_t)g * p->nblk + blk) * p->K + r0) * AIM_NN_MR;
                        j->gemm(kc, w, rows + r0, x0, acc + (size_t)blk * AIM_NN_MR * NR, NR, r0 > 0);
                    }
                }
                for (int blk = 0; blk < p->nblk; blk++) {
                    int mcount = coutg - blk * AIM_NN_MR;
                    mcount = mcount < AIM_NN_MR ? mcount : AIM_NN_MR;
                    for (int m = 0; m < mcount; m++) {
                        int co = g * coutg + blk * AIM_NN_MR + m;
                        float b = bias ? bias[co] : 0.f;
                        float *d = aim_nn_chan(out, co) + (size_t)oy * ow + x0;
                        const float *t = acc + ((size_t)blk * AIM_NN_MR + m) * NR;
                        for (int i = 0; i < n; i++)
                            d[i] = t[i] + b;
                        aim_nn_act_row(&c->act, d, (size_t)n);
                    }
                }
            }
        }
    free(acc);
    free(rows);
}

static void kernels_for(const AimNnOpt *o, AimNnKernels *k)
{
    if (o->cpu_flags & AIM_NN_CPU_PREFER_AVX512)
        aim_nn_kernels_init_avx512(k, o->cpu_flags);
    else
        aim_nn_kernels_init(k, o->cpu_flags);
}

// The op's temporary block: the executor's arena when it planned this layer's scratch, else a
// block of our own (*own, for the caller to free). NULL when out of memory.
static float *scratch_block(const AimNnOpt *o, size_t bytes, float **own)
{
    *own = NULL;
    if (o->scratch && o->scratch_bytes >= bytes)
        return o->scratch;
    return *own = alloc64(bytes);
}

// Phase-plane geometry for these shapes; returns the planes' size in floats.
static size_t conv_geometry(ConvJob *j, const AimNnConv *c, const AimNnMat *in,
                            const AimNnMat *out, int nr)
{
    int pr, pb;
    aim_nn_conv_pads(c, in->w, in->h, &j->pl, &pr, &j->pt, &pb);
    j->nxb = (out->w + nr - 1) / nr;
    j->hq = out->h + (c->kh - 1) * c->dh / c->sh;
    j->wq = j->nxb * nr + (c->kw - 1) * c->dw / c->sw;
    j->qplane = ((size_t)j->hq * j->wq + 15) & ~(size_t)15;
    return (size_t)in->c * c->sh * c->sw * j->qplane;
}

size_t aim_nn_conv_scratch_fast(const AimNnLayer *l, const AimNnMat *in, const AimNnMat *out,
                                const AimNnOpt *o)
{
    AimNnKernels k;
    kernels_for(o, &k);
    ConvJob j = { 0 };
    return conv_geometry(&j, &((const ConvPriv *)l->priv)->c, in, out, k.nr) * sizeof(float);
}

int aim_nn_conv_forward_fast(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out,
                             const AimNnOpt *o)
{
    const ConvPriv *p = l->priv;
    const AimNnConv *c = &p->c;
    AimNnKernels k;
    kernels_for(o, &k);
    ConvJob j = { l, p, in, out, k.gemm, k.nr, NULL, 0, 0, 0, 0, 0, 0, 0 };
    float *own;
    if (!(j.q = scratch_block(o, conv_geometry(&j, c, in, out, k.nr) * sizeof(float), &own)))
        return AIM_ERR(ENOMEM);
    int threads = aim_pool_threads(o->pool);
    aim_pool_run(o->pool, fill_planes, &j, threads < in->c ? threads : in->c);
    // Rows per job: enough jobs to balance 2+ threads, each several rows long.
    int njobs = out->h < threads * 4 ? out->h : threads * 4;
    aim_pool_run(o->pool, conv_rows, &j, njobs);
    free(own);
    return j.err;
}

// --- deconvolution

typedef struct DeconvJob {
    const AimNnLayer *l;
    const ConvPriv *p;
    const AimNnMat *in;
    AimNnMat *out;
    AimNnGemmFn gemm;
    int nr;
    float *q; ///< input rows padded to a multiple of nr: [cin][h][wq]
    int wq, nxb;
    int err;
} DeconvJob;

static void deconv_chans(void *ctx, int job, int njobs)
{
    DeconvJob *j = ctx;
    const ConvPriv *p = j->p;
    const AimNnConv *c = &p->c;
    const AimNnMat *in = j->in;
    AimNnMat *out = j->out;
    int cing = c->cin / c->group, coutg = c->cout / c->group, maxk = c->kw * c->kh;
    const float **rows = malloc(sizeof(float *) * (size_t)p->K);
    if (!rows) {
        j->err = AIM_ERR(ENOMEM);
        return;
    }
    float tmp[AIM_NN_MR * AIM_NN_NR_MAX];
    const int NR = j->nr;
    int c0 = (int)((int64_t)c->cout * job / njobs), c1 = (int)((int64_t)c->cout * (job + 1) / njobs);
    for (int co = c0; co < c1; co++) {
        float *op = aim_nn_chan(out, co);
        float b = c->bias ? j->l->w[1][co] : 0.f;
        size_t plane = (size_t)out->w * out->h;
        for (size_t i = 0; i < plane; i++)
            op[i] = b;
        int g = co / coutg;
        for (int y = 0; y < in->h; y++) {
            for (int ci = 0; ci < cing; ci++)
                rows[ci] = j->q + ((size_t)(g * cing + ci) * in->h + y) * j->wq;
            for (int blk = 0; blk < p->nblk; blk++) {
                const float *w = p->pw + ((size_t)co * p->nblk + blk) * p->K * AIM_NN_MR;
                for (int xb = 0; xb < j->nxb; xb++) {
                    int x0 = xb * NR, n = in->w - x0 < NR ? in->w - x0 : NR;
                    j->gemm(p->K, w, rows, x0, tmp, NR, 0);
                    for (int m = 0; m < AIM_NN_MR; m++) {
                        int t = blk * AIM_NN_MR + m;
                        if (t >= maxk)
                            break;
                        int ky = t / c->kw, kx = t % c->kw;
                        int oy = y * c->sh + ky * c->dh - c->pt;
                        if (oy < 0 || oy >= out->h)
                            continue;
                        float *d = op + (size_t)oy * out->w;
                        const float *s = tmp + m * NR;
                        for (int i = 0; i < n; i++) {
                            int ox = (x0 + i) * c->sw + kx * c->dw - c->pl;
                            if (ox >= 0 && ox < out->w)
                                d[ox] += s[i];
                        }
                    }
                }
            }
        }
        aim_nn_act_row(&c->act, op, plane);
    }
    free(rows);
}

// Padded input rows: nxb blocks of nr pixels per row; returns their size in bytes.
static size_t deconv_geometry(DeconvJob *j, const AimNnMat *in, int nr)
{
    j->nxb = (in->w + nr - 1) / nr;
    j->wq = j->nxb * nr;
    return (size_t)in->c * in->h * j->wq * sizeof(float);
}

size_t aim_nn_deconv_scratch_fast(const AimNnLayer *l, const AimNnMat *in, const AimNnMat *out,
                                  const AimNnOpt *o)
{
    AimNnKernels k;
    kernels_for(o, &k);
    DeconvJob j = { 0 };
    return deconv_geometry(&j, in, k.nr);
}

int aim_nn_deconv_forward_fast(const AimNnLayer *l, const AimNnMat *in, AimNnMat *out,
                               const AimNnOpt *o)
{
    const ConvPriv *p = l->priv;
    AimNnKernels k;
    kernels_for(o, &k);
    DeconvJob j = { l, p, in, out, k.gemm, k.nr, NULL, 0, 0, 0 };
    float *own;
    if (!(j.q = scratch_block(o, deconv_geometry(&j, in, k.nr), &own)))
        return AIM_ERR(ENOMEM);
    for (int ci = 0; ci < in->c; ci++)
        for (int y = 0; y < in->h; y++) {
            float *d = j.q + ((size_t)ci * in->h + y) * j.wq;
            memcpy(d, aim_nn_chan(in, ci) + (size_t)y * in->w, sizeof(float) * in->w);
            memset(d + in->w, 0, sizeof(float) * (j.wq - in->w));
        }
    int threads = aim_pool_threads(o->pool);
    int njobs = p->c.cout < threads * 4 ? p->c.cout : threads * 4;
    aim_pool_run(o->pool, deconv_chans, &j, njobs);
    free(own);
    return j.err;
}
