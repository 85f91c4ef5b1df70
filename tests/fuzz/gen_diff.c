/* gale — differential test of the interpreter against wabt's wasm-interp.
 *
 *   gen_diff <count> <seed> <wasm-interp> <work folder>
 *
 * Generates <count> valid modules with the generator of fuzz_wasm_gen.c in its
 * differential mode (f: () -> i64 folding every value and local; no NaN bit
 * patterns observable), runs f in gale (fuel-bounded) and in wasm-interp
 * (time-bounded), and compares the outcome when both finish: the same i64, or
 * traps with the same reason. A difference is printed with the module's path
 * (kept in the work folder) and fails the run. */
#define GALE_FUZZ_GEN_NO_ENTRY 1
#include "fuzz_wasm_gen.c"

#include <inttypes.h>
#include <sys/stat.h>

#define DIFF_FUEL 1000000u

typedef struct diff_outcome {
    int finished; /* 0: out of fuel / timeout: not compared */
    int trapped;
    uint64_t value;
    char reason[128];
} diff_outcome_t;

/* Trap reasons of both engines mapped to one word (wasm-interp words some
 * differently: "undefined table index" for "undefined element", ...). */
static const char *trap_class(const char *r)
{
    static const struct {
        const char *key, *cls;
    } map[] = {{"uninitialized", "null-element"}, {"undefined", "table-oob"}, {"out of bounds table", "table-oob"},
               {"indirect call", "signature"},    {"out of bounds memory", "memory-oob"},
               {"divide by zero", "div-zero"},    {"integer overflow", "int-overflow"},
               {"invalid conversion", "conversion"}, {"unreachable", "unreachable"},
               {"call stack", "exhaustion"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strstr(r, map[i].key))
            return map[i].cls;
    return r;
}

static void run_gale(const uint8_t *m, size_t len, diff_outcome_t *o)
{
    memset(o, 0, sizeof *o);
    gale_wasm_config_t cfg;
    gale_wasm_config_default(&cfg);
    cfg.call_depth = 200;
    gale_wasm_error_t err;
    memset(&err, 0, sizeof err);
    gale_wasm_module_t *mod = gale_wasm_module_load(&cfg, m, len, &err);
    if (!mod) {
        snprintf(o->reason, sizeof o->reason, "load failed: %.100s", err.message);
        o->finished = 1;
        o->trapped = 2;
        return;
    }
    gale_wasm_instance_t *inst = gale_wasm_instantiate(mod, NULL, 0, &err);
    if (!inst) {
        snprintf(o->reason, sizeof o->reason, "instantiate failed: %.100s", err.message);
        o->finished = 1;
        o->trapped = 2;
        gale_wasm_module_free(mod);
        return;
    }
    gale_wasm_extern_t f;
    gale_wasm_trap_t trap;
    memset(&trap, 0, sizeof trap);
    gale_wasm_val_t res;
    memset(&res, 0, sizeof res);
    gale_wasm_instance_export(inst, "f", &f);
    gale_wasm_set_fuel(inst, DIFF_FUEL);
    int rc = gale_wasm_call(inst, f.u.func, NULL, 0, &res, 1, &trap);
    if (rc == 0) {
        o->finished = 1;
        o->value = res.i64;
    } else if (rc == GALE_ETRAP) {
        o->finished = 1;
        o->trapped = 1;
        snprintf(o->reason, sizeof o->reason, "%.120s", trap.message[0] ? trap.message : gale_wasm_trap_reason(trap.code));
    } else if (rc == GALE_EFUEL) {
        gale_wasm_abort(inst);
    }
    gale_wasm_instance_free(inst);
    gale_wasm_module_free(mod);
}

static void run_wabt(const char *interp, const char *path, diff_outcome_t *o)
{
    memset(o, 0, sizeof *o);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "timeout 2 %s -C 200 %s --run-all-exports 2>&1", interp, path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return;
    char line[512];
    while (fgets(line, sizeof line, p)) {
        if (strncmp(line, "f() => ", 7) != 0)
            continue;
        char *v = line + 7;
        v[strcspn(v, "\n")] = '\0';
        if (strncmp(v, "i64:", 4) == 0) {
            o->finished = 1;
            o->value = v[4] == '-' ? (uint64_t)strtoll(v + 4, NULL, 10) : strtoull(v + 4, NULL, 10);
        } else if (strncmp(v, "error: ", 7) == 0) {
            o->finished = 1;
            o->trapped = 1;
            snprintf(o->reason, sizeof o->reason, "%.120s", v + 7);
        }
    }
    pclose(p);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s <count> <seed> <wasm-interp> <work folder>\n", argv[0]);
        return 2;
    }
    unsigned count = (unsigned)strtoul(argv[1], NULL, 10);
    uint32_t seed = (uint32_t)strtoul(argv[2], NULL, 10) | 1u;
    const char *interp = argv[3], *dir = argv[4];
    mkdir(dir, 0777); /* may exist */
    g_diff_mode = 1;
    unsigned compared = 0, skipped = 0, differ = 0, traps = 0;
    static uint8_t input[4096];
    static uint8_t m[MAX_BODY + 512];
    for (unsigned i = 0; i < count; i++) {
        size_t n = 16 + (seed % 1500u);
        for (size_t k = 0; k < n; k++) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            input[k] = (uint8_t)seed;
        }
        gen_t *g = calloc(1, sizeof *g);
        if (!g)
            return 2;
        g->in = input;
        g->n = n;
        uint8_t rt;
        size_t len = build_module(g, m, &rt);
        int overflow = g->overflow;
        free(g);
        if (len == 0 || overflow) {
            skipped++;
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/diff-%05u.wasm", dir, i);
        FILE *f = fopen(path, "wb");
        if (!f) {
            fprintf(stderr, "gen_diff: cannot write %s\n", path);
            return 2;
        }
        fwrite(m, 1, len, f);
        fclose(f);
        diff_outcome_t a, b;
        run_gale(m, len, &a);
        run_wabt(interp, path, &b);
        if (a.trapped == 2) {
            printf("DIFF %s: gale rejects a generated module: %s\n", path, a.reason);
            differ++;
            continue;
        }
        if (!a.finished || !b.finished) {
            skipped++;
            remove(path);
            continue;
        }
        compared++;
        int same;
        if (a.trapped != b.trapped)
            same = 0;
        else if (a.trapped)
            same = strcmp(trap_class(a.reason), trap_class(b.reason)) == 0;
        else
            same = a.value == b.value;
        if (a.trapped)
            traps++;
        if (!same) {
            differ++;
            printf("DIFF %s: gale %s%s (0x%016" PRIx64 "), wasm-interp %s%s (0x%016" PRIx64 ")\n", path,
                   a.trapped ? "trap " : "returns", a.reason, a.value, b.trapped ? "trap " : "returns", b.reason,
                   b.value);
        } else {
            remove(path);
        }
    }
    printf("gen_diff: %u modules compared with wasm-interp (%u ended in a trap), %u not compared (out of fuel/time), "
           "%u differences\n",
           compared, traps, skipped, differ);
    return differ ? 1 : 0;
}
