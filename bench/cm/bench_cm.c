/* Component-host benchmarks (host-release): cost of a host call from a wasm
 * component (sync-lowered, and async-lowered completing at once), and of an
 * async message-queue round trip between two components in two threads vs the
 * same round trip between two native threads, measured in the same run.
 * Wall-clock ns on this machine (the simulator's virtual time does not move
 * while code runs). Usage: bench_cm <guest.wasm> [out.md] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gale/cm.h"
#include "gale/host.h"
#include "gale/kernel.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#define REPS 7
static double median(double *v)
{
    qsort(v, REPS, sizeof *v, cmp_d);
    return v[REPS / 2];
}

static const gale_cm_type_t *p_u32[] = {&gale_cm_t_u32};
static const gale_cm_export_decl_t exports[] = {
    {"", "setup", {1, p_u32, NULL, false}},
    {"", "loop-empty", {1, p_u32, &gale_cm_t_u32, false}},
    {"", "loop-sync", {1, p_u32, &gale_cm_t_u32, false}},
    {"", "loop-async", {1, p_u32, &gale_cm_t_u32, false}},
    {"", "pinger", {1, p_u32, NULL, true}},
    {"", "ponger", {1, p_u32, NULL, true}},
};
static gale_cm_world_t world;
static gale_cm_component_t *comp;
static uint8_t bytes[1 << 18];
static size_t nbytes;

static GALE_THREAD_STACK_DEFINE(stack_a, 256 * 1024);
static GALE_THREAD_STACK_DEFINE(stack_b, 256 * 1024);
static gale_thread_t ta, tb;
GALE_MSGQ_DEFINE(q1, 4, 1);
GALE_MSGQ_DEFINE(q2, 4, 1);

static void boot(void)
{
    gale_sim_config_t sc = {.cpus = 1, .quiet = true};
    gale_sim_setup(&sc);
    gale_kernel_init();
    gale_cm_kernel_init(GALE_PRIO_PREEMPT(0));
    gale_host_reset();
    gale_kernel_msgq_init(&q1, q1_buffer, 4, 1);
    gale_kernel_msgq_init(&q2, q2_buffer, 4, 1);
    gale_host_share("q1", GALE_HOST_MSGQ, &q1);
    gale_host_share("q2", GALE_HOST_MSGQ, &q2);
}

static uint32_t call_u32(gale_cm_instance_t *inst, const char *name, uint32_t n)
{
    uint8_t buf[64];
    gale_cm_arena_t ar;
    gale_cm_arena_init(&ar, buf, sizeof buf);
    gale_cm_val_t p = {.kind = GALE_CM_U32, .u.u = n}, r = {0};
    gale_cm_err_t err = {0};
    if (gale_cm_call_export(inst, "", name, &p, 1, &r, &ar, &err)) {
        fprintf(stderr, "%s: %s\n", name, err.message);
        exit(1);
    }
    return (uint32_t)r.u.u;
}

static double res_sync, res_async, res_empty;
static void hostcall_thread(void *p1, void *p2, void *p3)
{
    (void)p1, (void)p2, (void)p3;
    static const char *const grants[] = {"q1", "q2"};
    static gale_host_ctx_t hc = {"bench", grants, 2};
    gale_cm_instance_t *inst;
    gale_cm_err_t err = {0};
    if (gale_cm_instantiate(comp, &hc, UINT64_MAX, &inst, &err)) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    const uint32_t n = 100000;
    double e[REPS], s[REPS], a[REPS];
    for (int r = 0; r < REPS; r++) {
        call_u32(inst, "setup", n);
        uint64_t t0 = now_ns();
        call_u32(inst, "loop-empty", n);
        uint64_t t1 = now_ns();
        call_u32(inst, "loop-sync", n);
        uint64_t t2 = now_ns();
        uint32_t ok = call_u32(inst, "loop-async", n);
        uint64_t t3 = now_ns();
        if (ok != n) {
            fprintf(stderr, "loop-async: only %u of %u returned at once\n", ok, n);
            exit(1);
        }
        e[r] = (double)(t1 - t0) / n;
        s[r] = (double)(t2 - t1) / n;
        a[r] = (double)(t3 - t2) / n;
    }
    res_empty = median(e);
    res_sync = median(s) - res_empty;
    res_async = median(a) - res_empty;
    gale_cm_instance_free(inst);
}

static void comp_side(void *p1, void *p2, void *p3)
{
    (void)p3;
    const char *name = p1;
    uint32_t n = (uint32_t)(uintptr_t)p2;
    static const char *const grants[] = {"q1", "q2"};
    static gale_host_ctx_t hc = {"bench", grants, 2};
    gale_cm_instance_t *inst;
    gale_cm_err_t err = {0};
    if (gale_cm_instantiate(comp, &hc, UINT64_MAX, &inst, &err)) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    gale_cm_val_t p = {.kind = GALE_CM_U32, .u.u = n};
    if (gale_cm_call_export(inst, "", name, &p, 1, NULL, NULL, &err)) {
        fprintf(stderr, "%s: %s\n", name, err.message);
        exit(1);
    }
    gale_cm_instance_free(inst);
}

static void native_ping(void *p1, void *p2, void *p3)
{
    (void)p2, (void)p3;
    uint32_t n = (uint32_t)(uintptr_t)p1, v = 1;
    for (uint32_t i = 0; i < n; i++) {
        gale_kernel_msgq_put(&q1, &v, GALE_FOREVER);
        gale_kernel_msgq_get(&q2, &v, GALE_FOREVER);
        v++;
    }
}

static void native_pong(void *p1, void *p2, void *p3)
{
    (void)p2, (void)p3;
    uint32_t n = (uint32_t)(uintptr_t)p1, v;
    for (uint32_t i = 0; i < n; i++) {
        gale_kernel_msgq_get(&q1, &v, GALE_FOREVER);
        v++;
        gale_kernel_msgq_put(&q2, &v, GALE_FOREVER);
    }
}

/* components: 0 native threads, 1 components (watches), 2 components with the
 * blocked gets served by host worker threads (gale_host_set_async_workers) */
static double round_trip(int components, uint32_t n)
{
    boot();
    gale_host_set_async_workers(components == 2);
    if (components) {
        gale_kernel_thread_create(&ta, stack_a, sizeof stack_a, comp_side, "pinger", (void *)(uintptr_t)n, NULL,
                                  GALE_PRIO_PREEMPT(5), 0, GALE_NO_WAIT);
        gale_kernel_thread_create(&tb, stack_b, sizeof stack_b, comp_side, "ponger", (void *)(uintptr_t)n, NULL,
                                  GALE_PRIO_PREEMPT(5), 0, GALE_NO_WAIT);
    } else {
        gale_kernel_thread_create(&ta, stack_a, sizeof stack_a, native_ping, (void *)(uintptr_t)n, NULL, NULL,
                                  GALE_PRIO_PREEMPT(5), 0, GALE_NO_WAIT);
        gale_kernel_thread_create(&tb, stack_b, sizeof stack_b, native_pong, (void *)(uintptr_t)n, NULL, NULL,
                                  GALE_PRIO_PREEMPT(5), 0, GALE_NO_WAIT);
    }
    uint64_t t0 = now_ns();
    gale_sim_run();
    return (double)(now_ns() - t0) / n;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_cm <guest.wasm> [out.md]\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return 2;
    nbytes = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    world = *gale_host_kernel_primitives(0);
    world.exports = exports;
    world.n_exports = 6;
    gale_cm_err_t err = {0};
    if (gale_cm_component_load(NULL, bytes, nbytes, &world, &comp, &err)) {
        fprintf(stderr, "load: %s\n", err.message);
        return 1;
    }
    boot();
    gale_kernel_thread_create(&ta, stack_a, sizeof stack_a, hostcall_thread, NULL, NULL, NULL, GALE_PRIO_PREEMPT(5), 0,
                              GALE_NO_WAIT);
    gale_sim_run();
    const uint32_t n = 2000;
    double rc[REPS], rw[REPS], rn[REPS];
    for (int r = 0; r < REPS; r++) {
        rc[r] = round_trip(1, n);
        rw[r] = round_trip(2, n);
        rn[r] = round_trip(0, n);
    }
    gale_host_set_async_workers(false);
    double comp_rt = median(rc), workers_rt = median(rw), native_rt = median(rn);
    char cpu[128] = "?";
    FILE *ci = fopen("/proc/cpuinfo", "r");
    if (ci) {
        char line[256];
        while (fgets(line, sizeof line, ci))
            if (!strncmp(line, "model name", 10)) {
                char *c = strchr(line, ':');
                if (c) {
                    snprintf(cpu, sizeof cpu, "%s", c + 2);
                    cpu[strcspn(cpu, "\n")] = 0;
                }
                break;
            }
        fclose(ci);
    }
    double load[1] = {0};
    if (getloadavg(load, 1) < 1)
        load[0] = -1;
    char md[4096];
    snprintf(md, sizeof md,
             "# Component host benchmarks (host-release -O2, interpreter, posix simulator)\n\n"
             "Measured by `bench/cm/bench_cm` (`make bench`), wall-clock ns on %s, median of %d runs\n"
             "(1-minute load average %.1f during the run: on a shared machine the native round trip varies most).\n"
             "The guest is bench/cm/bench_guest.c (clang-14 -O2, wasm32).\n\n"
             "| What | ns | Notes |\n|---|---|---|\n"
             "| host call, sync-lowered (`[method]sem.count`) | %.0f | per call, minus the empty guest loop (%.1f ns/iter) |\n"
             "| host call, async-lowered, completes at once (`[async-lower][method]sem.take`, RETURNED) | %.0f | per call, same baseline |\n"
             "| async msgq round trip, two components in two threads | %.0f | ping put/get, pong get/put; async-lowered, callback-lifted; "
             "each blocked get is a kernel watch retried by the component's own thread (gale_cm_call_pend) |\n"
             "| the same, blocked gets served by host worker threads | %.0f | the earlier path "
             "(gale_host_set_async_workers(true): two thread hand-offs per blocked call) |\n"
             "| the same round trip, two native threads | %.0f | gale_kernel_msgq_put/get |\n"
             "| ratio components / native | %.1fx | same run (with worker threads: %.1fx) |\n",
             cpu, REPS, load[0], res_sync, res_empty, res_async, comp_rt, workers_rt, native_rt, comp_rt / native_rt,
             workers_rt / native_rt);
    fputs(md, stdout);
    if (argc > 2) {
        FILE *o = fopen(argv[2], "w");
        if (o) {
            fputs(md, o);
            fclose(o);
        }
    }
    return 0;
}
