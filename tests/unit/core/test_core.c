// Core: frames, refcounts, bounded queue, worker pool.
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "ainimotion/frame.h"
#include "core/pool.h"
#include "core/queue.h"
#include "test.h"

static void test_frame(void)
{
    AimFrame *f = NULL;
    CHECK_EQ_INT(aim_frame_alloc(&f, 0, 10, 8, 0), AIM_ERR(EINVAL));
    CHECK_EQ_INT(aim_frame_alloc(&f, 10, 10, 9, 0), AIM_ERR(EINVAL));
    CHECK(f == NULL);
    CHECK_EQ_INT(aim_frame_alloc(&f, 33, 17, 10, 1), 0);
    CHECK_EQ_INT(aim_plane_w(f, 1), 17);
    CHECK_EQ_INT(aim_plane_h(f, 2), 9);
    CHECK((f->stride[0] * 2) % AIM_FRAME_ALIGN == 0);
    CHECK(f->stride[0] >= 33 + AIM_FRAME_PAD / 2);
    for (int p = 0; p < 3; p++)
        CHECK(((uintptr_t)f->data[p] % AIM_FRAME_ALIGN) == 0);
    AimFrame *g = aim_frame_ref(f);
    CHECK(g == f);
    aim_frame_unref(&g);
    CHECK(g == NULL);
    f->data[0][5] = 1000;
    AimFrame *h = NULL;
    CHECK_EQ_INT(aim_frame_alloc(&h, 33, 17, 10, 0), 0);
    f->pts = 42;
    aim_frame_copy(h, f);
    CHECK_EQ_INT(h->data[0][5], 1000);
    CHECK_EQ_INT(h->pts, 42);
    // padding after each row is zeroed even without `zero`
    CHECK_EQ_INT(h->data[1][h->stride[1] - 1], 0);
    aim_frame_unref(&f);
    aim_frame_unref(&h);
    aim_frame_unref(&h); // &NULL accepted
}

static void test_frame_pool(void)
{
    AimFramePool *p = NULL;
    CHECK_EQ_INT(aim_frame_pool_create(&p, 16, 9, 8, 2), 0);
    AimFrame *a = NULL, *b = NULL, *c = NULL;
    CHECK_EQ_INT(aim_frame_pool_get(p, &a), 0);
    CHECK_EQ_INT(aim_frame_pool_get(p, &b), 0);
    CHECK_EQ_INT(aim_frame_pool_get(p, &c), 0);
    CHECK(a && b && c && a != b && b != c);
    CHECK_EQ_INT(a->width, 16);
    uint16_t *pix = a->data[0];
    a->index = 99;
    aim_frame_unref(&a);
    AimFrame *d = NULL;
    CHECK_EQ_INT(aim_frame_pool_get(p, &d), 0);
    CHECK(d->data[0] == pix); // recycled, props reset
    CHECK_EQ_INT(d->index, 0);
    AimFrame *e = aim_frame_ref(d);
    aim_frame_unref(&d);
    // frames outlive the pool
    aim_frame_pool_destroy(&p);
    CHECK(p == NULL);
    e->data[0][0] = 5;
    aim_frame_unref(&e);
    aim_frame_unref(&b);
    aim_frame_unref(&c);
}

typedef struct { AimQueue *q; int n; } ProdArg;

static void *producer(void *a_)
{
    ProdArg *a = a_;
    for (intptr_t i = 1; i <= a->n; i++)
        aim_queue_push(a->q, (void *)i);
    aim_queue_close(a->q);
    return NULL;
}

static void test_queue(void)
{
    AimQueue *q = NULL;
    CHECK_EQ_INT(aim_queue_create(&q, 0), AIM_ERR(EINVAL));
    CHECK_EQ_INT(aim_queue_create(&q, 3), 0);
    ProdArg a = { q, 1000 };
    pthread_t t;
    pthread_create(&t, NULL, producer, &a);
    intptr_t expect = 1;
    void *item;
    int ret, in_order = 1, max_size = 0;
    while (!(ret = aim_queue_pop(q, &item))) {
        in_order &= (intptr_t)item == expect++;
        int s = (int)aim_queue_size(q);
        max_size = s > max_size ? s : max_size;
    }
    pthread_join(t, NULL);
    CHECK_EQ_INT(ret, AIM_ERR_EOF);
    CHECK(in_order);
    CHECK_EQ_INT(expect, 1001);
    CHECK(max_size <= 3);
    CHECK_EQ_INT(aim_queue_push(q, (void *)1), AIM_ERR_EOF);
    aim_queue_destroy(&q);

    CHECK_EQ_INT(aim_queue_create(&q, 2), 0);
    aim_queue_push(q, (void *)7);
    aim_queue_abort(q);
    CHECK_EQ_INT(aim_queue_pop(q, &item), AIM_ERR_INTERRUPTED);
    aim_queue_destroy(&q);
    CHECK(q == NULL);
}

typedef struct { atomic_int hits[257]; } PoolCtx;
static void pool_job(void *ctx, int job, int njobs)
{
    PoolCtx *c = ctx;
    atomic_fetch_add(&c->hits[job], 1);
    (void)njobs;
}

typedef struct { AimPool *p; int ok; } RunArg;
static void *runner(void *a_)
{
    RunArg *a = a_;
    for (int r = 0; r < 50; r++) {
        PoolCtx c;
        for (int i = 0; i < 257; i++)
            atomic_init(&c.hits[i], 0);
        aim_pool_run(a->p, pool_job, &c, 257);
        for (int i = 0; i < 257; i++)
            a->ok &= atomic_load(&c.hits[i]) == 1;
    }
    return NULL;
}

static void test_pool(void)
{
    for (int workers = 0; workers <= 3; workers++) {
        AimPool *p = NULL;
        CHECK_EQ_INT(aim_pool_create(&p, workers), 0);
        CHECK_EQ_INT(aim_pool_threads(p), workers + 1);
        // several stage threads share the pool at once
        RunArg args[3] = { { p, 1 }, { p, 1 }, { p, 1 } };
        pthread_t t[3];
        for (int i = 0; i < 3; i++)
            pthread_create(&t[i], NULL, runner, &args[i]);
        for (int i = 0; i < 3; i++) {
            pthread_join(t[i], NULL);
            CHECK(args[i].ok);
        }
        aim_pool_destroy(&p);
        CHECK(p == NULL);
    }
}

int main(void)
{
    test_frame();
    test_frame_pool();
    test_queue();
    test_pool();
    return test_finish("test_core");
}
