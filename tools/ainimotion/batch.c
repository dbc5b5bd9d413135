// `ainimotion enhance A.mkv B.mkv ... --out DIR/` and `enhance FOLDER --out DIR/`: each input
// runs as its own enhance (same options) into DIR under its own file name. An existing output is
// skipped unless -y; a failing input does not stop the others (Ctrl-C does); a table at the end;
// exit 0 only if every input succeeded or was skipped.
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/clock.h"
#include "enhance.h"

// What a folder contributes: files with a video container's extension (not hidden, not
// recursive), in name order.
static int is_video_name(const char *name)
{
    static const char *const exts[] = { ".mkv", ".mp4", ".mov", ".webm", ".avi", ".m4v", ".ts",
                                        ".m2ts", ".flv", ".wmv", ".mpg", ".mpeg", ".y4m" };
    const char *dot = strrchr(name, '.');
    if (!dot || name[0] == '.')
        return 0;
    for (size_t i = 0; i < sizeof(exts) / sizeof(*exts); i++)
        if (!strcasecmp(dot, exts[i]))
            return 1;
    return 0;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

// Visits argv: positional arguments go to `pos` (when not NULL), their count is returned (-1
// when an option is unknown); the value of --out/-o goes to *out.
static int scan(int argc, char **argv, const char **pos, const char **out)
{
    int n = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !strcmp(a, "-")) {
            if (pos)
                pos[n] = a;
            n++;
            continue;
        }
        if (!strncmp(a, "--out=", 6) && out)
            *out = a + 6;
        static const char *const flags[] = { "-y", "-q", "--quiet", "-v", "--verbose", "-h",
                                             "--help", "--version", "--resume" };
        int flag = 0;
        for (size_t f = 0; f < sizeof(flags) / sizeof(*flags); f++)
            flag |= !strcmp(a, flags[f]);
        char name[40];
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(a, "="), a);
        if (!flag && !aim_enhance_takes_value(name))
            return -1; // an unknown option: enhance's parser says so
        if (strchr(a, '=') || flag || i + 1 >= argc)
            continue;
        if ((!strcmp(a, "--out") || !strcmp(a, "-o")) && out)
            *out = argv[i + 1];
        i++;
    }
    return n;
}

int aim_batch_wanted(int argc, char **argv)
{
    const char **pos = calloc((size_t)argc, sizeof(*pos));
    if (!pos)
        return 0;
    int n = scan(argc, argv, pos, NULL);
    int batch = n > 1 || (n == 1 && strcmp(pos[0], "-") && is_dir(pos[0]));
    free(pos);
    return batch;
}

typedef struct Item {
    char *in;
    char *out;
    int code;      // exit code; -1 = skipped (exists)
    double seconds;
} Item;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_item(Item **items, int *n, const char *in, const char *outdir)
{
    Item *ni = realloc(*items, sizeof(*ni) * (size_t)(*n + 1));
    if (!ni)
        return -1;
    *items = ni;
    char copy[PATH_MAX];
    snprintf(copy, sizeof(copy), "%s", in);
    const char *base = basename(copy);
    size_t len = strlen(outdir) + strlen(base) + 2;
    Item *it = &ni[*n];
    memset(it, 0, sizeof(*it));
    it->in = strdup(in);
    it->out = malloc(len);
    if (!it->in || !it->out) {
        free(it->in);
        free(it->out);
        return -1;
    }
    snprintf(it->out, len, "%s%s%s", outdir, outdir[strlen(outdir) - 1] == '/' ? "" : "/",
             base);
    (*n)++;
    return 0;
}

// The inputs of a folder, sorted by name.
static int add_folder(Item **items, int *n, const char *dir, const char *outdir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    int nn = 0, ret = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_video_name(e->d_name))
            continue;
        char **nl = realloc(names, sizeof(*nl) * (size_t)(nn + 1));
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *path = nl ? malloc(len) : NULL;
        if (!path) {
            if (nl)
                names = nl;
            ret = -1;
            break;
        }
        names = nl;
        snprintf(path, len, "%s/%s", dir, e->d_name);
        if (is_dir(path)) {
            free(path);
            continue;
        }
        names[nn++] = path;
    }
    closedir(d);
    if (nn)
        qsort(names, (size_t)nn, sizeof(*names), cmp_str);
    for (int i = 0; i < nn; i++) {
        if (!ret && add_item(items, n, names[i], outdir) < 0)
            ret = -1;
        free(names[i]);
    }
    free(names);
    return ret;
}

int aim_batch_run(int argc, char **argv)
{
    const char *outdir = NULL;
    const char **pos = calloc((size_t)argc, sizeof(*pos));
    char **eargv = calloc((size_t)argc + 2, sizeof(*eargv));
    Item *items = NULL;
    int n = 0, code = AIM_EXIT_USAGE;
    if (!pos || !eargv) {
        code = AIM_EXIT_FAILED;
        goto end;
    }
    int npos = scan(argc, argv, pos, &outdir);
    if (npos < 0) // (aim_batch_wanted leaves unknown options to enhance's parser)
        goto end;
    if (!outdir || !*outdir) {
        fprintf(stderr, "ainimotion: a batch needs --out DIR/ (a folder for the outputs)\n");
        goto end;
    }
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--report") || !strncmp(argv[i], "--report=", 9)) {
            fprintf(stderr, "ainimotion: --report takes one input, not a batch\n");
            goto end;
        }
        quiet |= !strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet");
    }
    if (!is_dir(outdir)) {
        if (outdir[strlen(outdir) - 1] != '/' || mkdir(outdir, 0777) < 0) {
            fprintf(stderr, "ainimotion: %s: not a folder (a batch writes into a folder; end "
                    "the name with / to create it)\n", outdir);
            code = AIM_EXIT_OUTPUT;
            goto end;
        }
    }
    for (int i = 0; i < npos; i++) {
        int r = is_dir(pos[i]) ? add_folder(&items, &n, pos[i], outdir)
                               : add_item(&items, &n, pos[i], outdir);
        if (r < 0) {
            fprintf(stderr, "ainimotion: %s: cannot list: %s\n", pos[i], strerror(errno));
            code = AIM_EXIT_INPUT;
            goto end;
        }
    }
    if (!n) {
        fprintf(stderr, "ainimotion: no video files in the batch\n");
        code = AIM_EXIT_INPUT;
        goto end;
    }
    // enhance's own argv per input: the options, then IN --out OUT
    int ne = 0;
    eargv[ne++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !strcmp(a, "-"))
            continue;
        if (!strcmp(a, "--out") || !strcmp(a, "-o")) {
            i++;
            continue;
        }
        if (!strncmp(a, "--out=", 6))
            continue;
        eargv[ne++] = argv[i];
        if (!strchr(a, '=') && aim_enhance_takes_value(a) && i + 1 < argc)
            eargv[ne++] = argv[++i];
    }
    int overwrite = 0;
    for (int i = 1; i < ne; i++)
        overwrite |= !strcmp(eargv[i], "-y");
    int failed = 0, interrupted = 0;
    for (int k = 0; k < n && !interrupted; k++) {
        Item *it = &items[k];
        if (!overwrite && access(it->out, F_OK) == 0) {
            it->code = -1;
            if (!quiet)
                fprintf(stderr, "ainimotion: [%d/%d] %s: %s exists, skipped (-y replaces it)\n",
                        k + 1, n, it->in, it->out);
            continue;
        }
        if (!quiet)
            fprintf(stderr, "ainimotion: [%d/%d] %s -> %s\n", k + 1, n, it->in, it->out);
        char **run = calloc((size_t)ne + 4, sizeof(*run));
        if (!run) {
            code = AIM_EXIT_FAILED;
            goto end;
        }
        int m = 0;
        run[m++] = eargv[0];
        run[m++] = it->in;
        for (int i = 1; i < ne; i++)
            run[m++] = eargv[i];
        run[m++] = "--out";
        run[m++] = it->out;
        double t0 = aim_now_s();
        EnhanceOptions o;
        char err[512];
        if (aim_enhance_parse(m, run, &o, err, sizeof(err)) < 0) {
            fprintf(stderr, "ainimotion: %s (try 'ainimotion enhance --help')\n", err);
            free(run);
            goto end;
        }
        it->code = aim_enhance_cli_run(&o, m, run);
        it->seconds = aim_now_s() - t0;
        free(run);
        failed += it->code != AIM_EXIT_OK;
        interrupted = it->code == AIM_EXIT_INTERRUPTED;
    }
    // the summary, also with -q: it is the batch's result
    fprintf(stderr, "\n%-6s  %-9s  %8s  %s\n", "#", "result", "seconds", "input -> output");
    int done = 0, skipped = 0;
    for (int k = 0; k < n; k++) {
        const Item *it = &items[k];
        char res[32];
        int ran = it->code != 0 || it->seconds > 0;
        if (it->code == -1)
            snprintf(res, sizeof(res), "skipped"), skipped++;
        else if (!ran)
            snprintf(res, sizeof(res), "not run");
        else if (it->code == 0)
            snprintf(res, sizeof(res), "ok"), done++;
        else
            snprintf(res, sizeof(res), "exit %d", it->code);
        fprintf(stderr, "%-6d  %-9s  %8.1f  %s -> %s\n", k + 1, res, it->seconds, it->in,
                it->out);
    }
    fprintf(stderr, "%d done, %d skipped (exist), %d failed, %d not run\n", done, skipped,
            failed, n - done - skipped - failed);
    code = interrupted ? AIM_EXIT_INTERRUPTED : failed || done + skipped < n ? AIM_EXIT_FAILED
                                                                             : AIM_EXIT_OK;
end:
    for (int k = 0; k < n; k++) {
        free(items[k].in);
        free(items[k].out);
    }
    free(items);
    free(pos);
    free(eargv);
    return code;
}
