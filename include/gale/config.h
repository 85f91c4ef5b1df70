/* gale — build-time feature options that trade diagnostics for footprint.
 *
 * Every option defaults to the full feature (1): the default build is what the
 * tests check. Set an option to 0 with -D on the whole build (all layers and
 * the application must agree), e.g. with the CMake option GALE_MINIMAL=ON,
 * which sets every option below to 0 (docs/cortex-m.md "Footprint"; the
 * bench/mcu footprint images are built both ways and run under QEMU).
 *
 * GALE_CONFIG_DIAG        kernel and executor misuse diagnostics: the one-line
 *                         text of every refused call (printed and kept for
 *                         gale_kernel_diag_last / gale_exec_last_error) and the
 *                         deadlock dump of every thread. 0: the calls return the
 *                         same error codes, nothing is formatted or printed,
 *                         gale_kernel_diag_last() and gale_exec_last_error()
 *                         return "" (the printf family is no longer linked).
 * GALE_CONFIG_FAULT_TEXT  the Cortex-M fault report: decoded reason text and a
 *                         register dump through the port's printf. 0: one line
 *                         "gale: fault <exception> CFSR=<hex> PC=<hex>" written
 *                         without printf; decoding into gale_cm_fault_t, the
 *                         policy hook, redirect and the kernel bridge are the
 *                         same (the reason string is "CPU fault").
 * GALE_CONFIG_TIME_ANY_RATE  cycle-clock <-> kernel-tick conversion for any
 *                         clock rate (libgcc's 64-bit division, ~0.7 KiB). A
 *                         clock that is a whole multiple of GALE_CONFIG_TICK_HZ
 *                         with < 65536 cycles per tick (25 MHz, 996 MHz, 400
 *                         MHz with the default 1 MHz tick) always takes a
 *                         division-free path. 0: only such clocks are supported
 *                         (any other is a fatal error at the first time read).
 */
#ifndef GALE_CONFIG_H
#define GALE_CONFIG_H

#ifndef GALE_CONFIG_DIAG
#define GALE_CONFIG_DIAG 1
#endif

#ifndef GALE_CONFIG_FAULT_TEXT
#define GALE_CONFIG_FAULT_TEXT 1
#endif

#ifndef GALE_CONFIG_TIME_ANY_RATE
#define GALE_CONFIG_TIME_ANY_RATE 1
#endif

#endif /* GALE_CONFIG_H */
