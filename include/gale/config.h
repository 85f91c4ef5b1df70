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
 * GALE_CONFIG_FAULT_TEXT  the Cortex-M port's reports through its printf: the
 *                         fault report (decoded reason text, register dump),
 *                         FATAL lines, spurious-interrupt and CPU-revision
 *                         messages. 0: short fixed texts written without printf,
 *                         e.g. "gale: fault <exception> CFSR=<hex> PC=<hex>";
 *                         decoding into gale_cm_fault_t, the policy hook,
 *                         redirect and the kernel bridge are the same (the
 *                         reason string is "CPU fault").
 * GALE_CONFIG_TIME_ANY_RATE  cycle-clock <-> kernel-tick conversion for any
 *                         clock rate (libgcc's 64-bit division, ~0.7 KiB). A
 *                         clock that is a whole multiple of GALE_CONFIG_TICK_HZ
 *                         with < 65536 cycles per tick (25 MHz, 996 MHz, 400
 *                         MHz with the default 1 MHz tick) always takes a
 *                         division-free path. 0: only such clocks are supported
 *                         (any other is a fatal error at the first time read).
 * GALE_CONFIG_EXEC_STATS  executor statistics (gale_exec_stats_get counters,
 *                         per-task polls/wakes/overruns/poll times of
 *                         gale_exec_task_ext_t). 0: not kept (stats read as 0,
 *                         gale_exec_task_stats_get returns GALE_ENOSYS); budgets,
 *                         overrun detection and on_overrun are unchanged.
 * GALE_CONFIG_EXEC_WATCHDOG  the executor's per-poll watchdog (cfg.watchdog: a
 *                         kernel timer armed around each poll). 0: cfg.watchdog
 *                         is refused with GALE_ENOSYS, and an image without
 *                         interrupt executors links no kernel timer for it.
 * GALE_CONFIG_TIME_SLICE  round-robin time slicing of equal-priority preemptible
 *                         threads (gale_kernel_sched_time_slice_set). 0: no
 *                         slicing (the call records the setting, which has no
 *                         effect, and reports it through the diagnostics).
 * GALE_CONFIG_SWITCH_INLINE  force-inline the scheduler's switch path into its
 *                         callers (fastest switch). 0: the compiler decides
 *                         (smaller code, a few instructions more per switch).
 * GALE_CONFIG_SWITCH_STATS (in gale/kernel.h) per-thread switch counts.
 * GALE_CONFIG_CM_COMPONENT_BINARY  gale_cm_component_load decodes component
 *                         binaries (the component-model binary decoder). 0:
 *                         fused core modules only (what `gale` tools emit for
 *                         an MCU); a component binary is refused with GALE_ENOSYS.
 * GALE_CONFIG_CM_STREAMS  stream<T> / future<T> in the component host: the
 *                         canonical stream and future built-ins, meld's
 *                         pulseengine:async intrinsics and host-held ends
 *                         (src/cm/cm_stream.c, cm_meld.c: ~6 KiB of flash,
 *                         ~3 KiB of RAM). 0: a component importing any of them,
 *                         or a world function or export with a stream or future
 *                         type, is refused at load with GALE_ENOSYS (naming the
 *                         import with GALE_CONFIG_DIAG); everything else (sync
 *                         and async calls, subtasks, waitable sets, resources)
 *                         is unchanged. The host API gale_cm_stream_new /
 *                         gale_cm_end_* still links, for host-to-host use.
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

#ifndef GALE_CONFIG_EXEC_STATS
#define GALE_CONFIG_EXEC_STATS 1
#endif

#ifndef GALE_CONFIG_EXEC_WATCHDOG
#define GALE_CONFIG_EXEC_WATCHDOG 1
#endif

#ifndef GALE_CONFIG_TIME_SLICE
#define GALE_CONFIG_TIME_SLICE 1
#endif

#ifndef GALE_CONFIG_SWITCH_INLINE
#define GALE_CONFIG_SWITCH_INLINE 1
#endif

#ifndef GALE_CONFIG_CM_COMPONENT_BINARY
#define GALE_CONFIG_CM_COMPONENT_BINARY 1
#endif

#ifndef GALE_CONFIG_CM_STREAMS
#define GALE_CONFIG_CM_STREAMS 1
#endif

#endif /* GALE_CONFIG_H */
