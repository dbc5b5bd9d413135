// `ainimotion enhance IN --out OUT [options]`: wires the reader, the pipeline and the writer.
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/cpu.h"
#include "core/parse.h"
#include "enhance.h"
#include "io/avlog.h"
#include "io/io.h"
#include "nn/models.h"
#include "pipeline/pipeline.h"
#include "report.h"

// Engines and encoder settings per preset; the restoration strengths and anti-ringing of each
// preset live with the scaler (aim_scaler_apply_preset), which knows what they mean.
static const AimPreset presets[] = {
    { "anime-clean", "classic", "lanczos", 16, "medium" },
    // waifu2x-cunet (at the preset's noise level 2, aim_scaler_apply_preset) when installed:
    // the best restoration measured on the stills (bench/RESULTS-nn.md). Model A stays classic:
    // RIFE v4.6 scored below it on two of the three shared clips (dbz, jjk) at ~100x the CPU
    // time (bench/RESULTS-interp.md, session 4); `--interp rife` picks it explicitly.
    { "anime-strong", "classic", "waifu2x-cunet|lanczos", 16, "medium" },
    { "fast", "classic", "bicubic", 20, "veryfast" },
};

// A preset's engine (interp or upscaler) may be a list in order of preference,
// "waifu2x-cunet|lanczos": the first one that can run, i.e. whose model is installed (engines
// without a model always can; the neural engines presets list are named as their model). An
// explicit --interp / --upscaler is taken as given (and fails with exit code 6 when its model
// is missing).
static const char *preset_engine(const char *spec, const char *models_dir, char *buf,
                                 size_t n, const AimLog *log)
{
    const char *p = spec;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        snprintf(buf, n, "%.*s", (int)len, p);
        const AimModelInfo *m = aim_models_find(buf);
        char dir[4096];
        if (!m)
            return buf;
        if (aim_models_dir(dir, sizeof(dir), models_dir) == 0 &&
            aim_models_check(dir, m, 0, NULL) == 0) {
            aim_log(log, AIM_LOG_INFO, "preset: %s is installed and used: a neural model runs "
                    "on the CPU at seconds per frame (an explicit --interp/--upscaler picks "
                    "another engine)", buf);
            return buf;
        }
        if (!bar)
            return buf; // the last choice; the engine itself reports the missing model
        aim_log(log, AIM_LOG_INFO, "preset: %s is not installed (`ainimotion models install "
                "%s`), using the next engine", buf, buf);
        p = bar + 1;
    }
}

const AimPreset *aim_preset_find(const char *name)
{
    for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
        if (!strcmp(presets[i].name, name))
            return &presets[i];
    return NULL;
}

static void enhance_usage(FILE *f)
{
    fprintf(f,
"usage: ainimotion enhance IN --out OUT [options]\n"
"       ainimotion enhance IN1 IN2 ... | FOLDER --out DIR/ [options]   (a batch)\n"
"\n"
"  IN                   input video (mp4, mkv, mov, webm...; 8- or 10-bit)\n"
"  -o, --out OUT        output; the container follows the extension (.mkv .mp4 .mov .webm),\n"
"                       .y4m writes raw lossless frames, '-' writes y4m to stdout,\n"
"                       .png one image (a still in, with --fps source)\n"
"  --fps RATE|source    output frame rate (default: 2x the source). 48, 47.952 or 48000/1001;\n"
"                       a nominal rate means the nearest integer multiple of the source rate\n"
"                       (48 on 24000/1001 input is 48000/1001). Only integer multiples (1x-8x)\n"
"                       are supported; others are refused. 'source' keeps the rate.\n"
"  --scale X            size factor for both dimensions (default 1.333; 1 keeps the size);\n"
"                       the result is rounded to the nearest even number\n"
"  --preset NAME        anime-clean (default, most conservative), anime-strong (more\n"
"                       restoration: waifu2x-cunet noise level 2 when installed, else\n"
"                       lanczos; a neural model takes seconds per frame on a CPU), fast\n"
"  --clip START-END     render only this segment, HH:MM:SS[.mmm]-HH:MM:SS[.mmm] or seconds;\n"
"                       audio and subtitles are cut to match, output starts at zero\n"
"  --hold-threshold X   mean |dY| (0..1 luma, on the gate's downscaled luma) below which an\n"
"                       interval is a hold and is duplicated (default 0.003)\n"
"  --cut-threshold Y    0..1 change score above which an interval may be a cut, which is never\n"
"                       interpolated (default 0.35; the gate also checks the local history)\n"
"  --gate-metric M      score the two thresholds apply to: mc (default: holds on MAD, cuts on\n"
"                       the motion-compensated change), mad, ssim (1 - SSIM), hist\n"
"  --interp ENGINE      Model A: classic (optical flow), blend, dup; neural: rife (RIFE v4.6,\n"
"                       after 'ainimotion models install rife-v4.6') (default: preset's)\n"
"  --interp-fallback M  classic, where the flow cannot be trusted (a redraw, an occlusion):\n"
"                       nearest (default: the nearer source drawing, unwarped: never two\n"
"                       drawings at once) or blend (a cross-fade of the two: softer at redraws,\n"
"                       but both drawings show, half transparent)\n"
"  --upscaler NAME      Model B: lanczos, bicubic, bilinear; neural (after 'ainimotion models\n"
"                       install'): realesr-animevideov3, realcugan-se-conservative,\n"
"                       realcugan-se-no-denoise, realcugan-se-denoise1x|2x|3x, waifu2x-cunet,\n"
"                       anime4k-cnn-m; same-size restoration then Lanczos: anime4k-restore-s,\n"
"                       anime4k-restore-m (default: preset's)\n"
"  --denoise LEVEL      0 (off) to 3: waifu2x-cunet's noise level and the classic denoise\n"
"                       (strength 0.15 x LEVEL); default: the preset's (anime-clean: model\n"
"                       level 0, classic 0.15; anime-strong: level 2, classic 0.45; fast: off)\n"
"  --encoder NAME       libx264, libx265, libsvtav1, h264_nvenc, hevc_nvenc (when available)\n"
"  --crf N              encoder quality, lower is better (default: preset's, 16)\n"
"  --threads N          worker threads (default: all cores)\n"
"  --cpumask LEVEL      highest SIMD level to use: c, sse2, sse4.1, avx2, avx512 (default all)\n"
"  --models-dir DIR     where neural models live (default $AINIMOTION_MODELS or\n"
"                       $XDG_DATA_HOME/ainimotion/models)\n"
"  --report FILE.json   one record per source interval (class and metrics) and a summary\n"
"  --resume             keep finished segments in a hidden job folder beside OUT; after\n"
"                       Ctrl-C or a crash the same command continues from them\n"
"  -y                   overwrite OUT if it exists\n"
"  -q, --quiet          no progress, warnings and errors only\n"
"  -v, --verbose        debug lines, per-stage times and libav's own messages\n"
"  -h, --help           this text\n"
"\n"
"The output is written under a temporary name beside OUT and renamed only on success.\n"
"Exit codes: 0 ok, 1 usage, 2 input, 3 output, 4 unsupported, 5 failed, 6 model missing,\n"
"130 interrupted.\n");
}

// ---- option parsing ---------------------------------------------------------------------

static int opt_error(char *err, size_t n, const char *fmt, const char *a, const char *b)
{
    snprintf(err, n, fmt, a, b ? b : "");
    return AIM_ERR(EINVAL);
}

int aim_enhance_takes_value(const char *name)
{
    static const char *const with_value[] = {
        "-o", "--out", "--fps", "--scale", "--preset", "--clip", "--hold-threshold",
        "--cut-threshold", "--encoder", "--crf", "--threads", "--report", "--interp",
        "--upscaler", "--cpumask", "--models-dir", "--gate-metric", "--denoise",
        "--interp-fallback",
    };
    for (size_t k = 0; k < sizeof(with_value) / sizeof(*with_value); k++)
        if (!strcmp(name, with_value[k]))
            return 1;
    return 0;
}

int aim_enhance_parse(int argc, char **argv, EnhanceOptions *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    o->scale = 1.333;
    o->crf = -1;
    o->denoise = -1;
    o->cpu_mask = ~0u;
    o->preset = aim_preset_find("anime-clean");
    if (errlen)
        err[0] = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!a)
            return opt_error(err, errlen, "missing argument%s%s", "", NULL);
        // options that take no value
        if (!strcmp(a, "-y")) { o->overwrite = 1; continue; }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) { o->quiet = 1; continue; }
        if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) { o->verbose = 1; continue; }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { o->help = 1; continue; }
        if (!strcmp(a, "--version")) { o->version = 1; continue; }
        if (!strcmp(a, "--resume")) { o->resume = 1; continue; }
        if (a[0] != '-' || !strcmp(a, "-")) {
            if (o->in)
                return opt_error(err, errlen, "unexpected argument '%s' (the input is '%s')",
                                 a, o->in);
            o->in = a;
            continue;
        }
        // options with a value: "--opt VALUE" or "--opt=VALUE"
        char name[40];
        const char *val = NULL;
        const char *eq = strchr(a, '=');
        if (eq && a[1] == '-') {
            size_t n = (size_t)(eq - a);
            if (n >= sizeof(name))
                return opt_error(err, errlen, "unknown option '%s'%s", a, NULL);
            memcpy(name, a, n);
            name[n] = 0;
            val = eq + 1;
        } else {
            if (strlen(a) >= sizeof(name))
                return opt_error(err, errlen, "unknown option '%s'%s", a, NULL);
            strcpy(name, a);
        }
        if (!aim_enhance_takes_value(name))
            return opt_error(err, errlen, "unknown option '%s'%s", name, NULL);
        if (!val) {
            if (i + 1 >= argc || !argv[i + 1])
                return opt_error(err, errlen, "option '%s' needs a value%s", name, NULL);
            val = argv[++i];
        }
        int ret = 0;
        if (!strcmp(name, "-o") || !strcmp(name, "--out")) {
            if (!*val)
                return opt_error(err, errlen, "'%s' needs a file name%s", name, NULL);
            o->out = val;
        } else if (!strcmp(name, "--fps")) {
            if (!strcmp(val, "source")) {
                o->fps_mode = 1;
            } else if ((ret = aim_parse_rate(val, &o->fps)) < 0) {
                return opt_error(err, errlen,
                                 "bad --fps '%s': give a positive rate like 48, 47.952, "
                                 "48000/1001, or 'source'%s", val, NULL);
            } else {
                o->fps_mode = 2;
            }
        } else if (!strcmp(name, "--scale")) {
            // 0.25..8: below a quarter the gate's analysis size degenerates; above 8 the
            // output exceeds what encoders accept for 1080p input.
            if (aim_parse_double(val, 0.25, 8, &o->scale) < 0)
                return opt_error(err, errlen, "bad --scale '%s': a number from 0.25 to 8%s",
                                 val, NULL);
        } else if (!strcmp(name, "--preset")) {
            if (!(o->preset = aim_preset_find(val)))
                return opt_error(err, errlen,
                                 "unknown --preset '%s' (anime-clean, anime-strong, fast)%s",
                                 val, NULL);
        } else if (!strcmp(name, "--clip")) {
            ret = aim_parse_time_range(val, &o->clip_start, &o->clip_end);
            if (ret == AIM_ERR(ERANGE))
                return opt_error(err, errlen, "bad --clip '%s': the end must come after the "
                                 "start%s", val, NULL);
            if (ret < 0)
                return opt_error(err, errlen, "bad --clip '%s': use HH:MM:SS[.mmm]-HH:MM:SS"
                                 "[.mmm] or seconds like 12.5-20%s", val, NULL);
            o->clip_set = 1;
        } else if (!strcmp(name, "--hold-threshold")) {
            if (aim_parse_double(val, 0, 1, &o->hold_threshold) < 0)
                return opt_error(err, errlen, "bad --hold-threshold '%s': a number from 0 to "
                                 "1 (mean |dY| on 0..1 luma)%s", val, NULL);
            o->hold_set = 1;
        } else if (!strcmp(name, "--cut-threshold")) {
            if (aim_parse_double(val, 0, 1, &o->cut_threshold) < 0)
                return opt_error(err, errlen, "bad --cut-threshold '%s': a number from 0 to "
                                 "1%s", val, NULL);
            o->cut_set = 1;
        } else if (!strcmp(name, "--gate-metric")) {
            if (aim_gate_metric_parse(val, &o->gate_metric) < 0)
                return opt_error(err, errlen, "bad --gate-metric '%s' (mc, mad, ssim, hist)%s",
                                 val, NULL);
        } else if (!strcmp(name, "--encoder")) {
            o->encoder = val;
        } else if (!strcmp(name, "--crf")) {
            if (aim_parse_int(val, 0, 63, &o->crf) < 0)
                return opt_error(err, errlen, "bad --crf '%s': an integer from 0 to 63%s", val,
                                 NULL);
        } else if (!strcmp(name, "--denoise")) {
            if (aim_parse_int(val, 0, 3, &o->denoise) < 0)
                return opt_error(err, errlen, "bad --denoise '%s': a level from 0 to 3%s", val,
                                 NULL);
        } else if (!strcmp(name, "--threads")) {
            if (aim_parse_int(val, 1, 256, &o->threads) < 0)
                return opt_error(err, errlen, "bad --threads '%s': an integer from 1 to 256%s",
                                 val, NULL);
        } else if (!strcmp(name, "--report")) {
            o->report = val;
        } else if (!strcmp(name, "--interp")) {
            if (!aim_interp_engine_known(val))
                return opt_error(err, errlen, "unknown --interp '%s' (see 'ainimotion enhance "
                                 "--help')%s", val, NULL);
            o->interp = val;
        } else if (!strcmp(name, "--interp-fallback")) {
            if (aim_interp_fallback_parse(val, &o->interp_fallback) < 0)
                return opt_error(err, errlen, "bad --interp-fallback '%s': nearest or blend%s",
                                 val, NULL);
        } else if (!strcmp(name, "--upscaler")) {
            if (!aim_scaler_engine_known(val))
                return opt_error(err, errlen, "unknown --upscaler '%s' (see 'ainimotion "
                                 "enhance --help')%s", val, NULL);
            o->upscaler = val;
        } else if (!strcmp(name, "--cpumask")) {
            if (aim_cpu_parse_mask(val, &o->cpu_mask) < 0)
                return opt_error(err, errlen, "bad --cpumask '%s' (c, sse2, sse4.1, avx2, "
                                 "avx512)%s", val, NULL);
        } else if (!strcmp(name, "--models-dir")) {
            o->models_dir = val;
        }
    }
    if (o->help || o->version)
        return 0;
    if (!o->in)
        return opt_error(err, errlen, "no input file given%s%s", "", NULL);
    if (!o->out)
        return opt_error(err, errlen, "no output given: add --out OUT%s%s", "", NULL);
    return 0;
}

// ---- run --------------------------------------------------------------------------------

// The only mutable global of the program: a signal handler cannot reach anything else.
// Lock-free atomics are async-signal-safe.
static atomic_int g_cancel;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&g_cancel, 1);
}

void aim_cli_log(void *opaque, AimLogLevel level, const char *msg)
{
    static const char *const names[] = { "error", "warning", "info", "debug" };
    (void)opaque;
    fprintf(stderr, "ainimotion: %s: %s\n", names[level <= AIM_LOG_DEBUG ? level : 3], msg);
}

int aim_exit_code(int err)
{
    switch (err) {
    case 0: return AIM_EXIT_OK;
    case AIM_ERR_INTERRUPTED: return AIM_EXIT_INTERRUPTED;
    case AIM_ERR_UNSUPPORTED: return AIM_EXIT_UNSUPPORTED;
    case AIM_ERR_MODEL_MISSING: return AIM_EXIT_MODEL;
    default: return AIM_EXIT_FAILED;
    }
}

typedef struct Run {
    const EnhanceOptions *o;
    AimReader *reader;
    AimWriter *writer;
    AimReport *report;
    int64_t total_out;     // estimate, 0 if unknown
    double t_start, t_last_print;
    int tty, quiet;
    const AimEnhanceHooks *hooks;
} Run;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int src_read(void *opaque, AimFrame **out)
{
    Run *r = opaque;
    if (r->hooks && r->hooks->read)
        return r->hooks->read(r->hooks->opaque, r->reader, out);
    return aim_reader_read(r->reader, out);
}

static int out_write(void *opaque, const AimFrame *f)
{
    Run *r = opaque;
    return aim_writer_write(r->writer, f);
}

static void on_record(void *opaque, const AimGateRecord *rec)
{
    Run *r = opaque;
    if (r->report)
        aim_report_add(r->report, rec);
}

static void print_progress(Run *r, const AimPipelineStats *st, int final)
{
    double t = now_s(), el = t - r->t_start;
    double fps = el > 0 ? st->out_frames / el : 0;
    char total[32] = "?", pct[16] = "", eta[32] = "";
    if (r->total_out > 0) {
        int64_t tot = r->total_out > st->out_frames ? r->total_out : st->out_frames;
        snprintf(total, sizeof(total), "%lld", (long long)tot);
        snprintf(pct, sizeof(pct), " (%.0f%%)", 100.0 * st->out_frames / tot);
        if (fps > 0 && !final) {
            int s = (int)((tot - st->out_frames) / fps);
            snprintf(eta, sizeof(eta), " ETA %d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
        }
    }
    fprintf(stderr, "%sframe %lld/%s%s %.1f fps%s%s", r->tty ? "\r" : "",
            (long long)st->out_frames, total, pct, fps, eta,
            r->tty ? (final ? "\n" : "   ") : "\n");
    fflush(stderr);
}

static void on_progress(void *opaque, const AimPipelineStats *st)
{
    Run *r = opaque;
    if (r->hooks && r->hooks->progress)
        r->hooks->progress(r->hooks->opaque, st->out_frames, r->total_out);
    if (r->hooks && r->hooks->cancelled && r->hooks->cancelled(r->hooks->opaque))
        atomic_store(&g_cancel, 1);
    if (r->quiet)
        return;
    double t = now_s();
    // A TTY line is refreshed 4 times a second; logs get a plain line every 10 seconds.
    if (t - r->t_last_print >= (r->tty ? 0.25 : 10.0)) {
        r->t_last_print = t;
        print_progress(r, st, 0);
    }
}

static int reader_exit(int err)
{
    if (err == AIM_ERR(ERANGE))
        return AIM_EXIT_USAGE;
    if (err == AIM_ERR_UNSUPPORTED)
        return AIM_EXIT_UNSUPPORTED;
    if (err == AIM_ERR(ENOMEM))
        return AIM_EXIT_FAILED;
    return AIM_EXIT_INPUT;
}

static int writer_exit(int err)
{
    if (err == AIM_ERR(ENOMEM))
        return AIM_EXIT_FAILED;
    if (err == AIM_ERR_UNSUPPORTED)
        return AIM_EXIT_OUTPUT; // encoder or container not available
    return AIM_EXIT_OUTPUT;
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
        enhance_usage(stdout);
        return AIM_EXIT_OK;
    }
    if (o.version) {
        printf("ainimotion %s\n", AIM_VERSION_STRING);
        return AIM_EXIT_OK;
    }
    if (o.resume)
        return aim_job_resume(&o, argc, argv);
    return aim_enhance_run(&o, NULL);
}

int aim_enhance_run(const EnhanceOptions *op, const AimEnhanceHooks *hooks)
{
    const EnhanceOptions o = *op;
    AimLog log = { aim_cli_log, NULL,
                   o.verbose ? AIM_LOG_DEBUG : o.quiet ? AIM_LOG_WARNING : AIM_LOG_INFO };
    if (hooks && hooks->log)
        log = *hooks->log;
    atomic_store(&g_cancel, 0); // a run starts uncancelled (a batch or library runs several)
    // libav's own lines (encoder banners, statistics, parser complaints) only with -v
    aim_io_set_av_log(&log, o.verbose ? AIM_LOG_DEBUG : AIM_LOG_ERROR);
    Run run = { .o = &o, .quiet = o.quiet || !strcmp(o.out, "-"), .tty = isatty(2),
                .hooks = hooks };
    int code = AIM_EXIT_FAILED, ret;
    AimPool *pool = NULL;

    AimReaderSettings rs;
    aim_reader_default_settings(&rs);
    rs.path = o.in;
    rs.log = log;
    if (o.clip_set) {
        rs.clip_start = o.clip_start;
        rs.clip_end = o.clip_end;
    }
    if ((ret = aim_reader_open(&run.reader, &rs)) < 0) {
        code = reader_exit(ret);
        goto end;
    }
    const AimVideoInfo *vi = aim_reader_info(run.reader);

    // Output rate: a whole multiple of the source rate.
    int factor = 2;
    AimRational out_rate = { vi->frame_rate.num * 2, vi->frame_rate.den };
    if (o.fps_mode == 1) {
        factor = 1;
        out_rate = vi->frame_rate;
    } else if (o.fps_mode == 2) {
        if (aim_rate_factor(vi->frame_rate, o.fps, 8, &factor) < 0) {
            aim_log(&log, AIM_LOG_ERROR,
                    "--fps %g is not a whole multiple (1x-8x) of the source rate %.3f (%d/%d): "
                    "frame-rate conversion by other ratios is not supported; use e.g. %.3f",
                    (double)o.fps.num / o.fps.den,
                    (double)vi->frame_rate.num / vi->frame_rate.den, vi->frame_rate.num,
                    vi->frame_rate.den, 2.0 * vi->frame_rate.num / vi->frame_rate.den);
            code = AIM_EXIT_UNSUPPORTED;
            goto end;
        }
        out_rate = (AimRational){ vi->frame_rate.num * factor, vi->frame_rate.den };
    }
    // a .png output is one image: a still in, the source rate out
    if (aim_writer_single_image(o.out) && (factor != 1 || vi->nb_frames > 1)) {
        if (factor != 1)
            aim_log(&log, AIM_LOG_ERROR, "%s: a .png output holds one image: add --fps source "
                    "(--fps makes %d frames of each source frame)", o.out, factor);
        else
            aim_log(&log, AIM_LOG_ERROR, "%s: a .png output holds one image, the input has %lld "
                    "frames: use a video container", o.out, (long long)vi->nb_frames);
        code = AIM_EXIT_USAGE;
        goto end;
    }
    int ow, oh;
    aim_scale_dims(vi->width, vi->height, o.scale, &ow, &oh);

    char interp_buf[64];
    const char *interp = o.interp ? o.interp : preset_engine(o.preset->interp, o.models_dir,
                                                            interp_buf, sizeof(interp_buf), &log);
    char upscaler_buf[64];
    const char *upscaler = o.upscaler ? o.upscaler
                                      : preset_engine(o.preset->upscaler, o.models_dir,
                                                      upscaler_buf, sizeof(upscaler_buf), &log);
    aim_log(&log, AIM_LOG_INFO,
            "%s: %dx%d %d-bit %s %.3f fps -> %dx%d %.3f fps (%dx), preset %s, interp %s%s, "
            "upscaler %s", o.in, vi->width, vi->height, vi->depth, vi->codec,
            (double)vi->frame_rate.num / vi->frame_rate.den, ow, oh,
            (double)out_rate.num / out_rate.den, factor, o.preset->name, interp,
            o.interp_fallback == AIM_INTERP_FALLBACK_BLEND ? " (fallback blend)" : "", upscaler);

    AimWriterSettings ws;
    aim_writer_default_settings(&ws);
    ws.path = o.out;
    ws.overwrite = o.overwrite;
    ws.encoder = o.encoder;
    ws.crf = o.crf >= 0 ? (int)o.crf : o.preset->crf;
    ws.preset = o.preset->enc_preset;
    ws.width = ow;
    ws.height = oh;
    ws.depth = vi->depth;
    ws.frame_rate = out_rate;
    ws.color = vi->color;
    ws.copy_from = run.reader;
    ws.log = log;

    long threads = o.threads ? o.threads : sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    if ((ret = aim_pool_create(&pool, (int)threads - 1)) < 0)
        goto end;

    AimPipelineSettings ps;
    aim_pipeline_default_settings(&ps);
    ps.factor = factor;
    ps.width = vi->width;
    ps.height = vi->height;
    ps.depth = vi->depth;
    ps.out_width = ow;
    ps.out_height = oh;
    unsigned cpu = aim_cpu_detect() & o.cpu_mask;
    ps.gate.metric = o.gate_metric;
    if (o.hold_set)
        ps.gate.hold_threshold = o.hold_threshold;
    if (o.cut_set)
        ps.gate.cut_threshold = o.cut_threshold;
    ps.gate.cpu_flags = cpu;
    ps.gate.log = log;
    ps.interp.engine = interp;
    ps.interp.fallback = o.interp_fallback;
    ps.interp.cpu_flags = cpu;
    ps.interp.models_dir = o.models_dir;
    ps.scale.engine = upscaler;
    aim_scaler_apply_preset(&ps.scale, o.preset->name); // restoration + anti-ringing
    if (o.denoise >= 0) { // one knob for both denoisers: classic strength 0.15 per level
        ps.scale.noise = (int)o.denoise;
        ps.scale.restore.denoise = 0.15f * (float)o.denoise;
    }
    ps.scale.color = vi->color;
    ps.scale.cpu_flags = cpu;
    ps.scale.models_dir = o.models_dir;
    ps.pool = pool;
    ps.log = log;
    ps.read = src_read;
    ps.write = out_write;
    ps.on_record = on_record;
    ps.on_progress = on_progress;
    ps.opaque = &run;
    ps.cancel = &g_cancel;
    run.total_out = vi->nb_frames * factor;
    if (hooks && hooks->configure) { // a job (job.c): record or check, then maybe replay
        if ((code = hooks->configure(hooks->opaque, run.reader, &ws, &ps)) != 0) {
            code = code < 0 ? AIM_EXIT_OK : code;
            goto end;
        }
        code = AIM_EXIT_FAILED;
        if (ps.records)
            run.total_out = (ps.emit_end - ps.first_frame) * factor;
    }
    if ((ret = aim_writer_open(&run.writer, &ws)) < 0) {
        code = writer_exit(ret);
        goto end;
    }

    if (o.report) {
        AimReportInfo ri = { .input = o.in, .output = o.out, .factor = factor,
                             .metric = ps.gate.metric,
                             .hold_threshold = ps.gate.hold_threshold,
                             .cut_threshold = ps.gate.cut_threshold,
                             .interp = interp, .upscaler = upscaler, .preset = o.preset->name,
                             .interp_fallback = aim_interp_fallback_name(o.interp_fallback) };
        if ((ret = aim_report_open(&run.report, o.report, &ri)) < 0) {
            aim_log(&log, AIM_LOG_ERROR, "cannot write the report '%s': %s", o.report,
                    aim_strerror(ret));
            code = AIM_EXIT_OUTPUT;
            goto end;
        }
    }

    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND; // a second Ctrl-C kills at once (the temp file stays hidden)
    struct sigaction old_int, old_term;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    run.t_start = run.t_last_print = now_s();
    AimPipelineStats st;
    ret = aim_pipeline_run(&ps, &st);
    if (!ret)
        ret = aim_writer_finish(run.writer);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    double el = now_s() - run.t_start;
    if (!run.quiet && st.out_frames)
        print_progress(&run, &st, 1);
    if (run.report)
        aim_report_finish(run.report, &st, el, ret);
    if (ret < 0) {
        if (ret == AIM_ERR_INTERRUPTED)
            aim_log(&log, AIM_LOG_ERROR, "interrupted: nothing was written to '%s'", o.out);
        else if (ret != AIM_ERR_MODEL_MISSING) // that one was explained where it was found
            aim_log(&log, AIM_LOG_ERROR, "processing failed: %s", aim_strerror(ret));
        code = aim_exit_code(ret);
        goto end;
    }
    aim_log(&log, AIM_LOG_INFO,
            "wrote %s: %lld frames (%lld source: %lld cut, %lld hold, %lld motion, %lld fade; "
            "%lld interpolated, %lld blended, %lld duplicated) in %.1f s (%.1f fps)",
            o.out, (long long)st.out_frames, (long long)st.src_frames,
            (long long)st.class_count[AIM_CLASS_CUT], (long long)st.class_count[AIM_CLASS_HOLD],
            (long long)st.class_count[AIM_CLASS_MOTION],
            (long long)st.class_count[AIM_CLASS_FADE], (long long)st.interpolated,
            (long long)st.blended, (long long)st.duplicated, el, el > 0 ? st.out_frames / el : 0);
    aim_log(&log, AIM_LOG_DEBUG, "busy seconds: source+gate %.2f, interp %.2f, scale %.2f, "
            "encode %.2f", st.stage_seconds[0], st.stage_seconds[1], st.stage_seconds[2],
            st.stage_seconds[3]);
    if (hooks && hooks->finished)
        hooks->finished(hooks->opaque, &st, el);
    code = AIM_EXIT_OK;

end:
    aim_report_close(&run.report);
    aim_writer_close(&run.writer); // removes the temporary file unless finish succeeded
    aim_reader_close(&run.reader);
    aim_pool_destroy(&pool);
    return code;
}
