/* A PID cascade as in a multirotor controller: per axis (roll, pitch, yaw) an
 * angle P loop feeding a rate PID (integrator clamp, filtered derivative,
 * output limit), plus an altitude position P -> climb-rate PID -> thrust loop,
 * closed around a simple simulated plant; n control steps in float, with new
 * setpoints every 500 steps. */
#include "bench_programs.h"

typedef struct pid {
    float kp, ki, kd;
    float integ, prev, dfilt;
    float alpha, i_lim, out_lim;
} pid_ctl_t;

static inline float clampf(float v, float lo, float hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

static float pid_update(pid_ctl_t *c, float err, float dt)
{
    c->integ = clampf(c->integ + err * c->ki * dt, -c->i_lim, c->i_lim);
    float d = (err - c->prev) / dt;
    c->prev = err;
    c->dfilt += c->alpha * (d - c->dfilt);
    return clampf(c->kp * err + c->integ + c->kd * c->dfilt, -c->out_lim, c->out_lim);
}

static pid_ctl_t rate[3], climb;
static float angle[3], rates[3], angle_sp[3];
static float alt, vz, alt_sp;

BENCH_ENTRY(pid)
{
    const float dt = 0.0025f;
    const float angle_kp[3] = {6.5f, 6.5f, 2.8f};
    const float max_rate[3] = {3.8f, 3.8f, 2.0f};
    for (int a = 0; a < 3; a++) {
        rate[a] = (pid_ctl_t){0.15f, 0.2f, 0.003f, 0.0f, 0.0f, 0.0f, 0.3f, 0.3f, 1.0f};
        angle[a] = rates[a] = angle_sp[a] = 0.0f;
    }
    rate[2].kp = 0.2f;
    rate[2].kd = 0.0f;
    climb = (pid_ctl_t){4.0f, 2.0f, 0.05f, 0.0f, 0.0f, 0.0f, 0.2f, 5.0f, 12.0f};
    alt = vz = alt_sp = 0.0f;
    uint32_t s = 0xFACEB00Cu, h = 0;
    for (uint32_t t = 0; t < n; t++) {
        if (t % 500u == 0) {
            for (int a = 0; a < 3; a++)
                angle_sp[a] = (float)((int32_t)(bench_rand(&s) % 1001u) - 500) * 0.001f;
            alt_sp = (float)(bench_rand(&s) % 2001u) * 0.01f;
        }
        for (int a = 0; a < 3; a++) {
            float rate_sp = clampf(angle_kp[a] * (angle_sp[a] - angle[a]), -max_rate[a], max_rate[a]);
            float torque = pid_update(&rate[a], rate_sp - rates[a], dt);
            rates[a] += (torque * 40.0f - rates[a] * 0.5f) * dt;
            angle[a] += rates[a] * dt;
        }
        float vz_sp = clampf(1.2f * (alt_sp - alt), -3.0f, 3.0f);
        float thrust = 9.81f + pid_update(&climb, vz_sp - vz, dt);
        vz += (thrust - 9.81f - 0.1f * vz) * dt;
        alt += vz * dt;
        if ((t & 255u) == 255u) {
            h = bench_mix(h, bench_fbits(angle[0]));
            h = bench_mix(h, bench_fbits(alt));
        }
    }
    for (int a = 0; a < 3; a++) {
        h = bench_mix(h, bench_fbits(angle[a]));
        h = bench_mix(h, bench_fbits(rates[a]));
        h = bench_mix(h, bench_fbits(rate[a].integ));
    }
    h = bench_mix(h, bench_fbits(alt));
    return bench_mix(h, bench_fbits(vz));
}
