// The device layer (src/vk): --device parsing; enumeration agrees with the device opened by
// each policy (auto never opens a CPU driver); buffers, copies and fills round-trip through a
// command list; and the validation check itself: a deliberate misuse (a push-constant range
// smaller than the shader's block) must be reported and counted, or the other Vulkan tests'
// "no message" would prove nothing.
#include <string.h>

#include "test.h"
#include "vk/vk.h"

static int messages_seen;
static void log_cb(void *o, AimLogLevel l, const char *m)
{
    if (strstr(m, "vulkan validation:"))
        messages_seen++;
    else if (l <= AIM_LOG_WARNING)
        fprintf(stderr, "  log: %s\n", m);
}

static void test_parse(void)
{
    int p = -1, i = -1;
    CHECK(aim_vk_parse_device("auto", &p, &i) == 0 && p == AIM_VK_AUTO);
    CHECK(aim_vk_parse_device("cpu", &p, &i) == 0 && p == AIM_VK_CPU);
    CHECK(aim_vk_parse_device("vulkan", &p, &i) == 0 && p == AIM_VK_ANY);
    CHECK(aim_vk_parse_device("vulkan:0", &p, &i) == 0 && p == AIM_VK_INDEX && i == 0);
    CHECK(aim_vk_parse_device("vulkan:63", &p, &i) == 0 && p == AIM_VK_INDEX && i == 63);
    static const char *bad[] = { "", "gpu", "vulkan:", "vulkan:64", "vulkan:-1", "vulkan:1x",
                                 "vulkan:0001", "Vulkan", "auto ", "vulkan:99999999999" };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        p = i = -7;
        CHECK_MSG(aim_vk_parse_device(bad[k], &p, &i) == AIM_ERR(EINVAL) && p == -7 && i == -7,
                  "'%s' accepted", bad[k]);
    }
}

// aim_vk_device_open, the one way the program and the tools open a --device choice: cpu opens
// nothing; a device index past the last fails as aim_vk_device_create does, *out untouched.
static void test_open(int ndevices)
{
    AimVkDevice *d = (AimVkDevice *)&d;
    CHECK(aim_vk_device_open(&d, AIM_VK_CPU, 0, 0, NULL) == 0 && d == NULL);
    if (!ndevices)
        return;
    CHECK_EQ_INT(aim_vk_device_open(&d, AIM_VK_INDEX, ndevices, 0, NULL), AIM_ERR(ENODEV));
    CHECK(d == NULL);
    CHECK(aim_vk_device_open(&d, AIM_VK_INDEX, 0, 1, NULL) == 0 && d != NULL);
    aim_vk_device_destroy(&d);
}

int main(void)
{
    test_parse();
    AimLog log = { log_cb, NULL, AIM_LOG_WARNING };
    AimVkDeviceInfo info[16];
    int n = 0;
    int err = aim_vk_enumerate(info, 16, &n, &log);
    test_open(err < 0 ? 0 : n);
    if (err < 0 || !n) {
        test_finish("test_vk_device");
        TEST_SKIP("no Vulkan device: %s", aim_strerror(err));
    }
    int gpus = 0;
    for (int i = 0; i < n && i < 16; i++) {
        fprintf(stderr, "%d: %s (%s)\n", i, info[i].name, aim_vk_type_name(info[i].type));
        CHECK(info[i].index == i && info[i].memory > 0);
        gpus += info[i].type != AIM_VK_TYPE_CPU && info[i].type != AIM_VK_TYPE_OTHER;
    }
    AimVkSettings s;
    aim_vk_default_settings(&s);
    s.log = (AimLog){ NULL, NULL, AIM_LOG_ERROR };
    AimVkDevice *d = NULL;
    err = aim_vk_device_create(&d, &s); // auto
    if (gpus)
        CHECK(err == 0 && aim_vk_device_info(d)->type != AIM_VK_TYPE_CPU);
    else
        CHECK_EQ_INT(err, AIM_ERR(ENODEV));
    aim_vk_device_destroy(&d);
    s.policy = AIM_VK_INDEX;
    s.index = n; // one past the last
    CHECK_EQ_INT(aim_vk_device_create(&d, &s), AIM_ERR(ENODEV));
    CHECK(d == NULL);

    s.policy = AIM_VK_INDEX;
    s.index = 0;
    s.validation = 1;
    s.log = log;
    CHECK(aim_vk_device_create(&d, &s) == 0);
    if (!d)
        return test_finish("test_vk_device");
    CHECK(!strcmp(aim_vk_device_info(d)->name, info[0].name));
    CHECK(aim_vk_device_validating(d));
    CHECK(aim_vk_device_budget(d) > 0);

    // host -> device -> host through copies and a fill
    AimVkBuffer *h = NULL, *g = NULL;
    AimVkCmd *c = NULL;
    CHECK(aim_vk_buffer_create(&h, d, 4096, AIM_VK_BUF_HOST) == 0);
    CHECK(aim_vk_buffer_create(&g, d, 4096, AIM_VK_BUF_DEVICE) == 0);
    CHECK(aim_vk_cmd_create(&c, d) == 0);
    uint64_t peak = 0;
    CHECK(aim_vk_device_allocated(d, &peak) >= 8192 && peak >= 8192);
    if (h && g && c) {
        uint32_t *m = aim_vk_buffer_map(h);
        for (int i = 0; i < 1024; i++)
            m[i] = (uint32_t)i * 2654435761u;
        CHECK(aim_vk_cmd_begin(c) == 0);
        CHECK(aim_vk_cmd_copy(c, h, 0, g, 0, 4096) == 0);
        aim_vk_cmd_barrier(c);
        CHECK(aim_vk_cmd_fill(c, g, 1024, 512, 0xdeadbeefu) == 0);
        aim_vk_cmd_barrier(c);
        CHECK(aim_vk_cmd_copy(c, g, 0, h, 0, 4096) == 0);
        aim_vk_cmd_barrier(c);
        CHECK(aim_vk_cmd_submit(c) == 0);
        int bad = 0;
        for (int i = 0; i < 1024; i++)
            bad += m[i] != (i >= 256 && i < 384 ? 0xdeadbeefu : (uint32_t)i * 2654435761u);
        CHECK_EQ_INT(bad, 0);
        // out-of-range requests are refused before Vulkan sees them
        CHECK(aim_vk_cmd_begin(c) == 0);
        CHECK_EQ_INT(aim_vk_cmd_copy(c, h, 4000, g, 0, 200), AIM_ERR(EINVAL));
        CHECK_EQ_INT(aim_vk_cmd_fill(c, g, 2, 8, 0), AIM_ERR(EINVAL));
        AimVkBinding b[2] = { { h, 0, 0 }, { g, 4096, 0 } };
        int32_t pc[4] = { 16, 1, 16, 0 };
        AimVkDispatch q = { "relu", NULL, 0, b, 2, pc, 16, { 1, 1, 1 }, "test" };
        CHECK_EQ_INT(aim_vk_cmd_dispatch(c, &q), AIM_ERR(ERANGE));
        q.shader = "no_such_shader";
        b[1].offset = 0;
        CHECK_EQ_INT(aim_vk_cmd_dispatch(c, &q), AIM_ERR_UNSUPPORTED);
        CHECK(aim_vk_cmd_submit(c) == 0);
        CHECK_EQ_INT(aim_vk_device_messages(d), 0);
        // scratch: disjoint ranges; a request past the buffer moves to a new buffer, the old
        // one (still bound by recorded commands) living until the next begin
        AimVkBinding s1, s2, s3, s4;
        CHECK_EQ_INT(aim_vk_cmd_scratch(c, 100, &s1), AIM_ERR(EINVAL)); // not recording
        CHECK(aim_vk_cmd_begin(c) == 0);
        CHECK(aim_vk_cmd_scratch(c, 100, &s1) == 0 && aim_vk_cmd_scratch(c, 100, &s2) == 0);
        CHECK(s1.buf == s2.buf && s2.offset >= s1.offset + 100 && s1.size == 100);
        CHECK(aim_vk_cmd_scratch(c, 1 << 20, &s3) == 0 && s3.buf != s1.buf && !s3.offset);
        CHECK(aim_vk_cmd_fill(c, s1.buf, s1.offset, 100, 7) == 0);
        CHECK(aim_vk_cmd_fill(c, s3.buf, 0, 1 << 20, 0x01020304u) == 0);
        aim_vk_cmd_barrier(c);
        CHECK(aim_vk_cmd_copy(c, s3.buf, 4096, h, 0, 4096) == 0);
        aim_vk_cmd_barrier(c);
        CHECK(aim_vk_cmd_submit(c) == 0);
        bad = 0;
        for (int i = 0; i < 1024; i++)
            bad += m[i] != 0x01020304u;
        CHECK_EQ_INT(bad, 0);
        CHECK(aim_vk_cmd_begin(c) == 0); // starts over in the larger buffer
        CHECK(aim_vk_cmd_scratch(c, 64, &s4) == 0 && s4.buf == s3.buf && !s4.offset);
        CHECK(aim_vk_cmd_submit(c) == 0);
        CHECK_EQ_INT(aim_vk_device_messages(d), 0);
        // the deliberate misuse: relu.comp's push block is 16 bytes, the layout gets 4
        CHECK(aim_vk_cmd_begin(c) == 0);
        q.shader = "relu";
        q.push_bytes = 4;
        aim_vk_cmd_dispatch(c, &q);
        aim_vk_cmd_submit(c);
        CHECK_MSG(aim_vk_device_messages(d) > 0 && messages_seen > 0,
                  "the validation layer did not report a too-small push-constant range");
    }
    aim_vk_cmd_destroy(&c);
    aim_vk_buffer_destroy(&h);
    aim_vk_buffer_destroy(&g);
    aim_vk_device_destroy(&d);
    return test_finish("test_vk_device");
}
