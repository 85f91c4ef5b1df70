/* `gale bindgen --host` tables for world kernel-primitives: every entry's
 * names, descriptor and core signatures agree with the WIT (loaded here) and
 * with the freestanding descriptor reader; the enum indexes the table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel_primitives_host.h"
#include "wit_test_util.h"

static const char *g_root;

static void test_table(void **state)
{
    (void)state;
    const gale_wit_host_world_t *hw = &kernel_primitives_host;
    assert_string_equal(hw->package, "pulseengine:gale@0.1.0");
    assert_string_equal(hw->world, "kernel-primitives");
    assert_int_equal(hw->nimports, KERNEL_PRIMITIVES_NUM_IMPORTS);
    assert_int_equal(hw->nresources, 9);
    assert_string_equal(hw->resources[0], "pulseengine:gale/semaphore@0.1.0#sem");

    char path[1024];
    snprintf(path, sizeof path, "%s/wit/gale", g_root);
    gale_wit_ctx_t *ctx = gale_wit_ctx_new();
    gale_wit_package_t *pkg;
    assert_int_equal(gale_wit_load_path(ctx, path, &pkg), 0);
    gale_wit_world_t *w = gale_wit_package_world(pkg, "kernel-primitives");
    size_t expect = 0, funcs = 0, drops = 0;
    for (size_t k = 0; k < w->nimports; k++) {
        gale_wit_iface_t *i = w->imports[k].iface;
        for (size_t t = 0; t < i->ntypes; t++)
            if (i->types[t]->kind == GALE_WIT_RESOURCE)
                expect += 1 + i->types[t]->nfuncs;
        expect += i->nfuncs;
    }
    assert_int_equal(hw->nimports, expect);
    for (uint32_t n = 0; n < hw->nimports; n++) {
        const gale_wit_host_import_t *e = &hw->imports[n];
        if (e->kind == GALE_WIT_HOST_RESOURCE_DROP) {
            drops++;
            assert_true(strncmp(e->field, "[resource-drop]", 15) == 0);
            assert_true(e->resource < hw->nresources);
            assert_int_equal(e->sig.nparams, 1);
            continue;
        }
        funcs++;
        /* find the WIT function by interface + mangled name */
        const gale_wit_func_t *f = NULL;
        const gale_wit_iface_t *fi = NULL;
        for (size_t k = 0; k < w->nimports && !f; k++) {
            gale_wit_iface_t *i = w->imports[k].iface;
            if (strcmp(gale_wit_iface_qualname(i), e->interface) != 0)
                continue;
            for (size_t t = 0; t < i->ntypes && !f; t++)
                for (size_t j = 0; i->types[t]->kind == GALE_WIT_RESOURCE && j < i->types[t]->nfuncs; j++) {
                    char m[256];
                    gale_wit_func_mangled(i->types[t]->funcs[j], m, sizeof m);
                    if (strcmp(m, e->function) == 0) {
                        f = i->types[t]->funcs[j];
                        fi = i;
                    }
                }
        }
        assert_non_null(f);
        char mod[256], field[256];
        gale_wit_core_name(fi, f, GALE_WIT_NAME_IMPORT, mod, sizeof mod, field, sizeof field);
        assert_string_equal(e->module, mod);
        assert_string_equal(e->field, field);
        assert_int_equal(e->is_async, f->is_async);
        if (f->is_async) {
            gale_wit_core_name(fi, f, GALE_WIT_NAME_IMPORT_ASYNC, mod, sizeof mod, field, sizeof field);
            assert_string_equal(e->field_async, field);
        } else {
            assert_null(e->field_async);
        }
        /* the descriptor alone gives the same core signatures */
        gale_wit_core_sig_t s, s2;
        char a[200], b[200];
        assert_int_equal(gale_wit_desc_core_sig(e->desc, e->desc_len, GALE_WIT_ABI_LOWER_SYNC, &s), 0);
        assert_int_equal(gale_wit_func_core_sig(f, GALE_WIT_ABI_LOWER_SYNC, &s2), 0);
        assert_string_equal(wt_sig(&s, a, sizeof a), wt_sig(&s2, b, sizeof b));
        assert_string_equal(wt_sig(&e->sig, a, sizeof a), wt_sig(&s2, b, sizeof b));
        if (f->is_async) {
            assert_int_equal(gale_wit_desc_core_sig(e->desc, e->desc_len, GALE_WIT_ABI_LOWER_ASYNC, &s), 0);
            assert_string_equal(wt_sig(&e->sig_async, a, sizeof a), wt_sig(&s, b, sizeof b));
        }
        /* the method's self param is a borrow of the entry's resource id */
        gale_wit_desc_func_t df;
        assert_int_equal(gale_wit_desc_func(e->desc, e->desc_len, &df), 0);
        assert_true(df.named);
        if (f->kind == GALE_WIT_FUNC_METHOD) {
            const uint8_t *p = df.params;
            const char *nm;
            uint32_t nl, rid;
            assert_int_equal(gale_wit_desc_name(&p, df.end, true, &nm, &nl), 0);
            assert_int_equal(nl, 4);
            assert_memory_equal(nm, "self", 4);
            assert_int_equal(*p, GALE_WIT_D_BORROW);
            p++;
            assert_int_equal(gale_wit_desc_uleb(&p, df.end, &rid), 0);
            assert_int_equal(rid, e->resource);
        }
        assert_true(e->resource < hw->nresources);
    }
    assert_int_equal(drops, 9);
    assert_true(funcs > 40);
    /* the enum names index the table */
    assert_string_equal(hw->imports[KERNEL_PRIMITIVES_IMPORT_SEMAPHORE_SEM_TAKE].function, "[method]sem.take");
    assert_string_equal(hw->imports[KERNEL_PRIMITIVES_IMPORT_SEMAPHORE_SEM_DROP].function, "[resource-drop]sem");
    assert_string_equal(hw->imports[KERNEL_PRIMITIVES_IMPORT_MEM_SLAB_SLAB_NEW].function, "[constructor]slab");
    gale_wit_ctx_free(ctx);
}

int main(int argc, char **argv)
{
    g_root = argc > 1 ? argv[1] : ".";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
