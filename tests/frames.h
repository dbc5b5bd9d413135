// Exact comparison of two frames for the tests (one copy: pipeline, interp, scale and e2e tests).
#ifndef AIM_TESTS_FRAMES_H
#define AIM_TESTS_FRAMES_H

#include <string.h>

#include "ainimotion/frame.h"

/** 1 when a and b have the same size and hold the same samples (padding ignored). */
static inline int test_frames_same(const AimFrame *a, const AimFrame *b)
{
    if (a->width != b->width || a->height != b->height)
        return 0;
    for (int p = 0; p < 3; p++)
        for (int y = 0; y < aim_plane_h(a, p); y++)
            if (memcmp(a->data[p] + y * a->stride[p], b->data[p] + y * b->stride[p],
                       (size_t)aim_plane_w(a, p) * 2))
                return 0;
    return 1;
}

#endif
