// Block motion mask: which blocks of a frame changed between two source frames.
// Produced by the gate, consumed by Model A (static blocks are copied bit-exactly).
#ifndef AIM_CORE_MASK_H
#define AIM_CORE_MASK_H

#include <stdint.h>

typedef struct AimMotionMask {
    uint8_t *data;  ///< w x h bytes, row-major; 0 = static block, nonzero = may move
    int w, h;       ///< in blocks: w = ceil(frame_width / block), h = ceil(frame_height / block)
    int block;      ///< block size in luma pixels (a multiple of 2, so chroma blocks are block/2)
} AimMotionMask;

/**
 * The next run of blocks in a mask row (`row`, w blocks) whose state is `moving` (1: nonzero,
 * 0: static), at or after block *bx: returns 1 with the run [*b0, *b1) and *bx past it, or 0
 * when there is none.
 */
static inline int aim_mask_next_run(const uint8_t *row, int w, int moving, int *bx, int *b0,
                                    int *b1)
{
    int x = *bx;
    while (x < w && (row[x] != 0) != moving)
        x++;
    if (x >= w) {
        *bx = w;
        return 0;
    }
    *b0 = x;
    while (x < w && (row[x] != 0) == moving)
        x++;
    *b1 = *bx = x;
    return 1;
}

#endif
