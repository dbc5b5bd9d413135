// Winograd F(2x2, 3x3) and F(4x4, 3x3): the CPU reference of the Vulkan shaders (winograd.h),
// as plain matrix products with the tables below.
#include "nn/winograd.h"

#define NMAX 6 // n = m + 2 for m = 4

typedef struct Mats {
    int m, n;
    const float *bt; ///< B^T, n x n
    const float *g;  ///< G, n x 3
    const float *at; ///< A^T, m x n
} Mats;

static const float BT2[] = { 1, 0, -1, 0, 0, 1, 1, 0, 0, -1, 1, 0, 0, 1, 0, -1 };
static const float G2[] = { 1, 0, 0, .5f, .5f, .5f, .5f, -.5f, .5f, 0, 0, 1 };
static const float AT2[] = { 1, 1, 1, 0, 0, 1, -1, -1 };
static const float BT4[] = {
    4, 0, -5, 0, 1, 0,
    0, -4, -4, 1, 1, 0,
    0, 4, -4, -1, 1, 0,
    0, -2, -1, 2, 1, 0,
    0, 2, -1, -2, 1, 0,
    0, 4, 0, -5, 0, 1,
};
static const float G4[] = {
    1.f / 4, 0, 0,
    -1.f / 6, -1.f / 6, -1.f / 6,
    -1.f / 6, 1.f / 6, -1.f / 6,
    1.f / 24, 1.f / 12, 1.f / 6,
    1.f / 24, -1.f / 12, 1.f / 6,
    0, 0, 1,
};
static const float AT4[] = {
    1, 1, 1, 1, 1, 0,
    0, 1, -1, 2, -2, 0,
    0, 1, 1, 4, 4, 0,
    0, 1, -1, 8, -8, 1,
};

static Mats mats(int m)
{
    return m == 4 ? (Mats){ 4, 6, BT4, G4, AT4 } : (Mats){ 2, 4, BT2, G2, AT2 };
}

void aim_nn_wino_weights_c(float *u, const float *g, int cout, int cin, int m)
{
    Mats t = mats(m);
    int n = t.n;
    for (int co = 0; co < cout; co++)
        for (int ci = 0; ci < cin; ci++) {
            const float *k = g + ((size_t)co * cin + ci) * 9;
            float gk[NMAX][3]; // G g
            for (int i = 0; i < n; i++)
                for (int j = 0; j < 3; j++)
                    gk[i][j] = t.g[3 * i] * k[j] + t.g[3 * i + 1] * k[3 + j] +
                               t.g[3 * i + 2] * k[6 + j];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    u[((size_t)(n * i + j) * cin + ci) * cout + co] =
                        gk[i][0] * t.g[3 * j] + gk[i][1] * t.g[3 * j + 1] +
                        gk[i][2] * t.g[3 * j + 2];
        }
}

void aim_nn_wino_input_c(float *v, const AimNnMat *in, int pl, int pt, float pad_value, int tw,
                         int th, int m)
{
    Mats t = mats(m);
    int n = t.n;
    size_t nt = (size_t)tw * th, ps = (size_t)in->c * nt;
    for (int ci = 0; ci < in->c; ci++)
        for (int ty = 0; ty < th; ty++)
            for (int tx = 0; tx < tw; tx++) {
                float d[NMAX][NMAX], b[NMAX][NMAX];
                for (int r = 0; r < n; r++)
                    for (int c = 0; c < n; c++) {
                        int iy = m * ty - pt + r, ix = m * tx - pl + c;
                        d[r][c] = iy >= 0 && iy < in->h && ix >= 0 && ix < in->w
                                  ? aim_nn_chan(in, ci)[(size_t)iy * in->w + ix] : pad_value;
                    }
                for (int i = 0; i < n; i++) // B^T d
                    for (int c = 0; c < n; c++) {
                        float s = 0;
                        for (int r = 0; r < n; r++)
                            s += t.bt[n * i + r] * d[r][c];
                        b[i][c] = s;
                    }
                size_t at = (size_t)ci * nt + (size_t)ty * tw + tx;
                for (int i = 0; i < n; i++) // (B^T d) B
                    for (int j = 0; j < n; j++) {
                        float s = 0;
                        for (int c = 0; c < n; c++)
                            s += b[i][c] * t.bt[n * j + c];
                        v[(size_t)(n * i + j) * ps + at] = s;
                    }
            }
}

void aim_nn_wino_gemm_c(float *mm, const float *u, const float *v, int cin, int cout, int nt,
                        int m)
{
    for (int p = 0; p < AIM_NN_WINO_POS(m); p++)
        for (int co = 0; co < cout; co++)
            for (int t = 0; t < nt; t++) {
                float s = 0;
                for (int ci = 0; ci < cin; ci++)
                    s += u[((size_t)p * cin + ci) * cout + co] * v[((size_t)p * cin + ci) * nt + t];
                mm[((size_t)p * cout + co) * nt + t] = s;
            }
}

void aim_nn_wino_output_c(AimNnMat *out, const float *mm, const float *bias, const AimNnAct *act,
                          int tw, int th, int m)
{
    Mats t = mats(m);
    int n = t.n;
    size_t nt = (size_t)tw * th, ps = (size_t)out->c * nt;
    for (int co = 0; co < out->c; co++)
        for (int ty = 0; ty < th; ty++)
            for (int tx = 0; tx < tw; tx++) {
                size_t at = (size_t)co * nt + (size_t)ty * tw + tx;
                float q[NMAX][NMAX], a[NMAX][NMAX];
                for (int p = 0; p < n * n; p++)
                    q[p / n][p % n] = mm[p * ps + at];
                for (int i = 0; i < m; i++) // A^T M
                    for (int c = 0; c < n; c++) {
                        float s = 0;
                        for (int r = 0; r < n; r++)
                            s += t.at[n * i + r] * q[r][c];
                        a[i][c] = s;
                    }
                float b = bias ? bias[co] : 0;
                for (int i = 0; i < m; i++) // (A^T M) A
                    for (int j = 0; j < m; j++) {
                        float s = 0;
                        for (int c = 0; c < n; c++)
                            s += a[i][c] * t.at[n * j + c];
                        int oy = m * ty + i, ox = m * tx + j;
                        if (oy < out->h && ox < out->w)
                            aim_nn_chan(out, co)[(size_t)oy * out->w + ox] =
                                aim_nn_act_apply(act, s + b);
                    }
            }
}
