// Convolution, Deconvolution and their DepthWise (grouped) forms on the GPU: conv.comp, one
// shader for both (a specialization constant picks the gather), every kernel size, stride,
// dilation, padding (SAME included), group, bias and fused activation the CPU op takes.
// 3x3 convolutions of stride 1 and dilation 1, group 1, may instead run as Winograd F(2x2, 3x3)
// or F(4x4, 3x3) (wino_in/wino_gemm/wino_out.comp, the tile a specialization constant; the
// reference and notation: nn/winograd.h) where the executor asks for it (AimNnVkInit.winograd,
// AimNnVkInit.wino_m: one tile, or both kept and the tile taken by the output plane),
// its GEMM pass register-blocked (wino_gemm.comp, CPU drivers), tiled in shared memory
// (wino_gemm_tiled.comp, GPUs) or on cooperative matrices (wino_gemm_cm.comp) as
// AimNnVkInit.wino_gemm says.
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "nn/ops.h"
#include "nn/vk/vkop.h"
#include "nn/winograd.h"

typedef struct ConvPriv {
    AimVkBuffer *w, *b; ///< weights in the run's precision (NULL where u is set), bias fp32
                        ///< (NULL without bias)
    AimVkBuffer *u;     ///< Winograd: U = G g G^T in the run's precision (NULL: not used)
    int wm;             ///< Winograd's output tile m (2 or 4) where u is set
    int wg;             ///< Winograd's GEMM form where u is set: AIM_NN_VK_WGEMM_*
    AimVkBuffer *u2;    ///< the tile by the plane (AimNnVkInit.wino_m 0): F(2x2)'s U beside u
                        ///< (F(4x4)'s), taken below WINO_M4_MIN_TILES; NULL otherwise
    int small;          ///< chunks of fewer tiles take the passes' small shape (wg DIRECT only)
    atomic_int logged;  ///< the chunk shapes whose debug line is out (1 small, 2 big): once
                        ///< each per layer, as record runs for every tile of every frame; the
                        ///< one field record writes (any thread, hence atomic)
} ConvPriv;

// Winograd from this many input and output channels up (AIM_NN_VK_WINO_WIDE). Measured on
// lavapipe (bench/RESULTS-vk.md, "Winograd F(2x2, 3x3)", per-layer GPU times, same runs): with
// 3 input channels (the models' first layers) it took 1.3-3.3x the direct form's time (the
// transforms cost more than the GEMM saves); with 32 and 64 (32 -> 64, 64 -> 64, 64 -> 48,
// 128 -> 64) 0.24-0.55x. 16 lies between; counting loads (the transforms' 32 per tile and
// channel against the 9/4 fewer GEMM steps) puts the break-even near 8 channels. Fewer than 16
// output channels (to RGB) is unmeasured and stays direct. F(4x4, 3x3) keeps the threshold: a
// 3-channel layer took it 0.7-0.8x F(2x2)'s time, 105-120 ms, above the direct form's 42-75 ms
// in the F(2x2) run ("Winograd F(4x4, 3x3)").
#define WINO_MIN_CH 16

// Where the executor leaves Winograd's tile to the plane (AimNnVkInit.wino_m 0, every device's
// default: nn/gpu.c WINO_DEFAULT_M), F(4x4, 3x3) from this many of its tiles in the layer's
// output plane, F(2x2, 3x3) below. Measured on lavapipe (bench/RESULTS-vk.md, "Per-layer
// profile of RIFE and
// waifu2x-cunet"), per-layer GPU times, both tiles forced on every layer of RIFE v4.6: on planes
// of 1, 4 and 12 F(4x4) tiles (4x3, 8x6, 16x12: the coarse IFBlocks at 128x72) F(2x2) took
// 0.5x F(4x4)'s time, on 40-48 tiles (32x20, 32x24) about the same; realesr-animevideov3's
// 128x72 plane (576 tiles) takes F(4x4) in 0.43-0.55x F(2x2)'s time ("Winograd F(4x4, 3x3)").
// Small planes leave wino_gemm.comp's work groups (1024 tiles each) mostly empty, and F(4x4)
// has 36 of them per 8 output channels where F(2x2) has 16.
#define WINO_M4_MIN_TILES 48

// Chunks of fewer tiles than this take the small shape of the three passes (SMALL in
// wino_in/wino_gemm/wino_out.comp) where the GEMM is the register-blocked one (CPU drivers):
// wino_gemm.comp's invocation 16 output channels x 4 tiles instead of 8 x 16, the invocations
// of all three packed densely over (tiles, channels), so a chunk of a few tiles (RIFE v4.6's
// coarse IFBlocks: 12-48 tiles at 128x72) does not leave most of each 64-invocation work group
// idle. The outputs are the same bit for bit. 128: the big shape's first 8 invocations (one
// SIMD row of lavapipe's 8 lanes on AVX2) have work from 8 x 16 = 128 tiles up, and measured
// on lavapipe (bench/RESULTS-vk.md, "Winograd's small shape"; RIFE v4.6's IFBlock layers' GPU
// time, the threshold moved with AIM_VK_WSMALL, six alternated pairs each): on chunks of 96
// tiles (192x108) the small shape took 0.85-1.11x the big one's time (median 0.92x), on
// chunks of 160 (256x144) 0.90-1.39x (median 1.15x); at 128x72 (chunks of 4-48 tiles) the
// layers took 0.17-0.23x their time before, 0.21-0.31x with only the GEMM small
#define WINO_GEMM_SMALL_TILES 128

static int wino_applies(int mode, const AimNnConv *c, int deconv)
{
    if (mode == AIM_NN_VK_WINO_OFF || deconv || c->group != 1 || c->kw != 3 || c->kh != 3 ||
        c->sw != 1 || c->sh != 1 || c->dw != 1 || c->dh != 1)
        return 0;
    return mode == AIM_NN_VK_WINO_ALL || (c->cin >= WINO_MIN_CH && c->cout >= WINO_MIN_CH);
}

static int is_deconv(const AimNnLayer *l)
{
    return !strncmp(l->type, "Deconvolution", 13);
}

static void conv_uninit(void *priv)
{
    ConvPriv *c = priv;
    aim_vk_buffer_destroy(&c->w);
    aim_vk_buffer_destroy(&c->b);
    aim_vk_buffer_destroy(&c->u);
    aim_vk_buffer_destroy(&c->u2);
    free(c);
}

// U = G g G^T of F(m x m, 3x3) for the layer's weights, uploaded in the run's precision.
static int wino_upload(const AimNnVkInit *ini, const AimNnLayer *l, const AimNnConv *c, int m,
                       AimVkBuffer **u)
{
    size_t n = (size_t)AIM_NN_WINO_POS(m) * c->cin * c->cout;
    float *t = malloc(n * sizeof(*t));
    if (!t)
        return AIM_ERR(ENOMEM);
    aim_nn_wino_weights_c(t, l->w[0], c->cout, c->cin, m);
    int err = aim_nn_vk_upload(ini, t, n, u);
    free(t);
    return err;
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
    // the weights in one form: U for Winograd (one per tile the record may take), else as they
    // are (the record's mode is the executor's, as here, so a layer never needs both)
    int wino = wino_applies(ini->winograd, &c, is_deconv(l));
    if (!wino)
        err = aim_nn_vk_upload(ini, l->w[0], l->wn[0], &p->w);
    if (!err && c.bias)
        err = aim_nn_vk_upload_f32(ini, l->w[1], l->wn[1], &p->b);
    if (!err && wino) {
        // wino_m 0: F(4x4)'s U and F(2x2)'s, the record takes one by the plane
        p->wm = ini->wino_m == 2 ? 2 : 4;
        p->wg = ini->wino_gemm;
        p->small = p->wg != AIM_NN_VK_WGEMM_DIRECT ? 0
                 : ini->wino_small < 0 ? WINO_GEMM_SMALL_TILES : ini->wino_small;
        err = wino_upload(ini, l, &c, p->wm, &p->u);
        if (!err && !ini->wino_m)
            err = wino_upload(ini, l, &c, 2, &p->u2);
        // the tests read this line to see the form really chosen
        static const char *const wg[] = { "direct", "tiled", "coopmat" };
        if (!err)
            aim_log(ini->log, AIM_LOG_DEBUG, "vulkan: %s: Winograd F(%dx%d, 3x3)%s, GEMM %s",
                    l->name, p->wm, p->wm,
                    p->u2 ? ", F(2x2, 3x3) on planes of fewer tiles" : "", wg[p->wg]);
    }
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

// Scratch of one Winograd chunk (V and M, fp32): the tiles of a layer go through the three
// passes in chunks of at most this many bytes, so the scratch does not grow with the tile (one
// 960 x 960 tile of 64 -> 64 channels would need 1.9 GB unchunked); 32 MiB is 4096 tiles of a
// 64 -> 64 layer (a 128 x 128 output block), 512 work groups of wino_gemm.comp. A power of
// two: requests are rounded up to one, so the list's shared scratch grows straight to the size
// it keeps (aim_vk_cmd_scratch_shared doubles), at most 2 x this with the outgrown ones.
#define WINO_CHUNK_BYTES ((size_t)32 << 20)

// The three passes of Winograd F(m x m, 3x3) (nn/winograd.h) per chunk of tiles, V and M in the
// list's shared scratch, a barrier after each pass but the last of the layer.
static int wino_record(const AimNnVkRec *rc, const AimNnLayer *l, const ConvPriv *cp,
                       AimVkBuffer *u, int wm, const AimNnConv *c, int pl, int pt,
                       const AimNnVkTensor *in, const AimNnVkTensor *out)
{
    int npos = AIM_NN_WINO_POS(wm);
    int tw = (out->w + wm - 1) / wm, ntall = tw * ((out->h + wm - 1) / wm);
    size_t per_tile = sizeof(float) * (size_t)npos * (size_t)(c->cin + c->cout);
    size_t align = aim_vk_device_offset_align(rc->dev);
    int chunk = (int)((WINO_CHUNK_BYTES - align) / per_tile);
    chunk = chunk < 1 ? 1 : chunk > ntall ? ntall : chunk;
    size_t vbytes = sizeof(float) * (size_t)npos * (size_t)c->cin * (size_t)chunk;
    size_t mbytes = sizeof(float) * (size_t)npos * (size_t)c->cout * (size_t)chunk;
    size_t moff = (vbytes + align - 1) / align * align;
    size_t bytes = 1;
    while (bytes < moff + mbytes)
        bytes *= 2;
    AimVkBinding s;
    int err = aim_vk_cmd_scratch_shared(rc->cmd, bytes, &s);
    if (err < 0)
        return err;
    AimVkBinding v = { s.buf, s.offset, vbytes }, m = { s.buf, s.offset + moff, mbytes };
    int32_t spec[6] = { c->act.type, float_bits(c->act.a), float_bits(c->act.b), c->bias, wm, 0 };
    int direct = cp->wg == AIM_NN_VK_WGEMM_DIRECT;
    // without a bias U fills wino_out's binding 2 (never read: BIAS is 0)
    AimVkBinding bg[3] = { aim_nn_vk_whole(u), v, m };
    AimVkBinding bo[3] = { m, out->bind, aim_nn_vk_whole(cp->b ? cp->b : u) };
    AimVkBinding bin[2] = { in->bind, v };
    for (int t0 = 0; t0 < ntall && !err; t0 += chunk) {
        int nt = ntall - t0 < chunk ? ntall - t0 : chunk;
        int small = nt < cp->small, bit = small ? 1 : 2;
        spec[5] = small;
        // once per layer and shape (the tests read it to see the shape really taken); the
        // object is the op's calloc'd init data, only this atomic field is written
        if (!(atomic_fetch_or(&((ConvPriv *)cp)->logged, bit) & bit))
            aim_log(rc->log, AIM_LOG_DEBUG,
                    "vulkan: %s: Winograd F(%dx%d) chunk of %d tiles, %s shape", l->name, wm,
                    wm, nt, small ? "small" : "big");
        if (t0)
            aim_vk_cmd_barrier(rc->cmd); // the last chunk's wino_out still reads M
        struct {
            int32_t w, h, cstep, cin, pl, pt;
            float pad_value;
            int32_t tw, t0, nt;
        } pin = { in->w, in->h, in->cstep, c->cin, pl, pt, c->pad_value, tw, t0, nt };
        // small: (tile, channel) packed along x (wino_in.comp SMALL)
        int32_t ispec[2] = { wm, small };
        err = aim_nn_vk_dispatch(rc, l, "wino_in", ispec, 2, bin, 2, &pin, sizeof(pin),
                                 small ? aim_nn_vk_groups((int64_t)nt * c->cin, 64)
                                       : aim_nn_vk_groups(nt, 64),
                                 small ? 1 : (uint32_t)c->cin, 1);
        if (err < 0)
            break;
        aim_vk_cmd_barrier(rc->cmd);
        struct { int32_t cin, cout, nt; } pg = { c->cin, c->cout, nt };
        // z the positions; a work group's tiles x output channels: wino_gemm.comp 64
        // invocations x RN (16) by RM (8), its small shape 64 invocations along x over the
        // ceil(nt / 4) x ceil(cout / 16) blocks of 4 tiles x 16 channels (y 1);
        // wino_gemm_tiled.comp 4096 / BM by BM, BM 16 (as conv.comp's narrow tiles) for up to
        // 16 output channels, else 64; wino_gemm_cm.comp 64 by 64
        static const char *const gemm[] = { "wino_gemm", "wino_gemm_tiled", "wino_gemm_cm" };
        int bm = cp->wg == AIM_NN_VK_WGEMM_TILED && c->cout <= 16 ? 16 : 64;
        int gt = cp->wg == AIM_NN_VK_WGEMM_DIRECT ? 64 * 16 : 4096 / bm;
        int gc = cp->wg == AIM_NN_VK_WGEMM_DIRECT ? 8 : bm;
        int32_t gspec[2] = { npos, direct ? small : bm };
        int64_t sblocks = (int64_t)aim_nn_vk_groups(nt, 4) * aim_nn_vk_groups(c->cout, 16);
        err = aim_nn_vk_dispatch(rc, l, gemm[cp->wg], gspec,
                                 cp->wg == AIM_NN_VK_WGEMM_COOPMAT ? 1 : 2, bg, 3, &pg, sizeof(pg),
                                 small ? aim_nn_vk_groups(sblocks, 64) : aim_nn_vk_groups(nt, gt),
                                 small ? 1 : aim_nn_vk_groups(c->cout, gc), (uint32_t)npos);
        if (err < 0)
            break;
        aim_vk_cmd_barrier(rc->cmd);
        struct { int32_t ow, oh, ocstep, cout, tw, t0, nt; } po = {
            out->w, out->h, out->cstep, c->cout, tw, t0, nt,
        };
        err = aim_nn_vk_dispatch(rc, l, "wino_out", spec, 6, bo, 3, &po, sizeof(po),
                                 small ? aim_nn_vk_groups((int64_t)nt * c->cout, 64)
                                       : aim_nn_vk_groups(nt, 64),
                                 small ? 1 : (uint32_t)c->cout, 1);
    }
    return err;
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
    // Winograd where init transformed the weights (the shaders' int indices hold: a chunk is
    // WINO_CHUNK_BYTES, the tile index below the output's pixel count)
    if (cp->u) {
        // the tile by the plane where init left it so (u2)
        AimVkBuffer *u = cp->u;
        int wm = cp->wm;
        int64_t tiles4 = (int64_t)((out[0].w + 3) / 4) * ((out[0].h + 3) / 4);
        if (cp->u2 && tiles4 < WINO_M4_MIN_TILES) {
            u = cp->u2;
            wm = 2;
        }
        return wino_record(rc, l, cp, u, wm, &c, pl, pt, &in[0], &out[0]);
    }
    // narrow tiles for few output channels (conv.comp); the cooperative-matrix shader has
    // 64 x 64 tiles only and takes the wide layers
    int bm = c.cout / c.group <= 16 ? 16 : 64, cm = rc->coopmat && bm == 64 && !deconv;
    // a strided deconvolution by output phase (conv.comp PHASE): SH * SW dispatches in one,
    // each over its share of the output with only its taps
    int phase = deconv && (c.sw > 1 || c.sh > 1);
    // the register-blocked form (conv.comp DIRECT, PHASE included) where the executor asks for
    // it (a CPU driver: AimNnVkRec.direct_conv)
    int direct = rc->direct_conv && !cm;
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
