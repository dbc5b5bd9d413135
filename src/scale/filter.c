// Filter tables for the classic resampler: kernel evaluation, edge folding, fixed-point
// quantisation with error diffusion (exact unit sum), anti-ringing windows.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ainimotion/common.h"
#include "scale/filter.h"
#include "scale/scale_dsp.h"

static double kernel_radius(AimScaleKernel k)
{
    switch (k) {
    case AIM_KERNEL_LANCZOS3: return 3.0;
    case AIM_KERNEL_CATMULL_ROM: return 2.0;
    default: return 1.0;
    }
}

static double sinc(double x)
{
    if (fabs(x) < 1e-9)
        return 1.0;
    return sin(M_PI * x) / (M_PI * x);
}

static double kernel_eval(AimScaleKernel k, double x)
{
    x = fabs(x);
    switch (k) {
    case AIM_KERNEL_LANCZOS3:
        return x < 3.0 ? sinc(x) * sinc(x / 3.0) : 0.0;
    case AIM_KERNEL_CATMULL_ROM: // Mitchell-Netravali B = 0, C = 0.5
        if (x < 1.0)
            return (1.5 * x - 2.5) * x * x + 1.0;
        if (x < 2.0)
            return ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0;
        return 0.0;
    default:
        return x < 1.0 ? 1.0 - x : 0.0;
    }
}

void aim_scale_filter_free(AimScaleFilter *f)
{
    free(f->off);
    free(f->coef);
    free(f->coef_blk);
    free(f->armask_blk);
    free(f->ar_first);
    free(f->ar_count);
    memset(f, 0, sizeof(*f));
}

void aim_scale_plane_mapping(double ratio, double chroma_off, double *step, double *start)
{
    *step = ratio;
    if (chroma_off < 0) {
        *start = 0.5 * ratio - 0.5;
        return;
    }
    // Chroma sample k sits at luma position 2k + o, i.e. at 2k + o + 0.5 in edge coordinates
    // (luma sample j covers [j, j+1)). Map the destination edge coordinate to the source
    // one (times ratio) and back to a source chroma index.
    *start = ((chroma_off + 0.5) * ratio - 0.5 - chroma_off) / 2.0;
}

int aim_scale_filter_build(AimScaleFilter *f, AimScaleKernel kernel, int n_in, int n_out,
                           double step, double start)
{
    memset(f, 0, sizeof(*f));
    if (n_in <= 0 || n_out <= 0 || !(step > 0) || !isfinite(start))
        return AIM_ERR(EINVAL);
    const double fscale = step > 1.0 ? step : 1.0;
    const double radius = kernel_radius(kernel) * fscale;
    // Taps with |i - pos| < radius: at most ceil(2 * radius) of them. The 1e-9 keeps an
    // exact 2 * radius (6.0 for Lanczos-3 upscaling) from becoming 7 through rounding noise
    // in radius = 3 * step; it is far below any real fractional part.
    int fs_raw = (int)ceil(2.0 * radius - 1e-9);
    if (fs_raw < 1)
        fs_raw = 1;
    int fs_eff = fs_raw < n_in ? fs_raw : n_in;
    int fs = (fs_eff + 1) & ~1;
    f->n_in = n_in;
    f->n_out = n_out;
    f->n_pad = (n_out + 15) & ~15;
    f->fs = fs;
    f->off = calloc((size_t)f->n_pad, sizeof(*f->off));
    f->coef = calloc((size_t)n_out * fs, sizeof(*f->coef));
    f->coef_blk = calloc((size_t)f->n_pad * fs, sizeof(*f->coef_blk));
    f->armask_blk = calloc((size_t)f->n_pad * fs, sizeof(*f->armask_blk));
    f->ar_first = calloc((size_t)n_out, sizeof(*f->ar_first));
    f->ar_count = calloc((size_t)n_out, sizeof(*f->ar_count));
    double *w = calloc((size_t)fs, sizeof(*w));
    if (!f->off || !f->coef || !f->coef_blk || !f->armask_blk || !f->ar_first ||
        !f->ar_count || !w) {
        free(w);
        aim_scale_filter_free(f);
        return AIM_ERR(ENOMEM);
    }
    const int max_start = n_in - fs > 0 ? n_in - fs : 0;
    for (int k = 0; k < n_out; k++) {
        const double pos = k * step + start;
        const int rs = (int)floor(pos - radius) + 1; // first tap with i > pos - radius
        int o = rs < 0 ? 0 : rs > max_start ? max_start : rs;
        // Evaluate the raw taps and fold the ones outside [0, n_in) onto the edge samples.
        memset(w, 0, (size_t)fs * sizeof(*w));
        double sum = 0.0;
        for (int i = rs; i < rs + fs_raw; i++) {
            double v = kernel_eval(kernel, (i - pos) / fscale);
            int ic = i < 0 ? 0 : i >= n_in ? n_in - 1 : i;
            w[ic - o] += v;
            sum += v;
        }
        // Quantise with error diffusion over the running sum: the coefficients sum to
        // exactly 1 << 14 and a tap that is (numerically) zero stays exactly zero.
        const double one = (double)(1 << AIM_SCALE_COEF_BITS);
        double cum = 0.0;
        long prev = 0;
        for (int t = 0; t < fs; t++) {
            cum += w[t] / sum;
            long q = lround(cum * one);
            if (t == fs - 1)
                q = 1 << AIM_SCALE_COEF_BITS;
            long c = q - prev;
            prev = q;
            // |c| stays far below 2^15 for these kernels (largest folded edge weight ~1.2).
            c = c > INT16_MAX ? INT16_MAX : c < INT16_MIN ? INT16_MIN : c;
            f->coef[(size_t)k * fs + t] = (int16_t)c;
        }
        f->off[k] = o;
        // Anti-ringing window: the source samples inside the kernel's main lobe,
        // |i - pos| < fscale (the 2 nearest when upscaling), clamped to the picture.
        int a0 = (int)floor(pos - fscale) + 1, a1 = (int)ceil(pos + fscale) - 1;
        a0 = a0 < 0 ? 0 : a0 > n_in - 1 ? n_in - 1 : a0;
        a1 = a1 < 0 ? 0 : a1 > n_in - 1 ? n_in - 1 : a1;
        if (a0 < o)
            a0 = o;
        if (a1 > o + fs - 1)
            a1 = o + fs - 1;
        if (a1 < a0)
            a1 = a0;
        f->ar_first[k] = (int16_t)(a0 - o);
        f->ar_count[k] = (int16_t)(a1 - a0 + 1);
    }
    // Padding outputs repeat the last window (zero coefficients): in bounds, monotonic.
    for (int k = n_out; k < f->n_pad; k++)
        f->off[k] = f->off[n_out - 1];
    for (int k = 0; k < f->n_pad; k++)
        for (int t = 0; t < fs; t++) {
            size_t b = (size_t)(k >> 3) * 8 * fs + (t >> 1) * 16 + (k & 7) * 2 + (t & 1);
            if (k < n_out) {
                f->coef_blk[b] = f->coef[(size_t)k * fs + t];
                f->armask_blk[b] = (t >= f->ar_first[k] && t < f->ar_first[k] + f->ar_count[k])
                                       ? -1 : 0;
            }
        }
    free(w);
    return 0;
}
