// A PGS (Blu-ray bitmap subtitle, .sup) file for the tests: ffmpeg cannot turn text subtitles
// into bitmaps, so bitmap subtitles are written here from the format (segments PCS, WDS, PDS,
// ODS, END with 90 kHz timestamps; run-length coded 8-bit palette indices; the layout of
// ffmpeg's libavcodec/pgssubdec.c and libavformat/supdec.c). Each event shows a box of solid
// colour and is cleared by an empty composition.
#include <stdio.h>
#include <string.h>

#include "gen.h"

typedef struct Sup {
    FILE *f;
    unsigned char buf[512];
    size_t n;
} Sup;

static void put8(Sup *s, unsigned v) { s->buf[s->n++] = (unsigned char)v; }
static void put16(Sup *s, unsigned v) { put8(s, v >> 8); put8(s, v & 0xff); }

// One segment: "PG", PTS and DTS (90 kHz), type, size, then the s->buf payload.
static void segment(Sup *s, uint32_t pts, unsigned type)
{
    unsigned char h[13] = { 'P', 'G', pts >> 24, pts >> 16 & 0xff, pts >> 8 & 0xff, pts & 0xff,
                            0, 0, 0, 0, (unsigned char)type, (unsigned char)(s->n >> 8),
                            (unsigned char)(s->n & 0xff) };
    fwrite(h, 1, sizeof(h), s->f);
    fwrite(s->buf, 1, s->n, s->f);
    s->n = 0;
}

// A display set: the box (show) or nothing (clear), composition number k.
static void display_set(Sup *s, uint32_t pts, int k, int show, int w, int h, int bw, int bh)
{
    int x = (w - bw) / 2, y = h - bh - h / 10;
    put16(s, (unsigned)w); // PCS: video size, rate code 0x10, composition number and state
    put16(s, (unsigned)h);
    put8(s, 0x10);
    put16(s, (unsigned)k);
    put8(s, show ? 0x80 : 0x00); // epoch start / normal
    put8(s, 0);                  // no palette-only update
    put8(s, 0);                  // palette 0
    put8(s, show ? 1 : 0);       // objects
    if (show) {
        put16(s, 0); // object 0 in window 0, not cropped, at x, y
        put8(s, 0);
        put8(s, 0);
        put16(s, (unsigned)x);
        put16(s, (unsigned)y);
    }
    segment(s, pts, 0x16);
    put8(s, 1); // WDS: one window
    put8(s, 0);
    put16(s, (unsigned)x);
    put16(s, (unsigned)y);
    put16(s, (unsigned)bw);
    put16(s, (unsigned)bh);
    segment(s, pts, 0x17);
    if (show) {
        put8(s, 0); // PDS: palette 0, version 0; entry 1 = opaque yellow (Y, Cr, Cb, alpha)
        put8(s, 0);
        put8(s, 1);
        put8(s, 210);
        put8(s, 146);
        put8(s, 16);
        put8(s, 255);
        segment(s, pts, 0x14);
        // ODS: object 0, version 0, first and last fragment, data length, size, RLE lines of
        // bw pixels of colour 1 (00 80|len 01 for 3..63 pixels, 00 00 ends a line)
        size_t rle = (size_t)bh * 5;
        put16(s, 0);
        put8(s, 0);
        put8(s, 0xc0);
        put8(s, (unsigned)((rle + 4) >> 16));
        put16(s, (unsigned)((rle + 4) & 0xffff));
        put16(s, (unsigned)bw);
        put16(s, (unsigned)bh);
        for (int r = 0; r < bh; r++) {
            put8(s, 0);
            put8(s, 0x80 | (unsigned)bw);
            put8(s, 1);
            put8(s, 0);
            put8(s, 0);
        }
        segment(s, pts, 0x15);
    }
    segment(s, pts, 0x80); // END
}

int aim_gen_write_pgs(const char *path, int w, int h, double seconds, int *events)
{
    Sup s = { .f = fopen(path, "wb") };
    if (!s.f)
        return -1;
    // a box of up to 60x20 pixels (the short RLE code: 3..63 pixels per run; 20 lines keep a
    // display set under the 512-byte buffer)
    int bw = w / 4 < 60 ? w / 4 : 60, bh = h / 8 < 20 ? h / 8 : 20;
    if (bw < 4)
        bw = 4;
    if (bh < 2)
        bh = 2;
    // an event every 0.6 s of the clip: shown at 0.2 s into its slot for 0.4 s
    int k = 0, n = 0;
    for (double t = 0.2; t + 0.4 < seconds; t += 0.6, n++) {
        display_set(&s, (uint32_t)(t * 90000 + 0.5), k++, 1, w, h, bw, bh);
        display_set(&s, (uint32_t)((t + 0.4) * 90000 + 0.5), k++, 0, w, h, bw, bh);
    }
    *events = n;
    return fclose(s.f) == 0 ? 0 : -1;
}
