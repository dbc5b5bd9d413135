// Reference-counted frames and frame pools (include/ainimotion/frame.h).
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "ainimotion/frame.h"

// The frame header and all three planes: one header, one pixel allocation.
typedef struct FrameBlock {
    AimFrame f;
    atomic_int refs;
    void *mem;
    AimFramePool *pool;       // recycled into this pool on the last unref (NULL: freed)
    struct FrameBlock *next;  // free list link
} FrameBlock;

struct AimFramePool {
    pthread_mutex_t lock;
    int width, height, depth, max_free, nfree;
    int outstanding; // frames handed out and not yet back
    int destroyed;
    FrameBlock *free_list;
};

static size_t align_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

static void block_free(FrameBlock *b)
{
    free(b->mem);
    free(b);
}

static int block_alloc(FrameBlock **out, int width, int height, int depth, int zero)
{
    if (width <= 0 || height <= 0 || width > 16384 || height > 16384 ||
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
    if (zero)
        memset(b->mem, 0, total);
    for (int p = 0; p < 3; p++) {
        b->f.data[p] = (uint16_t *)((uint8_t *)b->mem + off[p]);
        if (!zero) { // padding is always zeroed so SIMD over-reads see defined values
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
    *out = b;
    return 0;
}

int aim_frame_alloc(AimFrame **out, int width, int height, int depth, int zero)
{
    if (!out)
        return AIM_ERR(EINVAL);
    FrameBlock *b;
    int ret = block_alloc(&b, width, height, depth, zero);
    if (ret < 0)
        return ret;
    *out = &b->f;
    return 0;
}

AimFrame *aim_frame_ref(AimFrame *f)
{
    if (f)
        atomic_fetch_add_explicit(&((FrameBlock *)f)->refs, 1, memory_order_relaxed);
    return f;
}

static void pool_free_all(AimFramePool *p)
{
    while (p->free_list) {
        FrameBlock *b = p->free_list;
        p->free_list = b->next;
        block_free(b);
    }
    pthread_mutex_destroy(&p->lock);
    free(p);
}

void aim_frame_unref(AimFrame **pf)
{
    if (!pf || !*pf)
        return;
    FrameBlock *b = (FrameBlock *)*pf;
    *pf = NULL;
    if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) != 1)
        return;
    AimFramePool *p = b->pool;
    if (!p) {
        block_free(b);
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->outstanding--;
    int last = p->destroyed && !p->outstanding;
    if (!p->destroyed && p->nfree < p->max_free) {
        b->next = p->free_list;
        p->free_list = b;
        p->nfree++;
        b = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    if (b)
        block_free(b);
    if (last)
        pool_free_all(p);
}

int aim_frame_pool_create(AimFramePool **out, int width, int height, int depth, int max_free)
{
    if (!out || width <= 0 || height <= 0 || (depth != 8 && depth != 10) || max_free < 0)
        return AIM_ERR(EINVAL);
    AimFramePool *p = calloc(1, sizeof(*p));
    if (!p)
        return AIM_ERR(ENOMEM);
    pthread_mutex_init(&p->lock, NULL);
    p->width = width;
    p->height = height;
    p->depth = depth;
    p->max_free = max_free;
    *out = p;
    return 0;
}

int aim_frame_pool_get(AimFramePool *p, AimFrame **out)
{
    pthread_mutex_lock(&p->lock);
    FrameBlock *b = p->free_list;
    if (b) {
        p->free_list = b->next;
        p->nfree--;
    }
    p->outstanding++;
    pthread_mutex_unlock(&p->lock);
    if (!b) {
        int ret = block_alloc(&b, p->width, p->height, p->depth, 0);
        if (ret < 0) {
            pthread_mutex_lock(&p->lock);
            p->outstanding--;
            pthread_mutex_unlock(&p->lock);
            return ret;
        }
        b->pool = p;
    }
    atomic_store_explicit(&b->refs, 1, memory_order_relaxed);
    b->next = NULL;
    b->f.pts = 0;
    b->f.index = 0;
    b->f.color = (AimColor){ .matrix = 2, .primaries = 2, .transfer = 2 };
    *out = &b->f;
    return 0;
}

void aim_frame_pool_destroy(AimFramePool **pp)
{
    if (!pp || !*pp)
        return;
    AimFramePool *p = *pp;
    *pp = NULL;
    pthread_mutex_lock(&p->lock);
    p->destroyed = 1;
    int last = !p->outstanding;
    // idle frames go now; outstanding ones are freed as they come back
    FrameBlock *fl = p->free_list;
    p->free_list = NULL;
    p->nfree = 0;
    pthread_mutex_unlock(&p->lock);
    while (fl) {
        FrameBlock *b = fl;
        fl = b->next;
        block_free(b);
    }
    if (last)
        pool_free_all(p);
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
