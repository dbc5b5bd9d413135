// Winograd F(2x2, 3x3): the CPU reference of the Vulkan shaders (winograd.h).
#include "nn/winograd.h"

void aim_nn_wino23_weights_c(float *u, const float *g, int cout, int cin)
{
    static const float G[4][3] = { { 1, 0, 0 }, { .5f, .5f, .5f }, { .5f, -.5f, .5f },
                                    { 0, 0, 1 } };
    for (int co = 0; co < cout; co++)
        for (int ci = 0; ci < cin; ci++) {
            const float *k = g + ((size_t)co * cin + ci) * 9;
            float t[4][3]; // G g
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 3; j++)
                    t[i][j] = G[i][0] * k[j] + G[i][1] * k[3 + j] + G[i][2] * k[6 + j];
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                    u[((size_t)(4 * i + j) * cin + ci) * cout + co] =
                        t[i][0] * G[j][0] + t[i][1] * G[j][1] + t[i][2] * G[j][2];
        }
}

void aim_nn_wino23_input_c(float *v, const AimNnMat *in, int pl, int pt, float pad_value,
                           int tw, int th)
{
    size_t nt = (size_t)tw * th;
    for (int ci = 0; ci < in->c; ci++)
        for (int ty = 0; ty < th; ty++)
            for (int tx = 0; tx < tw; tx++) {
                float d[4][4], t[4][4];
                for (int r = 0; r < 4; r++)
                    for (int c = 0; c < 4; c++) {
                        int iy = 2 * ty - pt + r, ix = 2 * tx - pl + c;
                        d[r][c] = iy >= 0 && iy < in->h && ix >= 0 && ix < in->w
                                  ? aim_nn_chan(in, ci)[(size_t)iy * in->w + ix] : pad_value;
                    }
                for (int c = 0; c < 4; c++) { // B^T d
                    t[0][c] = d[0][c] - d[2][c];
                    t[1][c] = d[1][c] + d[2][c];
                    t[2][c] = d[2][c] - d[1][c];
                    t[3][c] = d[1][c] - d[3][c];
                }
                size_t at = (size_t)ci * nt + (size_t)ty * tw + tx, ps = (size_t)in->c * nt;
                for (int r = 0; r < 4; r++) { // (B^T d) B
                    v[(4 * r + 0) * ps + at] = t[r][0] - t[r][2];
                    v[(4 * r + 1) * ps + at] = t[r][1] + t[r][2];
                    v[(4 * r + 2) * ps + at] = t[r][2] - t[r][1];
                    v[(4 * r + 3) * ps + at] = t[r][1] - t[r][3];
                }
            }
}

void aim_nn_wino23_gemm_c(float *m, const float *u, const float *v, int cin, int cout, int nt)
{
    for (int p = 0; p < AIM_NN_WINO_POS; p++)
        for (int co = 0; co < cout; co++)
            for (int t = 0; t < nt; t++) {
                float s = 0;
                for (int ci = 0; ci < cin; ci++)
                    s += u[((size_t)p * cin + ci) * cout + co] * v[((size_t)p * cin + ci) * nt + t];
                m[((size_t)p * cout + co) * nt + t] = s;
            }
}

void aim_nn_wino23_output_c(AimNnMat *out, const float *m, const float *bias,
                            const AimNnAct *act, int tw, int th)
{
    size_t nt = (size_t)tw * th, ps = (size_t)out->c * nt;
    for (int co = 0; co < out->c; co++)
        for (int ty = 0; ty < th; ty++)
            for (int tx = 0; tx < tw; tx++) {
                size_t at = (size_t)co * nt + (size_t)ty * tw + tx;
                float q[4][4], t[2][4];
                for (int p = 0; p < 16; p++)
                    q[p / 4][p % 4] = m[p * ps + at];
                for (int c = 0; c < 4; c++) { // A^T M
                    t[0][c] = q[0][c] + q[1][c] + q[2][c];
                    t[1][c] = q[1][c] - q[2][c] - q[3][c];
                }
                float b = bias ? bias[co] : 0;
                for (int r = 0; r < 2; r++) { // (A^T M) A
                    float y[2] = { t[r][0] + t[r][1] + t[r][2], t[r][1] - t[r][2] - t[r][3] };
                    int oy = 2 * ty + r;
                    for (int c = 0; c < 2; c++) {
                        int ox = 2 * tx + c;
                        if (oy < out->h && ox < out->w)
                            aim_nn_chan(out, co)[(size_t)oy * out->w + ox] =
                                aim_nn_act_apply(act, y[c] + b);
                    }
                }
            }
}
