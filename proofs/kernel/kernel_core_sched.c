/* WP proof unit for the scheduler's decision core src/kernel/core_sched.h: the
 * functions are static inline in that header (compiled into the scheduler as
 * they are); this file only brings them in for Frama-C. */
#include "core_sched.h"
