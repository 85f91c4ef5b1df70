/* gale — ARMv7-M port: console and exit. Semihosting (ARM "bkpt 0xab") under
 * QEMU or a debugger; a board without a debugger overrides the weak
 * gale_cm_board_console_write / gale_cm_board_exit (e.g. with its UART). */
#include <stdarg.h>
#include <stdint.h>

#include "gale/arch.h"
#include "cm_port.h"

#define SYS_WRITE0         0x04u
#define SYS_EXIT           0x18u
#define SYS_EXIT_EXTENDED  0x20u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

void gale_cm_board_console_write(const char *s);
_Noreturn void gale_cm_board_exit(int code);

static uint32_t cm_semihost(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

__attribute__((weak)) void gale_cm_board_console_write(const char *s)
{
    cm_semihost(SYS_WRITE0, s);
}

__attribute__((weak)) _Noreturn void gale_cm_board_exit(int code)
{
    uint32_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code };
    cm_semihost(SYS_EXIT_EXTENDED, block);
    /* a debugger that ignores the extended call: plain exit (status 0/1) */
    cm_semihost(SYS_EXIT, (const void *)(uintptr_t)(code == 0 ? ADP_STOPPED_APPLICATION_EXIT : 0x20024u));
    for (;;)
        __asm__ volatile("cpsid i\n\twfi");
}

void cm_console_puts(const char *s)
{
    gale_cm_board_console_write(s);
}

_Noreturn void gale_cm_exit(int code)
{
    gale_cm_board_exit(code);
}

/* A small printf: %% %c %s %d %i %u %x %X %p, flags '0' '-', width, l and ll.
 * Output is buffered and written in lines (one semihosting call per line). */
struct cm_out {
    char buf[96];
    unsigned int n;
};

static void cm_out_flush(struct cm_out *o)
{
    if (o->n == 0u)
        return;
    o->buf[o->n] = '\0';
    cm_console_puts(o->buf);
    o->n = 0;
}

static void cm_out_char(struct cm_out *o, char c)
{
    o->buf[o->n++] = c;
    if (o->n == sizeof o->buf - 1u || c == '\n')
        cm_out_flush(o);
}

static void cm_out_num(struct cm_out *o, uint64_t v, unsigned int base, int neg, int upper,
                       unsigned int width, int zero, int left)
{
    char tmp[24];
    unsigned int n = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v != 0u);
    unsigned int len = n + (neg ? 1u : 0u);
    if (neg && zero)
        cm_out_char(o, '-');
    if (!left)
        for (; width > len; width--)
            cm_out_char(o, zero ? '0' : ' ');
    if (neg && !zero)
        cm_out_char(o, '-');
    while (n > 0u)
        cm_out_char(o, tmp[--n]);
    if (left)
        for (; width > len; width--)
            cm_out_char(o, ' ');
}

void gale_cm_printf(const char *fmt, ...)
{
    struct cm_out o = { .n = 0 };
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            cm_out_char(&o, *p);
            continue;
        }
        p++;
        int zero = 0, left = 0, lng = 0;
        unsigned int width = 0;
        for (;; p++) {
            if (*p == '0') zero = 1;
            else if (*p == '-') left = 1;
            else break;
        }
        while (*p >= '0' && *p <= '9')
            width = width * 10u + (unsigned int)(*p++ - '0');
        while (*p == 'l') {
            lng++;
            p++;
        }
        if (*p == 'z') {
            p++;   /* size_t is 32 bits here */
        }
        switch (*p) {
        case 'c':
            cm_out_char(&o, (char)va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            unsigned int len = 0;
            while (s[len]) len++;
            if (!left) for (; width > len; width--) cm_out_char(&o, ' ');
            while (*s) cm_out_char(&o, *s++);
            if (left) for (; width > len; width--) cm_out_char(&o, ' ');
            break;
        }
        case 'd':
        case 'i': {
            int64_t v = lng >= 2 ? va_arg(ap, long long) : lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
            uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            cm_out_num(&o, u, 10, v < 0, 0, width, zero, left);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = lng >= 2 ? va_arg(ap, unsigned long long)
                       : lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            cm_out_num(&o, v, *p == 'u' ? 10u : 16u, 0, *p == 'X', width, zero, left);
            break;
        }
        case 'p':
            cm_out_char(&o, '0');
            cm_out_char(&o, 'x');
            cm_out_num(&o, (uintptr_t)va_arg(ap, void *), 16, 0, 0, 8, 1, 0);
            break;
        case '%':
            cm_out_char(&o, '%');
            break;
        case '\0':
            p--;
            break;
        default:
            cm_out_char(&o, '%');
            cm_out_char(&o, *p);
            break;
        }
    }
    va_end(ap);
    cm_out_flush(&o);
}
