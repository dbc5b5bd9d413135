// `--report FILE.json`: the run's settings, one record per source frame (the interval i-1 -> i,
// the schema of `analyze --json`: src/gate/report.h, `on` included), the gate's summary and the
// run's totals. The file is created at open under a temporary name beside the path (so an
// unwritable folder fails before any work: aim_cli_file_open) and written at finish, when every
// drawing's length (`on`) is known, then renamed: a failed write leaves nothing under the path. add is called from the gate
// thread, open and finish from the main thread, never at the same time.
#ifndef AIM_CLI_REPORT_H
#define AIM_CLI_REPORT_H

#include <stdio.h>

#include "gate/gate.h"
#include "io/io.h"
#include "pipeline/pipeline.h"

// (the public API's AimReport is a run's totals: ainimotion.h)
typedef struct AimReportWriter AimReportWriter;

typedef struct AimReportInfo {
    const char *input, *output, *preset, *interp, *upscaler;
    const char *interp_fallback; ///< "nearest" or "blend" (classic's untrusted-flow rule)
    const char *encoder;         ///< NULL: the container's default
    int crf;
    int clip_set;
    double clip_start, clip_end; ///< seconds, with clip_set
    AimRational rate;            ///< output rate / source rate (pipeline.h)
    int out_w, out_h;
    double out_fps;
    const AimVideoInfo *video;   ///< the reader's: input size and rate; truncation at finish
    const AimGateSettings *gate;
} AimReportInfo;

/** Writes s as a JSON string (quoted, escaped). */
void aim_json_string(FILE *f, const char *s);

/** Creates the temporary file. 0 or a negative errno code. `info` and its strings must outlive the report. */
int aim_report_open(AimReportWriter **out, const char *path, const AimReportInfo *info);
/** Keeps one record (not its mask). AIM_ERR(ENOMEM) is remembered: finish then fails. */
void aim_report_add(AimReportWriter *r, const AimGateRecord *rec);
/**
 * Writes everything (status = the run's result), closes the file and renames it to its path.
 * 0, AIM_ERR(ENOMEM) (records were lost) or the AIM_ERR(errno) of the failed write (ENOSPC,
 * EFBIG...); on failure nothing is left under the path.
 */
int aim_report_finish(AimReportWriter *r, const AimPipelineStats *st, double seconds, int status);
void aim_report_close(AimReportWriter **r);

#endif
