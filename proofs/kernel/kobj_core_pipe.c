/* WP proof unit for the kernel-objects decision core src/kernel/core_pipe.h: the
 * functions are static inline in that header (compiled into the kernel as is);
 * this file only brings them in for Frama-C. */
#include "core_pipe.h"
