// A program using the installed library through its public header only (test_install.sh
// builds it with `pkg-config --cflags --libs ainimotion`).
// usage: example IN OUT [CANCEL_AFTER_FRAMES]
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <ainimotion/ainimotion.h>

typedef struct State {
    atomic_long frames;  // written by on_progress, read by should_cancel: other threads
    long calls, finals, cancel_after;
    double fps;
} State;

static void on_progress(void *opaque, const AimProgress *p)
{
    State *s = opaque;
    atomic_store(&s->frames, (long)p->frames_done);
    s->calls++;
    s->finals += p->final;
    s->fps = p->fps;
}

static int should_cancel(void *opaque)
{
    State *s = opaque;
    return s->cancel_after > 0 && atomic_load(&s->frames) >= s->cancel_after;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    State st = { .cancel_after = argc > 3 ? atol(argv[3]) : 0 };
    AimSettings s;
    aim_default_settings(&s);
    s.input = argv[1];
    s.output = argv[2];
    s.overwrite = 1;
    s.scale = 1;
    const char *const opts[] = { "--interp", "blend", NULL };
    s.options = opts;
    s.on_progress = on_progress;
    s.should_cancel = should_cancel;
    s.opaque = &st;
    AimContext *c = NULL;
    int err = aim_create(&c, &s);
    AimReport r = { 0 };
    if (!err)
        err = aim_run(c, &r);
    aim_destroy(&c);
    aim_destroy(&c); // &NULL is accepted
    printf("version %s api %d\n", aim_version(), AIM_API_VERSION);
    printf("result %d %s\n", err, err ? aim_strerror(err) : "ok");
    printf("progress %ld frames, %ld calls, %ld final, %.3f fps\n", atomic_load(&st.frames),
           st.calls, st.finals, st.fps);
    printf("report %lld source, %lld output, %lld interpolated\n", (long long)r.source_frames,
           (long long)r.output_frames, (long long)r.interpolated);
    return err ? 1 : 0;
}
