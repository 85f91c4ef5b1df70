/* gale — footprint image (d): the whole runtime. Kernel + executor (image (b):
 * two threads, a semaphore, a sleep, an executor thread with two tasks, a
 * timer and wakes) + the wasm engine + the component host + the
 * kernel-primitives host, loading one component (fp_guest.c, embedded as a
 * byte array) and running it as a system (gale_cm_spawn): the component takes
 * the shared semaphore "go" GUEST_ROUNDS times and answers each with 7*i on the
 * shared message queue "q"; a native thread drives it and checks the values.
 * Exit status 0 when everything happened (otherwise the number of the failed
 * check): `qemu_fp_runtime` runs it, bench/mcu/run-bench.sh measures it.
 * The engine allocates from an arena over a static buffer (app RAM). */
#include <stdint.h>
#include <string.h>

#include "gale/cm.h"
#include "gale/config.h"
#include "gale/error.h"
#include "gale/exec.h"
#include "gale/host.h"
#include "gale/kernel.h"
#include "gale/wasm.h"

#define FP_WITH_EXEC
#include "fp_workload.h"

extern const uint8_t fp_guest_wasm[];
extern const size_t fp_guest_wasm_len;

#define GUEST_ROUNDS 3u

static GALE_THREAD_STACK_DEFINE(stack_drv, 768);
static GALE_THREAD_STACK_DEFINE(stack_sys, 4096);
static gale_thread_t th_drv;
static volatile int failed;

#define CHECK(n, cond)                 \
    do {                               \
        if (!(cond) && failed == 0)    \
            failed = (n);              \
    } while (0)

/* ---- the component ---- */
static gale_sem_t go;
static gale_msgq_t q;
static uint32_t q_buf[2];
static gale_cm_system_t *sys;

static void driver(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (uint32_t i = 1; i <= GUEST_ROUNDS; i++) {
        uint32_t v = 0;
        CHECK(20, gale_kernel_sem_give(&go) == 0);
        CHECK(21, gale_kernel_msgq_get(&q, &v, GALE_MSEC(1000)) == 0);
        CHECK(22, v == 7u * i);
    }
    CHECK(23, gale_cm_system_join(sys, 1000) == 0);
    CHECK(24, gale_cm_system_state(sys) == GALE_CM_SYS_EXITED);
    /* the component host's worker threads (if built) wait for work forever: end the run
     * once the other threads are done */
    CHECK(25, gale_kernel_thread_join(&fp_th_prod, GALE_FOREVER) == 0);
    CHECK(26, gale_kernel_thread_join(&fp_th_cons, GALE_FOREVER) == 0);
    CHECK(27, gale_kernel_thread_join(&fp_th_exec, GALE_FOREVER) == 0);
    gale_cm_stop(0);
}

#if GALE_CONFIG_DIAG
static int has_text(const char *s, const char *w) /* strstr, kept in the image's own code */
{
    for (; *s; s++) {
        size_t i = 0;
        while (w[i] && s[i] == w[i])
            i++;
        if (!w[i])
            return 1;
    }
    return 0;
}
#endif

static _Alignas(16) uint8_t arena_buf[160 * 1024];

int main(void)
{
    gale_kernel_init();
    int rc = fp_exec_setup();
    if (rc != 0)
        return rc;

    /* engine: an arena over a static buffer (no malloc on the MCU profile) */
    gale_wasm_arena_t arena;
    gale_wasm_arena_init(&arena, arena_buf, sizeof arena_buf);
    gale_wasm_config_t wcfg;
    memset(&wcfg, 0, sizeof wcfg);
    wcfg.alloc = gale_wasm_arena_alloc(&arena);
    wcfg.value_stack_slots = 1024;
    wcfg.call_depth = 64;
    gale_cm_load_opts_t opts = { .wasm_cfg = &wcfg };

    if (gale_cm_kernel_init(GALE_PRIO_PREEMPT(2)) != 0)
        return 7;
    gale_host_reset();
    gale_kernel_sem_init(&go, 0, 1);
    gale_kernel_msgq_init(&q, q_buf, sizeof(uint32_t), 2);
    if (gale_host_share("go", GALE_HOST_SEM, &go) != 0 || gale_host_share("q", GALE_HOST_MSGQ, &q) != 0)
        return 8;
    gale_cm_component_t *c = NULL;
    gale_cm_err_t err = { 0 };
#if !GALE_CONFIG_CM_COMPONENT_BINARY
    /* component binaries are refused (no decoder) */
    static const uint8_t comp_hdr[] = { 0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00 };
    if (gale_cm_component_load(&opts, comp_hdr, sizeof comp_hdr, gale_host_kernel_primitives(1), &c, &err) !=
            GALE_ENOSYS ||
        c != NULL)
        return 12;
#endif
    /* a malformed module (a function type cut short) fails with its code in
     * every configuration, and names its where when texts are kept */
    static const uint8_t bad_mod[] = { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x03, 0x01, 0x60, 0x00 };
    if (gale_cm_component_load(&opts, bad_mod, sizeof bad_mod, gale_host_kernel_primitives(1), &c, &err) !=
            GALE_EMALFORMED ||
        err.code != GALE_EMALFORMED || c != NULL)
        return 13;
#if GALE_CONFIG_DIAG
    if (!has_text(err.message, "type section, offset 0x"))
        return 14;
#endif
    /* meld's pulseengine:async stream_new, () -> (i64), imported: refused with
     * GALE_ENOSYS without streams (GALE_CONFIG_CM_STREAMS=0); with streams it
     * links and the load fails later (the world's export "run" is missing) */
    static const uint8_t meld_mod[] = { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00,
                                        0x01, 0x7e, 0x02, 0x20, 0x01, 0x11, 'p',  'u',  'l',  's',  'e',  'e',  'n',
                                        'g',  'i',  'n',  'e',  ':',  'a',  's',  'y',  'n',  'c',  0x0a, 's',  't',
                                        'r',  'e',  'a',  'm',  '_',  'n',  'e',  'w',  0x00, 0x00 };
    int mrc = gale_cm_component_load(&opts, meld_mod, sizeof meld_mod, gale_host_kernel_primitives(1), &c, &err);
#if GALE_CONFIG_CM_STREAMS
    if (mrc != GALE_ELINK || c != NULL)
        return 15;
#else
    if (mrc != GALE_ENOSYS || c != NULL)
        return 15;
#endif
    if (gale_cm_component_load(&opts, fp_guest_wasm, fp_guest_wasm_len, gale_host_kernel_primitives(1), &c,
                               &err) != 0)
        return 9;
    static const char *const grants[] = { "go", "q" };
    static gale_host_ctx_t hctx = { "fp", grants, 2 };
    gale_cm_spawn_cfg_t sc = { .name = "fp", .component = c, .host_ctx = &hctx, .entry_name = "run",
                               .prio = GALE_PRIO_PREEMPT(6), .stack = stack_sys, .stack_size = sizeof stack_sys,
                               .fuel = UINT64_MAX };
    if (gale_cm_spawn(&sc, &sys, &err) != 0)
        return 10;

    fp_threads_start();
    fp_exec_start();
    gale_kernel_thread_create(&th_drv, stack_drv, sizeof stack_drv, driver, NULL, NULL, NULL,
                              GALE_PRIO_PREEMPT(5), GALE_THREAD_OPT_NONE, GALE_NO_WAIT);
    if (gale_cm_run() != 0)
        return 1;
    if ((rc = fp_threads_check()) != 0 || (rc = fp_exec_check()) != 0)
        return rc;
    if (gale_host_live_objects() != 0)
        return 11;
    return failed;
}
