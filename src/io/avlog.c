#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/log.h>

#include "avlog.h"

// libav's callback takes no user pointer: the sink must live in a static. It is written once
// at start-up, before any file is opened, and only read afterwards.
static AimLog av_sink;
static AimLogLevel av_min;

static void av_cb(void *avcl, int level, const char *fmt, va_list vl)
{
    // One step down: our own code reports what matters to the user in one line (a failed
    // open, a decode error with its position); libav's error lines are context for it.
    AimLogLevel l = level <= AV_LOG_FATAL ? AIM_LOG_ERROR
                  : level <= AV_LOG_ERROR ? AIM_LOG_WARNING
                  : level <= AV_LOG_WARNING ? AIM_LOG_INFO : AIM_LOG_DEBUG;
    if (l > av_min)
        return;
    char line[1024];
    int print_prefix = 1;
    av_log_format_line2(avcl, level, fmt, vl, line, sizeof(line), &print_prefix);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = 0;
    if (n)
        aim_log(&av_sink, l, "%s", line);
}

void aim_io_set_av_log(const AimLog *log, AimLogLevel min_level)
{
    if (!log) {
        av_log_set_callback(av_log_default_callback);
        return;
    }
    av_sink = *log;
    av_min = min_level;
    av_log_set_callback(av_cb);
}
