/* misbehaving guests: each export does one bad thing; the host traps it. */
#include "kp_guest.h"

__attribute__((export_name("oob-retptr"))) void oob_retptr(void)
{
    int32_t q = kp_msgq_new(4, 1);
    kp_msgq_get(q, KP_NO_WAIT, (kp_res_bytes_t *)0x7ffffff0);
}

__attribute__((export_name("misaligned-retptr"))) void misaligned_retptr(void)
{
    static char buf[32];
    int32_t q = kp_msgq_new(4, 1);
    kp_msgq_get(q, KP_NO_WAIT, (kp_res_bytes_t *)(buf + 1));
}

__attribute__((export_name("bad-utf8"))) void bad_utf8(void)
{
    kp_res_u32_t o;
    kp_msgq_open("\xff\xfe", 2, &o);
}

__attribute__((export_name("bad-discriminant"))) void bad_discriminant(void)
{
    kp_res_unit_t u;
    int32_t s = kp_sem_new(0, 1);
    kp_sem_take(s, 7, 0, &u); /* timeout variant has 3 cases */
}

__attribute__((export_name("use-after-drop"))) void use_after_drop(void)
{
    int32_t s = kp_sem_new(0, 1);
    kp_sem_drop(s);
    kp_sem_give(s);
}

__attribute__((export_name("wrong-type"))) void wrong_type(void)
{
    int32_t m = kp_mtx_new();
    kp_sem_give(m); /* a mtx handle where a sem is expected */
}

__attribute__((export_name("div-zero"))) uint32_t div_zero(uint32_t x)
{
    return 100 / x;
}

__attribute__((export_name("oob-list"))) void oob_list(void)
{
    kp_res_unit_t u;
    int32_t q = kp_msgq_new(4, 1);
    kp_msgq_put(q, (void *)0x7fffff00, 0x1000, KP_NO_WAIT, &u);
}

/* runaway code: only a fuel budget stops it */
__attribute__((export_name("spin"))) uint32_t spin(uint32_t x)
{
    volatile uint32_t v = x;
    for (;;)
        v = v * 3 + 1;
    return v;
}

__attribute__((export_name("[async-lift]spin-async"))) uint32_t spin_async(void)
{
    return 1; /* YIELD: the runaway part is in the callback */
}

__attribute__((export_name("[callback][async-lift]spin-async"))) uint32_t spin_async_cb(uint32_t a, uint32_t b, uint32_t c)
{
    volatile uint32_t v = a + b + c;
    for (;;)
        v = v * 3 + 1;
    return v;
}
