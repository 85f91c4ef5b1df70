/* gale — ARMv7-M port: console and exit. Semihosting (ARM "bkpt 0xab") under
 * QEMU or a debugger; a board without a debugger overrides the weak
 * gale_cm_board_console_write / gale_cm_board_exit (e.g. with its UART). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

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

/* Number writers without the printf family (GALE_CONFIG_FAULT_TEXT=0 reports). */
void cm_console_put_hex(uint32_t v)
{
    char b[9];
    for (int i = 7; i >= 0; i--) {
        b[i] = "0123456789abcdef"[v & 15u];
        v >>= 4;
    }
    b[8] = '\0';
    cm_console_puts(b);
}

void cm_console_put_int(int v)
{
    char b[12];
    char *p = b + sizeof b - 1;
    *p = '\0';
    uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
    do {
        *--p = (char)('0' + u % 10u);
        u /= 10u;
    } while (u != 0u);
    if (v < 0)
        *--p = '-';
    cm_console_puts(p);
}

/* A small printf family: %% %c %s %d %i %u %x %X %o %p, flags '-' '0' '+' ' ',
 * width and precision (numbers or '*'), length h hh l ll z j t. It also provides
 * the C library's snprintf/vsnprintf for the whole image (newlib-nano's lack
 * 64-bit conversions, which the kernel's diagnostics use). */
struct cm_sink {
    char *buf;          /* snprintf: destination; console: line buffer */
    size_t cap;
    size_t n;           /* characters produced (snprintf: even past cap) */
    int console;
};

static void cm_sink_flush(struct cm_sink *o)
{
    if (!o->console || o->n == 0u)
        return;
    o->buf[o->n] = '\0';
    cm_console_puts(o->buf);
    o->n = 0;
}

static void cm_put(struct cm_sink *o, char c)
{
    if (o->console) {
        o->buf[o->n++] = c;
        if (o->n == o->cap - 1u || c == '\n')
            cm_sink_flush(o);
        return;
    }
    if (o->n + 1u < o->cap)
        o->buf[o->n] = c;
    o->n++;
}

static void cm_pad(struct cm_sink *o, char c, int count)
{
    for (; count > 0; count--)
        cm_put(o, c);
}

static void cm_format(struct cm_sink *o, const char *fmt, va_list ap)
{
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            cm_put(o, *p);
            continue;
        }
        p++;
        int left = 0, zero = 0, plus = 0, space = 0, width = 0, prec = -1, lng = 0;
        for (;; p++) {
            if (*p == '-') left = 1;
            else if (*p == '0') zero = 1;
            else if (*p == '+') plus = 1;
            else if (*p == ' ') space = 1;
            else if (*p == '#') { /* ignored */ }
            else break;
        }
        if (*p == '*') {
            width = va_arg(ap, int);
            if (width < 0) { left = 1; width = -width; }
            p++;
        } else {
            while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
        }
        if (*p == '.') {
            p++;
            prec = 0;
            if (*p == '*') { prec = va_arg(ap, int); p++; }
            else while (*p >= '0' && *p <= '9') prec = prec * 10 + (*p++ - '0');
        }
        for (;; p++) {
            if (*p == 'l') lng++;
            else if (*p == 'h') { /* promoted to int anyway */ }
            else if (*p == 'z' || *p == 't') { /* 32-bit here */ }
            else if (*p == 'j') lng = 2;
            else break;
        }
        char tmp[24];
        const char *str = tmp;
        int len = 0, neg = 0;
        char sign = 0;
        switch (*p) {
        case 'c':
            tmp[0] = (char)va_arg(ap, int);
            len = 1;
            break;
        case 's':
            str = va_arg(ap, const char *);
            if (str == NULL) str = "(null)";
            while (str[len] && (prec < 0 || len < prec)) len++;
            prec = -1;
            break;
        case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': case 'p': {
            uint64_t v;
            unsigned int base = 10;
            if (*p == 'p') {
                v = (uintptr_t)va_arg(ap, void *);
                base = 16;
            } else if (*p == 'd' || *p == 'i') {
                int64_t sv = lng >= 2 ? va_arg(ap, long long) : lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
                neg = sv < 0;
                v = neg ? (uint64_t)0 - (uint64_t)sv : (uint64_t)sv;
            } else {
                v = lng >= 2 ? va_arg(ap, unsigned long long) : lng == 1 ? va_arg(ap, unsigned long)
                                                                        : va_arg(ap, unsigned int);
                base = *p == 'o' ? 8u : *p == 'u' ? 10u : 16u;
            }
            const char *digits = *p == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
            char rev[24];
            int k = 0;
            do {
                rev[k++] = digits[v % base];
                v /= base;
            } while (v != 0u);
            if (prec == 0 && k == 1 && rev[0] == '0') k = 0;
            while (k < prec && k < (int)sizeof rev) rev[k++] = '0';
            if (*p == 'p') { rev[k++] = 'x'; rev[k++] = '0'; }
            for (int j = 0; j < k; j++) tmp[j] = rev[k - 1 - j];
            len = k;
            sign = neg ? '-' : plus ? '+' : space ? ' ' : 0;
            if (*p != 'd' && *p != 'i') sign = 0;
            if (prec >= 0) zero = 0;
            break;
        }
        case '%':
            tmp[0] = '%';
            len = 1;
            break;
        case '\0':
            p--;
            continue;
        default:   /* unsupported conversion: show it as written */
            tmp[0] = '%';
            tmp[1] = *p;
            len = 2;
            break;
        }
        int total = len + (sign ? 1 : 0);
        if (!left && !zero) cm_pad(o, ' ', width - total);
        if (sign) cm_put(o, sign);
        if (!left && zero) cm_pad(o, '0', width - total);
        for (int j = 0; j < len; j++) cm_put(o, str[j]);
        if (left) cm_pad(o, ' ', width - total);
    }
}

void gale_cm_printf(const char *fmt, ...)
{
    char line[96];
    struct cm_sink o = { line, sizeof line, 0, 1 };
    va_list ap;
    va_start(ap, fmt);
    cm_format(&o, fmt, ap);
    va_end(ap);
    cm_sink_flush(&o);
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    struct cm_sink o = { buf, n, 0, 0 };
    cm_format(&o, fmt, ap);
    if (n > 0u)
        buf[o.n < n ? o.n : n - 1u] = '\0';
    return (int)o.n;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}
