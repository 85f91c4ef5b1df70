/* gale — the posix simulator API (gale/arch/posix.h) as far as it makes sense
 * on one real core, for running the portable kernel tests under QEMU. Force-
 * included (-include) into those tests only.
 * - gale_sim_setup: more than one core or real-time mode -> the test is skipped
 *   (reported as such); the time limit is honoured (CMSDK timer 1).
 * - gale_sim_run / gale_sim_stop: gale_cm_run / gale_cm_stop.
 * - gale_sim_time_ns: the kernel's uptime in ns (real time of the QEMU core).
 * - gale_sim_irq_raise_at: a real NVIC interrupt at that time (CMSDK timer 0).
 * - gale_sim_busy_ns: spins for ns of real time, taking interrupts.
 * - gale_sim_switch_count: not available (returns 0; tests that need it skip). */
#ifndef GALE_SIM_SHIM_H
#define GALE_SIM_SHIM_H

#include <stdbool.h>
#include <stdint.h>

typedef enum gale_sim_mode {
    GALE_SIM_DETERMINISTIC = 0,
    GALE_SIM_REALTIME = 1,
} gale_sim_mode_t;

typedef struct gale_sim_config {
    unsigned int cpus;
    gale_sim_mode_t mode;
    uint64_t time_limit_ns;
    bool quiet;
} gale_sim_config_t;

typedef void (*gale_sim_irq_handler_t)(void *arg);

int gale_sim_setup(const gale_sim_config_t *cfg);
int gale_sim_run(void);
void gale_sim_stop(void);
uint64_t gale_sim_time_ns(void);
int gale_sim_irq_raise_at(unsigned int cpu, uint64_t at_ns, gale_sim_irq_handler_t handler, void *arg);
int gale_sim_busy_ns(uint64_t ns);
uint64_t gale_sim_switch_count(void);

#endif
