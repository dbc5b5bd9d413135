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

#endif
