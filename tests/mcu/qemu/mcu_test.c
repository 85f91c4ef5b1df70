#include "mcu_test.h"

volatile unsigned int mt_checks, mt_failures;

_Noreturn void mt_done(const char *name)
{
    if (mt_checks == 0u) {
        gale_cm_printf("%s: FAILED (no checks ran)\n", name);
        gale_cm_exit(2);
    }
    gale_cm_printf("%s: %u checks, %u failed: %s\n", name, mt_checks, mt_failures,
                   mt_failures ? "FAILED" : "PASSED");
    gale_cm_exit(mt_failures ? 1 : 0);
}
