/* A 9-state Kalman filter (3-D position, velocity, acceleration; constant-
 * acceleration model) fed with noisy position fixes of a simulated trajectory:
 * n predict + update steps in float. The update inverts the 3x3 innovation
 * covariance by cofactors. */
#include "bench_programs.h"

#define NX 9
#define NZ 3

static float x[NX], P[NX][NX], F[NX][NX], T[NX][NX], K[NX][NZ];
static float truth_p[3], truth_v[3], truth_a[3];

static float noise(uint32_t *s, float scale)
{
    return (float)((int32_t)(bench_rand(s) % 2001u) - 1000) * scale;
}

static int inv3(const float S[3][3], float out[3][3])
{
    float c00 = S[1][1] * S[2][2] - S[1][2] * S[2][1];
    float c01 = S[1][2] * S[2][0] - S[1][0] * S[2][2];
    float c02 = S[1][0] * S[2][1] - S[1][1] * S[2][0];
    float det = S[0][0] * c00 + S[0][1] * c01 + S[0][2] * c02;
    if (det == 0.0f)
        return -1;
    float id = 1.0f / det;
    out[0][0] = c00 * id;
    out[1][0] = c01 * id;
    out[2][0] = c02 * id;
    out[0][1] = (S[0][2] * S[2][1] - S[0][1] * S[2][2]) * id;
    out[1][1] = (S[0][0] * S[2][2] - S[0][2] * S[2][0]) * id;
    out[2][1] = (S[0][1] * S[2][0] - S[0][0] * S[2][1]) * id;
    out[0][2] = (S[0][1] * S[1][2] - S[0][2] * S[1][1]) * id;
    out[1][2] = (S[0][2] * S[1][0] - S[0][0] * S[1][2]) * id;
    out[2][2] = (S[0][0] * S[1][1] - S[0][1] * S[1][0]) * id;
    return 0;
}

static void step(const float z[NZ], const float q[NX], const float r[NZ])
{
    float xn[NX];
    /* Predict: x = F x, P = F P F^T + Q. */
    for (int i = 0; i < NX; i++) {
        float acc = 0.0f;
        for (int k = 0; k < NX; k++)
            acc += F[i][k] * x[k];
        xn[i] = acc;
    }
    for (int i = 0; i < NX; i++)
        x[i] = xn[i];
    for (int i = 0; i < NX; i++)
        for (int j = 0; j < NX; j++) {
            float acc = 0.0f;
            for (int k = 0; k < NX; k++)
                acc += F[i][k] * P[k][j];
            T[i][j] = acc;
        }
    for (int i = 0; i < NX; i++)
        for (int j = 0; j < NX; j++) {
            float acc = 0.0f;
            for (int k = 0; k < NX; k++)
                acc += T[i][k] * F[j][k];
            P[i][j] = acc + (i == j ? q[i] : 0.0f);
        }
    /* Update with a position fix: H = [I3 0 0]. */
    float S[3][3], Si[3][3], y[NZ];
    for (int i = 0; i < NZ; i++) {
        y[i] = z[i] - x[i];
        for (int j = 0; j < NZ; j++)
            S[i][j] = P[i][j] + (i == j ? r[i] : 0.0f);
    }
    if (inv3(S, Si) != 0)
        return;
    for (int i = 0; i < NX; i++)
        for (int j = 0; j < NZ; j++) {
            float acc = 0.0f;
            for (int k = 0; k < NZ; k++)
                acc += P[i][k] * Si[k][j];
            K[i][j] = acc;
        }
    for (int i = 0; i < NX; i++) {
        float acc = 0.0f;
        for (int k = 0; k < NZ; k++)
            acc += K[i][k] * y[k];
        x[i] += acc;
    }
    /* P = (I - K H) P = P - K P[0..2][:] (rows 0..2 saved first). */
    for (int i = 0; i < NZ; i++)
        for (int j = 0; j < NX; j++)
            T[i][j] = P[i][j];
    for (int i = 0; i < NX; i++)
        for (int j = 0; j < NX; j++) {
            float acc = 0.0f;
            for (int k = 0; k < NZ; k++)
                acc += K[i][k] * T[k][j];
            P[i][j] -= acc;
        }
}

BENCH_ENTRY(kalman)
{
    const float dt = 0.01f;
    const float q[NX] = {1e-6f, 1e-6f, 1e-6f, 1e-4f, 1e-4f, 1e-4f, 1e-2f, 1e-2f, 1e-2f};
    const float r[NZ] = {0.25f, 0.25f, 0.36f};
    for (int i = 0; i < NX; i++) {
        x[i] = 0.0f;
        for (int j = 0; j < NX; j++) {
            P[i][j] = i == j ? 10.0f : 0.0f;
            F[i][j] = i == j ? 1.0f : 0.0f;
        }
    }
    for (int i = 0; i < 3; i++) {
        F[i][i + 3] = dt;
        F[i][i + 6] = 0.5f * dt * dt;
        F[i + 3][i + 6] = dt;
        truth_p[i] = truth_v[i] = truth_a[i] = 0.0f;
    }
    uint32_t s = 0x1F2E3D4Cu, h = 0;
    for (uint32_t t = 0; t < n; t++) {
        float z[NZ];
        for (int i = 0; i < 3; i++) {
            truth_a[i] = truth_a[i] * 0.99f + noise(&s, 0.001f);
            truth_v[i] += truth_a[i] * dt;
            truth_p[i] += truth_v[i] * dt;
            z[i] = truth_p[i] + noise(&s, 0.0005f);
        }
        step(z, q, r);
        if ((t & 63u) == 63u)
            for (int i = 0; i < NX; i++)
                h = bench_mix(h, bench_fbits(x[i]));
    }
    for (int i = 0; i < NX; i++) {
        h = bench_mix(h, bench_fbits(x[i]));
        h = bench_mix(h, bench_fbits(P[i][i]));
    }
    return h;
}
