// C references of the interpolation kernels (the specification; see interp_dsp.h).
#include <math.h>

#include "core/cpu.h"
#include "flow.h"
#include "interp_dsp.h"

decl_luma_down_fn(aim_luma_down_c)
{
    for (int x = 0; x < w; x++) {
        const uint16_t *s = src + (ptrdiff_t)x * d;
        uint32_t sum = 0;
        for (int j = 0; j < d; j++)
            for (int i = 0; i < d; i++)
                sum += s[j * stride + i];
        dst[x] = (float)sum * scale;
    }
}

decl_down2_fn(aim_down2_c)
{
    for (int x = 0; x < w; x++)
        dst[x] = ((s0[2 * x] + s0[2 * x + 1]) + (s1[2 * x] + s1[2 * x + 1])) * 0.25f;
}

decl_grad_fn(aim_grad_c)
{
    for (int x = 0; x < w; x++) {
        gx[x] = (src[x + 1] - src[x - 1]) * 0.5f;
        gy[x] = (src[x + stride] - src[x - stride]) * 0.5f;
    }
}

decl_patch_step_fn(aim_patch_step_c)
{
    const float w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy);
    const float w10 = (1 - fx) * fy, w11 = fx * fy;
    float sx = 0, sy = 0, sd = 0, sdd = 0;
    for (int j = 0; j < AIM_FLOW_PATCH; j++) {
        const float *a = i1 + j * s1, *b = a + s1;
        for (int i = 0; i < AIM_FLOW_PATCH; i++) {
            float v = w00 * a[i] + w01 * a[i + 1] + w10 * b[i] + w11 * b[i + 1];
            float d = v - tp[j * st + i];
            sx += gx[j * st + i] * d;
            sy += gy[j * st + i] * d;
            sd += d;
            sdd += d * d;
        }
    }
    out[0] = sx;
    out[1] = sy;
    out[2] = sd;
    out[3] = sdd;
}

decl_patch_hess_fn(aim_patch_hess_c)
{
    float sgx = 0, sgy = 0, sxx = 0, sxy = 0, syy = 0;
    for (int j = 0; j < AIM_FLOW_PATCH; j++)
        for (int i = 0; i < AIM_FLOW_PATCH; i++) {
            float x = gx[j * st + i], y = gy[j * st + i];
            sgx += x;
            sgy += y;
            sxx += x * x;
            sxy += x * y;
            syy += y * y;
        }
    out[0] = sgx;
    out[1] = sgy;
    out[2] = sxx;
    out[3] = sxy;
    out[4] = syy;
}

decl_patch_densify_fn(aim_patch_densify_c)
{
    const float w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy);
    const float w10 = (1 - fx) * fy, w11 = fx * fy;
    for (int j = 0; j < AIM_FLOW_PATCH; j++) {
        const float *a = i1 + j * s1, *b = a + s1;
        for (int i = 0; i < AIM_FLOW_PATCH; i++) {
            float sv = w00 * a[i] + w01 * a[i + 1] + w10 * b[i] + w11 * b[i + 1];
            float e = fabsf(sv - tp[j * st + i] - mean);
            float wgt = 1.0f / (e > 1.0f ? e : 1.0f);
            acc_u[j * sa + i] += wgt * u;
            acc_v[j * sa + i] += wgt * v;
            acc_w[j * sa + i] += wgt;
        }
    }
}

decl_field_row_fn(aim_field_row_c)
{
    for (int x = 0; x < w; x++) {
        int i = xi[x];
        float f = xf[x];
        mx[x] = (ru[i] + f * (ru[i + 1] - ru[i])) * sx;
        my[x] = (rv[i] + f * (rv[i + 1] - rv[i])) * sy;
        w0[x] = rw[i] + f * (rw[i + 1] - rw[i]);
    }
}

static inline float sample(const uint16_t *src, ptrdiff_t s, int pw, int ph, float px, float py)
{
    px = px < 0.0f ? 0.0f : px > (float)(pw - 1) ? (float)(pw - 1) : px;
    py = py < 0.0f ? 0.0f : py > (float)(ph - 1) ? (float)(ph - 1) : py;
    int ix = (int)px, iy = (int)py;
    ix = ix > pw - 2 ? pw - 2 : ix;
    iy = iy > ph - 2 ? ph - 2 : iy;
    float fx = px - (float)ix, fy = py - (float)iy;
    const uint16_t *p = src + iy * s + ix;
    float top = (float)p[0] + fx * (float)(p[1] - p[0]);
    float bot = (float)p[s] + fx * (float)(p[s + 1] - p[s]);
    return top + fy * (bot - top);
}

decl_warp_row_fn(aim_warp_row_c)
{
    const float t1 = 1.0f - t, fy = (float)y;
    for (int x = x0; x < w; x++) {
        float fxp = (float)x;
        float a = sample(src0, s0, pw, ph, fxp - t * mx[x], fy - t * my[x]);
        float b = sample(src1, s1, pw, ph, fxp + t1 * mx[x], fy + t1 * my[x]);
        float v = b + w0[x] * (a - b) + 0.5f;
        int iv = (int)v;
        dst[x] = (uint16_t)(iv < 0 ? 0 : iv > maxv ? maxv : iv);
    }
}

decl_fb_qual_row_fn(aim_fb_qual_row_c)
{
    for (int x = 0; x < w; x++) {
        float X = (float)x + u[x], Y = (float)y + v[x];
        float cu = u[x] + aim_bilin_f(ou, w, w, h, X, Y);
        float cv = v[x] + aim_bilin_f(ov, w, w, h, X, Y);
        q[x] = 1.0f / (1.0f + cu * cu + cv * cv) + 1e-3f;
    }
}

decl_splat_row_fn(aim_splat_row_c)
{
    for (int x = 0; x < w; x++) {
        float X = (float)x + step * u[x], Y = (float)y + step * v[x];
        if (!(X > -1.0f && X < (float)w && Y > -1.0f && Y < (float)h))
            continue;
        int ix = aim_ifloor(X), iy = aim_ifloor(Y);
        float fx = X - (float)ix, fy = Y - (float)iy;
        float wq = q[x] * q[x] * nearw;
        float mu = sign * u[x], mv = sign * v[x];
        float ws[4] = { (1 - fx) * (1 - fy) * wq, fx * (1 - fy) * wq, (1 - fx) * fy * wq,
                        fx * fy * wq };
        for (int i = 0; i < 4; i++) {
            int xx = ix + (i & 1), yy = iy + (i >> 1);
            if (xx < 0 || xx >= w || yy < 0 || yy >= h)
                continue;
            float *a = acc + 4 * ((ptrdiff_t)yy * w + xx);
            a[0] += ws[i] * mu;
            a[1] += ws[i] * mv;
            a[2] += ws[i];
        }
    }
}

static inline float smoothstep(float e0, float e1, float x)
{
    float t = (x - e0) / (e1 - e0);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return t * t * (3 - 2 * t);
}

// The thresholds and their sources are explained in src/interp/classic.c (visibility_job).
decl_vis_row_fn(aim_vis_row_c)
{
    const int w = a->w, h = a->h;
    const float t = a->t, t1 = 1.0f - t, fy = (float)a->y;
    const float *q0row = a->q0 + (ptrdiff_t)a->y * w, *q1row = a->q1 + (ptrdiff_t)a->y * w;
    const float *r0 = a->i0 + a->y * a->si0, *r1 = a->i1 + a->y * a->si1;
    for (int x = 0; x < w; x++) {
        float mu = a->U[x], mv = a->V[x];
        float x0 = (float)x - t * mu, y0 = fy - t * mv;
        float x1 = (float)x + t1 * mu, y1 = fy + t1 * mv;
        float vis0 = aim_bilin_f(a->q1, w, w, h, x1, y1);
        float vis1 = aim_bilin_f(a->q0, w, w, h, x0, y0);
        int out0 = x0 < -0.5f || y0 < -0.5f || x0 > (float)w - 0.5f || y0 > (float)h - 0.5f;
        int out1 = x1 < -0.5f || y1 < -0.5f || x1 > (float)w - 0.5f || y1 > (float)h - 0.5f;
        if (out0 != out1) {
            vis0 = out0 ? 0.0f : 1.0f;
            vis1 = out1 ? 0.0f : 1.0f;
        }
        float w0 = t1 * (vis0 + 0.01f), w1 = t * (vis1 + 0.01f);
        float ia = aim_bilin_f(a->i0, a->si0, w, h, x0, y0);
        float ib = aim_bilin_f(a->i1, a->si1, w, h, x1, y1);
        float err = fabsf(ia - ib);
        float vmax = vis0 > vis1 ? vis0 : vis1;
        float claim = vis0 * vis1 + (1.0f - smoothstep(0.02f, 0.1f, vmax));
        a->bad[x] = smoothstep(32.0f, 64.0f, err) * claim;
        a->fdiff[x] = smoothstep(8.0f, 24.0f, fabsf(r0[x] - r1[x]));
        float m0 = a->u01[x] * a->u01[x] + a->v01[x] * a->v01[x];
        float m1 = a->u10[x] * a->u10[x] + a->v10[x] * a->v10[x];
        a->stay0[x] = t1 * (1.0f - (1.0f - 1.0f / (1.0f + 0.25f * m0)) * q0row[x]);
        a->stay1[x] = t * (1.0f - (1.0f - 1.0f / (1.0f + 0.25f * m1)) * q1row[x]);
        a->fw0[x] = w0 / (w0 + w1);
    }
}

decl_field_norm_fn(aim_field_norm_c)
{
    for (int k = 0; k < n; k++) {
        float *p0 = a0 + 4 * k, *p1 = a1 + 4 * k;
        float aw = p0[2] + p1[2], au = p0[0] + p1[0], av = p0[1] + p1[1];
        u[k] = aw > 0 ? au / aw : 0;
        v[k] = aw > 0 ? av / aw : 0;
        c[k] = aw > 0 ? 1.0f : 0.0f;
        for (int i = 0; i < 4; i++)
            p0[i] = p1[i] = 0.0f;
    }
}

decl_flow_up_row_fn(aim_flow_up_row_c)
{
    for (int x = 0; x < cw; x++)
        tmp[x] = 2.0f * (a[x] + wy1 * (b[x] - a[x]));
    // inner columns without clamps: x = 2m from columns m-1, m; x = 2m+1 from m, m+1
    int m = 1;
    for (; 2 * m + 1 < w && m + 1 < cw; m++) {
        o[2 * m] = tmp[m - 1] + 0.75f * (tmp[m] - tmp[m - 1]);
        o[2 * m + 1] = tmp[m] + 0.25f * (tmp[m + 1] - tmp[m]);
    }
    for (int x = 0; x < w; x++) {
        if (x == 2 && 2 * m > 2)
            x = 2 * m; // inner part done above
        int c0 = (x >> 1) - 1 + (x & 1), c1 = c0 + 1;
        float wx1 = (x & 1) ? 0.25f : 0.75f;
        c0 = c0 < 0 ? 0 : c0 > cw - 1 ? cw - 1 : c0;
        c1 = c1 < 0 ? 0 : c1 > cw - 1 ? cw - 1 : c1;
        o[x] = tmp[c0] + wx1 * (tmp[c1] - tmp[c0]);
    }
}

// Variational refinement (moved from flow.c refine_level, operation for operation: the flow's
// results did not change). zeta^2 and epsilon^2 are OpenCV's VariationalRefinement constants
// (0.1^2, 0.001^2); the data terms are normalised by the local gradient magnitude (Zimmer et
// al. 2011) so that strong line art does not dominate.
#define VAR_ZETA2 0.01f
#define VAR_EPS2 1e-6f

decl_var_data_row_fn(aim_var_data_row_c)
{
    const int w = a->w, h = a->h;
    for (int x = 0; x < w; x++) {
        float X = (float)x + a->u[x], Y = (float)a->y + a->v[x];
        float W = aim_bilin_f(a->i1, a->s1, w, h, X, Y);
        float GX = aim_bilin_f(a->g1x, a->s1, w, h, X, Y);
        float GY = aim_bilin_f(a->g1y, a->s1, w, h, X, Y);
        float gx0 = a->g0x[x], gy0 = a->g0y[x];
        a->ix[x] = 0.5f * (GX + gx0);
        a->iy[x] = 0.5f * (GY + gy0);
        a->iz[x] = W - a->i0[x];
        a->ixz[x] = GX - gx0;
        a->iyz[x] = GY - gy0;
        // warped outside the picture: no data term, the smoothness term extrapolates
        a->out[x] = X < 0.0f || Y < 0.0f || X > (float)(w - 1) || Y > (float)(h - 1);
    }
}

decl_var_coef_row_fn(aim_var_coef_row_c)
{
    const int w = a->w;
    const float zeta2 = VAR_ZETA2, eps2 = VAR_EPS2;
    const float alpha = a->alpha, gamma = a->gamma, delta = a->delta;
    const float *U = a->u, *V = a->v;
    for (int x = 0; x < w; x++) {
        int xm = x > 0 ? x - 1 : 0, xp = x < w - 1 ? x + 1 : w - 1;
        float ix = a->ix[x], iy = a->iy[x], iz = a->iz[x];
        float ixx = 0.5f * (a->ix[xp] - a->ix[xm]);
        float ixy = 0.5f * (a->ix_dn[x] - a->ix_up[x]);
        float iyy = 0.5f * (a->iy_dn[x] - a->iy_up[x]);
        float ixz = a->ixz[x], iyz = a->iyz[x];
        // intensity constancy
        float nd = 1.0f / (ix * ix + iy * iy + zeta2);
        float pd = delta * nd / sqrtf(iz * iz * nd + eps2);
        // gradient constancy (both components)
        float ng1 = 1.0f / (ixx * ixx + ixy * ixy + zeta2);
        float ng2 = 1.0f / (ixy * ixy + iyy * iyy + zeta2);
        float pg = gamma / sqrtf(ixz * ixz * ng1 + iyz * iyz * ng2 + eps2);
        float pg1 = pg * ng1, pg2 = pg * ng2;
        a->a11[x] = pd * ix * ix + pg1 * ixx * ixx + pg2 * ixy * ixy;
        a->a12[x] = pd * ix * iy + pg1 * ixx * ixy + pg2 * ixy * iyy;
        a->a22[x] = pd * iy * iy + pg1 * ixy * ixy + pg2 * iyy * iyy;
        a->b1[x] = -(pd * ix * iz + pg1 * ixx * ixz + pg2 * ixy * iyz);
        a->b2[x] = -(pd * iy * iz + pg1 * ixy * ixz + pg2 * iyy * iyz);
        if (a->out[x] != 0.0f) // out of the picture
            a->a11[x] = a->a12[x] = a->a22[x] = a->b1[x] = a->b2[x] = 0.0f;
        float ux = U[xp] - U[x], uy = a->u_dn[x] - U[x];
        float vx = V[xp] - V[x], vy = a->v_dn[x] - V[x];
        a->ws[x] = alpha / sqrtf(ux * ux + uy * uy + vx * vx + vy * vy + eps2);
    }
}

decl_var_diag_row_fn(aim_var_diag_row_c)
{
    const int w = a->w;
    for (int x = 0; x < w; x++) {
        a->wr[x] = x < w - 1 ? 0.5f * (a->ws[x] + a->ws[x + 1]) : 0.0f;
        a->wd[x] = a->ws_dn ? 0.5f * (a->ws[x] + a->ws_dn[x]) : 0.0f;
    }
    // The neighbour weight sum of each pixel does not change over the sweeps: the diagonal
    // terms are inverted once here.
    for (int x = 0; x < w; x++) {
        float sw = (x > 0 ? a->wr[x - 1] : 0.0f) + (x < w - 1 ? a->wr[x] : 0.0f) +
                   (a->wd_up ? a->wd_up[x] : 0.0f) + (a->ws_dn ? a->wd[x] : 0.0f);
        a->i11[x] = 1.0f / (a->a11[x] + sw);
        a->i22[x] = 1.0f / (a->a22[x] + sw);
    }
}

decl_var_sor_row_fn(aim_var_sor_row_c)
{
    const int w = a->w, p = a->x0, ne = (w + 1) / 2;
    const float omega = a->omega;
    float *restrict du_ = a->du, *restrict dv_ = a->dv;
    const float *restrict wr = a->wr, *restrict wd = a->wd, *restrict Uc = a->u, *restrict Vc = a->v;
    const float *restrict b1 = a->b1, *restrict b2 = a->b2, *restrict a12 = a->a12;
    const float *restrict i11 = a->i11, *restrict i22 = a->i22;
    // split indices: this colour's half starts at own, the other's at oth; pixel x = 2j + p
    // has its left neighbour x - 1 at oth + j - 1 + p and its right one x + 1 at oth + j + p
    const int own = p ? ne : 0, oth = p ? 0 : ne, n = p ? w / 2 : ne;
    // interior pixels take all 4 neighbours (no tests); the row ends and the first and last
    // rows test each one
    const int inner = a->up && a->down;
    for (int j = 0; j < n; j++) {
        const int x = 2 * j + p, k = own + j, kl = oth + j - 1 + p, kr = oth + j + p;
        float su = 0, sv = 0;
        const float uk = Uc[k], vk = Vc[k];
#define NB(cond, kk, wt)                                                                      \
    if (cond) {                                                                               \
        float w_ = (wt);                                                                      \
        su += w_ * (Uc[kk] + du_[kk] - uk);                                                   \
        sv += w_ * (Vc[kk] + dv_[kk] - vk);                                                   \
    }
        if (inner && x > 0 && x < w - 1) {
            NB(1, kl, wr[kl])
            NB(1, kr, wr[k])
            NB(1, k - w, wd[k - w])
            NB(1, k + w, wd[k])
        } else {
            NB(x > 0, kl, wr[kl])
            NB(x < w - 1, kr, wr[k])
            NB(a->up, k - w, wd[k - w])
            NB(a->down, k + w, wd[k])
        }
#undef NB
        float du = du_[k], dv = dv_[k];
        du += omega * ((b1[k] - a12[k] * dv + su) * i11[k] - du);
        dv += omega * ((b2[k] - a12[k] * du + sv) * i22[k] - dv);
        du_[k] = du;
        dv_[k] = dv;
    }
}

decl_var_split_row_fn(aim_var_split_row_c)
{
    const int ne = (w + 1) / 2;
    for (int j = 0; j < ne; j++)
        dst[j] = src[2 * j];
    for (int j = 0; 2 * j + 1 < w; j++)
        dst[ne + j] = src[2 * j + 1];
}

decl_var_merge_row_fn(aim_var_merge_row_c)
{
    const int ne = (w + 1) / 2;
    for (int j = 0; j < ne; j++)
        dst[2 * j] = a[j] + b[j];
    for (int j = 0; 2 * j + 1 < w; j++)
        dst[2 * j + 1] = a[ne + j] + b[ne + j];
}

void aim_interp_dsp_init(AimInterpDsp *dsp, unsigned flags)
{
    dsp->luma_down = aim_luma_down_c;
    dsp->down2 = aim_down2_c;
    dsp->grad = aim_grad_c;
    dsp->patch_step = aim_patch_step_c;
    dsp->patch_hess = aim_patch_hess_c;
    dsp->patch_densify = aim_patch_densify_c;
    dsp->field_row = aim_field_row_c;
    dsp->warp_row = aim_warp_row_c;
    dsp->fb_qual_row = aim_fb_qual_row_c;
    dsp->splat_row = aim_splat_row_c;
    dsp->vis_row = aim_vis_row_c;
    dsp->field_norm = aim_field_norm_c;
    dsp->flow_up_row = aim_flow_up_row_c;
    dsp->var_data_row = aim_var_data_row_c;
    dsp->var_coef_row = aim_var_coef_row_c;
    dsp->var_diag_row = aim_var_diag_row_c;
    dsp->var_sor_row = aim_var_sor_row_c;
    dsp->var_split_row = aim_var_split_row_c;
    dsp->var_merge_row = aim_var_merge_row_c;
    dsp->isa = 0;
#if defined(__x86_64__) || defined(__i386__)
    aim_interp_dsp_init_x86(dsp, flags);
#endif
}
