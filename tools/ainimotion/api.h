// Between the public API (api.c) and the command line that runs through it (enhance_cli.c).
#ifndef AIM_CLI_API_H
#define AIM_CLI_API_H

#include "ainimotion/ainimotion.h"

struct AimPipelineStats;

/** A run's report from the pipeline's totals and its wall time. */
void aim_api_report(AimReport *r, const struct AimPipelineStats *st, double seconds);

/** The error aim_run returns for an exit code of the engine (cli.h), and back. */
int aim_api_error(int exit_code);
int aim_api_exit_code(int err);

#endif
