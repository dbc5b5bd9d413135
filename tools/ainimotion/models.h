// `ainimotion models [list|install|verify] ...`
#ifndef AIM_TOOLS_MODELS_H
#define AIM_TOOLS_MODELS_H

#include <stdio.h>

#include "nn/models.h"

/** argv[0] is "models". Returns the process exit status (cli.h: 0 ok, 1 usage, 3 the models
 *  folder cannot be created, 5 an install failed, 6 verify found a model missing or damaged). */
int aim_cmd_models(int argc, char **argv);

/** The `--interp ENGINE` (kind AIM_MODEL_INTERPOLATOR) or `--upscaler NAME` lines of
 *  `enhance --help`, from the engine tables and the model registry. */
void aim_models_help(FILE *f, AimModelKind kind);

#endif
