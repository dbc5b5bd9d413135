// The device YUV frame's layout (AimNnGpuYuv, nn/gpu.c yuv_words), for yuv_merge and yuv_rgb:
// 16 bits per sample, two to a uint32 (no 16-bit storage feature needed); the planes Y, Cb, Cr
// one after another, each row padded to whole words ((width + 1) / 2), sample x of a row in its
// word x / 2, the low half for even x; the high half of an odd-width row's last word is 0. So
// every plane and row starts on a word and a writer that owns whole words shares none.

// Sample x of the row that starts at word r of the uint array `buf`.
#define YUV16_AT(buf, r, x) ((buf[(r) + (x) / 2] >> (16 * ((x) & 1))) & 0xffffu)
