// "Harm" of an in-between (../shared/README.md, the drawings protocol): what a viewer sees as a
// one-frame flash. Over the 16x16 blocks that changed (either neighbour's mean absolute
// difference to the truth above 2 levels of 255), harm is the share of blocks where the
// in-between's mean absolute difference to the truth exceeds both neighbours' by more than 4
// levels. A copy of a neighbour never counts, nor does a blend of the two (its error is at most
// the larger of the two); tears and misplaced warps do.
// The one implementation, shared by bench/interp_bench.c and the tests (tests/unit/interp).
// Header-only (static functions): no state, thread-safe, no allocation.
#ifndef AIM_BENCH_HARM_H
#define AIM_BENCH_HARM_H

#include <stdint.h>
#include <stdlib.h>

#define AIM_HARM_BLOCK 16
#define AIM_HARM_CHANGED 2.0 // levels of 255: a neighbour differs from the truth here
#define AIM_HARM_MARGIN 4.0  // levels of 255: worse than both neighbours by more than this

typedef struct AimHarm {
    long changed; ///< blocks where either neighbour's MAD to the truth is above 2 levels
    long harmed;  ///< of those, blocks where the in-between's MAD exceeds both by over 4
} AimHarm;

// Counts the changed and harmed blocks of one in-between (8-bit luma, w x h, row stride w;
// n0 / n1 the neighbours, out the in-between, truth the removed drawing) into *h. Blocks at the
// right and bottom edges are partial (their MAD is over the pixels they have). If map is not
// NULL, map[block] (row-major over ceil(w/16) x ceil(h/16) blocks) is set to 0 (unchanged),
// 1 (changed) or 2 (harmed).
static inline void aim_harm_add(AimHarm *h, const uint8_t *n0, const uint8_t *n1,
                                const uint8_t *out, const uint8_t *truth, int w, int hgt,
                                uint8_t *map)
{
    const int B = AIM_HARM_BLOCK, bw = (w + B - 1) / B, bh = (hgt + B - 1) / B;
    for (int by = 0; by < bh; by++)
        for (int bx = 0; bx < bw; bx++) {
            long s0 = 0, s1 = 0, so = 0, n = 0;
            for (int y = by * B; y < (by + 1) * B && y < hgt; y++)
                for (int x = bx * B; x < (bx + 1) * B && x < w; x++) {
                    int k = y * w + x, tv = truth[k];
                    s0 += abs(n0[k] - tv);
                    s1 += abs(n1[k] - tv);
                    so += abs(out[k] - tv);
                    n++;
                }
            double m0 = (double)s0 / n, m1 = (double)s1 / n, mo = (double)so / n;
            int changed = m0 > AIM_HARM_CHANGED || m1 > AIM_HARM_CHANGED;
            int harmed = changed && mo > (m0 > m1 ? m0 : m1) + AIM_HARM_MARGIN;
            h->changed += changed;
            h->harmed += harmed;
            if (map)
                map[by * bw + bx] = (uint8_t)(changed + harmed);
        }
}

// Harm in percent of the changed blocks (0 when nothing changed).
static inline double aim_harm_percent(const AimHarm *h)
{
    return h->changed ? 100.0 * (double)h->harmed / (double)h->changed : 0.0;
}

#endif
