/*
 * AInimotion public API: errors, logging, version.
 * Plain C, no libav types, no config.h.
 */
#ifndef AINIMOTION_COMMON_H
#define AINIMOTION_COMMON_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AIM_VERSION_MAJOR 0
#define AIM_VERSION_MINOR 1
#define AIM_VERSION_PATCH 0
#define AIM_VERSION_STRING "0.1.0"

/** Negative errno values: AIM_ERR(ENOMEM), AIM_ERR(EINVAL), AIM_ERR(EAGAIN) ... */
#define AIM_ERR(e) (-(e))

/** Named error codes, outside the errno range. */
enum {
    AIM_ERR_EOF         = -0x4000, ///< end of stream: no more output after drain
    AIM_ERR_UNSUPPORTED = -0x4001, ///< valid input the project does not handle (pixel format, rate)
    AIM_ERR_INVALID_DATA= -0x4002, ///< input data is malformed (corrupt file, bad model file)
    AIM_ERR_NO_VIDEO    = -0x4003, ///< input has no video stream
    AIM_ERR_MODEL_MISSING = -0x4004, ///< a model file is not installed
    AIM_ERR_INTERRUPTED = -0x4005, ///< the run was cancelled (SIGINT)
    AIM_ERR_EXTERNAL    = -0x4006, ///< a library we call failed (libav*), message in the log
};

/** Returns a static, human-readable string for an AIM error code (never NULL). */
const char *aim_strerror(int err);

typedef enum AimLogLevel {
    AIM_LOG_ERROR = 0,
    AIM_LOG_WARNING = 1,
    AIM_LOG_INFO = 2,
    AIM_LOG_DEBUG = 3,
} AimLogLevel;

/**
 * Log callback. Called from any thread of the library; must be thread-safe.
 * `msg` is one line without a trailing newline.
 */
typedef void (*AimLogCallback)(void *opaque, AimLogLevel level, const char *msg);

/** Log sink passed around by value in settings structs. cb == NULL drops messages. */
typedef struct AimLog {
    AimLogCallback cb;
    void *opaque;
    AimLogLevel max_level; ///< messages above this level are dropped
} AimLog;

/** Logs through `log` (may be NULL). printf-style. */
void aim_log(const AimLog *log, AimLogLevel level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Rational number (num/den), den > 0. */
typedef struct AimRational {
    int num, den;
} AimRational;

#ifdef __cplusplus
}
#endif

#endif
