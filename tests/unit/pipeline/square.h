// The pipeline tests' pictures (test_pipeline, test_pipeline_replay): a 24x24 square at x = pos
// on a background whose level changes with the shot (frames.h compares two exactly).
#ifndef AIM_TESTS_PIPELINE_SQUARE_H
#define AIM_TESTS_PIPELINE_SQUARE_H

#include "ainimotion/frame.h"
#include "frames.h"

static inline void square_draw(AimFrame *f, int shot, int pos)
{
    for (int p = 0; p < 3; p++) {
        int w = aim_plane_w(f, p), h = aim_plane_h(f, p), sub = p ? 2 : 1;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int X = x * sub, Y = y * sub;
                int in = X >= pos && X < pos + 24 && Y >= 20 && Y < 44;
                uint16_t bg = p ? 128 : (uint16_t)(shot ? 200 : 60);
                uint16_t fg = p ? (uint16_t)(p == 1 ? 90 : 170) : 20;
                f->data[p][y * f->stride[p] + x] = in ? fg : bg;
            }
    }
}


#endif
