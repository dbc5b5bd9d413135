// Filter tables of the classic separable resampler (one per dimension and plane type).
#ifndef AIM_SCALE_FILTER_H
#define AIM_SCALE_FILTER_H

#include <stdint.h>

typedef enum AimScaleKernel {
    AIM_KERNEL_LANCZOS3,    ///< sinc(x) sinc(x/3), radius 3
    AIM_KERNEL_CATMULL_ROM, ///< cubic B=0 C=0.5 (interpolating), radius 2
    AIM_KERNEL_BILINEAR,    ///< triangle, radius 1
} AimScaleKernel;

/**
 * Output sample k (0 <= k < n_out) is centred on source position pos(k) = k * step + start,
 * in source sample units (sample i sits at i). Downscaling (step > 1) widens the kernel by
 * step. Taps past the edges are folded onto the edge sample (edge clamping).
 */
typedef struct AimScaleFilter {
    int n_in, n_out;
    int n_pad;          ///< n_out rounded up to 16
    int fs;             ///< taps per output, even (a zero tap pads odd sizes)
    int32_t *off;       ///< [n_pad] first tap's source index; window inside [0, max(n_in, fs))
    int16_t *coef;      ///< [n_out][fs]: sums to 1 << 14 per output (vertical layout)
    int16_t *coef_blk;  ///< [n_pad * fs], horizontal layout (see decl_scale_h_fn)
    int16_t *armask_blk;///< same layout: -1 for taps in the anti-ringing window, else 0
    int16_t *ar_first;  ///< [n_out] anti-ringing window, first tap (relative to off)
    int16_t *ar_count;  ///< [n_out] and its number of taps (>= 1)
} AimScaleFilter;

/** 0 or AIM_ERR(ENOMEM) / AIM_ERR(EINVAL). On error f is left freed (zeroed). */
int aim_scale_filter_build(AimScaleFilter *f, AimScaleKernel kernel, int n_in, int n_out,
                           double step, double start);
/** Frees the tables; accepts a zeroed struct. */
void aim_scale_filter_free(AimScaleFilter *f);

/**
 * Source position mapping of a plane (luma ratio `ratio` = src_size / dst_size): for luma
 * (chroma_off < 0) the sample centres are aligned (pos = (k + 0.5) * ratio - 0.5); for 4:2:0
 * chroma, `chroma_off` is where chroma sample 0 sits in luma sample units (0 = co-sited with
 * luma sample 0, 0.5 = between luma 0 and 1, 1 = co-sited with luma 1), and the mapping keeps
 * that siting in both source and destination.
 */
void aim_scale_plane_mapping(double ratio, double chroma_off, double *step, double *start);

#endif
