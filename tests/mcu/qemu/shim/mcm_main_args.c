/* gale — main() for portable tests that take command-line arguments: the test
 * source is compiled with -Dmain=mcm_user_main and gets argv[1] =
 * GALE_MCU_TEST_ARG (a host path, opened through semihosting). */
#ifndef GALE_MCU_TEST_ARG
#error "GALE_MCU_TEST_ARG must be defined"
#endif

int mcm_user_main(int argc, char **argv);
int main(void);

int main(void)
{
    static char prog[] = "mcu-test";
    static char arg[] = GALE_MCU_TEST_ARG;
    char *argv[] = { prog, arg, 0 };
    return mcm_user_main(2, argv);
}
