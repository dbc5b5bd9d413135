#include <ctype.h>
#include <limits.h>
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

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t r = a % b;
        a = b;
        b = r;
    }
    return a;
}

// n/d reduced into *r; AIM_ERR(ERANGE) when a term does not fit an int after reduction.
static int make_rational(int64_t n, int64_t d, AimRational *r)
{
    if (n <= 0 || d <= 0)
        return AIM_ERR(EINVAL);
    int64_t g = gcd64(n, d);
    n /= g;
    d /= g;
    if (n > INT_MAX || d > INT_MAX)
        return AIM_ERR(ERANGE);
    *r = (AimRational){ (int)n, (int)d };
    return 0;
}

int aim_rational_mul(AimRational a, AimRational b, AimRational *out)
{
    if (a.num <= 0 || a.den <= 0 || b.num <= 0 || b.den <= 0)
        return AIM_ERR(EINVAL);
    return make_rational((int64_t)a.num * b.num, (int64_t)a.den * b.den, out);
}

int aim_parse_multiplier(const char *s, AimRational *m)
{
    size_t n = s ? strlen(s) : 0;
    char a[32];
    if (n < 2 || n > sizeof(a) || (s[n - 1] != 'x' && s[n - 1] != 'X'))
        return AIM_ERR(EINVAL);
    memcpy(a, s, n - 1);
    a[n - 1] = 0;
    AimRational r;
    int ret = aim_parse_rate(a, &r); // same number syntax: "2", "2.5", "5/2"
    if (ret < 0)
        return ret;
    return make_rational(r.num, r.den, m);
}

// An NTSC-family rate: M * 1000/1001 for a whole M (23.976, 29.97, 59.94), within the 0.01%
// aim_parse_rate allows for typed decimals.
static int is_ntsc(AimRational r)
{
    double m = (double)r.num / r.den * 1.001;
    return r.num % r.den && fabs(m - round(m)) <= m * 1e-4;
}

int aim_rate_ratio(AimRational src, AimRational out, int max, AimRational *ratio)
{
    if (src.num <= 0 || src.den <= 0 || out.num <= 0 || out.den <= 0 || max < 1)
        return AIM_ERR(EINVAL);
    double x = ((double)out.num * src.den) / ((double)out.den * src.num);
    long f = lround(x);
    // 0.2%: 48 vs 47.952 differ by 0.1%; 25 vs 23.976 by 4% (a different rate, not nominal)
    if (f >= 1 && fabs(x - (double)f) <= 0.002 * (double)f) {
        if (f > max)
            return AIM_ERR_UNSUPPORTED;
        *ratio = (AimRational){ (int)f, 1 };
        return 0;
    }
    // A whole rate of the film/TV family (multiples of 24 or 30 fps: 60, 120) on an NTSC source
    // is its NTSC twin, as a player shows 59.94 as "60"; PAL rates (25, 50, 100) stay exact.
    if (out.den == 1 && (out.num % 24 == 0 || out.num % 30 == 0) && is_ntsc(src))
        out = (AimRational){ out.num * 1000, 1001 };
    int ret = make_rational((int64_t)out.num * src.den, (int64_t)out.den * src.num, ratio);
    if (ret < 0)
        return ret == AIM_ERR(ERANGE) ? AIM_ERR_UNSUPPORTED : ret;
    if (ratio->num < ratio->den || ratio->num > (int64_t)max * ratio->den)
        return AIM_ERR_UNSUPPORTED;
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

void aim_scale_dims_square(int w, int h, int sar_num, int sar_den, double scale, int *ow,
                           int *oh)
{
    aim_scale_dims(w, h, scale, ow, oh);
    if (sar_num > 0 && sar_den > 0 && sar_num != sar_den)
        *ow = even_round((double)w * sar_num / sar_den * scale);
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
