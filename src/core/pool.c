#include <pthread.h>
#include <stdlib.h>

#include "ainimotion/common.h"
#include "pool.h"

typedef struct Task {
    AimPoolFn fn;
    void *ctx;
    int njobs, next, done;
    pthread_cond_t finished;
    struct Task *next_task;
} Task;

struct AimPool {
    pthread_mutex_t lock;
    pthread_cond_t work;
    Task *tasks; // tasks with jobs not yet handed out
    pthread_t *threads;
    int nthreads, quit;
};

// Takes the next job of the first task; removes exhausted tasks from the list. Locked.
static Task *take_job(AimPool *p, int *job)
{
    Task *t = p->tasks;
    if (!t)
        return NULL;
    *job = t->next++;
    if (t->next == t->njobs)
        p->tasks = t->next_task;
    return t;
}

static void finish_job(AimPool *p, Task *t)
{
    if (++t->done == t->njobs)
        pthread_cond_signal(&t->finished);
    (void)p;
}

static void *worker(void *arg)
{
    AimPool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        int job;
        Task *t = take_job(p, &job);
        if (!t) {
            if (p->quit)
                break;
            pthread_cond_wait(&p->work, &p->lock);
            continue;
        }
        pthread_mutex_unlock(&p->lock);
        t->fn(t->ctx, job, t->njobs);
        pthread_mutex_lock(&p->lock);
        finish_job(p, t);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int aim_pool_create(AimPool **out, int workers)
{
    if (!out || workers < 0 || workers > 256)
        return AIM_ERR(EINVAL);
    AimPool *p = calloc(1, sizeof(*p));
    if (!p)
        return AIM_ERR(ENOMEM);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    if (workers) {
        p->threads = calloc((size_t)workers, sizeof(*p->threads));
        if (!p->threads) {
            aim_pool_destroy(&p);
            return AIM_ERR(ENOMEM);
        }
    }
    for (int i = 0; i < workers; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p)) {
            aim_pool_destroy(&p);
            return AIM_ERR(EAGAIN);
        }
        p->nthreads++;
    }
    *out = p;
    return 0;
}

void aim_pool_destroy(AimPool **pp)
{
    if (!pp || !*pp)
        return;
    AimPool *p = *pp;
    pthread_mutex_lock(&p->lock);
    p->quit = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    free(p->threads);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->work);
    free(p);
    *pp = NULL;
}

int aim_pool_threads(const AimPool *pool) { return pool ? pool->nthreads + 1 : 1; }

void aim_pool_run(AimPool *p, AimPoolFn fn, void *ctx, int njobs)
{
    if (njobs <= 0)
        return;
    if (!p || !p->nthreads || njobs == 1) {
        for (int j = 0; j < njobs; j++)
            fn(ctx, j, njobs);
        return;
    }
    Task t = { .fn = fn, .ctx = ctx, .njobs = njobs };
    pthread_cond_init(&t.finished, NULL);
    pthread_mutex_lock(&p->lock);
    Task **tail = &p->tasks;
    while (*tail)
        tail = &(*tail)->next_task;
    *tail = &t;
    pthread_cond_broadcast(&p->work);
    // The caller works on its own task only, so a nested wait never blocks on foreign work.
    while (t.next < t.njobs) {
        int job = t.next++;
        if (t.next == t.njobs) { // unlink
            Task **pt = &p->tasks;
            while (*pt != &t)
                pt = &(*pt)->next_task;
            *pt = t.next_task;
        }
        pthread_mutex_unlock(&p->lock);
        fn(ctx, job, njobs);
        pthread_mutex_lock(&p->lock);
        finish_job(p, &t);
    }
    while (t.done < t.njobs)
        pthread_cond_wait(&t.finished, &p->lock);
    pthread_mutex_unlock(&p->lock);
    pthread_cond_destroy(&t.finished);
}
