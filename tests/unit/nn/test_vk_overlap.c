// The Vulkan upscaler's overlapped tiles (two runs in flight: the device computes tile k while
// the host writes tile k-1 and fills tile k+1) against one tile at a time (settings.serial),
// on lavapipe with the validation layer: the float RGB output must be identical bit for bit,
// on several frame sizes (odd ones, one whose last row and column of tiles are partial, and a
// single-tile frame, where nothing overlaps), fp32 and fp16. Input: a crop of real anime
// (../shared/clips/onepiece_demo.mp4, frame 40). No model, device or clip: exit 77.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "nn/models.h"
#include "vk_crop.h"

#define MODEL "anime4k-cnn-m"
#define MODEL_FILE "cnn-2x-m-an.json"
// Tiles of 32 input pixels: a 75x41 frame is 3x2 tiles, the smallest that keeps both runs
// busy over a row change.
#define TILE 32

// The crop (read by vkc_crop_read: `c` comes first), its output stored unclamped here.
typedef struct Img {
    VkCrop c;
    int writes;    ///< wr calls
} Img;

static void wr(void *opaque, int x0, int y0, int w, int h, const float *const rgb[3],
               ptrdiff_t stride)
{
    Img *im = opaque;
    im->writes++;
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < h; y++)
            memcpy(im->c.out + ((size_t)c * im->c.oh + y0 + y) * im->c.ow + x0,
                   rgb[c] + y * stride, sizeof(float) * (size_t)w);
}

// Upscales the w x h crop on dev, overlapped or serial; NULL on failure (CHECKed).
static float *upscale(VkCheck *vc, AimVkDevice *dev, Img *im, int w, int h, int serial)
{
    AimNnUpscalerSettings s;
    aim_nn_upscaler_default_settings(&s);
    s.model = MODEL;
    s.scale = 2;
    s.tile = TILE;
    s.device = dev;
    s.serial = serial;
    s.log = vc->log;
    AimNnUpscaler *u = NULL;
    int err = aim_nn_upscaler_create(&u, &s);
    CHECK_MSG(err == 0, "create: %s", aim_strerror(err));
    if (err < 0)
        return NULL;
    CHECK_EQ_INT(aim_nn_upscaler_overlap(u), !serial); // the path under test really runs
    int f = aim_nn_upscaler_factor(u);
    im->c.ow = w * f;
    im->c.oh = h * f;
    im->writes = 0;
    // poison: a tile never written shows as NaN, which compares unequal to anything
    im->c.out = malloc(sizeof(float) * 3 * (size_t)im->c.ow * im->c.oh);
    memset(im->c.out, 0xff, sizeof(float) * 3 * (size_t)im->c.ow * im->c.oh);
    err = aim_nn_upscaler_run(u, w, h, vkc_crop_read, wr, im);
    CHECK_MSG(err == 0, "run %dx%d: %s", w, h, aim_strerror(err));
    CHECK(!strncmp(aim_nn_upscaler_backend(u), "vulkan", 6)); // no silent fallback
    aim_nn_upscaler_destroy(&u);
    if (err < 0) {
        free(im->c.out);
        return NULL;
    }
    return im->c.out;
}

int main(void)
{
    char path[4096];
    AimLog quiet = { 0 };
    if (aim_models_locate(path, sizeof(path), NULL, MODEL, MODEL_FILE,
                          &quiet) < 0)
        TEST_SKIP("%s is not installed (ainimotion models install %s)", MODEL, MODEL);
    VkCheck vc;
    vkc_open(&vc);
    AimFrame *fr[41];
    vkc_read_frames(&vc, fr, 41); // skips without the clip
    const AimFrame *f = fr[40];
    CHECK(f != NULL);
    // sizes: square, odd in both (partial last tiles), wide, and one tile
    static const int sizes[][2] = { { 64, 64 }, { 75, 41 }, { 97, 33 }, { 31, 27 } };
    for (int k = 0; k < 2 && f; k++) {
        if (!vc.dev[k])
            continue;
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            int w = sizes[i][0], h = sizes[i][1];
            Img a = { .writes = 0 };
            vkc_crop_init(&a.c, f, VKC_CROP_X0, VKC_CROP_Y0);
            Img b = a;
            float *ser = upscale(&vc, vc.dev[k], &a, w, h, 1);
            float *ovl = upscale(&vc, vc.dev[k], &b, w, h, 0);
            if (ser && ovl) {
                size_t n = (size_t)3 * a.c.ow * a.c.oh, diff = 0;
                for (size_t j = 0; j < n; j++)
                    diff += memcmp(&ser[j], &ovl[j], sizeof(float)) != 0 || ser[j] != ser[j];
                int tiles = ((w + TILE - 1) / TILE) * ((h + TILE - 1) / TILE);
                CHECK_EQ_INT(a.writes, tiles);
                CHECK_EQ_INT(b.writes, tiles);
                CHECK_MSG(diff == 0, "%s %dx%d: %zu of %zu values differ", k ? "fp16" : "fp32",
                          w, h, diff, n);
                fprintf(stderr, "%s %dx%d (%d tiles): overlapped == serial, %zu values\n",
                        k ? "fp16" : "fp32", w, h, tiles, n);
            }
            free(ser);
            free(ovl);
        }
    }
    for (int i = 0; i < 41; i++)
        aim_frame_unref(&fr[i]);
    return vkc_close(&vc, "test_vk_overlap");
}
