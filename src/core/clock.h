// The clocks the code times with. Header-only; each function only calls clock_gettime, so any
// thread may call it; none fails on Linux for these clocks (a failure would read as 0).
#ifndef AIM_CORE_CLOCK_H
#define AIM_CORE_CLOCK_H

#include <time.h>

static inline double aim_clock_read(clockid_t id)
{
    struct timespec ts = { 0, 0 };
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

// Seconds on the monotonic clock (elapsed time; a wall-clock jump does not move it).
static inline double aim_now_s(void) { return aim_clock_read(CLOCK_MONOTONIC); }

// CPU seconds of the whole process (all threads).
static inline double aim_cpu_s(void) { return aim_clock_read(CLOCK_PROCESS_CPUTIME_ID); }

// CPU seconds of the calling thread.
static inline double aim_thread_cpu_s(void) { return aim_clock_read(CLOCK_THREAD_CPUTIME_ID); }

#endif
