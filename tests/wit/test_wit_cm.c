/* Two independent canonical-ABI implementations must agree: for every import
 * of kernel-primitives, src/cm's gale_cm_coresig on the generated
 * gale_cm_functype_t gives the core signature tools/wit predicted (sync and
 * async lowering), and src/cm's size/alignment of every parameter type equals
 * the layout computed from the type descriptor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

/* the world under test (defaults: kernel-primitives) */
#ifndef WIT_WORLD
#define WIT_WORLD kernel_primitives
#define WIT_MIN_ASYNC 10
#endif
#define WIT_CAT2(a, b) a##b
#define WIT_CAT(a, b) WIT_CAT2(a, b)
#define WIT_STR2(x) #x
#define WIT_STR(x) WIT_STR2(x)
#include WIT_STR(WIT_CAT(WIT_WORLD, _cm_types.h))
#include WIT_STR(WIT_CAT(WIT_WORLD, _host.h))

static void sig_str(char *buf, size_t n, uint8_t np, const uint8_t *p, uint8_t nr, const uint8_t *r)
{
    size_t o = (size_t)snprintf(buf, n, "(");
    for (int i = 0; i < np; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%02x", i ? "," : "", p[i]);
    o += (size_t)snprintf(buf + o, n - o, ")->(");
    for (int i = 0; i < nr; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%02x", i ? "," : "", r[i]);
    snprintf(buf + o, n - o, ")");
}

static void test_coresig_agree(void **state)
{
    (void)state;
    const gale_wit_host_world_t *hw = &WIT_CAT(WIT_WORLD, _host);
    int checked = 0, async_checked = 0, sizes = 0;
    for (uint32_t i = 0; i < hw->nimports; i++) {
        const gale_wit_host_import_t *e = &hw->imports[i];
        const gale_cm_functype_t *ft = &WIT_CAT(WIT_WORLD, _cm_functypes)[i];
        gale_cm_coresig_t cs;
        char a[128], b[128];
        assert_int_equal(gale_cm_coresig(ft, GALE_CM_ABI_SYNC_LOWER, &cs), 0);
        sig_str(a, sizeof a, cs.n_params, cs.types, cs.n_results, cs.types + cs.n_params);
        sig_str(b, sizeof b, e->sig.nparams, e->sig.params, e->sig.nresults, e->sig.results);
        if (strcmp(a, b) != 0) {
            fprintf(stderr, "%s %s: cm %s wit %s\n", e->interface, e->function, a, b);
            fail();
        }
        assert_int_equal(cs.params_in_memory, e->sig.params_indirect);
        assert_int_equal(cs.results_in_memory, e->sig.results_indirect);
        checked++;
        if (e->is_async) {
            assert_int_equal(gale_cm_coresig(ft, GALE_CM_ABI_ASYNC_LOWER, &cs), 0);
            sig_str(a, sizeof a, cs.n_params, cs.types, cs.n_results, cs.types + cs.n_params);
            sig_str(b, sizeof b, e->sig_async.nparams, e->sig_async.params, e->sig_async.nresults,
                    e->sig_async.results);
            if (strcmp(a, b) != 0) {
                fprintf(stderr, "%s %s (async): cm %s wit %s\n", e->interface, e->function, a, b);
                fail();
            }
            async_checked++;
        }
        /* per parameter: size/align from src/cm == layout from the descriptor */
        if (e->kind != GALE_WIT_HOST_FUNC)
            continue;
        gale_wit_desc_func_t df;
        assert_int_equal(gale_wit_desc_func(e->desc, e->desc_len, &df), 0);
        const uint8_t *p = df.params;
        for (uint32_t k = 0; k < df.nparams; k++) {
            const char *nm;
            uint32_t nl;
            gale_wit_layout_t l;
            assert_int_equal(gale_wit_desc_name(&p, df.end, df.named, &nm, &nl), 0);
            assert_int_equal(gale_wit_desc_layout_at(&p, df.end, &l, 0), 0);
            assert_int_equal(gale_cm_type_size(ft->params[k]), l.size);
            assert_int_equal(gale_cm_type_align(ft->params[k]), l.align);
            sizes++;
        }
        if (df.result) {
            gale_wit_layout_t l;
            const uint8_t *r = df.result;
            assert_int_equal(gale_wit_desc_layout_at(&r, df.end, &l, 0), 0);
            assert_int_equal(gale_cm_type_size(ft->result), l.size);
            assert_int_equal(gale_cm_type_align(ft->result), l.align);
            sizes++;
        }
    }
    assert_true(checked == (int)hw->nimports);
    assert_true(async_checked >= WIT_MIN_ASYNC);
    assert_true(sizes > 60);
    printf("%d imports: core signatures agree (%d async), %d parameter/result layouts agree\n", checked, async_checked,
           sizes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coresig_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
