/*
 * AInimotion's frames: reference-counted YUV 4:2:0, shared by the library's stages. Internal:
 * not installed and not part of the public API (ainimotion.h, common.h, version.h), which
 * takes files, not frames.
 *
 * One sample type for every bit depth: samples are uint16_t holding the native value range
 * (0..255 for 8-bit, 0..1023 for 10-bit). Every stage has one code path instead of one per
 * depth (dav1d templates per depth instead; we trade memory bandwidth for half the kernels).
 *
 * Thread-safety: the reference count is atomic; a frame's pixels are written only by the one
 * stage that allocated it, before it is shared, and are read-only afterwards.
 */
#ifndef AINIMOTION_FRAME_H
#define AINIMOTION_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of padding after each row and each plane, so SIMD may over-read a full vector. */
#define AIM_FRAME_PAD 64
/** Row alignment in bytes. */
#define AIM_FRAME_ALIGN 64

/** Colour description, H.273 code points (the same numbers as libav's enums). */
typedef struct AimColor {
    int matrix;    ///< e.g. 1 = BT.709, 6 = BT.601 (SMPTE 170M), 9 = BT.2020 NCL, 2 = unspecified
    int primaries; ///< 2 = unspecified
    int transfer;  ///< 2 = unspecified
    int range;     ///< 0 = unspecified, 1 = limited (tv), 2 = full (pc)
    int chroma_loc;///< 0 = unspecified, 1 = left (MPEG-2), 2 = center (MPEG-1/JPEG), 3 = topleft
} AimColor;

typedef struct AimFrame {
    uint16_t *data[3];   ///< Y, Cb, Cr; chroma planes are ((w+1)/2) x ((h+1)/2)
    ptrdiff_t stride[3]; ///< in samples, not bytes
    int width, height;   ///< luma size
    int depth;           ///< 8 or 10: valid samples are 0 .. (1 << depth) - 1
    int64_t pts;         ///< presentation time in units the producer states (see pipeline.h)
    int64_t index;       ///< producer's frame number
    AimColor color;
} AimFrame;

/**
 * Allocates a frame (refcount 1) with padded, aligned planes. Pixels are uninitialised
 * unless `zero` is set. Returns 0 or AIM_ERR(ENOMEM)/AIM_ERR(EINVAL); *out untouched on error.
 */
int aim_frame_alloc(AimFrame **out, int width, int height, int depth, int zero);

/** Adds a reference; returns f. */
AimFrame *aim_frame_ref(AimFrame *f);

/** Drops a reference, frees (or recycles) on the last one, sets *f = NULL. Accepts &NULL. */
void aim_frame_unref(AimFrame **f);

/**
 * A pool of same-size frames, recycled instead of freed (big frames come from mmap otherwise:
 * page faults on every output frame). Frames from a pool may outlive it: the pool is freed
 * when it has been destroyed and its last frame was released.
 * Thread-safety: get and the release of pooled frames may happen on any thread.
 */
typedef struct AimFramePool AimFramePool;

/** Creates a pool of width x height x depth frames keeping at most `max_free` idle ones. */
int aim_frame_pool_create(AimFramePool **out, int width, int height, int depth, int max_free);
/** A frame with refcount 1 (recycled pixels are stale: overwrite them). 0 or AIM_ERR(ENOMEM). */
int aim_frame_pool_get(AimFramePool *p, AimFrame **out);
/** Releases the caller's handle. Accepts &NULL. */
void aim_frame_pool_destroy(AimFramePool **p);

/** Copies pixels and properties (sizes and depth must match). */
void aim_frame_copy(AimFrame *dst, const AimFrame *src);

/** Copies pts, index and colour (not pixels). */
void aim_frame_copy_props(AimFrame *dst, const AimFrame *src);

/** Chroma plane width/height for a luma size (4:2:0). */
static inline int aim_chroma_w(int w) { return (w + 1) >> 1; }
static inline int aim_chroma_h(int h) { return (h + 1) >> 1; }

/** Plane size helpers: plane 0 luma, 1-2 chroma. */
static inline int aim_plane_w(const AimFrame *f, int p) { return p ? aim_chroma_w(f->width) : f->width; }
static inline int aim_plane_h(const AimFrame *f, int p) { return p ? aim_chroma_h(f->height) : f->height; }

#ifdef __cplusplus
}
#endif

#endif
