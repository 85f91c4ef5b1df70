/* hello-components: two systems (wasm components in C) in two threads on one
 * simulated core, trading through gale kernel primitives shared by name:
 *   sensor (async system): every 10 ms timer tick sends a sample over msgq
 *       "samples" and awaits the ack - all async-lowered, its thread keeps going;
 *   logger (sync system): blocks on "samples", sums, gives sem "ack", and
 *       finally pushes the sum onto stack "results".
 * Both components are C written against the bindings `gale bindgen` generates
 * (sensor.c, logger.c). Prints a timeline of every kernel-primitive call and the systems' life cycle. */
#include <stdio.h>
#include <string.h>

#include "gale/cm.h"
#include "gale/host.h"
#include "gale/kernel.h"

static GALE_THREAD_STACK_DEFINE(sensor_stack, 256 * 1024);
static GALE_THREAD_STACK_DEFINE(logger_stack, 256 * 1024);
GALE_MSGQ_DEFINE(samples, 8, 2);
GALE_SEM_DEFINE(ack, 0, 1);
GALE_STACK_DEFINE(results, 4);

static void print_line(const char *line, void *user)
{
    (void)user;
    printf("  %s\n", line);
}

static void on_report(gale_cm_system_t *sys, gale_cm_sys_report_t what, const char *msg, void *user)
{
    (void)user;
    static const char *const names[] = {"started", "exited", "TRAP", "restart", "stopped", "escalate"};
    uint64_t us = gale_kernel_uptime_us();
    printf("  [%6llu.%03llu ms] %-8s == %s (%s)\n", (unsigned long long)(us / 1000), (unsigned long long)(us % 1000),
           gale_cm_system_name(sys), names[what], msg);
}

static gale_cm_component_t *load(const char *path, const gale_cm_world_t *w)
{
    static uint8_t bytes[2][1 << 18];
    static int k;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "hello-components: cannot open %s\n", path);
        return NULL;
    }
    size_t len = fread(bytes[k], 1, sizeof bytes[k], f);
    fclose(f);
    gale_cm_component_t *c = NULL;
    gale_cm_err_t err = {0};
    if (gale_cm_component_load(NULL, bytes[k++], len, w, &c, &err)) {
        fprintf(stderr, "hello-components: %s: %s\n", path, err.message);
        return NULL;
    }
    return c;
}

int main(void)
{
    gale_sim_config_t sc = {.cpus = 1, .mode = GALE_SIM_DETERMINISTIC, .quiet = true};
    gale_sim_setup(&sc);
    gale_kernel_init();
    gale_cm_kernel_init(GALE_PRIO_PREEMPT(0));
    gale_host_reset();
    gale_host_share("samples", GALE_HOST_MSGQ, &samples);
    gale_host_share("ack", GALE_HOST_SEM, &ack);
    gale_host_share("results", GALE_HOST_STK, &results);
    static const char *const sensor_grants[] = {"samples", "ack"};
    static const char *const logger_grants[] = {"samples", "ack", "results"};
    static gale_host_ctx_t sensor_ctx = {"sensor", sensor_grants, 2}, logger_ctx = {"logger", logger_grants, 3};

    gale_cm_component_t *sensor = load(SENSOR_WASM, gale_host_kernel_primitives(2));
    gale_cm_component_t *logger = load(LOGGER_WASM, gale_host_kernel_primitives(1));
    if (!sensor || !logger)
        return 1;
    printf("hello-components: 2 systems on 1 simulated core (sensor: async, logger: sync)\n");
    gale_host_set_trace(print_line, NULL);
    gale_cm_spawn_cfg_t s = {.name = "sensor", .component = sensor, .host_ctx = &sensor_ctx, .entry_name = "run",
                             .prio = GALE_PRIO_PREEMPT(4), .stack = sensor_stack, .stack_size = sizeof sensor_stack,
                             .fuel = UINT64_MAX, .report = on_report};
    gale_cm_spawn_cfg_t l = s;
    l.name = "logger", l.component = logger, l.host_ctx = &logger_ctx, l.prio = GALE_PRIO_PREEMPT(5);
    l.stack = logger_stack, l.stack_size = sizeof logger_stack;
    gale_cm_system_t *ss, *ls;
    gale_cm_err_t err = {0};
    if (gale_cm_spawn(&s, &ss, &err) || gale_cm_spawn(&l, &ls, &err)) {
        fprintf(stderr, "hello-components: %s\n", err.message);
        return 1;
    }
    gale_sim_run();
    gale_host_set_trace(NULL, NULL);
    gale_stack_data_t sum = 0;
    int rc = gale_kernel_stack_pop(&results, &sum, GALE_NO_WAIT);
    unsigned live = gale_host_live_objects(); /* every handle dropped: no kernel object left */
    bool ok = gale_cm_system_state(ss) == GALE_CM_SYS_EXITED && gale_cm_system_state(ls) == GALE_CM_SYS_EXITED &&
              rc == 0 && sum == 55 && live == 0;
    printf("hello-components: logger summed %lu (expected 1+4+9+16+25 = 55) in %.1f ms of simulated time, "
           "%u host objects left: %s\n",
           (unsigned long)sum, (double)gale_sim_time_ns() / 1e6, live, ok ? "OK" : "FAILED");
    return ok ? 0 : 1;
}
