// Bounded, blocking, closable FIFO of pointers between pipeline stages
// (x264 common/frame.h x264_sync_frame_list_t). Thread-safety: every function may be called
// from any thread; one queue usually has one producer and one consumer.
#ifndef AIM_CORE_QUEUE_H
#define AIM_CORE_QUEUE_H

#include <stddef.h>

typedef struct AimQueue AimQueue;

/** Creates a queue holding at most `capacity` (>= 1) items. 0 or AIM_ERR(ENOMEM/EINVAL). */
int aim_queue_create(AimQueue **out, size_t capacity);
/** Frees the queue (items still inside are not freed: drain it first). Accepts &NULL. */
void aim_queue_destroy(AimQueue **q);
/**
 * Blocks while full. Returns 0, or AIM_ERR_EOF if the queue was closed or aborted (the item
 * is then still owned by the caller).
 */
int aim_queue_push(AimQueue *q, void *item);
/**
 * Blocks while empty and open. Returns 0 and the item, or AIM_ERR_EOF once the queue is closed
 * and empty (normal end of stream), or AIM_ERR_INTERRUPTED once it was aborted.
 */
int aim_queue_pop(AimQueue *q, void **item);
/** Non-blocking, ignores close/abort: 0 and an item, or AIM_ERR(EAGAIN) when empty. For
 *  freeing what an aborted run left behind. */
int aim_queue_try_pop(AimQueue *q, void **item);
/** Producer's end of stream: consumers get the remaining items, then AIM_ERR_EOF. */
void aim_queue_close(AimQueue *q);
/** Error path: wakes everybody; push fails, pop returns AIM_ERR_INTERRUPTED. */
void aim_queue_abort(AimQueue *q);
/** Number of items now inside (racy by nature: for progress/debug only). */
size_t aim_queue_size(AimQueue *q);

#endif
