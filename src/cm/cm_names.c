/* Core import/export names (wit-component "legacy" mangling and meld's
 * spellings). What is accepted is documented in docs/cm.md. */
#include <stdio.h>
#include <string.h>

#include "gale/cm.h"

#include "cm_internal.h"

static bool starts(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);
    return n >= k && memcmp(s, p, k) == 0;
}

static gale_cm_str_t mk(const char *p, size_t n)
{
    gale_cm_str_t s = {p, (uint32_t)n};
    return s;
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static uint32_t to_u32(const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && v <= 0xffffffffu; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    return v > 0xffffffffu ? UINT32_MAX - 1 : (uint32_t)v;
}

/* Strips a meld "$<digits>" suffix: returns the new length and sets *suffix. */
static size_t strip_dup(const char *s, size_t n, uint32_t *suffix)
{
    *suffix = UINT32_MAX;
    for (size_t i = n; i > 0; i--) {
        char c = s[i - 1];
        if (c == '$') {
            if (i < n && i - 1 > 0) {
                *suffix = to_u32(s + i, n - i);
                return i - 1;
            }
            return n;
        }
        if (c < '0' || c > '9')
            return n;
    }
    return n;
}

const char *gale_cm_builtin_name(gale_cm_builtin_t b)
{
    static const char *const names[GALE_CM_BI_MAX] = {
        [GALE_CM_BI_NONE] = "none",
        [GALE_CM_BI_CONTEXT_GET] = "context.get",
        [GALE_CM_BI_CONTEXT_SET] = "context.set",
        [GALE_CM_BI_BACKPRESSURE_INC] = "backpressure.inc",
        [GALE_CM_BI_BACKPRESSURE_DEC] = "backpressure.dec",
        [GALE_CM_BI_BACKPRESSURE_SET] = "backpressure.set",
        [GALE_CM_BI_TASK_RETURN] = "task.return",
        [GALE_CM_BI_TASK_CANCEL] = "task.cancel",
        [GALE_CM_BI_WAITABLE_SET_NEW] = "waitable-set.new",
        [GALE_CM_BI_WAITABLE_SET_WAIT] = "waitable-set.wait",
        [GALE_CM_BI_WAITABLE_SET_POLL] = "waitable-set.poll",
        [GALE_CM_BI_WAITABLE_SET_DROP] = "waitable-set.drop",
        [GALE_CM_BI_WAITABLE_JOIN] = "waitable.join",
        [GALE_CM_BI_SUBTASK_CANCEL] = "subtask.cancel",
        [GALE_CM_BI_SUBTASK_DROP] = "subtask.drop",
        [GALE_CM_BI_THREAD_YIELD] = "thread.yield",
        [GALE_CM_BI_STREAM_NEW] = "stream.new",
        [GALE_CM_BI_STREAM_READ] = "stream.read",
        [GALE_CM_BI_STREAM_WRITE] = "stream.write",
        [GALE_CM_BI_STREAM_CANCEL_READ] = "stream.cancel-read",
        [GALE_CM_BI_STREAM_CANCEL_WRITE] = "stream.cancel-write",
        [GALE_CM_BI_STREAM_DROP_READABLE] = "stream.drop-readable",
        [GALE_CM_BI_STREAM_DROP_WRITABLE] = "stream.drop-writable",
        [GALE_CM_BI_FUTURE_NEW] = "future.new",
        [GALE_CM_BI_FUTURE_READ] = "future.read",
        [GALE_CM_BI_FUTURE_WRITE] = "future.write",
        [GALE_CM_BI_FUTURE_CANCEL_READ] = "future.cancel-read",
        [GALE_CM_BI_FUTURE_CANCEL_WRITE] = "future.cancel-write",
        [GALE_CM_BI_FUTURE_DROP_READABLE] = "future.drop-readable",
        [GALE_CM_BI_FUTURE_DROP_WRITABLE] = "future.drop-writable",
        [GALE_CM_BI_RESOURCE_NEW] = "resource.new",
        [GALE_CM_BI_RESOURCE_REP] = "resource.rep",
        [GALE_CM_BI_RESOURCE_DROP] = "resource.drop",
        [GALE_CM_BI_ERROR_CONTEXT_NEW] = "error-context.new",
        [GALE_CM_BI_ERROR_CONTEXT_DEBUG_MESSAGE] = "error-context.debug-message",
        [GALE_CM_BI_ERROR_CONTEXT_DROP] = "error-context.drop",
    };
    return (b < GALE_CM_BI_MAX && names[b]) ? names[b] : "?";
}

/* Exact (argument-less) built-in markers. */
static const struct {
    const char *marker;
    gale_cm_builtin_t b;
} exact_markers[] = {
    {"backpressure-inc", GALE_CM_BI_BACKPRESSURE_INC},
    {"backpressure-dec", GALE_CM_BI_BACKPRESSURE_DEC},
    {"backpressure-set", GALE_CM_BI_BACKPRESSURE_SET},
    {"task-cancel", GALE_CM_BI_TASK_CANCEL},
    {"waitable-set-new", GALE_CM_BI_WAITABLE_SET_NEW},
    {"waitable-set-wait", GALE_CM_BI_WAITABLE_SET_WAIT},
    {"waitable-set-poll", GALE_CM_BI_WAITABLE_SET_POLL},
    {"waitable-set-drop", GALE_CM_BI_WAITABLE_SET_DROP},
    {"waitable-join", GALE_CM_BI_WAITABLE_JOIN},
    {"subtask-drop", GALE_CM_BI_SUBTASK_DROP},
    {"subtask-cancel", GALE_CM_BI_SUBTASK_CANCEL},
    {"thread-yield", GALE_CM_BI_THREAD_YIELD},
    {"yield", GALE_CM_BI_THREAD_YIELD}, /* pre-2025-10 spelling */
    {"error-context-new-utf8", GALE_CM_BI_ERROR_CONTEXT_NEW},
    {"error-context-debug-message-utf8", GALE_CM_BI_ERROR_CONTEXT_DEBUG_MESSAGE},
    {"error-context-drop", GALE_CM_BI_ERROR_CONTEXT_DROP},
};

/* Stream/future built-ins with a "-K" index and a function-name tail. */
static const struct {
    const char *prefix;
    gale_cm_builtin_t b;
} indexed_markers[] = {
    {"stream-new-", GALE_CM_BI_STREAM_NEW},
    {"stream-read-", GALE_CM_BI_STREAM_READ},
    {"stream-write-", GALE_CM_BI_STREAM_WRITE},
    {"stream-cancel-read-", GALE_CM_BI_STREAM_CANCEL_READ},
    {"stream-cancel-write-", GALE_CM_BI_STREAM_CANCEL_WRITE},
    {"stream-drop-readable-", GALE_CM_BI_STREAM_DROP_READABLE},
    {"stream-drop-writable-", GALE_CM_BI_STREAM_DROP_WRITABLE},
    {"future-new-", GALE_CM_BI_FUTURE_NEW},
    {"future-read-", GALE_CM_BI_FUTURE_READ},
    {"future-write-", GALE_CM_BI_FUTURE_WRITE},
    {"future-cancel-read-", GALE_CM_BI_FUTURE_CANCEL_READ},
    {"future-cancel-write-", GALE_CM_BI_FUTURE_CANCEL_WRITE},
    {"future-drop-readable-", GALE_CM_BI_FUTURE_DROP_READABLE},
    {"future-drop-writable-", GALE_CM_BI_FUTURE_DROP_WRITABLE},
};

/* meld's pulseengine:async intrinsics. */
static const struct {
    const char *field;
    gale_cm_builtin_t b;
} meld_async[] = {
    {"stream_new", GALE_CM_BI_STREAM_NEW},
    {"stream_read", GALE_CM_BI_STREAM_READ},
    {"stream_write", GALE_CM_BI_STREAM_WRITE},
    {"stream_cancel_read", GALE_CM_BI_STREAM_CANCEL_READ},
    {"stream_cancel_write", GALE_CM_BI_STREAM_CANCEL_WRITE},
    {"stream_drop_readable", GALE_CM_BI_STREAM_DROP_READABLE},
    {"stream_drop_writable", GALE_CM_BI_STREAM_DROP_WRITABLE},
    {"future_new", GALE_CM_BI_FUTURE_NEW},
    {"future_read", GALE_CM_BI_FUTURE_READ},
    {"future_write", GALE_CM_BI_FUTURE_WRITE},
    {"future_cancel_read", GALE_CM_BI_FUTURE_CANCEL_READ},
    {"future_cancel_write", GALE_CM_BI_FUTURE_CANCEL_WRITE},
    {"future_drop_readable", GALE_CM_BI_FUTURE_DROP_READABLE},
    {"future_drop_writable", GALE_CM_BI_FUTURE_DROP_WRITABLE},
    {"thread_yield", GALE_CM_BI_THREAD_YIELD},
    /* stackful fibers: recognised, refused at load (builtin NONE) */
    {"thread_new", GALE_CM_BI_NONE},
    {"thread_switch_to", GALE_CM_BI_NONE},
    {"thread_exit", GALE_CM_BI_NONE},
};

static void split_version(gale_cm_import_name_t *out)
{
    const char *at = memchr(out->iface.ptr, '@', out->iface.len);
    if (at)
        out->version = mk(at, out->iface.len - (uint32_t)(at - out->iface.ptr));
}

int gale_cm_parse_import(const char *module, const char *field, gale_cm_import_name_t *out, gale_cm_err_t *err)
{
    memset(out, 0, sizeof *out);
    out->n = UINT32_MAX;
    out->task_return_index = UINT32_MAX;
    out->dup_suffix = UINT32_MAX;
    size_t mlen = strlen(module), flen0 = strlen(field);
    size_t flen = strip_dup(field, flen0, &out->dup_suffix);

    if (cm_streq(module, "pulseengine:async")) {
        out->kind = GALE_CM_IMPORT_MELD_ASYNC;
        out->iface = mk(module, mlen);
        for (size_t i = 0; i < sizeof meld_async / sizeof meld_async[0]; i++) {
            if (strlen(meld_async[i].field) == flen && memcmp(meld_async[i].field, field, flen) == 0) {
                out->builtin = meld_async[i].b;
                out->func = mk(field, flen);
                return 0;
            }
        }
        return gale_cm_err_set(err, GALE_EINVALID, "import \"%s\" \"%s\": unknown pulseengine:async intrinsic",
                               module, field);
    }

    if (starts(module, mlen, "[export]")) {
        out->exported_iface = true;
        out->iface = mk(module + 8, mlen - 8);
    } else {
        out->iface = mk(module, mlen);
    }
    split_version(out);

    const char *f = field;
    size_t n = flen;
    out->kind = GALE_CM_IMPORT_FUNC;
    while (n > 0 && f[0] == '[') {
        const char *close = memchr(f, ']', n);
        if (!close)
            return gale_cm_err_set(err, GALE_EINVALID, "import \"%s\" \"%s\": unterminated '[' marker", module, field);
        const char *m = f + 1;
        size_t ml = (size_t)(close - m);
        const char *rest = close + 1;
        size_t rl = n - ml - 2;

        if (ml == 11 && memcmp(m, "async-lower", 11) == 0) {
            out->async_lower = true;
            f = rest, n = rl;
            continue;
        }
        if (ml == 11 && memcmp(m, "cancellable", 11) == 0) {
            out->cancellable = true;
            f = rest, n = rl;
            continue;
        }
        if (ml == 5 && memcmp(m, "async", 5) == 0) { /* old spelling of [cancellable]/[async-lower] */
            out->async_lower = true;
            f = rest, n = rl;
            continue;
        }
        /* Function forms. */
        if ((ml == 11 && memcmp(m, "constructor", 11) == 0) || (ml == 6 && memcmp(m, "method", 6) == 0) ||
            (ml == 6 && memcmp(m, "static", 6) == 0)) {
            out->form = m[0] == 'c' ? GALE_CM_FORM_CONSTRUCTOR : m[0] == 'm' ? GALE_CM_FORM_METHOD : GALE_CM_FORM_STATIC;
            if (rl == 0)
                return gale_cm_err_set(err, GALE_EINVALID, "import \"%s\" \"%s\": missing resource name", module, field);
            out->func = mk(rest, rl);
            if (out->form == GALE_CM_FORM_CONSTRUCTOR) {
                out->resource = mk(rest, rl);
            } else {
                const char *dot = memchr(rest, '.', rl);
                if (!dot)
                    return gale_cm_err_set(err, GALE_EINVALID, "import \"%s\" \"%s\": expected R.name after [%.*s]",
                                           module, field, (int)ml, m);
                out->resource = mk(rest, (size_t)(dot - rest));
            }
            return 0;
        }
        out->kind = GALE_CM_IMPORT_BUILTIN;
        for (size_t i = 0; i < sizeof exact_markers / sizeof exact_markers[0]; i++) {
            if (strlen(exact_markers[i].marker) == ml && memcmp(exact_markers[i].marker, m, ml) == 0) {
                if (rl != 0)
                    return gale_cm_err_set(err, GALE_EINVALID, "import \"%s\" \"%s\": unexpected text after [%.*s]",
                                           module, field, (int)ml, m);
                out->builtin = exact_markers[i].b;
                return 0;
            }
        }
        if (starts(m, ml, "context-get-") || starts(m, ml, "context-set-")) {
            out->builtin = m[8] == 'g' ? GALE_CM_BI_CONTEXT_GET : GALE_CM_BI_CONTEXT_SET;
            const char *d = m + 12;
            size_t dl = ml - 12;
            if (starts(d, dl, "i64-")) {
                out->i64 = true;
                d += 4, dl -= 4;
            } else if (starts(d, dl, "i32-")) {
                d += 4, dl -= 4;
            }
            if (!all_digits(d, dl) || rl != 0)
                return gale_cm_err_set(err, GALE_EINVALID, "import \"%s\" \"%s\": bad context slot", module, field);
            out->n = to_u32(d, dl);
            return 0;
        }
        if (ml == 11 && memcmp(m, "task-return", 11) == 0) {
            out->builtin = GALE_CM_BI_TASK_RETURN;
            out->func = mk(rest, rl);
            if (all_digits(rest, rl)) { /* meld: [task-return]<core func index> */
                out->numeric_task_return = true;
                out->task_return_index = to_u32(rest, rl);
            }
            return 0;
        }
        if (ml == 12 && memcmp(m, "resource-new", 12) == 0) {
            out->builtin = GALE_CM_BI_RESOURCE_NEW;
        } else if (ml == 12 && memcmp(m, "resource-rep", 12) == 0) {
            out->builtin = GALE_CM_BI_RESOURCE_REP;
        } else if (ml == 13 && memcmp(m, "resource-drop", 13) == 0) {
            out->builtin = GALE_CM_BI_RESOURCE_DROP;
        }
        if (out->builtin != GALE_CM_BI_NONE) {
            if (rl == 0)
                return gale_cm_err_set(err, GALE_EINVALID, "import \"%s\" \"%s\": missing resource name", module, field);
            out->resource = mk(rest, rl);
            return 0;
        }
        for (size_t i = 0; i < sizeof indexed_markers / sizeof indexed_markers[0]; i++) {
            const char *p = indexed_markers[i].prefix;
            if (starts(m, ml, p)) {
                const char *k = m + strlen(p);
                size_t kl = ml - strlen(p);
                if (kl == 4 && memcmp(k, "unit", 4) == 0)
                    out->n = UINT32_MAX;
                else if (all_digits(k, kl))
                    out->n = to_u32(k, kl);
                else
                    return gale_cm_err_set(err, GALE_EINVALID, "import \"%s\" \"%s\": bad stream/future index", module,
                                           field);
                out->builtin = indexed_markers[i].b;
                out->func = mk(rest, rl);
                return 0;
            }
        }
        return gale_cm_err_set(err, GALE_EINVALID, "import \"%s\" \"%s\": unknown marker [%.*s]", module, field,
                               (int)ml, m);
    }
    if (n == 0)
        out->func = mk(out->iface.ptr, out->iface.len); /* meld: world-level function, field "" */
    else
        out->func = mk(f, n);
    if (out->func.len == 0)
        return gale_cm_err_set(err, GALE_EINVALID, "import \"%s\" \"%s\": empty function name", module, field);
    return 0;
}

static bool is_wit_ident(const char *s, size_t n)
{
    if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
            return false;
    }
    return true;
}

static void parse_func_part(const char *f, size_t n, gale_cm_export_name_t *out)
{
    out->func = mk(f, n);
    if (starts(f, n, "[constructor]")) {
        out->form = GALE_CM_FORM_CONSTRUCTOR;
        out->func = mk(f + 13, n - 13);
    } else if (starts(f, n, "[method]")) {
        out->form = GALE_CM_FORM_METHOD;
        out->func = mk(f + 8, n - 8);
    } else if (starts(f, n, "[static]")) {
        out->form = GALE_CM_FORM_STATIC;
        out->func = mk(f + 8, n - 8);
    }
}

int gale_cm_parse_export(const char *name, gale_cm_export_name_t *out)
{
    memset(out, 0, sizeof *out);
    size_t n = strip_dup(name, strlen(name), &out->dup_suffix);
    const char *s = name;
    out->kind = GALE_CM_EXPORT_OTHER;
    out->func = mk(s, n);
#define IS(lit) (n == sizeof(lit) - 1 && memcmp(s, lit, n) == 0)
    if (IS("memory")) {
        out->kind = GALE_CM_EXPORT_MEMORY;
        return 0;
    }
    if (IS("cabi_realloc") || IS("cabi_import_realloc") || IS("cabi_export_realloc") || IS("cabi_realloc_adapter")) {
        out->kind = GALE_CM_EXPORT_REALLOC;
        return 0;
    }
    if (IS("_initialize")) {
        out->kind = GALE_CM_EXPORT_INITIALIZE;
        return 0;
    }
    if (IS("__indirect_function_table")) {
        out->kind = GALE_CM_EXPORT_TABLE;
        return 0;
    }
#undef IS
    gale_cm_export_kind_t k = GALE_CM_EXPORT_FUNC;
    if (starts(s, n, "cabi_post_")) {
        k = GALE_CM_EXPORT_POST_RETURN;
        s += 10, n -= 10;
    } else if (starts(s, n, "[callback][async-lift]")) {
        k = GALE_CM_EXPORT_CALLBACK;
        s += 22, n -= 22;
    } else if (starts(s, n, "[async-lift-stackful]")) {
        k = GALE_CM_EXPORT_STACKFUL;
        s += 21, n -= 21;
    } else if (starts(s, n, "[async-lift]")) {
        k = GALE_CM_EXPORT_ASYNC_LIFT;
        s += 12, n -= 12;
    }
    const char *hash = memchr(s, '#', n);
    if (hash) {
        out->iface = mk(s, (size_t)(hash - s));
        const char *f = hash + 1;
        size_t fl = n - (size_t)(f - s);
        if (k == GALE_CM_EXPORT_FUNC && starts(f, fl, "[dtor]")) {
            out->kind = GALE_CM_EXPORT_DTOR;
            out->func = mk(f + 6, fl - 6);
            return 0;
        }
        if (out->iface.len == 0 || fl == 0)
            return 0; /* OTHER */
        parse_func_part(f, fl, out);
    } else {
        parse_func_part(s, n, out);
        if (!is_wit_ident(out->func.ptr, out->func.len)) {
            out->kind = GALE_CM_EXPORT_OTHER; /* numeric shim exports, $ht_* ... */
            out->func = mk(name, strlen(name));
            return 0;
        }
    }
    out->kind = k;
    return 0;
}

int gale_cm_export_core_name(char *buf, size_t cap, const char *iface, const char *func, gale_cm_export_kind_t kind)
{
    const char *pre = "";
    switch (kind) {
    case GALE_CM_EXPORT_ASYNC_LIFT: pre = "[async-lift]"; break;
    case GALE_CM_EXPORT_CALLBACK: pre = "[callback][async-lift]"; break;
    case GALE_CM_EXPORT_STACKFUL: pre = "[async-lift-stackful]"; break;
    case GALE_CM_EXPORT_POST_RETURN: pre = "cabi_post_"; break;
    default: break;
    }
    int r;
    if (iface && *iface)
        r = snprintf(buf, cap, "%s%s#%s", pre, iface, func);
    else
        r = snprintf(buf, cap, "%s%s", pre, func);
    if (r < 0 || (size_t)r >= cap)
        return GALE_EOVERFLOW;
    return r;
}
