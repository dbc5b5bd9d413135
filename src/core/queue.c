#include <pthread.h>
#include <stdlib.h>

#include "ainimotion/common.h"
#include "queue.h"

struct AimQueue {
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
    void **items;
    size_t cap, head, count;
    int closed, aborted;
};

int aim_queue_create(AimQueue **out, size_t capacity)
{
    if (!out || !capacity)
        return AIM_ERR(EINVAL);
    AimQueue *q = calloc(1, sizeof(*q));
    if (!q)
        return AIM_ERR(ENOMEM);
    q->items = calloc(capacity, sizeof(*q->items));
    if (!q->items) {
        free(q);
        return AIM_ERR(ENOMEM);
    }
    q->cap = capacity;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    pthread_cond_init(&q->not_full, NULL);
    *out = q;
    return 0;
}

void aim_queue_destroy(AimQueue **pq)
{
    if (!pq || !*pq)
        return;
    AimQueue *q = *pq;
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
    free(q->items);
    free(q);
    *pq = NULL;
}

int aim_queue_push(AimQueue *q, void *item)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == q->cap && !q->closed && !q->aborted)
        pthread_cond_wait(&q->not_full, &q->lock);
    if (q->closed || q->aborted) {
        pthread_mutex_unlock(&q->lock);
        return AIM_ERR_EOF;
    }
    q->items[(q->head + q->count) % q->cap] = item;
    q->count++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
    return 0;
}

int aim_queue_pop(AimQueue *q, void **item)
{
    pthread_mutex_lock(&q->lock);
    while (!q->count && !q->closed && !q->aborted)
        pthread_cond_wait(&q->not_empty, &q->lock);
    if (q->aborted) {
        pthread_mutex_unlock(&q->lock);
        return AIM_ERR_INTERRUPTED;
    }
    if (!q->count) {
        pthread_mutex_unlock(&q->lock);
        return AIM_ERR_EOF;
    }
    *item = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->count--;
    pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->lock);
    return 0;
}

int aim_queue_try_pop(AimQueue *q, void **item)
{
    pthread_mutex_lock(&q->lock);
    int ret = AIM_ERR(EAGAIN);
    if (q->count) {
        *item = q->items[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
        pthread_cond_signal(&q->not_full);
        ret = 0;
    }
    pthread_mutex_unlock(&q->lock);
    return ret;
}

void aim_queue_close(AimQueue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->lock);
}

void aim_queue_abort(AimQueue *q)
{
    pthread_mutex_lock(&q->lock);
    q->aborted = 1;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->lock);
}

size_t aim_queue_size(AimQueue *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->count;
    pthread_mutex_unlock(&q->lock);
    return n;
}
