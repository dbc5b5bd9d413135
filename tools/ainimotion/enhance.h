// `ainimotion enhance`: options, presets, and the run.
#ifndef AIM_CLI_ENHANCE_H
#define AIM_CLI_ENHANCE_H

#include <stddef.h>
#include <stdint.h>

#include "ainimotion/common.h"
#include "gate/gate.h"
#include "interp/interp.h"
#include "scale/scale.h"

/** What a preset sets; explicit options override each field. */
typedef struct AimPreset {
    const char *name;
    const char *interp;     ///< Model A engine
    const char *upscaler;   ///< Model B engine (restoration: aim_scaler_apply_preset)
    int crf;                ///< encoder quality (x264/x265 scale)
    const char *enc_preset; ///< x264/x265 speed preset
} AimPreset;

/** NULL if unknown. */
const AimPreset *aim_preset_find(const char *name);

typedef struct EnhanceOptions {
    const char *in, *out;
    int fps_mode;             ///< 0 = default (2x), 1 = --fps source, 2 = --fps RATE, 3 = Nx
    AimRational fps;          ///< the rate (2) or the multiplier (3)
    double scale;             ///< default 1.333
    const AimPreset *preset;
    int clip_set;
    double clip_start, clip_end;
    int hold_set, cut_set;
    double hold_threshold, cut_threshold;
    AimGateMetric gate_metric;
    int overwrite;
    const char *encoder;      ///< NULL = container default
    long crf;                 ///< -1 = preset's
    long threads;             ///< 0 = all cores
    int quiet;
    int verbose;
    const char *report;       ///< --report FILE.json
    const char *interp;       ///< NULL = preset's
    AimInterpFallback interp_fallback; ///< --interp-fallback (default nearest: 0)
    const char *upscaler;     ///< NULL = preset's
    long denoise;             ///< --denoise 0..3, -1 = preset's
    unsigned cpu_mask;        ///< --cpumask level, default all
    int device_policy;        ///< --device: AIM_VK_AUTO (default), _ANY, _INDEX, _CPU (vk/vk.h)
    int device_index;         ///< vulkan:N
    const char *models_dir;
    int help, version;
    int resume;               ///< --resume: through a hidden job folder beside OUT (job.c)
    int square_pixels;        ///< --square-pixels: resample anamorphic input to SAR 1:1
} EnhanceOptions;

/**
 * Parses enhance's arguments (argv[0] is "enhance"). Returns 0, or AIM_ERR(EINVAL) with a
 * one-line message in err. Never exits, never prints: fuzzable.
 */
int aim_enhance_parse(int argc, char **argv, EnhanceOptions *o, char *err, size_t errlen);

/**
 * The progress line: "frame 120/480 (25%), 30.1 fps, 0.63x real time, elapsed 00:00:04, ETA
 * 00:00:12" (total <= 0: unknown, no percentage nor ETA; final: no ETA). Speed is the output's
 * seconds of video per second of wall time. Returns buf.
 */
char *aim_progress_line(char *buf, size_t n, int64_t done, int64_t total, double elapsed,
                        double out_fps, int final);

struct AimReader;
struct AimWriterSettings;
struct AimPipelineSettings;
struct AimPipelineStats;
struct AimFrame;

/**
 * How the job commands (job.c) take part in an enhance run. Both callbacks run on the calling
 * thread (configure) or the pipeline's source thread (read).
 */
typedef struct AimEnhanceHooks {
    void *opaque;
    /**
     * Called once the input is open and every setting is resolved, before the output is opened:
     * may record or check the settings, and change the writer settings and the pipeline's
     * replay fields (pipeline.h). Returns 0 to go on, -1 to stop with exit code 0 (nothing
     * written), or an exit code (the reason already logged).
     */
    int (*configure)(void *opaque, struct AimReader *r, struct AimWriterSettings *ws,
                     struct AimPipelineSettings *ps);
    /** Replaces aim_reader_read as the pipeline's source (may be NULL). */
    int (*read)(void *opaque, struct AimReader *r, struct AimFrame **out);
    /** Replaces the log to stderr (may be NULL). */
    const AimLog *log;
    /** After each output frame, from the sink thread: frames written, expected (may be NULL). */
    void (*progress)(void *opaque, int64_t done, int64_t total);
    /** Polled after each output frame: nonzero stops the run as Ctrl-C does (may be NULL). */
    int (*cancelled)(void *opaque);
    /** After a successful run: the pipeline's totals and the wall time (may be NULL). */
    void (*finished)(void *opaque, const struct AimPipelineStats *st, double seconds);
} AimEnhanceHooks;

/** 1 if enhance's option `name` ("--fps", "-o" ...) takes a value. */
int aim_enhance_takes_value(const char *name);

/** A batch (batch.c): several inputs, or a folder, given to enhance. */
int aim_batch_wanted(int argc, char **argv);
/** Runs each input of a batch into the --out folder; the process exit code. */
int aim_batch_run(int argc, char **argv);

/** Runs enhance with parsed options; hooks may be NULL. Returns the process exit code. */
int aim_enhance_run(const EnhanceOptions *o, const AimEnhanceHooks *hooks);

/** `enhance IN --out OUT --resume` (job.c): argv as given to enhance. Returns the exit code. */
int aim_job_resume(const EnhanceOptions *o, int argc, char **argv);

#endif
