// Helpers every subcommand's option parser shares: getopt-style short option clusters, and the
// check of the paths a run will write against its input and against each other.
#define _GNU_SOURCE
#include <libgen.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "cli.h"
#include "core/parse.h"

int aim_cli_short_cluster(const char *a, const char *flags, const char *valued, char *letters,
                          size_t n, const char **val)
{
    *val = NULL;
    if (!a || a[0] != '-' || a[1] == '-' || !a[1] || !a[2])
        return 0;
    size_t k = 0;
    for (const char *c = a + 1; *c; c++) {
        if (k + 1 >= n || (!strchr(flags, *c) && !strchr(valued, *c)))
            return AIM_ERR(EINVAL);
        letters[k++] = *c;
        if (strchr(valued, *c)) { // the rest of the argument, or the next one, is its value
            *val = c[1] ? c + 1 : NULL;
            break;
        }
    }
    letters[k] = 0;
    return (int)k;
}

// The file a path names once written: its folder resolved through symlinks, plus its own name
// (the file itself may not exist yet). NULL when the folder cannot be resolved (the writer then
// reports the missing folder) or out of memory.
static char *target(const char *path)
{
    char *c1 = strdup(path), *c2 = strdup(path), *res = NULL;
    if (c1 && c2) {
        char *dir = realpath(dirname(c1), NULL);
        if (dir && asprintf(&res, "%s/%s", dir, basename(c2)) < 0)
            res = NULL;
        free(dir);
    }
    free(c1);
    free(c2);
    return res;
}

// 1 when a and b are the same file: the same name (after resolving the folders), or, when both
// exist, the same inode (a symlink or a hard link to it).
static int same_file(const char *a, const char *b)
{
    if (!strcmp(a, b))
        return 1;
    if (!strcmp(a, "-") || !strcmp(b, "-"))
        return 0;
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char *ta = target(a), *tb = target(b);
    int same = ta && tb && !strcmp(ta, tb);
    free(ta);
    free(tb);
    return same;
}

int aim_cli_check_outputs(const char *in, const AimCliOutput *outs, int n)
{
    struct stat si;
    int have_in = in && strcmp(in, "-") && stat(in, &si) == 0;
    for (int i = 0; i < n; i++) {
        const char *p = outs[i].path;
        if (!p)
            continue;
        struct stat so;
        if (have_in && strcmp(p, "-") && stat(p, &so) == 0 && so.st_dev == si.st_dev &&
            so.st_ino == si.st_ino) {
            fprintf(stderr, "ainimotion: %s '%s' is the input file: refusing to write it\n",
                    outs[i].option, p);
            return AIM_EXIT_OUTPUT;
        }
        for (int j = 0; j < i; j++) {
            if (outs[j].path && same_file(outs[j].path, p)) {
                fprintf(stderr, "ainimotion: %s and %s name the same file '%s': give each "
                        "output its own name\n", outs[j].option, outs[i].option, p);
                return AIM_EXIT_USAGE;
            }
        }
    }
    return AIM_EXIT_OK;
}

static atomic_int alloc_failed, oom_said;

// How long a run may take to end after an allocation failed, before the guard ends it: an
// orderly end (the pipeline drained, the temporary file removed) took under 1 s in every run of
// test_alloc_fail (64x48 and 320x180 clips); 10 s leaves room for a large encoder's flush on a
// loaded machine, and is short next to the deadlocks it ends (x265, SVT-AV1: forever).
#define AIM_CLI_OOM_GRACE_S 10
// The wait in use: AIM_CLI_OOM_GRACE_S, or the test hook AIM_TEST_OOM_GRACE_S=N (1 to 10 s),
// read by aim_cli_oom_guard_install before any thread starts.
static unsigned oom_grace_s = AIM_CLI_OOM_GRACE_S;

void aim_cli_note_alloc_failure(void)
{
    if (!atomic_exchange_explicit(&alloc_failed, 1, memory_order_relaxed))
        alarm(oom_grace_s); // async-signal-safe; SIGALRM goes to the guard
}

// ---- the guard: ending the process once a library cannot survive a failed allocation ------

#define CLEANUP_SLOTS 4
static char cleanup_path[CLEANUP_SLOTS][PATH_MAX];
static volatile sig_atomic_t cleanup_used[CLEANUP_SLOTS];
static struct sigaction guard_old[4];
static const int guard_sigs[4] = { SIGABRT, SIGSEGV, SIGBUS, SIGALRM };

int aim_cli_cleanup_add(const char *path)
{
    if (!path || strlen(path) >= PATH_MAX)
        return -1;
    for (int i = 0; i < CLEANUP_SLOTS; i++) {
        if (!cleanup_used[i]) {
            strcpy(cleanup_path[i], path);
            cleanup_used[i] = 1; // after the path: the handler reads a whole one
            return i;
        }
    }
    return -1;
}

void aim_cli_cleanup_release(int slot)
{
    if (slot >= 0 && slot < CLEANUP_SLOTS)
        cleanup_used[slot] = 0;
}

// 1 when the instruction that faulted is in the program's own code (its static libraries
// included), whose failures to handle an allocation are bugs to see, not to hide.
static int fault_in_program(const void *ucv)
{
#if defined(__x86_64__) && defined(__linux__)
    // the linker's bounds of the executable's code; weak: absent (NULL) in libainimotion.so,
    // which has this file but never installs the guard
    extern const char __executable_start[] __attribute__((weak));
    extern const char etext[] __attribute__((weak));
    const ucontext_t *uc = ucv;
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    return __executable_start && etext && pc >= (uintptr_t)__executable_start &&
           pc < (uintptr_t)etext;
#else
    (void)ucv;
    return 0;
#endif
}

static void guard(int sig, siginfo_t *si, void *uc)
{
    (void)si;
    int k = 0;
    while (k < 3 && guard_sigs[k] != sig)
        k++;
    int pass = !aim_cli_out_of_memory() ||
               ((sig == SIGSEGV || sig == SIGBUS) && fault_in_program(uc));
    if (pass) {
        // not a library's end after a failed allocation: what was there before (for a fault,
        // the instruction runs again and faults under it; abort() raises again itself)
        sigaction(sig, &guard_old[k], NULL);
        if (sig == SIGALRM)
            raise(sig);
        return;
    }
    for (int i = 0; i < CLEANUP_SLOTS; i++)
        if (cleanup_used[i])
            unlink(cleanup_path[i]);
    static const char line[] = "ainimotion: error: out of memory\n";
    if (!atomic_exchange(&oom_said, 1) && write(2, line, sizeof(line) - 1) < 0)
        _exit(AIM_EXIT_FAILED);
    _exit(AIM_EXIT_FAILED);
}

void aim_cli_oom_guard_install(void)
{
    const char *e = getenv("AIM_TEST_OOM_GRACE_S");
    long n;
    if (e && aim_parse_int(e, 1, AIM_CLI_OOM_GRACE_S, &n) == 0)
        oom_grace_s = (unsigned)n;
    struct sigaction sa = { .sa_sigaction = guard, .sa_flags = SA_SIGINFO };
    sigemptyset(&sa.sa_mask);
    for (int k = 0; k < 4; k++)
        sigaction(guard_sigs[k], &sa, &guard_old[k]);
}

int aim_cli_out_of_memory(void)
{
    return atomic_load_explicit(&alloc_failed, memory_order_relaxed);
}

static void say_oom(void)
{
    if (!atomic_exchange(&oom_said, 1))
        fputs("ainimotion: error: out of memory\n", aim_cli_stderr());
}

// Where our lines go: stderr, or a copy of it while the libraries' own lines are muted.
static FILE *say_out, *saved_stderr;

FILE *aim_cli_stderr(void)
{
    return say_out ? say_out : stderr;
}

void aim_cli_mute_libraries(int mute)
{
    if (mute && !say_out) {
        // a FILE of our own on a copy of fd 2; the libraries' `stderr` writes into /dev/null.
        // fd 2 itself is untouched: sanitizers and the C library's fatal messages write there.
        int fd = dup(2);
        FILE *ours = fd >= 0 ? fdopen(fd, "w") : NULL;
        FILE *null = ours ? fopen("/dev/null", "w") : NULL;
        if (!null) { // (then the libraries' lines show)
            if (ours)
                fclose(ours);
            else if (fd >= 0)
                close(fd);
            return;
        }
        setvbuf(ours, NULL, _IONBF, 0); // unbuffered, as stderr
        fflush(stderr);
        saved_stderr = stderr;
        say_out = ours;
        stderr = null;
    } else if (!mute && say_out) {
        fclose(stderr);
        stderr = saved_stderr;
        fclose(say_out);
        say_out = NULL;
    }
}

void aim_cli_say(const char *fmt, ...)
{
    // formatted into a stack buffer: printing must not need memory (it may be what failed)
    char line[1100];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (aim_cli_out_of_memory()) {
        say_oom();
        return;
    }
    fprintf(aim_cli_stderr(), "%s\n", line);
}

int aim_cli_output_exit(int err)
{
    return err == AIM_ERR(ENOMEM) ? AIM_EXIT_FAILED : AIM_EXIT_OUTPUT;
}

int aim_cli_exit(int code)
{
    if (!aim_cli_out_of_memory())
        return code;
    say_oom();
    return AIM_EXIT_FAILED;
}

void aim_cli_abandon_if_oom(void)
{
    if (!aim_cli_out_of_memory())
        return;
    say_oom();
    fflush(NULL);
    _exit(AIM_EXIT_FAILED); // no atexit handlers: nothing of the half-failed state is touched
}

int aim_cli_file_open(AimCliFile *cf, const char *path)
{
    *cf = (AimCliFile){ .path = path, .slot = -1 };
    struct stat st;
    if (!strcmp(path, "-") || (stat(path, &st) == 0 && !S_ISREG(st.st_mode))) {
        cf->f = strcmp(path, "-") ? fopen(path, "wb") : stdout;
        if (!cf->f) {
            int e = errno;
            *cf = (AimCliFile){ 0 };
            return AIM_ERR(e);
        }
        return 0;
    }
    char *c1 = strdup(path), *c2 = strdup(path);
    int ret = AIM_ERR(ENOMEM);
    if (!c1 || !c2)
        goto end;
    const char *dir = dirname(c1), *base = basename(c2);
    // "." + base + ".part" + 6 characters must stay a legal name (NAME_MAX bytes): a long base
    // is shortened, never inside a UTF-8 sequence (as the video's temporary name, writer.c)
    size_t blen = strlen(base), bmax = NAME_MAX - strlen("..partXXXXXX");
    if (blen > bmax) {
        blen = bmax;
        while (blen && ((unsigned char)base[blen] & 0xc0) == 0x80)
            blen--;
    }
    if (asprintf(&cf->tmp, "%s/.%.*s.partXXXXXX", dir, (int)blen, base) < 0) {
        cf->tmp = NULL;
        goto end;
    }
    int fd = mkostemp(cf->tmp, O_CLOEXEC);
    if (fd < 0) {
        ret = AIM_ERR(errno);
        goto end;
    }
    mode_t mask = umask(0); // mkostemp makes 0600: give it a new file's usual mode
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    if (!(cf->f = fdopen(fd, "wb"))) {
        ret = AIM_ERR(errno);
        close(fd);
        unlink(cf->tmp);
        goto end;
    }
    cf->slot = aim_cli_cleanup_add(cf->tmp);
    ret = 0;
end:
    free(c1);
    free(c2);
    if (ret < 0) {
        free(cf->tmp);
        *cf = (AimCliFile){ 0 };
    }
    return ret;
}

int aim_cli_file_commit(AimCliFile *cf)
{
    if (!cf->f)
        return AIM_ERR(EINVAL);
    errno = 0;
    int ret = 0;
    if (fflush(cf->f) != 0 || ferror(cf->f))
        ret = AIM_ERR(errno ? errno : EIO);
    if (cf->f != stdout && fclose(cf->f) != 0 && ret >= 0)
        ret = AIM_ERR(errno ? errno : EIO);
    cf->f = NULL;
    if (cf->tmp && ret >= 0 && rename(cf->tmp, cf->path) != 0)
        ret = AIM_ERR(errno);
    if (cf->tmp && ret < 0)
        unlink(cf->tmp);
    if (cf->tmp) // (a zeroed *cf has no slot)
        aim_cli_cleanup_release(cf->slot);
    free(cf->tmp);
    *cf = (AimCliFile){ 0 };
    return ret;
}

void aim_cli_file_abort(AimCliFile *cf)
{
    if (cf->f && cf->f != stdout)
        fclose(cf->f);
    else if (cf->f)
        fflush(cf->f);
    if (cf->tmp) { // (a zeroed *cf has no slot)
        unlink(cf->tmp);
        aim_cli_cleanup_release(cf->slot);
    }
    free(cf->tmp);
    *cf = (AimCliFile){ 0 };
}

// A condition variable whose timed waits (cond_wait_ms) count on CLOCK_MONOTONIC.
static int cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t a;
    int ret = pthread_condattr_init(&a);
    if (ret)
        return ret;
    if (!(ret = pthread_condattr_setclock(&a, CLOCK_MONOTONIC)))
        ret = pthread_cond_init(cond, &a);
    pthread_condattr_destroy(&a);
    return ret;
}

static void cond_wait_ms(pthread_cond_t *cond, pthread_mutex_t *mutex, long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); // the clock cond_init_monotonic gave the condition
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += ms % 1000 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(cond, mutex, &ts);
}

static void *ticker_main(void *arg)
{
    AimCliTicker *t = arg;
    pthread_mutex_lock(&t->mutex);
    while (!t->stop) {
        t->tick(t->arg);
        cond_wait_ms(&t->cond, &t->mutex, t->ms); // a spurious wake-up ticks early: harmless
    }
    pthread_mutex_unlock(&t->mutex);
    return NULL;
}

int aim_cli_ticker_start(AimCliTicker *t, long ms, void (*tick)(void *arg), void *arg)
{
    *t = (AimCliTicker){ .tick = tick, .arg = arg, .ms = ms };
    int ret = pthread_mutex_init(&t->mutex, NULL);
    if (ret)
        return ret;
    if (!(ret = cond_init_monotonic(&t->cond))) {
        if (!(ret = pthread_create(&t->thread, NULL, ticker_main, t))) {
            t->running = 1;
            return 0;
        }
        pthread_cond_destroy(&t->cond);
    }
    pthread_mutex_destroy(&t->mutex);
    return ret;
}

void aim_cli_ticker_stop(AimCliTicker *t)
{
    if (!t->running)
        return;
    pthread_mutex_lock(&t->mutex);
    t->stop = 1;
    pthread_cond_signal(&t->cond);
    pthread_mutex_unlock(&t->mutex);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->cond);
    pthread_mutex_destroy(&t->mutex);
    t->running = 0;
}
