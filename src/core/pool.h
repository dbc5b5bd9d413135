// One shared worker pool; a stage slices its work (rows, tiles) into jobs and runs them with
// aim_pool_run (FFmpeg ff_filter_execute). Thread-safety: aim_pool_run may be called from
// several stage threads at once; each call blocks until its own jobs are done, and the calling
// thread works on its own jobs meanwhile, so a pool of 0 workers runs everything inline.
#ifndef AIM_CORE_POOL_H
#define AIM_CORE_POOL_H

typedef struct AimPool AimPool;

/** fn(ctx, job, njobs): one job; jobs of one call may run concurrently, in any order. */
typedef void (*AimPoolFn)(void *ctx, int job, int njobs);

/** Creates a pool with `workers` (>= 0) threads. 0 or negative error. */
int aim_pool_create(AimPool **out, int workers);
/** Joins the workers; no aim_pool_run may be in flight. Accepts &NULL. */
void aim_pool_destroy(AimPool **p);
/** Runs fn for job = 0..njobs-1 and returns when all are done. pool may be NULL (inline). */
void aim_pool_run(AimPool *pool, AimPoolFn fn, void *ctx, int njobs);
/** Number of threads that can work on one call (workers + the caller). */
int aim_pool_threads(const AimPool *pool);

#endif
