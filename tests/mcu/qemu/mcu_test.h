/* gale — a tiny assertion harness for tests that run on the Cortex-M port
 * under QEMU (cmocka is not available for arm-none-eabi). Failures print
 * "file:line: ..." through semihosting; mt_done() exits with the failure count. */
#ifndef GALE_MCU_TEST_H
#define GALE_MCU_TEST_H

#include <stdint.h>

#include "gale/arch.h"

extern volatile unsigned int mt_checks, mt_failures;

#define MT_CHECK(cond)                                                         \
    do {                                                                       \
        mt_checks++;                                                           \
        if (!(cond)) {                                                         \
            mt_failures++;                                                     \
            gale_cm_printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                      \
    } while (0)

#define MT_EQ(a, b)                                                            \
    do {                                                                       \
        long long mt_a_ = (long long)(a), mt_b_ = (long long)(b);              \
        mt_checks++;                                                           \
        if (mt_a_ != mt_b_) {                                                  \
            mt_failures++;                                                     \
            gale_cm_printf("%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, \
                           __LINE__, #a, #b, mt_a_, mt_b_);                    \
        }                                                                      \
    } while (0)

/* Print the summary and exit QEMU: status 0 when every check passed. */
_Noreturn void mt_done(const char *name);

#endif
