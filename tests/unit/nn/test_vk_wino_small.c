// Winograd's small shape (src/nn/vk/conv.c WINO_GEMM_SMALL_TILES; SMALL in wino_in.comp,
// wino_gemm.comp, wino_out.comp): with the register-blocked GEMM (AIM_VK_WGEMM=direct, a CPU
// driver's default) chunks of fewer than 128 tiles take it. For 3x3 layers under F(2x2) and
// F(4x4) (forced) on planes of 1 to 1056 tiles, channel counts off its 16 x 4 block (cout 3, 7,
// 13, 21, 37; cin 5, 19, 37), on both devices:
//  - the output with every chunk in the small shape (AIM_VK_WSMALL=huge) equals, bit for bit,
//    the output with every chunk in the big one (AIM_VK_WSMALL=0), and the log (conv.c's debug
//    line, once per layer and shape) says each run really took the shape asked for, so the check
//    compares two different dispatches;
//  - by default each chunk's shape is the threshold's: planes of 127 and 128 tiles of each tile
//    size pin it (a planted <= or < 127 fails one case each), and a layer of two chunks (1008 +
//    48 tiles) takes the big shape, then the small one for its tail;
//  - the default's output is within vk_check.h's tolerances of the CPU op, validation on.
#include <stdlib.h>

#include "vk_check.h"

#define HUGE_TILES "1073741824" // gpu.c clamps AIM_VK_WSMALL there: every chunk is below it

typedef struct Shapes {
    int nsmall, nbig; ///< chunks logged in each shape
    int bad;          ///< chunks whose shape is not (tiles < threshold), threshold >= 0
    int threshold;    ///< -1: not checked
    int tiles[4];     ///< the first chunks' tile counts
} Shapes;

static void shapes_cb(void *o, AimLogLevel l, const char *msg)
{
    Shapes *s = o;
    if (l <= AIM_LOG_WARNING)
        fprintf(stderr, "  log: %s\n", msg);
    int m, m2, nt;
    char shape[8];
    if (sscanf(msg, "vulkan: c: Winograd F(%dx%d) chunk of %d tiles, %7s", &m, &m2, &nt,
               shape) != 4)
        return;
    int small = !strcmp(shape, "small");
    if (s->nsmall + s->nbig < 4)
        s->tiles[s->nsmall + s->nbig] = nt;
    s->nsmall += small;
    s->nbig += !small;
    if (s->threshold >= 0 && small != (nt < s->threshold))
        s->bad++;
}

// The layer's output on device d with AIM_VK_WSMALL=wsmall (NULL: unset), copied (channel-major
// floats; the caller frees it), the chunks' shapes in *sh.
static float *run_small(VkCheck *vc, int d, const AimNet *net, const AimNnMat *in,
                        const char *wsmall, Shapes *sh)
{
    if (wsmall)
        setenv("AIM_VK_WSMALL", wsmall, 1);
    else
        unsetenv("AIM_VK_WSMALL");
    AimLog log = { shapes_cb, sh, AIM_LOG_DEBUG };
    char what[48];
    snprintf(what, sizeof(what), "AIM_VK_WSMALL=%s", wsmall ? wsmall : "(unset)");
    float *o = vkc_gpu_output(vc->dev[d], &log, net, in, what);
    unsetenv("AIM_VK_WSMALL");
    return o;
}

typedef struct Case {
    int cin, cout, w, h; ///< padded by 1: the output plane is w x h
    int m;               ///< 2, 4: the tile forced; 0: both
} Case;

static const Case cases[] = {
    { 5, 7, 1, 1, 0 },      // one tile
    { 19, 3, 9, 7, 0 },     // to RGB: 20 / 6 tiles
    { 37, 21, 13, 11, 0 },  // 42 / 12 tiles, cout 16 + 5
    { 16, 13, 23, 10, 0 },  // 60 / 18 tiles, one partial channel block
    { 16, 37, 17, 15, 0 },  // 72 / 20 tiles, 16 + 16 + 5 channels
    { 5, 16, 254, 1, 2 },   // F(2x2) 127 tiles: small
    { 5, 16, 32, 16, 2 },   // F(2x2) 128 tiles: big
    { 7, 19, 508, 3, 4 },   // F(4x4) 127 tiles: small
    { 7, 19, 64, 32, 4 },   // F(4x4) 128 tiles: big
    { 13, 9, 255, 2, 2 },   // F(2x2) 128 tiles, the last column's tiles hang over the edge
    // F(2x2): 1056 tiles in chunks of 1008 (test_vk_winograd's): big, then a tail of 48, small
    { 512, 8, 66, 64, 2 },
};

int main(void)
{
    setenv("AIM_VK_WGEMM", "direct", 1); // the GEMM the small shape belongs to, on any device
    VkCheck vc;
    vkc_open(&vc);
    const char *in = "data";
    static const char *const form[2] = { "winograd", "winograd4" };
    int pinned[2][2] = { { 0 } }; // per tile size: 127 tiles seen small, 128 seen big
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const Case *c = &cases[i];
        const VkcConv L[] = { { c->cin, c->cout, 3 } };
        char param[256];
        snprintf(param, sizeof(param), "7767517\n2 2\nInput in 0 1 data\n"
                 "Convolution c 1 1 data out 0=%d 1=3 4=1 5=1 6=%d%s\n", c->cout,
                 c->cin * c->cout * 9, i % 2 ? " 9=2 -23310=1,0.1" : "");
        size_t total;
        unsigned char *bin = vkc_chain_bin(L, 1, &total);
        AimNet *net = vkc_net(&vc, param, bin, total);
        AimNnMat x;
        vkc_rand(&x, 3, c->w, c->h, c->cin, 900 + (unsigned)i);
        for (int k = 0; k < 2; k++) {
            int wm = 2 + 2 * k;
            if (c->m && c->m != wm)
                continue;
            setenv("AIM_VK_CONV", form[k], 1);
            int tiles = ((c->w + wm - 1) / wm) * ((c->h + wm - 1) / wm);
            char what[96];
            snprintf(what, sizeof(what), "%d->%d %dx%d F(%dx%d), %d tiles", c->cin, c->cout,
                     c->w, c->h, wm, wm, tiles);
            for (int d = 0; d < 2 && vc.dev[d]; d++) {
                Shapes ss = { .threshold = -1 }, sb = { .threshold = -1 };
                Shapes sd = { .threshold = 128 }; // conv.c WINO_GEMM_SMALL_TILES
                float *os = run_small(&vc, d, net, &x, HUGE_TILES, &ss);
                float *ob = run_small(&vc, d, net, &x, "0", &sb);
                float *od = run_small(&vc, d, net, &x, NULL, &sd);
                const char *dn = d ? "fp16" : "fp32";
                CHECK_MSG(ss.nsmall >= 1 && !ss.nbig, "%s %s: forced small: %d small, %d big "
                          "chunks", what, dn, ss.nsmall, ss.nbig);
                CHECK_MSG(sb.nbig >= 1 && !sb.nsmall, "%s %s: forced big: %d small, %d big "
                          "chunks", what, dn, sb.nsmall, sb.nbig);
                CHECK_MSG(sd.nsmall + sd.nbig >= 1 && !sd.bad, "%s %s: default: %d chunks not "
                          "in the threshold's shape", what, dn, sd.bad);
                if (c->cin == 512) // two chunks, the tail small
                    CHECK_MSG(sd.nbig == 1 && sd.nsmall == 1 && sd.tiles[0] > sd.tiles[1],
                              "%s %s: chunks %d big, %d small", what, dn, sd.nbig, sd.nsmall);
                else if (sd.nsmall + sd.nbig == 1) {
                    CHECK_EQ_INT(sd.tiles[0], tiles);
                    if (tiles == 127 || tiles == 128)
                        pinned[k][tiles - 127] += tiles == 127 ? sd.nsmall : sd.nbig;
                }
                size_t bytes = sizeof(float) * (size_t)c->w * c->h * (size_t)c->cout;
                if (os && ob && od) {
                    CHECK_MSG(!memcmp(os, ob, bytes), "%s %s: the small shape's output differs "
                              "from the big one's", what, dn);
                    CHECK_MSG(!memcmp(od, ob, bytes), "%s %s: the default's output differs "
                              "from the big shape's", what, dn);
                }
                fprintf(stderr, "%-44s %s: chunks %d small %d big by default (%d, %d tiles)\n",
                        what, dn, sd.nsmall, sd.nbig, sd.tiles[0], sd.tiles[1]);
                free(os);
                free(ob);
                free(od);
            }
            // the default against the CPU op, both precisions
            fprintf(stderr, "%-44s CPU op: %.2g\n", what,
                    vkc_compare(&vc, net, &x, &in, 1, "out", what));
        }
        unsetenv("AIM_VK_CONV");
        aim_nn_mat_free(&x);
        aim_net_destroy(&net);
        free(bin);
    }
    for (int k = 0; k < 2; k++)
        CHECK_MSG(pinned[k][0] >= 1 && pinned[k][1] >= 1, "F(%dx%d): 127 tiles seen small %d "
                  "times, 128 big %d times", 2 + 2 * k, 2 + 2 * k, pinned[k][0], pinned[k][1]);
    return vkc_close(&vc, "test_vk_wino_small");
}
