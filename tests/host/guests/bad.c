/* misbehaving guests (generated bindings, test world gale-test:host/bad-guest):
 * each export does one bad thing; the host traps it. Most of the bad input is
 * passed through the typed wrappers (a bad string, variant tag, handle or
 * list pointer is just a field of the C value). The return pointer of a
 * sync-lowered call is chosen by the wrapper (its own local result), so the
 * two retptr cases call the raw core import the bindings declare
 * (gale_core_<wrapper>, see "core imports" in bad_guest.h) - by design the
 * typed API cannot express a bad out-pointer. */
#include "bad_guest.h"

#define T(x) pulseengine_gale_##x

static const T(types_timeout_t) NO_WAIT = {PULSEENGINE_GALE_TYPES_TIMEOUT_NO_WAIT, {0}};

void exports_bad_guest_oob_retptr(void)
{
    T(message_queue_msgq_own_t) q = T(message_queue_constructor_msgq)(4, 1);
    /* (self, timeout tag, timeout millis, retptr) */
    gale_core_pulseengine_gale_message_queue_method_msgq_get(q.handle, PULSEENGINE_GALE_TYPES_TIMEOUT_NO_WAIT, 0,
                                                             0x7ffffff0);
}

void exports_bad_guest_misaligned_retptr(void)
{
    static _Alignas(8) char buf[32];
    T(message_queue_msgq_own_t) q = T(message_queue_constructor_msgq)(4, 1);
    gale_core_pulseengine_gale_message_queue_method_msgq_get(q.handle, PULSEENGINE_GALE_TYPES_TIMEOUT_NO_WAIT, 0,
                                                             (int32_t)(uintptr_t)(buf + 1));
}

void exports_bad_guest_bad_utf8(void)
{
    gale_string_t name = {(uint8_t *)(uintptr_t)"\xff\xfe", 2};
    (void)T(message_queue_static_msgq_open)(name);
}

void exports_bad_guest_bad_discriminant(void)
{
    T(semaphore_sem_own_t) s = T(semaphore_constructor_sem)(0, 1);
    T(types_timeout_t) bad = {7, {0}}; /* the timeout variant has 3 cases */
    (void)T(semaphore_method_sem_take)(T(semaphore_sem_borrow)(s), bad);
}

void exports_bad_guest_use_after_drop(void)
{
    T(semaphore_sem_own_t) s = T(semaphore_constructor_sem)(0, 1);
    T(semaphore_sem_drop_own)(s);
    T(semaphore_method_sem_give)(T(semaphore_sem_borrow)(s));
}

void exports_bad_guest_wrong_type(void)
{
    T(mutex_mtx_own_t) m = T(mutex_constructor_mtx)();
    T(semaphore_sem_borrow_t) not_a_sem = {m.handle}; /* a mtx handle where a sem is expected */
    T(semaphore_method_sem_give)(not_a_sem);
}

uint32_t exports_bad_guest_div_zero(uint32_t x)
{
    return 100 / x;
}

void exports_bad_guest_oob_list(void)
{
    T(message_queue_msgq_own_t) q = T(message_queue_constructor_msgq)(4, 1);
    bad_guest_list_u8_t data = {(uint8_t *)(uintptr_t)0x7fffff00, 0x1000};
    (void)T(message_queue_method_msgq_put)(T(message_queue_msgq_borrow)(q), data, NO_WAIT);
}

/* runaway code: only a fuel budget stops it */
uint32_t exports_bad_guest_spin(uint32_t x)
{
    volatile uint32_t v = x;
    for (;;)
        v = v * 3 + 1;
    return v;
}

uint32_t exports_bad_guest_spin_async(void)
{
    return GALE_CALLBACK_YIELD; /* the runaway part is in the callback */
}

uint32_t exports_bad_guest_spin_async_callback(uint32_t event, uint32_t p1, uint32_t p2)
{
    volatile uint32_t v = event + p1 + p2;
    for (;;)
        v = v * 3 + 1;
    return v;
}
