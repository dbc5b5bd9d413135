// Error strings and the log helper.
#include <stdio.h>
#include <string.h>

#include "ainimotion/common.h"

const char *aim_strerror(int err)
{
    switch (err) {
    case 0: return "success";
    case AIM_ERR_EOF: return "end of stream";
    case AIM_ERR_UNSUPPORTED: return "unsupported input";
    case AIM_ERR_INVALID_DATA: return "invalid or corrupt data";
    case AIM_ERR_NO_VIDEO: return "no video stream";
    case AIM_ERR_MODEL_MISSING: return "model not installed";
    case AIM_ERR_INTERRUPTED: return "interrupted";
    case AIM_ERR_EXTERNAL: return "library call failed";
    case AIM_ERR(ENOMEM): return "out of memory";
    case AIM_ERR(EINVAL): return "invalid argument";
    case AIM_ERR(EAGAIN): return "try again (output not ready / input full)";
    case AIM_ERR(ENOENT): return "no such file or directory";
    case AIM_ERR(EACCES): return "permission denied";
    case AIM_ERR(EEXIST): return "file exists";
    case AIM_ERR(EIO): return "input/output error";
    case AIM_ERR(ERANGE): return "value out of range";
    default:
        if (err < 0 && err > -4096)
            return strerror(-err); // glibc: thread-safe, returns static strings for valid errno
        return "unknown error";
    }
}

void aim_log(const AimLog *log, AimLogLevel level, const char *fmt, ...)
{
    if (!log || !log->cb || level > log->max_level)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    size_t n = strlen(buf);
    while (n && buf[n - 1] == '\n')
        buf[--n] = 0;
    log->cb(log->opaque, level, buf);
}
