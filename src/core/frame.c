// Reference-counted frames (include/ainimotion/frame.h).
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "ainimotion/frame.h"

// The frame header and all three planes live in one allocation.
typedef struct FrameBlock {
    AimFrame f;
    atomic_int refs;
    void *mem;
} FrameBlock;

static size_t align_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

int aim_frame_alloc(AimFrame **out, int width, int height, int depth, int zero)
{
    if (!out || width <= 0 || height <= 0 || width > 16384 || height > 16384 ||
        (depth != 8 && depth != 10))
        return AIM_ERR(EINVAL);
    FrameBlock *b = calloc(1, sizeof(*b));
    if (!b)
        return AIM_ERR(ENOMEM);
    size_t off[3], total = 0;
    for (int p = 0; p < 3; p++) {
        int w = p ? aim_chroma_w(width) : width;
        int h = p ? aim_chroma_h(height) : height;
        size_t stride_b = align_up((size_t)w * 2 + AIM_FRAME_PAD, AIM_FRAME_ALIGN);
        b->f.stride[p] = (ptrdiff_t)(stride_b / 2);
        off[p] = total;
        total += align_up(stride_b * (size_t)h + AIM_FRAME_PAD, AIM_FRAME_ALIGN);
    }
    b->mem = aligned_alloc(AIM_FRAME_ALIGN, total);
    if (!b->mem) {
        free(b);
        return AIM_ERR(ENOMEM);
    }
    // Padding is always zeroed so SIMD over-reads see defined values.
    if (zero)
        memset(b->mem, 0, total);
    for (int p = 0; p < 3; p++) {
        b->f.data[p] = (uint16_t *)((uint8_t *)b->mem + off[p]);
        if (!zero) {
            int w = p ? aim_chroma_w(width) : width;
            int h = p ? aim_chroma_h(height) : height;
            for (int y = 0; y < h; y++)
                memset(b->f.data[p] + y * b->f.stride[p] + w, 0,
                       (size_t)(b->f.stride[p] - w) * 2);
            memset(b->f.data[p] + h * b->f.stride[p], 0, AIM_FRAME_PAD);
        }
    }
    b->f.width = width;
    b->f.height = height;
    b->f.depth = depth;
    b->f.color = (AimColor){ .matrix = 2, .primaries = 2, .transfer = 2 };
    atomic_init(&b->refs, 1);
    *out = &b->f;
    return 0;
}

AimFrame *aim_frame_ref(AimFrame *f)
{
    if (f)
        atomic_fetch_add_explicit(&((FrameBlock *)f)->refs, 1, memory_order_relaxed);
    return f;
}

void aim_frame_unref(AimFrame **pf)
{
    if (!pf || !*pf)
        return;
    FrameBlock *b = (FrameBlock *)*pf;
    *pf = NULL;
    if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1) {
        free(b->mem);
        free(b);
    }
}

void aim_frame_copy_props(AimFrame *dst, const AimFrame *src)
{
    dst->pts = src->pts;
    dst->index = src->index;
    dst->color = src->color;
}

void aim_frame_copy(AimFrame *dst, const AimFrame *src)
{
    for (int p = 0; p < 3; p++) {
        int w = aim_plane_w(src, p), h = aim_plane_h(src, p);
        for (int y = 0; y < h; y++)
            memcpy(dst->data[p] + y * dst->stride[p], src->data[p] + y * src->stride[p],
                   (size_t)w * 2);
    }
    aim_frame_copy_props(dst, src);
}
