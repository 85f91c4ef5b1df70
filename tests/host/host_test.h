/* Shared set-up of the host tests that run real guests on the interpreter:
 * read a .wasm file, load it as a component against a world, and boot one
 * deterministic simulated core with the component host's worker threads.
 * Include after <cmocka.h> and the gale headers. */
#ifndef GALE_TESTS_HOST_TEST_H
#define GALE_TESTS_HOST_TEST_H

#include <stdio.h>
#include <stdlib.h>

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n);
    *len = fread(b, 1, (size_t)n, f);
    fclose(f);
    return b;
}

static gale_cm_component_t *load(const char *path, const gale_cm_world_t *w)
{
    size_t len = 0;
    uint8_t *b = read_file(path, &len);
    if (!b)
        fail_msg("cannot read %s", path);
    gale_cm_component_t *c = NULL;
    gale_cm_err_t err = {0};
    int rc = gale_cm_component_load(NULL, b, len, w, &c, &err);
    free(b);
    if (rc)
        fail_msg("load %s: %s", path, err.message);
    return c;
}

/* ... with the host worker threads at priority worker_prio */
static inline void boot_workers(int worker_prio)
{
    gale_sim_config_t sc = {.cpus = 1, .mode = GALE_SIM_DETERMINISTIC, .time_limit_ns = 60ull * 1000000000ull,
                            .quiet = true};
    assert_int_equal(gale_sim_setup(&sc), 0);
    assert_int_equal(gale_kernel_init(), 0);
    assert_int_equal(gale_cm_kernel_init(GALE_PRIO_PREEMPT(worker_prio)), 0);
    gale_host_reset();
}

static void boot(void)
{
    boot_workers(0);
}

#endif
