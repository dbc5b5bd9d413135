// The rife engine's region of interest: on the motion intervals of a clip (the real gate's
// records and masks), the frame at t = 0.5 rendered on the mask's region against the one
// rendered on the whole frame (the same mask plus its two corner blocks, which stretches the
// region to the frame), compared inside the moving blocks (the only pixels the region can
// change: the rest are f0's in both). Prints the pooled PSNR-Y of region vs whole frame, the
// region's share of the frame and the seconds per pair of both.
// usage: rife_roi RAW.yuv WxH [--every N] [--threads N]
// RAW: the clip decoded to raw yuv420p 8-bit. Not a product tool.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cpu.h"
#include "core/pool.h"
#include "gate/gate.h"
#include "interp/interp.h"

#define RING 8

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
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

// The share of the frame the engine's region covers (its rule: bounding box of the moving
// blocks + 64 px, rounded up to 32 px; above 60% the whole frame). For the printout only.
static double region_share(const AimMotionMask *m, int w, int h)
{
    int bx0 = m->w, by0 = m->h, bx1 = -1, by1 = -1;
    for (int by = 0; by < m->h; by++)
        for (int bx = 0; bx < m->w; bx++)
            if (m->data[by * m->w + bx]) {
                bx0 = bx < bx0 ? bx : bx0;
                bx1 = bx > bx1 ? bx : bx1;
                by0 = by < by0 ? by : by0;
                by1 = by > by1 ? by : by1;
            }
    if (bx1 < 0)
        return 0;
    int x0 = bx0 * m->block - 64, x1 = (bx1 + 1) * m->block + 64;
    int y0 = by0 * m->block - 64, y1 = (by1 + 1) * m->block + 64;
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    int rw = (x1 - x0 + 31) / 32 * 32, rh = (y1 - y0 + 31) / 32 * 32;
    rw = rw > w ? w : rw;
    rh = rh > h ? h : rh;
    double a = (double)rw * rh / ((double)w * h);
    return a > 0.6 ? 1 : a;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: rife_roi RAW.yuv WxH [--every N] [--threads N]\n");
        return 2;
    }
    int w, h, every = 1, threads = 2;
    if (sscanf(argv[2], "%dx%d", &w, &h) != 2)
        return 2;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--every"))
            every = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
    }
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
    double se = 0, npix = 0, area = 0, t_full = 0, t_roi = 0;
    int nmotion = 0, nscored = 0, eof = 0;
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
        if (rec.cls == AIM_CLASS_MOTION && rec.mask.data && (nmotion++ % every) == 0) {
            AimFrame *f0 = ring[(rec.frame - 1) % RING], *f1 = ring[rec.frame % RING];
            AimMotionMask m = rec.mask, mf = rec.mask;
            size_t nb = (size_t)m.w * m.h;
            mf.data = malloc(nb);
            memcpy(mf.data, m.data, nb);
            mf.data[0] = mf.data[nb - 1] = 1; // corners: the region becomes the whole frame
            double t0 = now_s();
            aim_interp_set_pair(ip, f0, f1, &mf);
            aim_interp_render(ip, 0.5, full);
            t_full += now_s() - t0;
            t0 = now_s();
            aim_interp_set_pair(ip, f0, f1, &m);
            aim_interp_render(ip, 0.5, roi);
            t_roi += now_s() - t0;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    if (m.data[(y / m.block) * m.w + x / m.block]) {
                        double d = (double)roi->data[0][y * roi->stride[0] + x] -
                                   full->data[0][y * full->stride[0] + x];
                        se += d * d;
                        npix++;
                    }
            area += region_share(&m, w, h);
            free(mf.data);
            nscored++;
            fprintf(stderr, "\r%d motion intervals scored", nscored);
        }
        aim_gate_record_clear(&rec);
    }
    fprintf(stderr, "\n");
    double mse = se / (npix ? npix : 1), n = nscored ? nscored : 1;
    printf("ROI %s %dx%d motion %d scored %d psnr_y_moving %.2f region_share %.3f "
           "full_s_per_pair %.3f region_s_per_pair %.3f speedup %.2f\n", argv[1], w, h, nmotion,
           nscored, mse > 0 ? 10 * log10(255.0 * 255.0 / mse) : 99.0, area / n, t_full / n,
           t_roi / n, t_full / (t_roi > 0 ? t_roi : 1));
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
