// Hot loops of the gate, each behind a function pointer: the C reference (the specification,
// gate_dsp.c) and optimised versions (src/x86/gate_avx2.c) that must match it bit-exactly.
#ifndef AIM_GATE_GATE_DSP_H
#define AIM_GATE_GATE_DSP_H

#include <stddef.h>
#include <stdint.h>

/**
 * Area-average downscale of one output row by an integer factor k (1 <= k <= 64):
 * dst[x] = (uint16_t)((float)(sum of src[r * stride + x * k + i], r, i < k) * scale), x < dw:
 * the exact integer sum, one float multiply (no add that a compiler could fuse into an FMA),
 * then truncation, so every ISA gives the same result. `tmp` holds dw * k + 16 uint16 (per-column sums of the k rows, at most 64 * 1023).
 */
#define decl_gate_box_row_fn(name) \
    void (name)(uint16_t *dst, int dw, const uint16_t *src, ptrdiff_t stride, int k, \
                float scale, uint16_t *tmp)

/**
 * Column sums of absolute differences over `rows` rows (1 <= rows <= 64, samples <= 1023, so
 * the sums fit 16 bits): sum[x] = sum over r < rows of |a[r * stride_a + x] - b[r * stride_b + x]|,
 * x < w. a and b may be read up to 32 samples past w (frame padding).
 */
#define decl_gate_absdiff_rows_fn(name) \
    void (name)(uint16_t *sum, const uint16_t *a, ptrdiff_t stride_a, const uint16_t *b, \
                ptrdiff_t stride_b, int rows, int w)

/**
 * Full-search block matching for one row of 4x4 blocks: for b < nb,
 * best[b] = min over -range <= dy, dx <= range of sum over the 4x4 block b of
 * |cur[y * stride + 4 * b + x] - ref[(y + dy) * stride + 4 * b + x + dx]|.
 * cur and ref point at the same position of two planes sharing `stride`; ref must be readable
 * `range` rows above and below and 32 bytes left and right of the row (edge-extended borders).
 * range <= 12 (the gate uses 12).
 */
#define decl_gate_me_row_fn(name) \
    void (name)(uint16_t *best, const uint8_t *cur, const uint8_t *ref, ptrdiff_t stride, \
                int nb, int range)

typedef decl_gate_box_row_fn(*AimGateBoxRowFn);
typedef decl_gate_absdiff_rows_fn(*AimGateAbsdiffRowsFn);
typedef decl_gate_me_row_fn(*AimGateMeRowFn);

typedef struct AimGateDsp {
    AimGateBoxRowFn box_row;
    AimGateAbsdiffRowsFn absdiff_rows;
    AimGateMeRowFn me_row;
    unsigned isa; ///< the highest AIM_CPU_* level whose kernels were installed (0 = C)
} AimGateDsp;

/** Installs the C references, then the best kernels `flags` allows. */
void aim_gate_dsp_init(AimGateDsp *dsp, unsigned flags);

decl_gate_box_row_fn(aim_gate_box_row_c);
decl_gate_absdiff_rows_fn(aim_gate_absdiff_rows_c);
decl_gate_me_row_fn(aim_gate_me_row_c);

#if defined(__x86_64__) || defined(__i386__)
void aim_gate_dsp_init_x86(AimGateDsp *dsp, unsigned flags);
#endif

#endif
