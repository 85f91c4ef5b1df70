/* subtask.cancel of an async-lowered host call: run(k) starts `block` (the
 * host waits in the kernel forever) or `quick` (the host finishes at once in
 * its worker), cancels the subtask and reports the state it got, whether the
 * result slot was left untouched, and the result's low byte. */
#include <stdint.h>

#define IMPORT(m, n) __attribute__((import_module(m), import_name(n)))
#define EXPORT(n) __attribute__((export_name(n)))

IMPORT("test:c/api", "[async-lower]block") uint32_t block(uint32_t *ret);
IMPORT("test:c/api", "[async-lower]quick") uint32_t quick(uint32_t *ret);
IMPORT("$root", "[subtask-cancel]") uint32_t subtask_cancel(uint32_t s);
IMPORT("$root", "[subtask-drop]") void subtask_drop(uint32_t s);
IMPORT("[export]$root", "[task-return]run") void tr_run(uint32_t v);

static uint32_t ret;

static uint32_t rets[6];

EXPORT("[async-lift]run") uint32_t run(uint32_t k)
{
    if (k >= 2) { /* k blocked calls at once: more than the host has workers */
        uint32_t subs[6], all = 0;
        for (uint32_t i = 0; i < k && i < 6; i++) {
            rets[i] = 0xdeadbeefu;
            uint32_t st = block(&rets[i]);
            if ((st & 0xf) != 1)
                __builtin_trap();
            subs[i] = st >> 4;
        }
        for (uint32_t i = k; i-- > 0;) { /* the queued ones first */
            uint32_t s = subtask_cancel(subs[i]);
            subtask_drop(subs[i]);
            if (rets[i] != 0xdeadbeefu)
                __builtin_trap();
            if (s != 4)
                __builtin_trap();
            all++;
        }
        tr_run(all);
        return 0;
    }
    ret = 0xdeadbeefu;
    uint32_t st = k == 0 ? block(&ret) : quick(&ret);
    if ((st & 0xf) != 1) /* STARTED */
        __builtin_trap();
    uint32_t sub = st >> 4;
    uint32_t s = subtask_cancel(sub);
    subtask_drop(sub);
    tr_run(s | (ret == 0xdeadbeefu ? 0x100u : 0u) | ((ret & 0xffu) << 16));
    return 0; /* EXIT */
}

EXPORT("[callback][async-lift]run") uint32_t run_cb(uint32_t ev, uint32_t p1, uint32_t p2)
{
    (void)ev, (void)p1, (void)p2;
    __builtin_trap();
}
