#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int aim_parse_double(const char *s, double min, double max, double *v)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return AIM_ERR(EINVAL);
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (*end || errno || !isfinite(d))
        return AIM_ERR(EINVAL);
    if (d < min || d > max)
        return AIM_ERR(ERANGE);
    *v = d;
    return 0;
}

int aim_parse_int(const char *s, long min, long max, long *v)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return AIM_ERR(EINVAL);
    char *end;
    errno = 0;
    long l = strtol(s, &end, 10);
    if (*end || errno)
        return AIM_ERR(EINVAL);
    if (l < min || l > max)
        return AIM_ERR(ERANGE);
    *v = l;
    return 0;
}

// Unsigned decimal with optional fraction, digits only (no sign, no exponent).
static int parse_udec(const char *s, size_t n, double *v)
{
    if (!n || n > 24)
        return AIM_ERR(EINVAL);
    char buf[32];
    int dots = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.')
            dots++;
        else if (!isdigit((unsigned char)s[i]))
            return AIM_ERR(EINVAL);
    }
    if (dots > 1 || s[0] == '.' || s[n - 1] == '.')
        return AIM_ERR(EINVAL);
    memcpy(buf, s, n);
    buf[n] = 0;
    *v = strtod(buf, NULL);
    return 0;
}

int aim_parse_time(const char *s, double *seconds)
{
    if (!s)
        return AIM_ERR(EINVAL);
    double parts[3];
    int n = 0;
    const char *p = s;
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        if (n == 3 || parse_udec(p, len, &parts[n]) < 0)
            return AIM_ERR(EINVAL);
        n++;
        if (!colon)
            break;
        p = colon + 1;
    }
    double t;
    // Only the last field may have a fraction; minutes/seconds fields below 60 when prefixed.
    for (int i = 0; i < n - 1; i++)
        if (parts[i] != floor(parts[i]))
            return AIM_ERR(EINVAL);
    if (n == 1) {
        t = parts[0];
    } else if (n == 2) {
        if (parts[1] >= 60)
            return AIM_ERR(EINVAL);
        t = parts[0] * 60 + parts[1];
    } else {
        if (parts[1] >= 60 || parts[2] >= 60)
            return AIM_ERR(EINVAL);
        t = parts[0] * 3600 + parts[1] * 60 + parts[2];
    }
    if (t >= 100 * 3600.0)
        return AIM_ERR(ERANGE);
    *seconds = t;
    return 0;
}

int aim_parse_time_range(const char *s, double *start, double *end)
{
    if (!s)
        return AIM_ERR(EINVAL);
    const char *dash = strchr(s, '-');
    if (!dash || strchr(dash + 1, '-'))
        return AIM_ERR(EINVAL);
    size_t n = (size_t)(dash - s);
    char a[64];
    if (!n || n >= sizeof(a))
        return AIM_ERR(EINVAL);
    memcpy(a, s, n);
    a[n] = 0;
    double t0, t1;
    int ret;
    if ((ret = aim_parse_time(a, &t0)) < 0 || (ret = aim_parse_time(dash + 1, &t1)) < 0)
        return ret;
    if (t1 <= t0)
        return AIM_ERR(ERANGE);
    *start = t0;
    *end = t1;
    return 0;
}

int aim_parse_rate(const char *s, AimRational *r)
{
    if (!s || !*s)
        return AIM_ERR(EINVAL);
    const char *slash = strchr(s, '/');
    if (slash) {
        long num, den;
        char a[32];
        size_t n = (size_t)(slash - s);
        if (!n || n >= sizeof(a))
            return AIM_ERR(EINVAL);
        memcpy(a, s, n);
        a[n] = 0;
        int ret;
        if ((ret = aim_parse_int(a, 1, 1000000000, &num)) < 0 ||
            (ret = aim_parse_int(slash + 1, 1, 1000000000, &den)) < 0)
            return ret;
        *r = (AimRational){ (int)num, (int)den };
        return 0;
    }
    double d;
    int ret = parse_udec(s, strlen(s), &d);
    if (ret < 0)
        return ret;
    // below 1/1000 fps the millihertz fallback below would round to 0
    if (d < 0.001 || d > 1000)
        return AIM_ERR(ERANGE);
    if (d == floor(d)) {
        *r = (AimRational){ (int)d, 1 };
        return 0;
    }
    double ntsc = round(d * 1.001);
    if (fabs(ntsc / 1.001 - d) <= d * 1e-4) {
        *r = (AimRational){ (int)ntsc * 1000, 1001 };
        return 0;
    }
    *r = (AimRational){ (int)llround(d * 1000), 1000 };
    return 0;
}

int aim_rate_factor(AimRational src, AimRational out, int max_factor, int *factor)
{
    if (src.num <= 0 || src.den <= 0 || out.num <= 0 || out.den <= 0)
        return AIM_ERR(EINVAL);
    double ratio = ((double)out.num * src.den) / ((double)out.den * src.num);
    long f = lround(ratio);
    // 0.2%: 48 vs 47.952 differ by 0.1%; 25 vs 23.976 by 4% (a different rate, refused)
    if (f < 1 || fabs(ratio - (double)f) > 0.002 * (double)f)
        return AIM_ERR_UNSUPPORTED;
    if (f > max_factor)
        return AIM_ERR_UNSUPPORTED;
    *factor = (int)f;
    return 0;
}

static int even_round(double v)
{
    long e = 2 * lround(v / 2);
    return e < 2 ? 2 : (int)e;
}

void aim_scale_dims(int w, int h, double scale, int *ow, int *oh)
{
    if (scale == 1.0) {
        *ow = w;
        *oh = h;
        return;
    }
    *ow = even_round(w * scale);
    *oh = even_round(h * scale);
}

char *aim_format_time(double seconds, char *buf, size_t size)
{
    const char *sign = "";
    if (seconds < 0) {
        sign = "-";
        seconds = -seconds;
    }
    long long ms = llround(seconds * 1000);
    snprintf(buf, size, "%s%02lld:%02lld:%02lld.%03lld", sign, ms / 3600000, ms / 60000 % 60,
             ms / 1000 % 60, ms % 1000);
    return buf;
}
