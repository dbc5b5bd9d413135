// A segment's render replays the plan's gate records (gate.bin) as the one-piece run's: each
// record keeps its frame's time (AimGateRecord.pts, the reader's microseconds in timed mode),
// as analyze and enhance --report give it. gate.bin always held the times (beside the frame
// hashes), but the loaded records had pts 0. Linked with -Wl,--wrap=aim_pipeline_run
// (tests/CMakeLists.txt): the records render hands the pipeline are seen here and compared
// with the pictures' times as the reader reads them (timed, as enhance and plan read).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "io/io.h"
#include "job.h"
#include "pipeline/pipeline.h"
#include "test.h"

#define FRAMES 30

int __real_aim_pipeline_run(const AimPipelineSettings *s, AimPipelineStats *stats);

static int64_t seen_pts[FRAMES], seen_frame[FRAMES];
static int64_t seen_n = -1;

int __wrap_aim_pipeline_run(const AimPipelineSettings *s, AimPipelineStats *stats)
{
    if (s->records) {
        seen_n = s->nb_records;
        for (int64_t i = 0; i < s->nb_records && i < FRAMES; i++) {
            seen_pts[i] = s->records[i].pts;
            seen_frame[i] = s->records[i].frame;
        }
    }
    return __real_aim_pipeline_run(s, stats);
}

int main(void)
{
    char dir[1024], cmd[4096], in[1100], job[1100];
    const char *build = test_work_dir("job_records", dir, sizeof(dir));
    snprintf(in, sizeof(in), "%s/a.mkv", dir);
    snprintf(job, sizeof(job), "%s/job", dir);
    // 30000/1001: times that are not whole milliseconds
    snprintf(cmd, sizeof(cmd), "'%s/aim_gen' '%s' --frames %d --fps 30000/1001 --size 64x48 "
             ">/dev/null 2>&1", build, in, FRAMES);
    CHECK_EQ_INT(system(cmd), 0);

    // the pictures' times as enhance reads them
    int64_t want[FRAMES];
    int n = 0;
    AimReaderSettings rs;
    aim_reader_default_settings(&rs);
    rs.path = in;
    rs.timed = 1;
    AimReader *r = NULL;
    CHECK_EQ_INT(aim_reader_open(&r, &rs), 0);
    AimFrame *f = NULL;
    while (r && n < FRAMES && aim_reader_read(r, &f) == 0) {
        want[n++] = f->pts;
        aim_frame_unref(&f);
    }
    aim_reader_close(&r);
    CHECK_EQ_INT(n, FRAMES);

    // plan prints N on stdout: into a file of its own
    fflush(stdout);
    char nfile[1100];
    snprintf(nfile, sizeof(nfile), "%s/n.txt", dir);
    CHECK(freopen(nfile, "w", stdout) != NULL);
    char *plan[] = { "plan", in, "--job", job, "--segments", "2", "--scale", "1", "-q", NULL };
    CHECK_EQ_INT(aim_cmd_plan(9, plan), AIM_EXIT_OK);
    fflush(stdout);
    char *render[] = { "render", job, "--segment", "1", "-q", NULL };
    CHECK_EQ_INT(aim_cmd_render(5, render), AIM_EXIT_OK);

    CHECK_EQ_INT(seen_n, FRAMES);
    int bad = 0;
    for (int i = 0; i < n && i < seen_n; i++) {
        CHECK_EQ_INT(seen_frame[i], i);
        if (seen_pts[i] != want[i] && bad++ < 3)
            CHECK_MSG(0, "record %d: pts %lld, the picture's time %lld", i,
                      (long long)seen_pts[i], (long long)want[i]);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_MSG(want[n - 1] > 0, "the last picture's time is %lld", (long long)want[n - 1]);
    return test_finish("test_job_records");
}
