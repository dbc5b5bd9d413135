// The rife engine's region of interest: on the motion intervals of a clip (the real gate's
// records and masks, default settings), the frame at t = 0.5 rendered on the mask's region
// against the one rendered on the whole frame (the same mask plus its two corner blocks, which
// stretches the region to the frame). Only the moving blocks can differ (the rest is f0's in
// both): PSNR-Y there, and every sample (Y, U, V) outside them is checked bit for bit, against
// the whole-frame render (the two corner blocks left out) and against f0.
// The region's share of the frame is printed for EVERY motion interval (the gate alone, cheap);
// the network runs on every Nth (--every). Times: CPU seconds of the process (user + sys of all
// threads: comparable on a shared machine) and wall seconds, per pair (set_pair + render).
// Output: one INT line per scored interval, one SHARE line per motion interval, a ROI summary.
// usage: rife_roi RAW.yuv WxH [--every N] [--threads N] [--name CLIP]
// RAW: the clip decoded to raw yuv420p 8-bit. Not a product tool.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/cpu.h"
#include "core/pool.h"
#include "gate/gate.h"
#include "interp/engine.h"
#include "interp/interp.h"

#define RING 8

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    if (n <= 0)
        return 0;
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n & 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double mean(const double *v, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += v[i];
    return n > 0 ? s / n : 0;
}

static int read_frame(FILE *f, AimFrame *fr)
{
    for (int p = 0; p < 3; p++)
        for (int y = 0; y < aim_plane_h(fr, p); y++) {
            uint8_t row[16384];
            int w = aim_plane_w(fr, p);
            if (fread(row, 1, (size_t)w, f) != (size_t)w)
                return -1;
            for (int x = 0; x < w; x++)
                fr->data[p][y * fr->stride[p] + x] = row[x];
        }
    return 0;
}

// The region the engine picks (aim_rife_region, network stride 32 at scale 1); returns its
// share of the frame, 0 when no block moves.
static double region(const AimMotionMask *m, int w, int h, int *rx, int *ry, int *rw, int *rh)
{
    int r = aim_rife_region(m, w, h, 32, rx, ry, rw, rh);
    return r < 0 ? 0 : r == 0 ? 1 : (double)*rw * *rh / ((double)w * h);
}

// Samples of plane p outside the moving blocks (and outside the blocks `skip` marks, if any)
// where a and b differ.
static long diff_outside(const AimFrame *a, const AimFrame *b, int p, const AimMotionMask *m,
                         const uint8_t *skip, long *compared)
{
    int sub = p ? 2 : 1, blk = m->block / sub;
    long n = 0;
    for (int y = 0; y < aim_plane_h(a, p); y++)
        for (int x = 0; x < aim_plane_w(a, p); x++) {
            size_t k = (size_t)(y / blk) * m->w + x / blk;
            if (m->data[k] || (skip && skip[k]))
                continue;
            ++*compared;
            n += a->data[p][y * a->stride[p] + x] != b->data[p][y * b->stride[p] + x];
        }
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: rife_roi RAW.yuv WxH [--every N] [--threads N] [--name CLIP]\n");
        return 2;
    }
    int w, h, every = 1, threads = 1;
    const char *name = argv[1];
    if (sscanf(argv[2], "%dx%d", &w, &h) != 2)
        return 2;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--every"))
            every = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--name"))
            name = argv[i + 1];
    }
    every = every < 1 ? 1 : every;
    FILE *in = fopen(argv[1], "rb");
    if (!in)
        return fprintf(stderr, "cannot open %s\n", argv[1]), 1;
    AimPool *pool = NULL;
    aim_pool_create(&pool, threads > 1 ? threads - 1 : 0);
    AimGateSettings gs;
    aim_gate_default_settings(&gs);
    gs.cpu_flags = aim_cpu_detect();
    AimGate *g = NULL;
    if (aim_gate_create(&g, &gs) < 0)
        return 1;
    AimInterpSettings is;
    aim_interp_default_settings(&is);
    is.engine = "rife";
    is.width = w;
    is.height = h;
    is.pool = pool;
    is.cpu_flags = aim_cpu_detect();
    AimInterp *ip = NULL;
    if (aim_interp_create(&ip, &is) < 0)
        return fprintf(stderr, "rife engine: model missing?\n"), 77;
    AimFrame *ring[RING] = { 0 }, *full = NULL, *roi = NULL;
    aim_frame_alloc(&full, w, h, 8, 0);
    aim_frame_alloc(&roi, w, h, 8, 0);
    // per motion interval: the region's share; per scored one: times (CPU, wall) and speed-up
    int cap = 4096;
    double *share_all = malloc(sizeof(double) * cap), *share = malloc(sizeof(double) * cap);
    double *cf = malloc(sizeof(double) * cap), *cr = malloc(sizeof(double) * cap);
    double *wf = malloc(sizeof(double) * cap), *wr = malloc(sizeof(double) * cap);
    double *su = malloc(sizeof(double) * cap);
    double se = 0, npix = 0, se_reg = 0, npix_reg = 0;
    long bad_full = 0, bad_f0 = 0, checked = 0;
    int nmotion = 0, nscored = 0, nsmall = 0, eof = 0;
    int64_t sent = 0;
    while (1) {
        AimGateRecord rec;
        int r = aim_gate_receive(g, &rec);
        if (r == AIM_ERR(EAGAIN)) {
            if (eof)
                break;
            AimFrame *f = NULL;
            aim_frame_alloc(&f, w, h, 8, 0);
            if (read_frame(in, f) < 0) {
                aim_frame_unref(&f);
                aim_gate_send(g, NULL);
                eof = 1;
                continue;
            }
            f->index = sent;
            aim_frame_unref(&ring[sent % RING]);
            ring[sent % RING] = aim_frame_ref(f);
            aim_gate_send(g, f);
            aim_frame_unref(&f);
            sent++;
            continue;
        }
        if (r < 0)
            break;
        if (rec.cls != AIM_CLASS_MOTION || !rec.mask.data || nmotion >= cap) {
            aim_gate_record_clear(&rec);
            continue;
        }
        if (sent - rec.frame >= RING)
            return fprintf(stderr, "ring too small for the gate's lookahead\n"), 1;
        AimMotionMask m = rec.mask;
        int rx, ry, rw, rh;
        double a = region(&m, w, h, &rx, &ry, &rw, &rh);
        share_all[nmotion] = a;
        printf("SHARE %s %d %.4f\n", name, (int)rec.frame, a);
        if (nmotion++ % every == 0) {
            AimFrame *f0 = ring[(rec.frame - 1) % RING], *f1 = ring[rec.frame % RING];
            AimMotionMask mf = m;
            size_t nb = (size_t)m.w * m.h;
            mf.data = malloc(nb);
            memcpy(mf.data, m.data, nb);
            mf.data[0] = mf.data[nb - 1] = 1; // corners: the region becomes the whole frame
            uint8_t *corners = calloc(nb, 1);
            corners[0] = corners[nb - 1] = 1;
            double c0 = aim_cpu_s(), t0 = aim_now_s();
            int k = nscored;
            if (a < 1) {
                aim_interp_set_pair(ip, f0, f1, &mf);
                aim_interp_render(ip, 0.5, full);
                double c1 = aim_cpu_s(), t1 = aim_now_s();
                cf[k] = c1 - c0;
                wf[k] = t1 - t0;
                aim_interp_set_pair(ip, f0, f1, &m);
                aim_interp_render(ip, 0.5, roi);
                cr[k] = aim_cpu_s() - c1;
                wr[k] = aim_now_s() - t1;
                nsmall++;
            } else { // the engine runs on the whole frame: one render is both
                aim_interp_set_pair(ip, f0, f1, &m);
                aim_interp_render(ip, 0.5, roi);
                cf[k] = cr[k] = aim_cpu_s() - c0;
                wf[k] = wr[k] = aim_now_s() - t0;
                aim_frame_copy(full, roi);
            }
            su[k] = cf[k] / (cr[k] > 0 ? cr[k] : 1e-9);
            share[k] = a;
            double se1 = 0, n1 = 0;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    double d = (double)roi->data[0][y * roi->stride[0] + x] -
                               full->data[0][y * full->stride[0] + x];
                    if (m.data[(y / m.block) * m.w + x / m.block]) {
                        se1 += d * d;
                        n1++;
                    }
                    if (a < 1 && x >= rx && x < rx + rw && y >= ry && y < ry + rh) {
                        se_reg += d * d;
                        npix_reg++;
                    }
                }
            if (a < 1) { // whole-frame fallbacks are the same render: they would only add zeros
                se += se1;
                npix += n1;
            }
            long bf = 0, b0 = 0;
            for (int p = 0; p < 3; p++) {
                long dummy = 0;
                bf += diff_outside(roi, full, p, &m, corners, &dummy);
                b0 += diff_outside(roi, f0, p, &m, NULL, &checked);
            }
            bad_full += bf;
            bad_f0 += b0;
            double mse1 = se1 / (n1 > 0 ? n1 : 1);
            printf("INT %s %d share %.4f psnr_y_moving %.2f cpu_full %.3f cpu_roi %.3f "
                   "wall_full %.3f wall_roi %.3f diff_outside_vs_full %ld vs_f0 %ld\n", name,
                   (int)rec.frame, a, mse1 > 0 ? 10 * log10(255.0 * 255.0 / mse1) : 99.0, cf[k],
                   cr[k], wf[k], wr[k], bf, b0);
            fflush(stdout);
            free(mf.data);
            free(corners);
            nscored++;
        }
        aim_gate_record_clear(&rec);
    }
    double mse = se / (npix ? npix : 1), mreg = se_reg / (npix_reg ? npix_reg : 1);
    int nfull = 0;
    for (int i = 0; i < nmotion; i++)
        nfull += share_all[i] >= 1;
    double sh_mean = mean(share_all, nmotion), sh_med = median(share_all, nmotion);
    double cf_mean = mean(cf, nscored), cr_mean = mean(cr, nscored);
    double wf_mean = mean(wf, nscored), wr_mean = mean(wr, nscored);
    double su_med = median(su, nscored), cf_med = median(cf, nscored);
    double cr_med = median(cr, nscored);
    printf("ROI %s %dx%d threads %d motion %d region_share_mean %.3f region_share_median %.3f "
           "whole_frame %d scored %d (every %d) smaller %d psnr_y_moving %.2f psnr_y_region %.2f "
           "cpu_full_mean %.3f cpu_roi_mean %.3f cpu_full_median %.3f cpu_roi_median %.3f "
           "speedup_of_means %.2f speedup_median %.2f wall_full_mean %.3f wall_roi_mean %.3f "
           "outside_moving_samples %ld differ_vs_full %ld differ_vs_f0 %ld\n", name, w, h,
           threads, nmotion, sh_mean, sh_med, nfull, nscored, every, nsmall,
           mse > 0 ? 10 * log10(255.0 * 255.0 / mse) : 99.0,
           mreg > 0 ? 10 * log10(255.0 * 255.0 / mreg) : 99.0, cf_mean, cr_mean, cf_med, cr_med,
           cf_mean / (cr_mean > 0 ? cr_mean : 1e-9), su_med, wf_mean, wr_mean, checked, bad_full,
           bad_f0);
    free(share_all);
    free(share);
    free(cf);
    free(cr);
    free(wf);
    free(wr);
    free(su);
    for (int i = 0; i < RING; i++)
        aim_frame_unref(&ring[i]);
    aim_frame_unref(&full);
    aim_frame_unref(&roi);
    aim_interp_destroy(&ip);
    aim_gate_destroy(&g);
    aim_pool_destroy(&pool);
    fclose(in);
    return 0;
}
