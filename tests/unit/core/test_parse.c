// Option value parsers: times, ranges, rates, factors, scale dims.
#include <string.h>

#include "core/parse.h"
#include "test.h"

static AimRational rat(int num, int den) { return (AimRational){ num, den }; }

int main(void)
{
    double t, a, b;
    CHECK_EQ_INT(aim_parse_time("00:01:02.500", &t), 0); CHECK_NEAR(t, 62.5, 1e-9);
    CHECK_EQ_INT(aim_parse_time("1:02", &t), 0); CHECK_NEAR(t, 62, 1e-9);
    CHECK_EQ_INT(aim_parse_time("75.25", &t), 0); CHECK_NEAR(t, 75.25, 1e-9);
    CHECK_EQ_INT(aim_parse_time("0", &t), 0); CHECK_NEAR(t, 0, 0);
    const char *bad_times[] = { "", "-1", "1:60", "1:2:3:4", "a", "1.5:00", "1:", ":1", "1..2",
                                "1e3", " 1", "1 ", "00:00:60", "+1", ".5", "5." };
    for (size_t i = 0; i < sizeof(bad_times) / sizeof(*bad_times); i++)
        CHECK_MSG(aim_parse_time(bad_times[i], &t) < 0, "'%s' accepted", bad_times[i]);
    CHECK_EQ_INT(aim_parse_time("100:00:00", &t), AIM_ERR(ERANGE));

    CHECK_EQ_INT(aim_parse_time_range("00:00:01-00:00:03.5", &a, &b), 0);
    CHECK_NEAR(a, 1, 1e-9); CHECK_NEAR(b, 3.5, 1e-9);
    CHECK_EQ_INT(aim_parse_time_range("2-4", &a, &b), 0);
    CHECK_EQ_INT(aim_parse_time_range("4-2", &a, &b), AIM_ERR(ERANGE));
    CHECK_EQ_INT(aim_parse_time_range("2-2", &a, &b), AIM_ERR(ERANGE));
    CHECK(aim_parse_time_range("2", &a, &b) < 0);
    CHECK(aim_parse_time_range("-2", &a, &b) < 0);
    CHECK(aim_parse_time_range("2-", &a, &b) < 0);
    CHECK(aim_parse_time_range("1-2-3", &a, &b) < 0);

    AimRational r;
    CHECK_EQ_INT(aim_parse_rate("48", &r), 0); CHECK(r.num == 48 && r.den == 1);
    CHECK_EQ_INT(aim_parse_rate("47.952", &r), 0); CHECK(r.num == 48000 && r.den == 1001);
    CHECK_EQ_INT(aim_parse_rate("23.976", &r), 0); CHECK(r.num == 24000 && r.den == 1001);
    CHECK_EQ_INT(aim_parse_rate("59.94", &r), 0); CHECK(r.num == 60000 && r.den == 1001);
    CHECK_EQ_INT(aim_parse_rate("48000/1001", &r), 0); CHECK(r.num == 48000 && r.den == 1001);
    CHECK_EQ_INT(aim_parse_rate("12.5", &r), 0); CHECK(r.num == 12500 && r.den == 1000);
    CHECK(aim_parse_rate("-1", &r) < 0);
    CHECK(aim_parse_rate("0", &r) < 0);
    CHECK(aim_parse_rate("000.0000182473280", &r) < 0); // fuzz: rounded to 0/1000
    CHECK(aim_parse_rate("0.0004", &r) < 0);
    CHECK_EQ_INT(aim_parse_rate("0.002", &r), 0); CHECK(r.num == 2 && r.den == 1000);
    CHECK(aim_parse_rate("48/0", &r) < 0);
    CHECK(aim_parse_rate("abc", &r) < 0);
    CHECK(aim_parse_rate("48fps", &r) < 0);

    AimRational q, ntsc = { 24000, 1001 }, film = { 24, 1 }, pal = { 25, 1 };
#define RATIO(src, n, d, qn, qd) \
    CHECK_EQ_INT(aim_rate_ratio(src, rat(n, d), 8, &q), 0); \
    CHECK(q.num == (qn) && q.den == (qd))
    // whole multiples exactly as before (nominal within 0.2%)
    RATIO(ntsc, 48, 1, 2, 1);
    RATIO(ntsc, 48000, 1001, 2, 1);
    RATIO(ntsc, 72, 1, 3, 1);
    RATIO(film, 96, 1, 4, 1);
    RATIO(film, 24, 1, 1, 1);
    RATIO(film, 48000, 1001, 2, 1);
    // other ratios: 60 on 23.976 is 59.94 (5/2), 50 on 25 is 2x, 25 on 23.976 stays 25 (PAL)
    RATIO(ntsc, 60, 1, 5, 2);
    RATIO(ntsc, 60000, 1001, 5, 2);
    RATIO(ntsc, 120, 1, 5, 1);
    RATIO(pal, 50, 1, 2, 1);
    RATIO(pal, 60, 1, 12, 5);
    RATIO(ntsc, 25, 1, 1001, 960);
    RATIO(film, 60, 1, 5, 2);
    RATIO(film, 60000, 1001, 2500, 1001);
    RATIO(rat(30000, 1001), 60, 1, 2, 1);
    RATIO(rat(30000, 1001), 48, 1, 8, 5);
#undef RATIO
    CHECK_EQ_INT(aim_rate_ratio(film, (AimRational){ 12, 1 }, 8, &q), AIM_ERR_UNSUPPORTED);
    CHECK_EQ_INT(aim_rate_ratio(ntsc, (AimRational){ 23, 1 }, 8, &q), AIM_ERR_UNSUPPORTED);
    CHECK_EQ_INT(aim_rate_ratio(film, (AimRational){ 240, 1 }, 8, &q), AIM_ERR_UNSUPPORTED);
    CHECK_EQ_INT(aim_rate_ratio(film, (AimRational){ 193, 1 }, 8, &q), AIM_ERR_UNSUPPORTED);
    CHECK_EQ_INT(aim_rate_ratio(film, (AimRational){ 192, 1 }, 8, &q), 0);

    CHECK_EQ_INT(aim_parse_multiplier("2x", &q), 0); CHECK(q.num == 2 && q.den == 1);
    CHECK_EQ_INT(aim_parse_multiplier("2.5x", &q), 0); CHECK(q.num == 5 && q.den == 2);
    CHECK_EQ_INT(aim_parse_multiplier("5/2x", &q), 0); CHECK(q.num == 5 && q.den == 2);
    CHECK(aim_parse_multiplier("x", &q) < 0);
    CHECK(aim_parse_multiplier("2", &q) < 0);
    CHECK(aim_parse_multiplier("-2x", &q) < 0);
    CHECK(aim_parse_multiplier("2xx", &q) < 0);
    CHECK_EQ_INT(aim_rational_mul(ntsc, (AimRational){ 5, 2 }, &q), 0);
    CHECK(q.num == 60000 && q.den == 1001);

    double d; long l;
    CHECK_EQ_INT(aim_parse_double("1.333", 0.01, 8, &d), 0); CHECK_NEAR(d, 1.333, 1e-12);
    CHECK_EQ_INT(aim_parse_double("0", 0.01, 8, &d), AIM_ERR(ERANGE));
    CHECK(aim_parse_double("nan", 0, 1, &d) < 0);
    CHECK(aim_parse_double("1x", 0, 8, &d) < 0);
    CHECK_EQ_INT(aim_parse_int("18", 0, 51, &l), 0); CHECK_EQ_INT(l, 18);
    CHECK(aim_parse_int("18.5", 0, 51, &l) < 0);
    CHECK_EQ_INT(aim_parse_int("52", 0, 51, &l), AIM_ERR(ERANGE));

    int ow, oh;
    aim_scale_dims(1920, 1080, 1.333, &ow, &oh); CHECK(ow == 2560 && oh == 1440);
    aim_scale_dims(640, 480, 1.333, &ow, &oh); CHECK(ow == 854 && oh == 640);
    aim_scale_dims(640, 342, 2, &ow, &oh); CHECK(ow == 1280 && oh == 684);
    aim_scale_dims(321, 181, 1, &ow, &oh); CHECK(ow == 321 && oh == 181);
    aim_scale_dims(1, 1, 0.5, &ow, &oh); CHECK(ow == 2 && oh == 2);

    // timecodes: the inverse of aim_parse_time, to the millisecond
    char tc[32];
    CHECK(!strcmp(aim_format_time(0, tc, sizeof(tc)), "00:00:00.000"));
    CHECK(!strcmp(aim_format_time(3725.0416, tc, sizeof(tc)), "01:02:05.042"));
    CHECK(!strcmp(aim_format_time(59.9996, tc, sizeof(tc)), "00:01:00.000"));
    CHECK(!strcmp(aim_format_time(-0.5, tc, sizeof(tc)), "-00:00:00.500"));
    CHECK(!strcmp(aim_format_time(100 * 3600.0, tc, sizeof(tc)), "100:00:00.000"));
    double back;
    CHECK_EQ_INT(aim_parse_time(aim_format_time(5000.25, tc, sizeof(tc)), &back), 0);
    CHECK_NEAR(back, 5000.25, 1e-9);
    return test_finish("test_parse");
}
