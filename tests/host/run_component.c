/* Loads a component binary (e.g. made by jco from a gale C guest) with the
 * sync-system world, runs `run` in a system thread, and checks that it gave
 * the shared semaphore "done" and left no host object alive. Exit 0 = pass. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gale/cm.h"
#include "gale/host.h"
#include "gale/kernel.h"

static GALE_THREAD_STACK_DEFINE(stack, 256 * 1024);
static GALE_THREAD_STACK_DEFINE(feeder_stack, 64 * 1024);
GALE_SEM_DEFINE(done, 0, 1);
GALE_MSGQ_DEFINE(inbox, 5, 4);

static void feeder(void *p1, void *p2, void *p3)
{
    (void)p1, (void)p2, (void)p3;
    gale_kernel_sleep(GALE_MSEC(12));
    gale_kernel_msgq_put(&inbox, "hello", GALE_FOREVER);
}

int main(int argc, char **argv)
{
    bool async = argc > 2 && strcmp(argv[2], "async") == 0;
    if (argc < 2) {
        fprintf(stderr, "usage: run_component <component.wasm> [sync|async]\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", argv[1]);
        return 2;
    }
    static uint8_t bytes[1 << 20];
    size_t len = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    if (!gale_cm_is_component(bytes, len)) {
        fprintf(stderr, "%s is not a component binary\n", argv[1]);
        return 1;
    }
    gale_sim_config_t sc = {.cpus = 1, .quiet = true};
    gale_sim_setup(&sc);
    gale_kernel_init();
    gale_cm_kernel_init(GALE_PRIO_PREEMPT(0));
    gale_host_reset();
    gale_kernel_sem_init(&done, 0, 1);
    gale_host_share("done", GALE_HOST_SEM, &done);
    gale_kernel_msgq_init(&inbox, inbox_buffer, 5, 4);
    gale_host_share("inbox", GALE_HOST_MSGQ, &inbox);
    static const char *const grants[] = {"done", "inbox"};
    static gale_host_ctx_t hc = {"jco", grants, 2};
    gale_thread_t ft;
    if (async)
        gale_kernel_thread_create(&ft, feeder_stack, sizeof feeder_stack, feeder, NULL, NULL, NULL,
                                  GALE_PRIO_PREEMPT(3), 0, GALE_NO_WAIT);
    gale_cm_component_t *c;
    gale_cm_err_t err = {0};
    if (gale_cm_component_load(NULL, bytes, len, gale_host_kernel_primitives(async ? 2 : 1), &c, &err)) {
        fprintf(stderr, "load: %s\n", err.message);
        return 1;
    }
    gale_cm_spawn_cfg_t cfg = {.name = "jco", .component = c, .host_ctx = &hc, .entry_name = "run",
                               .prio = GALE_PRIO_PREEMPT(5), .stack = stack, .stack_size = sizeof stack,
                               .fuel = UINT64_MAX};
    gale_cm_system_t *s;
    if (gale_cm_spawn(&cfg, &s, &err)) {
        fprintf(stderr, "spawn: %s\n", err.message);
        return 1;
    }
    gale_sim_run();
    if (gale_cm_system_state(s) != GALE_CM_SYS_EXITED) {
        fprintf(stderr, "system did not exit: %s\n", gale_cm_system_last_trap(s)->reason);
        return 1;
    }
    if ((!async && gale_kernel_sem_count_get(&done) != 1) || gale_host_live_objects() != 0 ||
        (async && gale_kernel_msgq_num_used_get(&inbox) != 0)) {
        fprintf(stderr, "done=%u live=%u\n", gale_kernel_sem_count_get(&done), gale_host_live_objects());
        return 1;
    }
    printf("ok: %s component %s (%zu bytes) ran under gale (%.1f ms simulated)\n", async ? "async" : "sync", argv[1],
           len, (double)gale_sim_time_ns() / 1e6);
    return 0;
}
