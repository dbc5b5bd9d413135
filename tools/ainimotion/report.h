// `--report FILE.json`: one record per source interval (class and metrics), streamed as the
// gate decides, then a summary. Used from the gate thread (add) and the main thread (open,
// finish), never at the same time.
#ifndef AIM_CLI_REPORT_H
#define AIM_CLI_REPORT_H

#include "gate/gate.h"
#include "pipeline/pipeline.h"

typedef struct AimReport AimReport;

typedef struct AimReportInfo {
    const char *input, *output, *preset, *interp, *upscaler;
    const char *interp_fallback; ///< "nearest" or "blend" (classic's untrusted-flow rule)
    AimRational rate;            ///< output rate / source rate (pipeline.h)
    AimGateMetric metric;
    double hold_threshold, cut_threshold;
} AimReportInfo;

/** Creates the file. 0 or a negative errno code. */
int aim_report_open(AimReport **out, const char *path, const AimReportInfo *info);
void aim_report_add(AimReport *r, const AimGateRecord *rec);
/** Writes the summary (status = the run's result) and closes the file. */
void aim_report_finish(AimReport *r, const AimPipelineStats *st, double seconds, int status);
void aim_report_close(AimReport **r);

#endif
