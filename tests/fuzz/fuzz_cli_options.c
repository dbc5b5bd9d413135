// libFuzzer: the enhance option parser and the value parsers (time ranges, rates) on arbitrary
// argument vectors. Input bytes are split at NUL into argv entries.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"
#include "enhance.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    char *argv[65];
    int argc = 0;
    argv[argc++] = (char *)"enhance";
    for (char *p = buf; p < buf + size && argc < 64; p += strlen(p) + 1)
        argv[argc++] = p;
    argv[argc] = NULL;
    EnhanceOptions o;
    char err[256];
    aim_enhance_parse(argc, argv, &o, err, sizeof(err));
    // each argument also through the value parsers
    for (int i = 1; i < argc; i++) {
        double a, b;
        AimRational r;
        aim_parse_time_range(argv[i], &a, &b);
        aim_parse_time(argv[i], &a);
        if (aim_parse_rate(argv[i], &r) == 0 && (r.num <= 0 || r.den <= 0))
            abort();
    }
    free(buf);
    return 0;
}
