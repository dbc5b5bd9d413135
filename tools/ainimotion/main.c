// ainimotion: the command-line entry point; dispatches to the subcommands.
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ainimotion/ainimotion.h"
#include "cli.h"
#include "job.h"

// gate branch: tools/ainimotion/analyze.c exists (the coordinator may define this in CMake)
#ifndef AIM_HAVE_ANALYZE
#define AIM_HAVE_ANALYZE 1
#endif

static void usage(FILE *out)
{
    fprintf(out,
        "ainimotion %s - offline anime video enhancer (interpolation + upscaling)\n"
        "\n"
        "usage: ainimotion <command> [options]\n"
        "  enhance IN --out OUT [options]   interpolate and upscale a video (see enhance --help)\n"
        "  analyze IN [--csv F] [--json F] [--timeline F.png]   gate decisions per frame\n"
        "  models [list|install|verify] [NAME...]   neural models: what is installed, install from\n"
"                                   npm, check SHA-256 (see models --help)\n"
        "  devices                          Vulkan devices for --device (index, name, fp16...)\n"
        "  plan IN --job DIR [options]      split a job at cuts into segments (see plan --help)\n"
        "  render DIR --segment K           render one segment of a planned job\n"
        "  join DIR --out OUT               join the rendered segments with the input's streams\n"
        "  status DIR                       done, running and pending segments of a job\n"
        "  --help, --version\n"
        "\n"
        "exit codes: 0 ok, 1 usage, 2 input, 3 output, 4 unsupported, 5 failed, 6 model missing,\n"
        "            130 interrupted\n",
        aim_version());
}

int main(int argc, char **argv)
{
    // a closed pipe is a write error (EPIPE) that the writer reports, never a silent death
    signal(SIGPIPE, SIG_IGN);
    // over a file size limit (ulimit -f) a write fails with EFBIG, reported like a full disk,
    // instead of SIGXFSZ killing the process with its temporary files and locks left behind
    signal(SIGXFSZ, SIG_IGN);
    aim_cli_oom_guard_install(); // a library that hangs or crashes after a failed allocation
    if (argc < 2) {
        usage(stderr);
        return AIM_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return AIM_EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("ainimotion %s\n", aim_version());
        return AIM_EXIT_OK;
    }
    if (!strcmp(cmd, "enhance"))
        return aim_cli_exit(aim_cmd_enhance(argc - 1, argv + 1));
    if (!strcmp(cmd, "analyze"))
        return aim_cli_exit(aim_cmd_analyze(argc - 1, argv + 1));
    if (!strcmp(cmd, "models"))
        return aim_cmd_models(argc - 1, argv + 1);
    if (!strcmp(cmd, "devices"))
        return aim_cmd_devices(argc - 1, argv + 1);
    if (!strcmp(cmd, "plan"))
        return aim_cmd_plan(argc - 1, argv + 1);
    if (!strcmp(cmd, "render"))
        return aim_cmd_render(argc - 1, argv + 1);
    if (!strcmp(cmd, "join"))
        return aim_cmd_join(argc - 1, argv + 1);
    if (!strcmp(cmd, "status"))
        return aim_cmd_status(argc - 1, argv + 1);
    fprintf(stderr, "ainimotion: unknown command '%s' (try --help)\n", cmd);
    return AIM_EXIT_USAGE;
}
