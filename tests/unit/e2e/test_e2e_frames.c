// End to end, frame by frame: `ainimotion enhance --scale 1` to lossless y4m, at --fps 48 (2x)
// and --fps 60 (59.94 from 23.976: 5/2, the grid of pipeline.h), then the output is compared
// with the decoded source against the truth labels. Output frame k lies in source interval
// i -> i+1 at t = k / R - i:
//   t == 0                     == src[i]  (source frames pass through exactly)
//   hold and cut               == src[i]  (never a blend across a cut, no invented motion)
//   motion and fade            a new frame (a copy of neither neighbour), except where only
//             a small region was redrawn (the synthetic clip's mouth flaps, whose box the truth
//             header gives): there a copy of the nearer drawing is the anime-safe answer (no
//             morphing of a redrawn mouth), and everything outside the region must be exact
//   the output has exactly first_out(N) frames.
// On the synthetic sample (always, both rates) and on ../shared/clips/onepiece_demo.mp4 at 2x
// (skipped when ../shared is absent).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "frames.h"
#include "io/io.h"
#include "pipeline/pipeline.h"
#include "test.h"

#define MAXF 4096

typedef struct Box { int f0, f1, x0, x1, y0, y1; } Box; // frames f0..f1, pixels inclusive

static int load_truth(const char *path, char labels[MAXF][8], Box *box)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof(line), f)) {
        int frame;
        char label[8];
        Box b;
        if (sscanf(line, "# partial motion (frames %d-%d of cycle 0): every changed pixel lies in "
                         "x=%d..%d y=%d..%d", &b.f0, &b.f1, &b.x0, &b.x1, &b.y0, &b.y1) == 6)
            *box = b;
        if (line[0] == '#' || sscanf(line, "%d,%7[a-z]", &frame, label) != 2)
            continue;
        if (frame >= 0 && frame < MAXF) {
            snprintf(labels[frame], 8, "%s", label);
            n = frame + 1 > n ? frame + 1 : n;
        }
    }
    fclose(f);
    return n;
}


// Luma and chroma equal outside the box grown by `margin` luma pixels.
static int same_outside(const AimFrame *a, const AimFrame *b, const Box *box, int margin)
{
    for (int p = 0; p < 3; p++) {
        int sub = p ? 2 : 1;
        for (int y = 0; y < aim_plane_h(a, p); y++)
            for (int x = 0; x < aim_plane_w(a, p); x++) {
                int X = x * sub, Y = y * sub;
                if (X >= box->x0 - margin && X <= box->x1 + margin && Y >= box->y0 - margin &&
                    Y <= box->y1 + margin)
                    continue;
                if (a->data[p][y * a->stride[p] + x] != b->data[p][y * b->stride[p] + x])
                    return 0;
            }
    }
    return 1;
}

static AimReader *open_reader(const char *path)
{
    AimReaderSettings s;
    aim_reader_default_settings(&s);
    s.path = path;
    AimReader *r = NULL;
    int ret = aim_reader_open(&r, &s);
    CHECK_MSG(ret == 0, "open %s: %s", path, aim_strerror(ret));
    return r;
}

static void run_case(const char *name, const char *input, const char *truth, const char *tmp,
                     const char *fps, AimRational R)
{
    char labels[MAXF][8];
    memset(labels, 0, sizeof(labels));
    Box box = { -1, -1, 0, 0, 0, 0 };
    int n = load_truth(truth, labels, &box);
    CHECK_MSG(n > 2, "%s: truth %s unreadable", name, truth);
    if (n <= 2)
        return;
    char out[1024], cmd[4096];
    snprintf(out, sizeof(out), "%s/%s_out.y4m", tmp, name);
    snprintf(cmd, sizeof(cmd), "'%s/ainimotion' enhance '%s' --out '%s' --fps %s --scale 1 -y -q",
             getenv("AIM_BUILD"), input, out, fps);
    int rc = system(cmd);
    CHECK_MSG(rc == 0, "%s: enhance failed (%d)", name, rc);
    if (rc)
        return;
    AimReader *rs = open_reader(input), *ro = open_reader(out);
    if (!rs || !ro) {
        aim_reader_close(&rs);
        aim_reader_close(&ro);
        return;
    }
    AimFrame *cur = NULL, *next = NULL, *o = NULL;
    int i = 0, wrong[5] = { 0 }, count[5] = { 0 }, early = 0;
    const char *kinds[5] = { "source", "hold", "cut", "motion", "fade" };
    if (aim_reader_read(rs, &cur) < 0)
        cur = NULL;
    while (cur && !early) {
        if (aim_reader_read(rs, &next) < 0)
            next = NULL;
        const char *l = next && i + 1 < n ? labels[i + 1] : "";
        for (int64_t k = aim_pipeline_first_out(R, i); k < aim_pipeline_first_out(R, i + 1);
             k++) {
            if (aim_reader_read(ro, &o) < 0) {
                CHECK_MSG(0, "%s: output ends early at source frame %d", name, i);
                early = 1;
                break;
            }
            const double t = aim_pipeline_out_t(R, i, k);
            if (t == 0.0) {
                count[0]++;
                wrong[0] += !test_frames_same(o, cur);
            } else if (!next) {
                CHECK_MSG(test_frames_same(o, cur), "%s: last frame not repeated", name);
            } else if (!strcmp(l, "hold") || !strcmp(l, "cut")) {
                int c = l[0] == 'h' ? 1 : 2;
                count[c]++;
                if (!test_frames_same(o, cur)) {
                    wrong[c]++;
                    fprintf(stderr, "%s: interval %d->%d (%s), t %.2f: not a duplicate\n",
                            name, i, i + 1, l, t);
                }
            } else if (l[0] == 'm' && i + 1 >= box.f0 && i + 1 <= box.f1) {
                count[3]++;
                // the gate's mask blocks are 16 px, dilated by one block: 48 px covers them
                if (!same_outside(o, cur, &box, 48) && !same_outside(o, next, &box, 48)) {
                    wrong[3]++;
                    fprintf(stderr, "%s: interval %d->%d (partial motion), t %.2f: static "
                            "area changed\n", name, i, i + 1, t);
                }
            } else if (!strcmp(l, "motion") || !strcmp(l, "fade")) {
                int c = l[0] == 'm' ? 3 : 4;
                count[c]++;
                if (test_frames_same(o, cur) || test_frames_same(o, next)) {
                    wrong[c]++;
                    fprintf(stderr, "%s: interval %d->%d (%s), t %.2f: a copy\n", name, i,
                            i + 1, l, t);
                }
            }
            aim_frame_unref(&o);
        }
        aim_frame_unref(&cur);
        cur = next;
        next = NULL;
        i++;
    }
    aim_frame_unref(&o);
    aim_frame_unref(&cur);
    aim_frame_unref(&next);
    AimFrame *extra = NULL;
    CHECK_MSG(early || aim_reader_read(ro, &extra) == AIM_ERR_EOF, "%s: output has extra frames",
              name);
    aim_frame_unref(&extra);
    CHECK_EQ_INT(i, n);
    for (int k = 0; k < 5; k++) {
        fprintf(stderr, "%s: %s %s frames %d, wrong %d\n", name, fps, kinds[k], count[k],
                wrong[k]);
        CHECK_MSG(wrong[k] == 0, "%s: %d of %d %s frames wrong", name, wrong[k], count[k],
                  kinds[k]);
    }
    // on the synthetic clip every class is exercised at each rate
    for (int k = 0; k < 5 && !strncmp(name, "synthetic", 9); k++)
        CHECK_MSG(count[k] > 0, "%s at %s: no %s frames checked", name, fps, kinds[k]);
    aim_reader_close(&rs);
    aim_reader_close(&ro);
    remove(out);
}

int main(void)
{
    const char *build = getenv("AIM_BUILD"), *tmp = getenv("AIM_TMP");
    if (!build || !tmp)
        TEST_SKIP("run through ctest (AIM_BUILD, AIM_TMP)");
    mkdir(tmp, 0777);
    char dir[1024], cmd[4096], in[1100], truth[1100];
    snprintf(dir, sizeof(dir), "%s/e2e_frames", tmp);
    mkdir(dir, 0777);
    snprintf(in, sizeof(in), "%s/sample.mkv", dir);
    snprintf(truth, sizeof(truth), "%s/sample.csv", dir);
    snprintf(cmd, sizeof(cmd), "'%s/aim_gen' '%s' --truth '%s' > /dev/null", build, in, truth);
    CHECK_EQ_INT(system(cmd), 0);
    run_case("synthetic", in, truth, dir, "48", (AimRational){ 2, 1 });
    run_case("synthetic60", in, truth, dir, "60", (AimRational){ 5, 2 });

    const char *shared = getenv("AIM_SHARED");
    char clip[1100], ctruth[1100];
    snprintf(clip, sizeof(clip), "%s/clips/onepiece_demo.mp4", shared ? shared : "../shared");
    snprintf(ctruth, sizeof(ctruth), "%s/clips/truth/onepiece_demo.csv",
             shared ? shared : "../shared");
    struct stat st;
    if (stat(clip, &st) == 0)
        run_case("onepiece", clip, ctruth, dir, "48", (AimRational){ 2, 1 });
    else
        fprintf(stderr, "SKIP onepiece part: %s not found (../shared absent)\n", clip);
    return test_finish("test_e2e_frames");
}
