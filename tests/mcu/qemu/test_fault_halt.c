/* Port test: a fault with the default policy is reported and halts the run
 * with status 128 + 15 (GALE_EFAULT). */
#include "mcu_test.h"

int main(void)
{
    gale_cm_printf("about to execute an undefined instruction\n");
    __asm__ volatile("udf #7");
    gale_cm_printf("resumed after a fatal fault: WRONG\n");
    return 0;
}
