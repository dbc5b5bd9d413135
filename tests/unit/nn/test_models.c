// SHA-256 against the FIPS 180-4 / NIST example vectors, and the model registry helpers.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "nn/models.h"
#include "nn/sha256.h"
#include "enhance.h"
#include "interp/interp.h"
#include "scale/scale.h"

static void hex_of(const void *d, size_t n, char out[65], size_t chunk)
{
    AimSha256 c;
    aim_sha256_init(&c);
    for (size_t i = 0; i < n; i += chunk)
        aim_sha256_update(&c, (const char *)d + i, n - i < chunk ? n - i : chunk);
    uint8_t dig[32];
    aim_sha256_final(&c, dig);
    aim_sha256_hex(dig, out);
}

static void test_sha256(void)
{
    char h[65];
    hex_of("", 0, h, 1);
    CHECK(!strcmp(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    hex_of("abc", 3, h, 3);
    CHECK(!strcmp(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    const char *s = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    for (size_t chunk = 1; chunk < 70; chunk += 13) {
        hex_of(s, strlen(s), h, chunk);
        CHECK(!strcmp(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    }
    char *m = malloc(1000000);
    memset(m, 'a', 1000000);
    hex_of(m, 1000000, h, 4093);
    CHECK(!strcmp(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    free(m);
}

static void test_registry(void)
{
    CHECK(aim_models_count() >= 5);
    const char *need[] = { "realesr-animevideov3", "realcugan-se-conservative", "waifu2x-cunet",
                           "anime4k-cnn-m", "rife-v4.6" };
    for (int i = 0; i < 5; i++) {
        const AimModelInfo *m = aim_models_find(need[i]);
        CHECK_MSG(m != NULL, "%s", need[i]);
        if (!m)
            continue;
        CHECK(m->nfiles > 0);
        for (int k = 0; k < m->nfiles; k++) {
            CHECK(!strncmp(m->files[k].src, "package/", 8));
            CHECK(strlen(m->files[k].sha256) == 64);
            CHECK(m->files[k].size > 0 && m->files[k].size < (64 << 20));
        }
    }
    CHECK(aim_models_find("nope") == NULL);
    CHECK(aim_models_get(-1) == NULL && aim_models_get(aim_models_count()) == NULL);

    char buf[256];
    CHECK(aim_models_dir(buf, sizeof(buf), "/x/y") == 0 && !strcmp(buf, "/x/y"));
    setenv("AINIMOTION_MODELS", "/env/m", 1);
    CHECK(aim_models_dir(buf, sizeof(buf), NULL) == 0 && !strcmp(buf, "/env/m"));
    unsetenv("AINIMOTION_MODELS");
    setenv("XDG_DATA_HOME", "/xdg", 1);
    CHECK(aim_models_dir(buf, sizeof(buf), "") == 0 && !strcmp(buf, "/xdg/ainimotion/models"));
    unsetenv("XDG_DATA_HOME");
    setenv("HOME", "/home/u", 1);
    CHECK(aim_models_dir(buf, sizeof(buf), NULL) == 0 &&
          !strcmp(buf, "/home/u/.local/share/ainimotion/models"));
    CHECK(aim_models_dir(buf, 8, NULL) == AIM_ERR(ERANGE));

    // A missing model is reported as missing, with the install command in the message.
    const char *tmp = getenv("AIM_TMP") ? getenv("AIM_TMP") : "/tmp";
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/models-test-%d", tmp, (int)getpid());
    char path[1024];
    CHECK_EQ_INT(aim_models_locate(path, sizeof(path), dir, "realesr-animevideov3",
                                   "realesr-animevideov3-x2.param", NULL), AIM_ERR_MODEL_MISSING);
    // A file of the right size but wrong content verifies as damaged, not as installed.
    const AimModelInfo *m = aim_models_find("anime4k-cnn-m");
    mkdir(tmp, 0755);
    mkdir(dir, 0755);
    snprintf(path, sizeof(path), "%s/anime4k-cnn-m", dir);
    mkdir(path, 0755);
    aim_models_path(path, sizeof(path), dir, m, m->files[0].name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        for (int64_t i = 0; i < m->files[0].size; i++)
            fputc('x', f);
        fclose(f);
        CHECK_EQ_INT(aim_models_check(dir, m, 0, NULL), 0);
        CHECK_EQ_INT(aim_models_check(dir, m, 1, NULL), AIM_ERR_INVALID_DATA);
        remove(path);
    }
    snprintf(path, sizeof(path), "%s/anime4k-cnn-m", dir);
    rmdir(path);
    rmdir(dir);
}

static int has_file(const AimModelInfo *m, const char *name)
{
    for (int k = 0; k < m->nfiles; k++)
        if (!strcmp(m->files[k].name, name))
            return 1;
    return 0;
}

// The table is consistent: every file an upscaler loads at each of its factors and noise levels
// is one of its files; every model is an engine the CLI accepts; the engine lists hold each
// upscaler model once.
static void test_table(void)
{
    int nup = 0;
    for (int i = 0; i < aim_models_count(); i++) {
        const AimModelInfo *m = aim_models_get(i);
        CHECK_MSG(aim_models_find(m->name) == m, "%s: unique name", m->name);
        if (m->kind == AIM_MODEL_INTERPOLATOR) {
            CHECK_MSG(m->engine && aim_interp_engine_known(m->engine), "%s", m->name);
            CHECK(aim_models_find_engine(AIM_MODEL_INTERPOLATOR, m->engine) == m);
            continue;
        }
        nup++;
        CHECK_MSG(m->kind == AIM_MODEL_UPSCALER && !m->engine, "%s", m->name);
        CHECK_MSG(aim_scaler_engine_known(m->name), "%s: --upscaler accepts it", m->name);
        CHECK(aim_models_find_engine(AIM_MODEL_UPSCALER, m->name) == m);
        CHECK_MSG(m->scales[0] >= 1 && m->tiling.tile > 0 && m->tiling.align > 0, "%s", m->name);
        for (int k = 0; k < 3 && m->scales[k]; k++) {
            int f = m->scales[k];
            CHECK_MSG(f <= 4 && (k == 0 || f > m->scales[k - 1]), "%s: factors", m->name);
            for (int lv = m->base ? 0 : -1; lv < (m->base ? 1 : m->noise_levels); lv++) {
                char b[96], p[128], q[128];
                if (m->base)
                    snprintf(b, sizeof(b), m->base, f);
                else if (lv < 0)
                    snprintf(b, sizeof(b), "scale2.0x_model");
                else
                    snprintf(b, sizeof(b), "noise%d_scale2.0x_model", lv);
                if (m->loader == AIM_MODEL_LOADER_ANIME4K) {
                    CHECK_MSG(has_file(m, b), "%s: %s", m->name, b);
                    continue;
                }
                snprintf(p, sizeof(p), "%s.param", b);
                snprintf(q, sizeof(q), "%s.bin", b);
                CHECK_MSG(has_file(m, p) && has_file(m, q), "%s: %s", m->name, b);
            }
        }
    }
    int n = 0;
    for (int i = 0; aim_scaler_engine_name_at(i); i++)
        n += aim_models_find(aim_scaler_engine_name_at(i)) != NULL;
    CHECK_EQ_INT(n, nup);
    // every engine a preset may pick ("waifu2x-cunet|lanczos") is one the tables know
    const char *presets[] = { "anime-clean", "anime-strong", "fast" };
    for (int i = 0; i < 3; i++) {
        const AimPreset *p = aim_preset_find(presets[i]);
        CHECK_MSG(p != NULL, "%s", presets[i]);
        for (int k = 0; p && k < 2; k++) {
            char spec[128];
            snprintf(spec, sizeof(spec), "%s|", k ? p->upscaler : p->interp);
            for (char *e = spec, *bar; (bar = strchr(e, '|')); e = bar + 1) {
                *bar = 0;
                CHECK_MSG(k ? aim_scaler_engine_known(e) : aim_interp_engine_known(e),
                          "preset %s: engine %s", presets[i], e);
            }
        }
    }
    char sc[32];
    aim_models_scales_str(aim_models_find("realesr-animevideov3"), sc, sizeof(sc));
    CHECK(!strcmp(sc, "x2/x3/x4"));
}

int main(void)
{
    test_sha256();
    test_registry();
    test_table();
    return test_finish("test_models");
}
