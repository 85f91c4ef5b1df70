/* gale — wasm engine benchmark runner (bench/wasm).
 *
 *   wasm_bench --dir <folder with bench_<name>.wasm> [--runs N] [--out FILE]
 *              [--size-report FILE] [--command TEXT] [--only NAME]
 *   wasm_bench --check --dir <folder>
 *
 * For each program (bench_programs.h) it runs the natively compiled entry and
 * the wasm32 module in the gale interpreter, in the same process, N times each,
 * and takes the median time. The checksums of every run must agree between
 * native and wasm (a mismatch is a failure: exit 1). It reports the slowdown
 * (interp / native) per program and the geometric mean, the load (decode +
 * validate + translate) and instantiation times, and the memory the engine uses
 * (gale_wasm_module_footprint / gale_wasm_instance_footprint). With --out it
 * writes that table as Markdown (bench/results/wasm.md).
 *
 * --check runs each program once at a tiny size and only compares checksums,
 * then once more in slices of 5000 fuel resumed after every suspension (the
 * CTest test wasm_bench_check: the engine's correctness on real code, and
 * transparent fuel suspension). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench_programs.h"
#include "gale/wasm.h"

typedef struct prog {
    const char *name;
    const char *what;
    uint32_t (*native)(uint32_t);
    uint32_t n_bench; /* size for the timed runs (native about 1-5 ms) */
    uint32_t n_tiny;  /* size for --check */
} prog_t;

static const prog_t progs[] = {
    {"kalman", "9-state Kalman filter, predict+update steps (f32)", bench_kalman_run, 4000, 5},
    {"pid", "PID cascade (3 axes + altitude) with plant, steps (f32)", bench_pid_run, 100000, 300},
    {"matmul", "48x48 f64 matrix products", bench_matmul_run, 200, 1},
    {"crc32", "CRC-32 table driven, passes over 16 KiB", bench_crc32_run, 32, 1},
    {"sha256", "SHA-256, 64-byte blocks", bench_sha256_run, 16384, 3},
    {"qsort", "quicksort of n u32 keys", bench_qsort_run, 50000, 200},
    {"fib", "recursive fib(n)", bench_fib_run, 32, 15},
    {"memcopy", "word copy loop, passes over 64 KiB", bench_memcopy_run, 512, 2},
};
#define N_PROGS (sizeof progs / sizeof progs[0])

typedef struct result {
    uint32_t n;
    uint32_t sum_native, sum_interp;
    double native_ns, interp_ns, fuel_ns;
    unsigned slices; /* --check: resumes of the sliced-fuel run */
    double load_us, inst_us;
    size_t module_bytes, instance_bytes, wasm_bytes;
    int ok;
} result_t;

/* CPU time of this thread: the machine is shared, and time the thread spends
 * preempted is not the program's cost. */
static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Keeps the native call from being folded into the caller. */
static uint32_t (*volatile g_native)(uint32_t);
static volatile uint32_t g_n;

static int run_prog(const char *dir, const prog_t *p, int runs, int check, result_t *res)
{
    memset(res, 0, sizeof *res);
    res->n = check ? p->n_tiny : p->n_bench;
    char path[4096];
    snprintf(path, sizeof path, "%s/bench_%s.wasm", dir, p->name);
    size_t len;
    uint8_t *bytes = read_file(path, &len);
    if (!bytes) {
        fprintf(stderr, "%s: cannot read %s: %s\n", p->name, path, strerror(errno));
        return -1;
    }
    res->wasm_bytes = len;

    gale_wasm_config_t cfg;
    gale_wasm_config_default(&cfg);
    gale_wasm_error_t err;
    memset(&err, 0, sizeof err);
    double t0 = now_ns();
    gale_wasm_module_t *m = gale_wasm_module_load(&cfg, bytes, len, &err);
    double t1 = now_ns();
    free(bytes);
    if (!m) {
        fprintf(stderr, "%s: %s does not load: %s\n", p->name, path, err.message);
        return -1;
    }
    if (gale_wasm_module_import_count(m) != 0) {
        fprintf(stderr, "%s: the benchmark module must not import anything\n", p->name);
        gale_wasm_module_free(m);
        return -1;
    }
    gale_wasm_instance_t *inst = gale_wasm_instantiate(m, NULL, 0, &err);
    double t2 = now_ns();
    if (!inst) {
        fprintf(stderr, "%s: does not instantiate: %s\n", p->name, err.message);
        gale_wasm_module_free(m);
        return -1;
    }
    res->load_us = (t1 - t0) / 1e3;
    res->inst_us = (t2 - t1) / 1e3;
    res->module_bytes = gale_wasm_module_footprint(m);
    res->instance_bytes = gale_wasm_instance_footprint(inst);
    gale_wasm_extern_t run;
    if (gale_wasm_instance_export(inst, "run", &run) != 0 || run.kind != GALE_WASM_EXTERN_FUNC) {
        fprintf(stderr, "%s: no exported function \"run\"\n", p->name);
        gale_wasm_instance_free(inst);
        gale_wasm_module_free(m);
        return -1;
    }

    double tn[64], ti[64];
    int rc = 0;
    res->ok = 1;
    g_native = p->native;
    for (int r = -1; r < runs; r++) { /* r = -1: warm-up, not timed */
        g_n = res->n;
        double a = now_ns();
        uint32_t cs = g_native(g_n);
        double b = now_ns();
        gale_wasm_val_t arg, out;
        memset(&arg, 0, sizeof arg);
        memset(&out, 0, sizeof out);
        arg.i32 = res->n;
        gale_wasm_trap_t trap;
        memset(&trap, 0, sizeof trap);
        double c = now_ns();
        int crc = gale_wasm_call(inst, run.u.func, &arg, 1, &out, 1, &trap);
        double d = now_ns();
        if (crc != 0) {
            fprintf(stderr, "%s: run(%" PRIu32 ") failed: %s%s%s\n", p->name, res->n, gale_strerror(crc),
                     crc == GALE_ETRAP ? ": " : "", crc == GALE_ETRAP ? trap.message : "");
            rc = -1;
            res->ok = 0;
            break;
        }
        res->sum_native = cs;
        res->sum_interp = out.i32;
        if (cs != out.i32) {
            fprintf(stderr, "%s: CHECKSUM MISMATCH at n=%" PRIu32 ": native 0x%08" PRIx32 ", interp 0x%08" PRIx32 "\n",
                    p->name, res->n, cs, out.i32);
            rc = -1;
            res->ok = 0;
            break;
        }
        if (r >= 0) {
            tn[r] = b - a;
            ti[r] = d - c;
        }
    }
    if (rc == 0 && runs > 0) {
        res->native_ns = median(tn, runs);
        res->interp_ns = median(ti, runs);
    }
    gale_wasm_val_t arg, out;
    memset(&arg, 0, sizeof arg);
    arg.i32 = res->n;
    gale_wasm_trap_t trap;
    if (rc == 0 && check) {
        /* Fuel metering must not change the result: run again in slices of
         * 5000 fuel, resuming after each suspension (leftover kept). */
        memset(&out, 0, sizeof out);
        gale_wasm_set_fuel(inst, 5000);
        int crc = gale_wasm_call(inst, run.u.func, &arg, 1, &out, 1, &trap);
        while (crc == GALE_EFUEL && res->slices < 10000000u) {
            res->slices++;
            gale_wasm_set_fuel(inst, gale_wasm_get_fuel(inst) + 5000);
            crc = gale_wasm_resume(inst, &out, 1, &trap);
        }
        gale_wasm_set_fuel(inst, UINT64_MAX);
        if (crc != 0 || out.i32 != res->sum_native) {
            fprintf(stderr, "%s: the run in fuel slices ended with %s, checksum 0x%08" PRIx32 " (native 0x%08" PRIx32 ")\n",
                    p->name, crc ? gale_strerror(crc) : "success", out.i32, res->sum_native);
            if (crc == GALE_EFUEL)
                gale_wasm_abort(inst);
            rc = -1;
            res->ok = 0;
        }
    } else if (rc == 0) {
        /* The same with fuel metering on (a budget that never runs out), as
         * the executor runs every poll. */
        for (int r = 0; r < runs; r++) {
            gale_wasm_set_fuel(inst, UINT64_C(1) << 62);
            double c = now_ns();
            int crc = gale_wasm_call(inst, run.u.func, &arg, 1, &out, 1, &trap);
            double d = now_ns();
            if (crc != 0 || out.i32 != res->sum_native) {
                fprintf(stderr, "%s: with fuel metering: %s, checksum 0x%08" PRIx32 "\n", p->name,
                        crc ? gale_strerror(crc) : "success", out.i32);
                rc = -1;
                res->ok = 0;
                break;
            }
            ti[r] = d - c;
        }
        gale_wasm_set_fuel(inst, UINT64_MAX);
        if (rc == 0)
            res->fuel_ns = median(ti, runs);
    }
    gale_wasm_instance_free(inst);
    gale_wasm_module_free(m);
    return rc;
}

static void machine(char *buf, size_t len)
{
    char model[256] = "unknown CPU";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "model name", 10) == 0) {
                char *c = strchr(line, ':');
                if (c) {
                    c++;
                    while (*c == ' ')
                        c++;
                    size_t l = strcspn(c, "\n");
                    snprintf(model, sizeof model, "%.*s", (int)l, c);
                }
                break;
            }
        }
        fclose(f);
    }
    struct utsname u;
    char os[200] = "";
    if (uname(&u) == 0)
        snprintf(os, sizeof os, "%.60s %.60s %.40s", u.sysname, u.release, u.machine);
    snprintf(buf, len, "%s, %ld CPUs online (shared with other jobs), %s", model, sysconf(_SC_NPROCESSORS_ONLN), os);
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL, *size_report = NULL, *command = NULL, *only = NULL;
    int runs = 11, check = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0)
            check = 1;
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--size-report") == 0 && i + 1 < argc)
            size_report = argv[++i];
        else if (strcmp(argv[i], "--command") == 0 && i + 1 < argc)
            command = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s --dir DIR [--check] [--runs N] [--out FILE] [--size-report FILE] "
                            "[--command TEXT] [--only NAME]\n", argv[0]);
            return 2;
        }
    }
    if (!dir || runs < 1 || runs > 64) {
        fprintf(stderr, "%s: --dir is required and --runs must be 1..64\n", argv[0]);
        return 2;
    }
    if (check)
        runs = 1;

    result_t res[N_PROGS];
    int failed = 0, counted = 0;
    double log_sum = 0.0, log_sum_fuel = 0.0;
    if (!check)
        printf("%-8s %10s %14s %14s %9s %9s %10s %10s %10s %11s\n", "program", "n", "native ns", "interp ns", "slowdown",
           "fuel on", "load us", "inst us", "module B", "instance B");
    for (size_t i = 0; i < N_PROGS; i++) {
        res[i].ok = 0;
        if (only && strcmp(only, progs[i].name) != 0)
            continue;
        if (run_prog(dir, &progs[i], runs, check, &res[i]) != 0) {
            failed = 1;
            printf("%-8s FAILED\n", progs[i].name);
            continue;
        }
        double ratio = res[i].interp_ns / res[i].native_ns;
        if (check) {
            printf("%-8s %10" PRIu32 "  checksum 0x%08" PRIx32 " native == interp == interp in %u fuel slices\n",
                   progs[i].name, res[i].n, res[i].sum_native, res[i].slices + 1);
            continue;
        }
        log_sum += log(ratio);
        log_sum_fuel += log(res[i].fuel_ns / res[i].native_ns);
        counted++;
        printf("%-8s %10" PRIu32 " %14.0f %14.0f %8.2fx %8.2fx %10.1f %10.1f %10zu %11zu\n", progs[i].name,
               res[i].n, res[i].native_ns, res[i].interp_ns, ratio, res[i].fuel_ns / res[i].native_ns, res[i].load_us,
               res[i].inst_us, res[i].module_bytes, res[i].instance_bytes);
    }
    double geomean = counted ? exp(log_sum / counted) : 0.0;
    double geomean_fuel = counted ? exp(log_sum_fuel / counted) : 0.0;
    if (!check && counted)
        printf("geometric mean slowdown (interp / native gcc -O2): %.2fx over %d programs (%.2fx with fuel metering)\n",
               geomean, counted, geomean_fuel);
    if (failed)
        printf("FAILED: see the messages above (a checksum mismatch is an engine bug)\n");

    if (out && !check) {
        FILE *f = fopen(out, "w");
        if (!f) {
            fprintf(stderr, "cannot write %s: %s\n", out, strerror(errno));
            return 1;
        }
        char mach[512];
        machine(mach, sizeof mach);
        time_t tt = time(NULL);
        char date[64];
        strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&tt));
        fprintf(f, "# wasm engine benchmarks\n\n");
        fprintf(f, "Written by `bench/wasm/wasm_bench` (%s). Each program is our own C code in\n"
                   "bench/wasm/, compiled natively (gcc -O2 -fno-builtin -fno-tree-loop-distribute-patterns)\n"
                   "and to wasm32 (clang-14 -O2 -fno-builtin, freestanding), run in the same process: native\n"
                   "call vs `gale_wasm_call` of the gale interpreter, alternating. Times are the thread's CPU\n"
                   "time (CLOCK_THREAD_CPUTIME_ID: the machine is shared), median of %d runs after one\n"
                   "warm-up run; every run's checksum must agree between native and wasm.\n\n",
                date, runs);
        fprintf(f, "- Machine: %s\n", mach);
        fprintf(f, "- Command: `%s`\n\n", command ? command : "make bench");
        fprintf(f, "| program | what | n | native ns | interp ns | slowdown | with fuel metering | checksum |\n");
        fprintf(f, "|---|---|---:|---:|---:|---:|---:|---|\n");
        for (size_t i = 0; i < N_PROGS; i++) {
            if (!res[i].ok)
                fprintf(f, "| %s | %s | | | | FAILED | | |\n", progs[i].name, progs[i].what);
            else
                fprintf(f, "| %s | %s | %" PRIu32 " | %.0f | %.0f | %.2fx | %.2fx | 0x%08" PRIx32 " |\n",
                        progs[i].name, progs[i].what, res[i].n, res[i].native_ns, res[i].interp_ns,
                        res[i].interp_ns / res[i].native_ns, res[i].fuel_ns / res[i].native_ns, res[i].sum_native);
        }
        fprintf(f, "| **geometric mean** | | | | | **%.2fx** | %.2fx | |\n\n", geomean, geomean_fuel);
        fprintf(f, "Target (issue 7): geometric-mean slowdown at most 12x. \"With fuel metering\" is the\n"
                   "slowdown with a fuel budget set (metering on, never running out), as the executor\n"
                   "runs every poll.\n\n");
        fprintf(f, "## Load, instantiation and memory\n\n");
        fprintf(f, "Load = decode + validate + translate (`gale_wasm_module_load`); memory from\n"
                   "`gale_wasm_module_footprint` / `gale_wasm_instance_footprint` (host build, libc allocator).\n\n");
        fprintf(f, "| program | .wasm bytes | load us | instantiate us | module bytes | instance bytes |\n");
        fprintf(f, "|---|---:|---:|---:|---:|---:|\n");
        for (size_t i = 0; i < N_PROGS; i++)
            if (res[i].ok)
                fprintf(f, "| %s | %zu | %.1f | %.1f | %zu | %zu |\n", progs[i].name, res[i].wasm_bytes,
                        res[i].load_us, res[i].inst_us, res[i].module_bytes, res[i].instance_bytes);
        fprintf(f, "\n## Engine code size (Cortex-M7, -Os)\n\n");
        FILE *s = size_report ? fopen(size_report, "r") : NULL;
        if (s) {
            char line[512];
            while (fgets(line, sizeof line, s))
                fputs(line, f);
            fclose(s);
        } else {
            fprintf(f, "Not measured in this run (no --size-report).\n");
        }
        fclose(f);
        printf("wrote %s\n", out);
    }
    return failed;
}
