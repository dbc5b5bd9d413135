// The ainimotion command line: subcommands, exit codes, shared helpers.
#ifndef AIM_CLI_H
#define AIM_CLI_H

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

/** Log callback printing "ainimotion: <level>: msg" to stderr (opaque: unused). */
void aim_cli_log(void *opaque, AimLogLevel level, const char *msg);

#endif
