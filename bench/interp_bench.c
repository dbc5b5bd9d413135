// Model A benchmark on real anime, the "drawings" protocol of ../shared/README.md:
// keep a clip's distinct drawings (frames whose truth label is not `hold`), remove every other
// drawing, rebuild it from its two neighbours at t = 0.5, score it against the removed one on
// luma, leaving out triplets that span a cut. Scores (one implementation for every method):
//   PSNR-Y   of the MSE pooled over all scored frames (8-bit luma),
//   SSIM-Y   mean over frames of the mean SSIM map: Gaussian 11x11 window, sigma 1.5,
//            K1 0.01, K2 0.03, L 255, 'valid' window positions only (Wang et al. 2004 reference),
//   edge F1  Canny edges of both (8-bit luma, thresholds 50/150, OpenCV's Canny: 3x3 Sobel,
//            L1 gradient magnitude, no pre-blur, 8-connected hysteresis); precision = rebuilt
//            edge pixels within 1 px (3x3 neighbourhood) of a true edge, recall the other way,
//            counts pooled over the clip, F1 = 2PR / (P + R),
//   edge PSNR-Y  PSNR-Y of the MSE pooled over the pixels within 1 px (3x3) of a Canny edge of
//            the removed drawing (the README's "PSNR-Y inside a dilated edge mask": line art),
//   harm     the share of changed 16x16 blocks where the in-between is worse than both
//            neighbours by more than 4 levels (bench/harm.h), pooled over the clip, and how
//            many frames have at least one such block.
// Every score is printed twice: on all scored triplets (ROW) and on the "even" ones (EVEN: the
// removed drawing lies at t = 0.4-0.6 between its neighbours by frame numbers, so 0.5 is its
// true time).
// Engines (--engines, comma-separated): an engine name with optional ':' suffixes: blendfb (the
// classic engine's blend fallback), s1 / s2 / s4 (flow_downscale 1 / 2 / 4: RIFE scale 1 / 0.5 /
// 0.25), t (render at the removed drawing's true time from the frame numbers instead of 0.5), next
// (the pair swapped and t = 1 - t: "dup:next" is a copy of the following drawing), o (an oracle, a
// diagnostic and not a method: per triplet the candidate nearest the removed drawing in MSE among
// f0, t = 0.25, 0.5, 0.75 and f1; ORACLE lines count the choices). A ":t" or ":o" engine listed
// after its plain engine reuses that engine's t = 0.5 frames.
// Modes (bench/interp_bench.sh drives them):
//   prep  --raw R --size WxH --truth CSV --half OUT   writes the half-rate drawings (peer input)
//   score --raw R --size WxH --truth CSV [--peer NAME=FILE]... [--threads2] [--dump DIR]
//   rss   --raw R --size WxH                         peak RSS of the classic engine, 2 threads
// R is the clip decoded to raw yuv420p 8-bit. A peer FILE is its output for the half-rate input
// at twice the rate: frame 2i+1 is its t = 0.5 frame between drawings 2i and 2i+2.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "harm.h"

#include "core/clock.h"
#include "core/cpu.h"
#include "core/pool.h"
#include "interp/interp.h"

// The single-threaded measurements use the process's CPU time (aim_cpu_s), so that other jobs
// on a shared machine do not count (the driver measures ffmpeg's user+sys the same way).

static void die(const char *msg)
{
    fprintf(stderr, "interp_bench: %s\n", msg);
    exit(1);
}

// ---- truth and drawings ------------------------------------------------------------------

typedef struct Clip {
    int w, h;
    int nframes;
    char *label;      ///< per frame: 's' start, 'c' cut, 'h' hold, 'm' motion, 'f' fade
    int *draw, ndraw; ///< frame index of each drawing
    int ntrip;        ///< triplets (2i, 2i+1, 2i+2) in drawings
    int *scored;      ///< per triplet: 1 unless it spans a cut
    int *even;        ///< per triplet: the removed drawing lies at t = 0.4-0.6 (frame numbers)
    int nscored;
    FILE *raw;
    size_t fsize;
} Clip;

static void load_truth(Clip *c, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot open truth csv");
    char line[4096];
    int cap = 0;
    c->nframes = 0;
    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '#' || !strncmp(line, "frame", 5))
            continue;
        int idx;
        char lab[32];
        if (sscanf(line, "%d,%31[^,\n]", &idx, lab) != 2)
            continue;
        if (idx >= cap) {
            cap = cap ? cap * 2 : 1024;
            while (idx >= cap)
                cap *= 2;
            c->label = realloc(c->label, (size_t)cap);
        }
        c->label[idx] = lab[0];
        if (idx + 1 > c->nframes)
            c->nframes = idx + 1;
    }
    fclose(f);
    c->draw = malloc(sizeof(int) * (size_t)c->nframes);
    c->ndraw = 0;
    for (int i = 0; i < c->nframes; i++)
        if (c->label[i] != 'h')
            c->draw[c->ndraw++] = i;
    c->ntrip = (c->ndraw - 1) / 2;
    c->scored = calloc((size_t)c->ntrip + 1, sizeof(int));
    c->even = calloc((size_t)c->ntrip + 1, sizeof(int));
    c->nscored = 0;
    for (int i = 0; i < c->ntrip; i++) {
        const int *d = c->draw + 2 * i;
        double t = (double)(d[1] - d[0]) / (d[2] - d[0]);
        c->even[i] = t >= 0.4 && t <= 0.6;
        // the intervals d[2i] -> d[2i+1] -> d[2i+2] contain a cut iff one of the two later
        // drawings is labelled cut (frames between drawings are holds)
        int cut = c->label[c->draw[2 * i + 1]] == 'c' || c->label[c->draw[2 * i + 2]] == 'c';
        c->scored[i] = !cut;
        c->nscored += !cut;
    }
}

static void open_raw(Clip *c, const char *path)
{
    c->raw = fopen(path, "rb");
    if (!c->raw)
        die("cannot open raw clip");
    c->fsize = (size_t)c->w * c->h + 2 * (size_t)((c->w + 1) / 2) * ((c->h + 1) / 2);
}

static void read_raw(FILE *f, size_t fsize, int idx, uint8_t *buf)
{
    if (fseeko(f, (off_t)idx * (off_t)fsize, SEEK_SET) || fread(buf, 1, fsize, f) != fsize)
        die("short read from raw file");
}

static void to_frame(const uint8_t *buf, AimFrame *fr)
{
    const uint8_t *p = buf;
    for (int pl = 0; pl < 3; pl++) {
        int pw = aim_plane_w(fr, pl), ph = aim_plane_h(fr, pl);
        for (int y = 0; y < ph; y++)
            for (int x = 0; x < pw; x++)
                fr->data[pl][y * fr->stride[pl] + x] = *p++;
    }
}

// ---- metrics -----------------------------------------------------------------------------

typedef struct Score {
    double se;          ///< summed squared error (luma)
    double npix;
    double ssim_sum;
    int nframes;
    double tp_p, n_rebuilt, tp_r, n_true; ///< edge counts
    double se_edge, n_edge;               ///< squared error and pixels near true edges
    AimHarm harm;
    int hframes; ///< frames with at least one harmed block
} Score;

typedef struct Scratch {
    int w, h;
    float *a, *b, *tmp[5], *acc[5];
    uint8_t *e0, *e1, *d0, *d1;
    float *mag;
    int *dir;
    int *stack;
} Scratch;

static void scratch_init(Scratch *s, int w, int h)
{
    s->w = w;
    s->h = h;
    size_t n = (size_t)w * h;
    s->a = malloc(n * sizeof(float));
    s->b = malloc(n * sizeof(float));
    for (int i = 0; i < 5; i++) {
        s->tmp[i] = malloc(n * sizeof(float));
        s->acc[i] = malloc(n * sizeof(float));
    }
    s->e0 = malloc(n);
    s->e1 = malloc(n);
    s->d0 = malloc(n);
    s->d1 = malloc(n);
    s->mag = malloc(n * sizeof(float));
    s->dir = malloc(n * sizeof(int));
    s->stack = malloc(n * sizeof(int));
}

// Mean SSIM over the 'valid' window positions (Gaussian 11x11, sigma 1.5).
static double ssim(Scratch *s, const uint8_t *x, const uint8_t *y)
{
    const int w = s->w, h = s->h, R = 5;
    float g[11], gs = 0;
    for (int i = -R; i <= R; i++)
        gs += g[i + R] = expf(-(float)(i * i) / (2 * 1.5f * 1.5f));
    for (int i = 0; i < 11; i++)
        g[i] /= gs;
    // horizontal pass of x, y, x^2, y^2, xy over columns R .. w-R-1
    for (int r = 0; r < h; r++)
        for (int c = R; c < w - R; c++) {
            float m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0;
            for (int k = -R; k <= R; k++) {
                float a = x[r * w + c + k], b = y[r * w + c + k], gk = g[k + R];
                m0 += gk * a;
                m1 += gk * b;
                m2 += gk * a * a;
                m3 += gk * b * b;
                m4 += gk * a * b;
            }
            size_t i = (size_t)r * w + c;
            s->tmp[0][i] = m0, s->tmp[1][i] = m1, s->tmp[2][i] = m2, s->tmp[3][i] = m3;
            s->tmp[4][i] = m4;
        }
    const double C1 = (0.01 * 255) * (0.01 * 255), C2 = (0.03 * 255) * (0.03 * 255);
    double sum = 0;
    long n = 0;
    for (int r = R; r < h - R; r++)
        for (int c = R; c < w - R; c++) {
            double m[5] = { 0 };
            for (int k = -R; k <= R; k++) {
                size_t i = (size_t)(r + k) * w + c;
                for (int q = 0; q < 5; q++)
                    m[q] += g[k + R] * s->tmp[q][i];
            }
            double mx = m[0], my = m[1];
            double vx = m[2] - mx * mx, vy = m[3] - my * my, cxy = m[4] - mx * my;
            sum += ((2 * mx * my + C1) * (2 * cxy + C2)) /
                   ((mx * mx + my * my + C1) * (vx + vy + C2));
            n++;
        }
    return n ? sum / n : 1.0;
}

// OpenCV-style Canny (see the header): edges[] = 1 on edge pixels.
static void canny(Scratch *s, const uint8_t *img, uint8_t *edges, float lo, float hi)
{
    const int w = s->w, h = s->h;
    memset(edges, 0, (size_t)w * h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int xm = x > 0 ? x - 1 : 0, xp = x < w - 1 ? x + 1 : w - 1;
            int ym = y > 0 ? y - 1 : 0, yp = y < h - 1 ? y + 1 : h - 1;
#define P(yy, xx) ((int)img[(yy) * w + (xx)])
            int dx = (P(ym, xp) + 2 * P(y, xp) + P(yp, xp)) - (P(ym, xm) + 2 * P(y, xm) + P(yp, xm));
            int dy = (P(yp, xm) + 2 * P(yp, x) + P(yp, xp)) - (P(ym, xm) + 2 * P(ym, x) + P(ym, xp));
#undef P
            s->mag[y * w + x] = (float)(abs(dx) + abs(dy));
            // direction: 0 horizontal gradient, 1 vertical, 2 / 3 the diagonals
            int ax = abs(dx), ay = abs(dy), d;
            if (ay * 1000 < ax * 414)        // tan 22.5 = 0.414
                d = 0;
            else if (ay * 1000 > ax * 2414)  // tan 67.5 = 2.414
                d = 1;
            else
                d = (dx ^ dy) < 0 ? 3 : 2;
            s->dir[y * w + x] = d;
        }
    int sp = 0;
    for (int y = 1; y < h - 1; y++)
        for (int x = 1; x < w - 1; x++) {
            int k = y * w + x;
            float m = s->mag[k];
            if (m <= lo)
                continue;
            float a, b;
            switch (s->dir[k]) {
            case 0: a = s->mag[k - 1], b = s->mag[k + 1]; break;
            case 1: a = s->mag[k - w], b = s->mag[k + w]; break;
            case 2: a = s->mag[k - w - 1], b = s->mag[k + w + 1]; break;
            default: a = s->mag[k - w + 1], b = s->mag[k + w - 1]; break;
            }
            if (!(m > a && m >= b))
                continue;
            if (m > hi) {
                edges[k] = 1;
                s->stack[sp++] = k;
            } else {
                edges[k] = 2; // candidate
            }
        }
    while (sp) {
        int k = s->stack[--sp];
        int nb[8] = { -w - 1, -w, -w + 1, -1, 1, w - 1, w, w + 1 };
        for (int i = 0; i < 8; i++) {
            int kk = k + nb[i];
            if (kk >= 0 && kk < w * h && edges[kk] == 2) {
                edges[kk] = 1;
                s->stack[sp++] = kk;
            }
        }
    }
    for (int k = 0; k < w * h; k++)
        edges[k] = edges[k] == 1;
}

static void dilate3(const uint8_t *in, uint8_t *out, int w, int h)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t v = 0;
            for (int j = -1; j <= 1 && !v; j++)
                for (int i = -1; i <= 1; i++) {
                    int yy = y + j, xx = x + i;
                    if (yy >= 0 && yy < h && xx >= 0 && xx < w && in[yy * w + xx]) {
                        v = 1;
                        break;
                    }
                }
            out[y * w + x] = v;
        }
}

static void score_add(Score *a, const Score *f)
{
    a->se += f->se, a->npix += f->npix, a->ssim_sum += f->ssim_sum, a->nframes += f->nframes;
    a->tp_p += f->tp_p, a->n_rebuilt += f->n_rebuilt, a->tp_r += f->tp_r, a->n_true += f->n_true;
    a->se_edge += f->se_edge, a->n_edge += f->n_edge;
    a->harm.changed += f->harm.changed, a->harm.harmed += f->harm.harmed;
    a->hframes += f->hframes;
}

// Scores one in-between (rebuilt) against the removed drawing (truth) into *sc, and into *even
// too unless it is NULL; n0, n1 are its two neighbours (for harm).
static void score_frame(Scratch *s, Score *sc, Score *even, const uint8_t *rebuilt,
                        const uint8_t *truth, const uint8_t *n0, const uint8_t *n1,
                        const char *what, int idx)
{
    const int n = s->w * s->h;
    Score f = { 0 };
    aim_harm_add(&f.harm, n0, n1, rebuilt, truth, s->w, s->h, NULL);
    f.hframes = f.harm.harmed > 0;
    for (int i = 0; i < n; i++) {
        double d = (double)rebuilt[i] - truth[i];
        f.se += d * d;
    }
    f.npix = n;
    f.ssim_sum = ssim(s, rebuilt, truth);
    if (getenv("AIM_BENCH_VERBOSE")) // per-frame scores, for looking at the worst cases
        printf("FRAME %s %d psnr %.2f ssim %.4f harmed %ld of %ld%s\n", what, idx,
               f.se > 0 ? 10 * log10(255.0 * 255.0 * n / f.se) : 99.0, f.ssim_sum,
               f.harm.harmed, f.harm.changed, even ? " even" : "");
    f.nframes = 1;
    canny(s, rebuilt, s->e0, 50, 150);
    canny(s, truth, s->e1, 50, 150);
    dilate3(s->e0, s->d0, s->w, s->h);
    dilate3(s->e1, s->d1, s->w, s->h);
    for (int i = 0; i < n; i++) {
        f.n_rebuilt += s->e0[i];
        f.n_true += s->e1[i];
        f.tp_p += s->e0[i] & s->d1[i];
        f.tp_r += s->e1[i] & s->d0[i];
        if (s->d1[i]) {
            double d = (double)rebuilt[i] - truth[i];
            f.se_edge += d * d;
            f.n_edge++;
        }
    }
    score_add(sc, &f);
    if (even)
        score_add(even, &f);
}

// The 2-thread pass of rife: its first this many scored triplets (4 pairs: 25-30 CPU s at
// 1080p, where one pair costs about 6 CPU s, bench/RESULTS-rife.md section 2).
#define RIFE_THREADS2_PAIRS 4

// tag: ROW (all scored triplets) or EVEN (the even ones)
static void print_score(const char *tag, const char *clip, const char *name, const Score *sc,
                        double fps)
{
    double mse = sc->se / (sc->npix > 0 ? sc->npix : 1);
    double psnr = mse > 0 ? 10 * log10(255.0 * 255.0 / mse) : 99;
    double p = sc->n_rebuilt > 0 ? sc->tp_p / sc->n_rebuilt : 0;
    double r = sc->n_true > 0 ? sc->tp_r / sc->n_true : 0;
    double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;
    double emse = sc->se_edge / (sc->n_edge > 0 ? sc->n_edge : 1);
    double epsnr = emse > 0 ? 10 * log10(255.0 * 255.0 / emse) : 99;
    printf("%s %s %s psnr %.2f ssim %.4f f1 %.4f epsnr %.2f fps %.2f frames %d harm %.3f "
           "harmed %ld changed %ld hframes %d\n", tag, clip, name, psnr,
           sc->nframes ? sc->ssim_sum / sc->nframes : 0, f1, epsnr, fps, sc->nframes,
           aim_harm_percent(&sc->harm), sc->harm.harmed, sc->harm.changed, sc->hframes);
}

// ---- modes -------------------------------------------------------------------------------

typedef struct Args {
    const char *mode, *raw, *truth, *half, *dump, *name;
    int w, h;
    const char *peer_name[8], *peer_file[8];
    int npeers;
    int threads2;
    int every;            ///< score every Nth scored triplet only (quick runs while tuning)
    const char *engines;
} Args;

static void usage(void)
{
    fprintf(stderr, "usage: interp_bench prep|score|rss --raw R --size WxH [--truth CSV] "
                    "[--half OUT] [--peer NAME=FILE]... [--threads2] [--name CLIP] "
                    "[--engines dup,blend,classic]\n");
    exit(2);
}

static void parse(Args *a, int argc, char **argv)
{
    memset(a, 0, sizeof(*a));
    a->engines = "dup,blend,classic";
    a->name = "clip";
    if (argc < 2)
        usage();
    a->mode = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(o, "--threads2")) {
            a->threads2 = 1;
            continue;
        }
        if (!v)
            usage();
        i++;
        if (!strcmp(o, "--raw"))
            a->raw = v;
        else if (!strcmp(o, "--truth"))
            a->truth = v;
        else if (!strcmp(o, "--half"))
            a->half = v;
        else if (!strcmp(o, "--dump"))
            a->dump = v;
        else if (!strcmp(o, "--name"))
            a->name = v;
        else if (!strcmp(o, "--engines"))
            a->engines = v;
        else if (!strcmp(o, "--every"))
            a->every = atoi(v);
        else if (!strcmp(o, "--size")) {
            if (sscanf(v, "%dx%d", &a->w, &a->h) != 2)
                usage();
        } else if (!strcmp(o, "--peer") && a->npeers < 8) {
            const char *eq = strchr(v, '=');
            if (!eq)
                usage();
            a->peer_name[a->npeers] = strndup(v, (size_t)(eq - v));
            a->peer_file[a->npeers++] = eq + 1;
        } else
            usage();
    }
    if (!a->raw || a->w <= 0 || a->h <= 0)
        usage();
}

static int mode_prep(const Args *a, Clip *c)
{
    FILE *out = fopen(a->half, "wb");
    if (!out)
        die("cannot write half-rate file");
    uint8_t *buf = malloc(c->fsize);
    int n = 0;
    for (int i = 0; i <= 2 * c->ntrip; i += 2, n++) {
        read_raw(c->raw, c->fsize, c->draw[i], buf);
        fwrite(buf, 1, c->fsize, out);
    }
    // minterpolate emits nothing for its last input pair: repeat the last drawing once
    fwrite(buf, 1, c->fsize, out);
    fclose(out);
    int neven = 0;
    for (int i = 0; i < c->ntrip; i++)
        neven += c->scored[i] && c->even[i];
    printf("PREP %s frames %d drawings %d triplets %d scored %d even %d half %d\n", a->name,
           c->nframes, c->ndraw, c->ntrip, c->nscored, neven, n);
    free(buf);
    return 0;
}

static void save_pgm(const char *dir, const char *clip, const char *what, int idx,
                     const uint8_t *y, int w, int h)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s_%04d_%s.pgm", dir, clip, idx, what);
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    fprintf(f, "P5 %d %d 255\n", w, h);
    fwrite(y, 1, (size_t)w * h, f);
    fclose(f);
}

static void luma8(const AimFrame *f, uint8_t *y)
{
    for (int r = 0; r < f->height; r++)
        for (int x = 0; x < f->width; x++)
            y[r * f->width + x] = (uint8_t)f->data[0][r * f->stride[0] + x];
}

static int mode_score(const Args *a, Clip *c)
{
    const int w = c->w, h = c->h;
    Scratch s;
    scratch_init(&s, w, h);
    uint8_t *b0 = malloc(c->fsize), *b1 = malloc(c->fsize), *bt = malloc(c->fsize);
    uint8_t *yo = malloc((size_t)w * h);
    uint8_t *n0 = malloc(c->fsize), *n1 = malloc(c->fsize); // a peer's neighbours
    AimFrame *f0 = NULL, *f1 = NULL, *o = NULL;
    aim_frame_alloc(&f0, w, h, 8, 1);
    aim_frame_alloc(&f1, w, h, 8, 1);
    aim_frame_alloc(&o, w, h, 8, 1);
    unsigned cpu = aim_cpu_detect();
    // AIM_BENCH_CPU=0: the C references only (or a mask of AIM_CPU_* flags): the difference
    // between two ISA paths is float-rounding noise, the yardstick for "same quality"
    if (getenv("AIM_BENCH_CPU"))
        cpu &= (unsigned)strtoul(getenv("AIM_BENCH_CPU"), NULL, 0);
    // Luma of the last engine rendered at t = 0.5, per triplet, kept when the list also holds
    // its ":t" variant: that variant's triplets whose true time is 0.5 are the same frame
    // (deterministic engines), so it renders only the others (RIFE costs seconds per pair).
    uint8_t **cache = calloc((size_t)c->ntrip + 1, sizeof(*cache));
    char cache_name[64] = "";
    // our engines
    char engines[256];
    snprintf(engines, sizeof(engines), "%s", a->engines);
    for (char *save = NULL, *e = strtok_r(engines, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
        AimInterpSettings st;
        aim_interp_default_settings(&st);
        // suffixes (see the header): "classic:blendfb", "rife:s2", "rife:t", "dup:next"
        char ename[64];
        snprintf(ename, sizeof(ename), "%s", e);
        int timed = 0, next = 0, oracle = 0;
        for (char *colon = strchr(ename, ':'); colon; colon = strchr(colon + 1, ':')) {
            *colon = 0;
            const char *opt = colon + 1;
            if (!strncmp(opt, "blendfb", 7))
                st.fallback = AIM_INTERP_FALLBACK_BLEND;
            else if (!strncmp(opt, "s1", 2))
                st.flow_downscale = 1;
            else if (!strncmp(opt, "s2", 2))
                st.flow_downscale = 2;
            else if (!strncmp(opt, "s4", 2))
                st.flow_downscale = 4;
            else if (!strncmp(opt, "t", 1))
                timed = 1;
            else if (!strncmp(opt, "o", 1))
                oracle = 1;
            else if (!strncmp(opt, "next", 4))
                next = 1;
            else
                die("unknown engine suffix");
        }
        st.engine = ename;
        st.width = w;
        st.height = h;
        st.cpu_flags = cpu;
        AimInterp *ip = NULL;
        if (aim_interp_create(&ip, &st) < 0)
            die("engine create failed");
        // e without its ":t" / ":o": the engine whose t = 0.5 frames this one may reuse
        char base[64];
        snprintf(base, sizeof(base), "%s", e);
        for (const char *const *sf = (const char *const[]){ ":t", ":o", NULL }; *sf; sf++) {
            char *tsuf = strstr(base, *sf);
            if (tsuf && (tsuf[2] == 0 || tsuf[2] == ':'))
                memmove(tsuf, tsuf + 2, strlen(tsuf + 2) + 1);
        }
        int reuse = (timed || oracle) && !strcmp(base, cache_name);
        int keep = 0;
        for (const char *const *sf = (const char *const[]){ ":t", ":o", NULL }; *sf; sf++) {
            char with[80];
            snprintf(with, sizeof(with), "%s%s", e, *sf);
            const char *hit = strstr(a->engines, with);
            size_t l = strlen(with);
            keep |= !timed && !oracle && !next && hit &&
                    (hit[l] == 0 || hit[l] == ',' || hit[l] == ':');
        }
        // the oracle's candidates: f0, t = 0.25, 0.5, 0.75, f1; the one nearest the truth
        static const double ocand[5] = { 0, 0.25, 0.5, 0.75, 1 };
        int ohist[5] = { 0 };
        if (keep)
            snprintf(cache_name, sizeof(cache_name), "%s", e);
        Score sc = { 0 }, sce = { 0 };
        double busy = 0;
        int rendered = 0, reused = 0;
        for (int i = 0; i < c->ntrip; i++) {
            if (!c->scored[i])
                continue;
            read_raw(c->raw, c->fsize, c->draw[2 * i], b0);
            read_raw(c->raw, c->fsize, c->draw[2 * i + 2], b1);
            read_raw(c->raw, c->fsize, c->draw[2 * i + 1], bt);
            to_frame(b0, f0);
            to_frame(b1, f1);
            double tt = timed ? (double)(c->draw[2 * i + 1] - c->draw[2 * i]) /
                                (c->draw[2 * i + 2] - c->draw[2 * i]) : 0.5;
            if (oracle) {
                double best = -1;
                int best_k = 0;
                for (int k = 0; k < 5; k++) {
                    const uint8_t *cand = yo;
                    if (k == 0 || k == 4) {
                        cand = k ? b1 : b0; // the luma plane comes first in the raw frame
                    } else if (k == 2 && reuse && cache[i]) {
                        cand = cache[i];
                        reused++;
                    } else {
                        double t0 = aim_cpu_s();
                        if (aim_interp_set_pair(ip, f0, f1, NULL) < 0 ||
                            aim_interp_render(ip, ocand[k], o) < 0)
                            die("interp failed");
                        busy += aim_cpu_s() - t0;
                        rendered++;
                        luma8(o, s.e0); // scratch until score_frame
                        cand = s.e0;
                    }
                    double se = 0;
                    for (int q = 0; q < w * h; q++)
                        se += ((double)cand[q] - bt[q]) * ((double)cand[q] - bt[q]);
                    if (best < 0 || se < best) {
                        best = se;
                        best_k = k;
                        if (cand != yo)
                            memcpy(yo, cand, (size_t)w * h);
                    }
                }
                ohist[best_k]++;
            } else if (reuse && tt == 0.5 && cache[i]) {
                memcpy(yo, cache[i], (size_t)w * h);
                reused++;
            } else {
                double t0 = aim_cpu_s();
                if (aim_interp_set_pair(ip, next ? f1 : f0, next ? f0 : f1, NULL) < 0 ||
                    aim_interp_render(ip, next ? 1 - tt : tt, o) < 0)
                    die("interp failed");
                busy += aim_cpu_s() - t0;
                rendered++;
                luma8(o, yo);
            }
            if (keep) {
                if (!cache[i])
                    cache[i] = malloc((size_t)w * h);
                memcpy(cache[i], yo, (size_t)w * h);
            }
            score_frame(&s, &sc, c->even[i] ? &sce : NULL, yo, bt, b0, b1, e, i);
            if (a->dump) {
                save_pgm(a->dump, a->name, e, i, yo, w, h);
                if (!strcmp(e, "dup")) {
                    save_pgm(a->dump, a->name, "truth", i, bt, w, h);
                    save_pgm(a->dump, a->name, "f1", i, b1, w, h);
                }
            }
        }
        char name[64];
        snprintf(name, sizeof(name), "%s", e);
        print_score("ROW", a->name, name, &sc, rendered / (busy > 0 ? busy : 1e-9));
        print_score("EVEN", a->name, name, &sce, 0);
        if (oracle)
            printf("ORACLE %s %s chosen f0 %d t0.25 %d t0.5 %d t0.75 %d f1 %d\n", a->name, e,
                   ohist[0], ohist[1], ohist[2], ohist[3], ohist[4]);
        if (reused)
            printf("REUSED %s %s %d of %d frames are %s's t = 0.5 frames (fps over the %d "
                   "rendered)\n", a->name, e, reused, sc.nframes, base, rendered);
        if (!strcmp(e, "classic") || !strcmp(e, "rife")) {
            AimInterpStats stt;
            aim_interp_get_stats(ip, &stt);
            printf("STAGES %s %s1thread", a->name, strcmp(e, "rife") ? "" : "rife_");
            for (int k = 0; k < stt.nstages; k++)
                printf(" %s=%.2fms", stt.stage[k].name, 1e3 * stt.stage[k].seconds / stt.frames);
            printf(" set_pair=%.2fms render=%.2fms\n", 1e3 * stt.set_pair_s / stt.pairs,
                   1e3 * stt.render_s / stt.frames);
        }
        aim_interp_destroy(&ip);
        // both cores: a pool of 1 worker + the caller; engine time only. The default engine on
        // every triplet, rife on the first RIFE_THREADS2_PAIRS (seconds per pair: the speed,
        // not a score, is what this pass measures)
        const int rife2 = !strcmp(e, "rife");
        if ((!strcmp(e, "classic") || rife2) && a->threads2) {
            AimPool *pool = NULL;
            aim_pool_create(&pool, 1);
            st.pool = pool;
            aim_interp_create(&ip, &st);
            double busy2 = 0, cpu2 = 0;
            int n2 = 0;
            for (int i = 0; i < c->ntrip && !(rife2 && n2 >= RIFE_THREADS2_PAIRS); i++) {
                if (!c->scored[i])
                    continue;
                read_raw(c->raw, c->fsize, c->draw[2 * i], b0);
                read_raw(c->raw, c->fsize, c->draw[2 * i + 2], b1);
                to_frame(b0, f0);
                to_frame(b1, f1);
                double t0 = aim_now_s(), c0 = aim_cpu_s();
                aim_interp_set_pair(ip, f0, f1, NULL);
                aim_interp_render(ip, 0.5, o);
                busy2 += aim_now_s() - t0;
                cpu2 += aim_cpu_s() - c0;
                n2++;
            }
            AimInterpStats stt;
            aim_interp_get_stats(ip, &stt);
            printf("THREADS2 %s %s fps %.2f frames %d cpu_per_frame_ms %.2f\n", a->name, e,
                   n2 / busy2, n2, 1e3 * cpu2 / n2);
            printf("STAGES %s %s2threads", a->name, rife2 ? "rife_" : "");
            for (int k = 0; k < stt.nstages; k++)
                printf(" %s=%.2fms", stt.stage[k].name, 1e3 * stt.stage[k].seconds / stt.frames);
            printf(" set_pair=%.2fms render=%.2fms\n", 1e3 * stt.set_pair_s / stt.pairs,
                   1e3 * stt.render_s / stt.frames);
            aim_interp_destroy(&ip);
            aim_pool_destroy(&pool);
        }
        fflush(stdout);
    }
    for (int i = 0; i <= c->ntrip; i++)
        free(cache[i]);
    free(cache);
    // peers: frame 2i+1 of their output
    for (int p = 0; p < a->npeers; p++) {
        FILE *pf = fopen(a->peer_file[p], "rb");
        if (!pf)
            die("cannot open peer output");
        Score sc = { 0 }, sce = { 0 };
        int exact = 0, checked = 0;
        for (int i = 0; i < c->ntrip; i++) {
            // sanity: the peer's frame 2i must be drawing 2i unchanged (alignment check)
            if (i < 4) {
                read_raw(pf, c->fsize, 2 * i, b0);
                read_raw(c->raw, c->fsize, c->draw[2 * i], b1);
                exact += !memcmp(b0, b1, (size_t)w * h);
                checked++;
            }
            if (!c->scored[i])
                continue;
            read_raw(pf, c->fsize, 2 * i + 1, b0);
            read_raw(c->raw, c->fsize, c->draw[2 * i + 1], bt);
            read_raw(c->raw, c->fsize, c->draw[2 * i], n0);
            read_raw(c->raw, c->fsize, c->draw[2 * i + 2], n1);
            score_frame(&s, &sc, c->even[i] ? &sce : NULL, b0, bt, n0, n1, a->peer_name[p], i);
            if (a->dump)
                save_pgm(a->dump, a->name, a->peer_name[p], i, b0, w, h);
        }
        fclose(pf);
        print_score("ROW", a->name, a->peer_name[p], &sc, 0);
        print_score("EVEN", a->name, a->peer_name[p], &sce, 0);
        printf("ALIGN %s %s %d/%d even frames equal the drawings\n", a->name, a->peer_name[p],
               exact, checked);
    }
    return 0;
}

static long rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int mode_rss(const Args *a, Clip *c)
{
    uint8_t *b = malloc(c->fsize);
    AimFrame *f0 = NULL, *f1 = NULL, *o = NULL;
    aim_frame_alloc(&f0, c->w, c->h, 8, 1);
    aim_frame_alloc(&f1, c->w, c->h, 8, 1);
    aim_frame_alloc(&o, c->w, c->h, 8, 1);
    read_raw(c->raw, c->fsize, 0, b);
    to_frame(b, f0);
    read_raw(c->raw, c->fsize, 2, b);
    to_frame(b, f1);
    long before = rss_kb();
    AimPool *pool = NULL;
    aim_pool_create(&pool, 1);
    AimInterpSettings st;
    aim_interp_default_settings(&st);
    st.width = c->w;
    st.height = c->h;
    st.cpu_flags = aim_cpu_detect();
    st.pool = pool;
    AimInterp *ip = NULL;
    if (aim_interp_create(&ip, &st) < 0)
        die("create failed");
    for (int i = 0; i < 5; i++) {
        aim_interp_set_pair(ip, i & 1 ? f1 : f0, i & 1 ? f0 : f1, NULL);
        aim_interp_render(ip, 0.5, o);
        aim_interp_render(ip, 0.25, o);
    }
    long after = rss_kb();
    printf("RSS %s %dx%d peak_rss_kb %ld before_engine_kb %ld engine_kb %ld\n", a->name, c->w,
           c->h, after, before, after - before);
    aim_interp_destroy(&ip);
    aim_pool_destroy(&pool);
    return 0;
}

int main(int argc, char **argv)
{
    Args a;
    parse(&a, argc, argv);
    Clip c = { .w = a.w, .h = a.h };
    open_raw(&c, a.raw);
    if (!strcmp(a.mode, "rss"))
        return mode_rss(&a, &c);
    if (!a.truth)
        usage();
    load_truth(&c, a.truth);
    if (a.every > 1) // keep every Nth scored triplet
        for (int i = 0, k = 0; i < c.ntrip; i++)
            if (c.scored[i] && (k++ % a.every)) {
                c.scored[i] = 0;
                c.nscored--;
            }
    if (!strcmp(a.mode, "prep")) {
        if (!a.half)
            usage();
        return mode_prep(&a, &c);
    }
    if (!strcmp(a.mode, "score"))
        return mode_score(&a, &c);
    usage();
    return 2;
}
