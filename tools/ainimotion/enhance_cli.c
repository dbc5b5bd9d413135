// The command line's side of an enhance run: `enhance IN --out OUT` (and each input of a batch)
// runs through the public API (aim_create, aim_run), the terminal's part driven by its
// callbacks: Ctrl-C through should_cancel, the progress line through on_progress, the summary
// from the AimReport.
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ainimotion/ainimotion.h"
#include "api.h"
#include "cli.h"
#include "enhance.h"
#include "pipeline/pipeline.h"

// The only mutable global of the program: a signal handler cannot reach anything else.
// Lock-free atomics are async-signal-safe.
static atomic_int g_interrupted;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&g_interrupted, 1);
}

// One run's terminal: signals, muted library lines, the progress line's state.
typedef struct Session {
    AimLog log;
    const char *out;
    int tty, quiet;
    double last_print;   // seconds into the run of the last progress line
    struct sigaction old_int, old_term, old_hup;
} Session;

static void session_begin(Session *s, const EnhanceOptions *o)
{
    *s = (Session){ .log = { aim_cli_log, NULL, o->verbose ? AIM_LOG_DEBUG
                                                : o->quiet ? AIM_LOG_WARNING : AIM_LOG_INFO },
                    .out = o->out, .tty = isatty(2), .quiet = o->quiet || !strcmp(o->out, "-") };
    atomic_store(&g_interrupted, 0); // a run starts uncancelled (a batch runs several)
    // the lines x264 and x265 print to stderr themselves only with -v (libav's own through the
    // log: the engine)
    aim_cli_mute_libraries(!o->verbose);
    // Ctrl-C, kill and a closed terminal (SIGHUP) all stop the run cleanly, from before the
    // output's temporary file exists until it is removed or published (the engine polls
    // should_cancel while it runs)
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND; // a second Ctrl-C kills at once (the temp file stays hidden)
    sigaction(SIGINT, &sa, &s->old_int);
    sigaction(SIGTERM, &sa, &s->old_term);
    sigaction(SIGHUP, &sa, &s->old_hup);
}

static void session_end(Session *s)
{
    sigaction(SIGINT, &s->old_int, NULL);
    sigaction(SIGTERM, &s->old_term, NULL);
    sigaction(SIGHUP, &s->old_hup, NULL);
    aim_cli_mute_libraries(0); // every library thread has ended
}

static int interrupted(void *opaque)
{
    (void)opaque;
    return atomic_load(&g_interrupted);
}

// The progress line on stderr (the engine's progress hook has these arguments).
static void progress_line(void *opaque, int64_t done, int64_t total, double seconds,
                          double out_fps, int final)
{
    Session *s = opaque;
    if (s->quiet)
        return;
    // A TTY line is refreshed 4 times a second; logs get a plain line every 10 seconds.
    if (!final && seconds - s->last_print < (s->tty ? 0.25 : 10.0))
        return;
    s->last_print = seconds;
    char line[256];
    aim_progress_line(line, sizeof(line), done, total, seconds, out_fps, final);
    fprintf(aim_cli_stderr(), "%s%s%s", s->tty ? "\r" : "", line,
            s->tty ? (final ? "\n" : "   ") : "\n");
    fflush(aim_cli_stderr());
}

static void on_progress(void *opaque, const AimProgress *p)
{
    progress_line(opaque, p->frames_done, p->frames_total, p->seconds, p->fps, p->final);
}

static void summary(const Session *s, const AimReport *r)
{
    aim_log(&s->log, AIM_LOG_INFO,
            "wrote %s: %lld frames (%lld source: %lld cut, %lld hold, %lld motion, %lld fade; "
            "%lld interpolated, %lld blended, %lld duplicated) in %.1f s (%.1f fps)",
            s->out, (long long)r->output_frames, (long long)r->source_frames, (long long)r->cuts,
            (long long)r->holds, (long long)r->motion, (long long)r->fades,
            (long long)r->interpolated, (long long)r->blended, (long long)r->duplicated,
            r->seconds, r->seconds > 0 ? r->output_frames / r->seconds : 0);
}

// One enhance through the public API: the parsed options become AimSettings, the arguments
// they came from (all but IN and --out) its options.
static int run_api(const EnhanceOptions *o, int argc, char **argv)
{
    const char **rest = calloc((size_t)argc + 1, sizeof(*rest));
    if (!rest) {
        aim_cli_note_alloc_failure();
        return AIM_EXIT_FAILED;
    }
    // `rest` from the arguments `o` was parsed from (a parse that lists them: the options it
    // gives again are not needed); a failure would be a caller's argv that is not o's
    EnhanceOptions again;
    char err[512];
    if (aim_enhance_parse_rest(argc, argv, &again, rest, err, sizeof(err)) < 0) {
        aim_cli_log(NULL, AIM_LOG_ERROR, err);
        free(rest);
        return AIM_EXIT_USAGE;
    }
    Session ses;
    session_begin(&ses, o);
    AimSettings s;
    aim_default_settings(&s);
    s.input = o->in;
    s.output = o->out;
    s.overwrite = o->overwrite;
    s.preset = o->preset->name;
    s.scale = o->scale;
    if (o->fps_mode == 1) {
        s.fps_num = -1;
        s.fps_den = 1;
    } else if (o->fps_mode == 2) {
        s.fps_num = o->fps.num;
        s.fps_den = o->fps.den;
    } // a multiplier (2.5x) has no field: it stays in the options
    s.crf = (int)o->crf;
    s.threads = (int)o->threads;
    s.options = rest;
    s.log = ses.log;
    s.on_progress = on_progress;
    s.should_cancel = interrupted;
    s.opaque = &ses;
    AimContext *c = NULL;
    AimReport r;
    int ret = aim_create(&c, &s);
    if (!ret)
        ret = aim_run(c, &r);
    aim_destroy(&c);
    if (!ret)
        summary(&ses, &r);
    session_end(&ses);
    free(rest);
    return aim_api_exit_code(ret);
}

int aim_cmd_enhance(int argc, char **argv)
{
    EnhanceOptions o;
    char err[512];
    if (aim_batch_wanted(argc, argv))
        return aim_batch_run(argc, argv);
    if (aim_enhance_parse(argc, argv, &o, err, sizeof(err)) < 0) {
        fprintf(stderr, "ainimotion: %s (try 'ainimotion enhance --help')\n", err);
        return AIM_EXIT_USAGE;
    }
    if (o.help) {
        aim_enhance_usage(stdout);
        return AIM_EXIT_OK;
    }
    if (o.version) {
        printf("ainimotion %s\n", AIM_VERSION_STRING);
        return AIM_EXIT_OK;
    }
    // every file the run writes, refused before any work when one would replace the input or
    // another output (the writer checks OUT against the input again, through the reader)
    const AimCliOutput outs[] = { { "--out", o.out }, { "--report", o.report } };
    int code = aim_cli_check_outputs(o.in, outs, sizeof(outs) / sizeof(outs[0]));
    if (code != AIM_EXIT_OK)
        return code;
    return aim_enhance_cli_run(&o, argc, argv);
}

int aim_enhance_cli_run(const EnhanceOptions *o, int argc, char **argv)
{
    if (o->resume)
        return aim_job_resume(o, argc, argv);
    return run_api(o, argc, argv);
}

static void job_finished(void *opaque, const AimPipelineStats *st, double seconds)
{
    Session *s = opaque;
    AimReport r;
    aim_api_report(&r, st, seconds);
    summary(s, &r);
}

int aim_cli_enhance_run(const EnhanceOptions *o, const AimEnhanceHooks *hooks)
{
    Session ses;
    session_begin(&ses, o);
    AimEnhanceHooks h = *hooks;
    h.progress = progress_line;
    h.cancelled = interrupted;
    h.finished = job_finished;
    h.cb_opaque = &ses;
    int code = aim_enhance_run(o, &h);
    session_end(&ses);
    return code;
}
