// The ainimotion command line: subcommands, exit codes, shared helpers.
#ifndef AIM_CLI_H
#define AIM_CLI_H

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

#include "ainimotion/common.h"

/** Process exit codes (documented in --help and README). */
enum {
    AIM_EXIT_OK = 0,
    AIM_EXIT_USAGE = 1,       ///< bad option or value, bad --clip range
    AIM_EXIT_INPUT = 2,       ///< input missing, unreadable, not media, no video stream
    AIM_EXIT_OUTPUT = 3,      ///< output exists (no -y), is the input, folder not writable,
                              ///< encoder not available
    AIM_EXIT_UNSUPPORTED = 4, ///< valid input we do not handle (pixel format, rate ratio)
    AIM_EXIT_FAILED = 5,      ///< processing failed (out of memory, encoder/library error)
    AIM_EXIT_MODEL = 6,       ///< a model is not installed or its files are invalid
    AIM_EXIT_INTERRUPTED = 130, ///< SIGINT/SIGTERM: nothing written under the output name
};

int aim_cmd_enhance(int argc, char **argv);
int aim_cmd_analyze(int argc, char **argv);
int aim_cmd_models(int argc, char **argv);
int aim_cmd_devices(int argc, char **argv);

/** Maps an AIM error code to the process exit code. */
int aim_exit_code(int err);

/**
 * Log callback printing "ainimotion: <level>: msg" to stderr through aim_cli_say (opaque:
 * unused).
 */
void aim_cli_log(void *opaque, AimLogLevel level, const char *msg);

/**
 * Prints one line on stderr (a newline is added). Once an allocation has failed anywhere in the
 * process, every line is replaced by the single line "ainimotion: error: out of memory",
 * printed once: what a library makes of a failed allocation ("Generic error", "cannot open
 * the decoder") is not the cause. Thread-safe.
 */
void aim_cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * Mutes the lines libraries print to stderr themselves, bypassing av_log (x264's "[error]:
 * malloc of size N failed", x265's banner), while a command runs without -v: their FILE
 * `stderr` then writes to /dev/null, ours (aim_cli_say, aim_cli_stderr) to a copy of fd 2.
 * File descriptor 2 is untouched (sanitizer reports, the C library's fatal messages).
 * aim_cli_mute_libraries(0) restores stderr. Call from the main thread before any library
 * thread starts and after they all ended: `stderr` is a plain global.
 */
void aim_cli_mute_libraries(int mute);
/** The FILE our own lines go to (stderr unless muted). */
FILE *aim_cli_stderr(void);

/**
 * Called by the allocation functions (alloc_hook.c) when an allocation fails. Signal-safe.
 * The first call arms a watchdog (alarm(2), AIM_CLI_OOM_GRACE_S seconds; see
 * aim_cli_oom_guard_install).
 */
void aim_cli_note_alloc_failure(void);
/**
 * Installed once by main(): what happens when a library cannot survive a failed allocation.
 * After an allocation failed, a run must end with exit 5 and the one line "out of memory", but
 * x265 (3.5) deadlocks in x265_encoder_open when one of its threads cannot be made, crashes
 * (SIGSEGV) on an allocation it does not check, and C++ code aborts on std::bad_alloc;
 * SVT-AV1 (1.4) deadlocks too (found with ulimit -v, tests/golden/test_alloc_fail.sh). So, once
 * an allocation has failed (never before): SIGABRT, SIGSEGV, SIGBUS, or the watchdog's SIGALRM
 * when the run has not ended by then, remove the files registered with aim_cli_cleanup_add,
 * print the line and end the process with exit 5. A crash whose faulting instruction is in
 * the program itself (our code, on x86-64) is never taken for the library's: it goes to the
 * handler that was there before (the default's core dump, or a sanitizer's report).
 * Test hook: AIM_TEST_OOM_GRACE_S=N (1 to AIM_CLI_OOM_GRACE_S) shortens the watchdog's wait
 * (test_alloc_fail's runs of the encoders that deadlock).
 */
void aim_cli_oom_guard_install(void);
/**
 * A temporary file the guard removes if the process must end in it (a copy of the name is
 * kept, at most 4 at once; a path of PATH_MAX bytes or more, or NULL, is not kept). Returns
 * the slot to release once the file is published or deleted (-1 when not kept). Main thread
 * only.
 */
int aim_cli_cleanup_add(const char *path);
/** Forgets a slot of aim_cli_cleanup_add; -1 is a no-op. */
void aim_cli_cleanup_release(int slot);
/** 1 once an allocation failed in this process. */
int aim_cli_out_of_memory(void);
/**
 * After an allocation failed: prints the "out of memory" line unless already printed and ends
 * the process at once with AIM_EXIT_FAILED, without closing what is still open. libavcodec
 * 5.1's frame-threaded H.264 decoder can abort in avcodec_close after one of its allocations
 * failed (assertion src->f->buf[0] in h264_picture.c:97); the process ends anyway. Call it
 * once the outputs are removed or published, before the input is closed. Returns otherwise.
 */
void aim_cli_abandon_if_oom(void);
/**
 * The exit code of an output that could not be made or written (err: a negative error code):
 * AIM_EXIT_FAILED when out of memory (AIM_ERR(ENOMEM)), else AIM_EXIT_OUTPUT, a full disk and
 * the file size limit included (README's table).
 */
int aim_cli_output_exit(int err);
/**
 * A command's exit code, given the code it would return: AIM_EXIT_FAILED, after printing the
 * "out of memory" line unless already printed, when an allocation failed; else `code`.
 */
int aim_cli_exit(int code);

/**
 * getopt's short option clusters: "-qy" is "-q -y". `a` is one argument, `flags` the letters
 * that take no value, `valued` those that take one: such a letter ends the cluster and the rest
 * of the argument is its value ("-qoOUT"; *val is NULL for "-qo OUT": the next argument).
 * Returns the number of letters written to `letters` (NUL-terminated, n bytes) when `a` is a
 * cluster of at least two letters, 0 when it is not a cluster (a long option, "-x", "-"), or
 * AIM_ERR(EINVAL) when it holds a letter of neither set.
 */
int aim_cli_short_cluster(const char *a, const char *flags, const char *valued, char *letters,
                          size_t n, const char **val);

/** One file a run writes, and the option that names it (for the message). */
typedef struct AimCliOutput {
    const char *option; ///< "--out", "--report", ...
    const char *path;   ///< NULL: not given; "-": stdout
} AimCliOutput;

/**
 * Refuses, before any work, outputs that would overwrite the input (the same file through
 * symlinks or hard links included: AIM_EXIT_OUTPUT) or each other (the same name, or the same
 * existing file: AIM_EXIT_USAGE; two "-" are both stdout). Prints the one-line error itself.
 * Returns AIM_EXIT_OK or that exit code.
 */
int aim_cli_check_outputs(const char *in, const AimCliOutput *outs, int n);

/**
 * A side file a command writes whole (--report, --csv, --json, --timeline). It is filled under
 * a hidden temporary name beside `path` (.NAME.partXXXXXX, mode 0666 & ~umask) and renamed over
 * `path` by aim_cli_file_commit only once every byte was written: a full disk or a file-size
 * limit (ulimit -f) never leaves half a file under `path`, nor removes one that was there.
 * "-" is stdout, and an existing path that is not a regular file (/dev/stdout, a FIFO) is
 * opened and written as it is. Main thread only (umask is read by setting it).
 */
typedef struct AimCliFile {
    FILE *f;          ///< where to write
    const char *path; ///< borrowed
    char *tmp;        ///< the temporary name; NULL when `path` is written directly
    int slot;         ///< aim_cli_cleanup_add's, for tmp
} AimCliFile;

/** Opens *cf for `path`. 0, or AIM_ERR(errno) with *cf zeroed (nothing created). */
int aim_cli_file_open(AimCliFile *cf, const char *path);
/**
 * Flushes and closes the file, then renames it to its path. 0, or AIM_ERR(errno) of the first
 * failure (ENOSPC, EFBIG...), the temporary file removed. *cf is zeroed either way.
 */
int aim_cli_file_commit(AimCliFile *cf);
/** Closes without publishing and removes the temporary file; a zeroed *cf is a no-op. */
void aim_cli_file_abort(AimCliFile *cf);

/**
 * A thread of its own that calls tick(arg) at once and then every `ms` milliseconds until
 * aim_cli_ticker_stop (the cancel poll of a run, a job lock's refresh). The period counts on
 * CLOCK_MONOTONIC: a change of the wall clock (date -s, NTP stepping it) neither stretches nor
 * cuts it (on CLOCK_REALTIME a clock set back by an hour made a 50 ms period last an hour).
 * tick runs on the ticker's thread with its mutex held, never after aim_cli_ticker_stop has
 * returned. Start and stop from one thread.
 */
typedef struct AimCliTicker {
    void (*tick)(void *arg);
    void *arg;
    long ms;
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int stop, running;
} AimCliTicker;
/** Starts *t. 0, or the error number of what failed (pthread_create's EAGAIN): nothing runs. */
int aim_cli_ticker_start(AimCliTicker *t, long ms, void (*tick)(void *arg), void *arg);
/** Stops and joins *t; one never started (zeroed, or its start failed) is a no-op. */
void aim_cli_ticker_stop(AimCliTicker *t);

#endif
