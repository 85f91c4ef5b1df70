/* gale — error codes shared by every layer.
 *
 * Every fallible gale function returns 0 (or a non-negative value) on success
 * and a negative GALE_E* code on failure; gale_strerror() names it. This header
 * is common to all layers (it includes nothing but the C library). Layers add
 * detail (file:line, section offset, trap reason) in their own error structs;
 * the code says what kind of failure it was. */
#ifndef GALE_ERROR_H
#define GALE_ERROR_H

enum gale_error {
    GALE_OK         = 0,
    GALE_EINVAL     = -1,  /* invalid argument */
    GALE_EBUSY      = -2,  /* object busy (e.g. deleted with waiters, mutex held) */
    GALE_EAGAIN     = -3,  /* would block and no-wait was asked */
    GALE_ETIMEDOUT  = -4,  /* the timeout expired before the condition held */
    GALE_ENOMEM     = -5,  /* a pool, buffer or budget is exhausted */
    GALE_EPERM      = -6,  /* not permitted (e.g. unlocking a mutex one does not own) */
    GALE_EPIPE      = -7,  /* the other end is closed */
    GALE_EOVERFLOW  = -8,  /* a count or size would overflow its limit */
    GALE_ENOMSG     = -9,  /* no message available */
    GALE_EDEADLK    = -10, /* the operation would deadlock (e.g. join self) */
    GALE_ECANCELED  = -11, /* the operation or task was cancelled / aborted */
    GALE_ENOENT     = -12, /* no such name (export, import, object, file) */
    GALE_EEXIST     = -13, /* the name is already taken */
    GALE_ENOSYS     = -14, /* not supported by this build or port */
    GALE_EFAULT     = -15, /* bad address (guest pointer out of bounds or misaligned) */
    GALE_ERANGE     = -16, /* a value is out of its allowed range */
    GALE_ECONTEXT   = -17, /* called from a context where it is not allowed (e.g. blocking in an ISR) */
    GALE_ETRAP      = -18, /* a wasm instance trapped */
    GALE_EMALFORMED = -19, /* malformed input (binary module, WIT text, manifest) */
    GALE_EINVALID   = -20, /* well-formed but invalid input (fails validation / type check) */
    GALE_ELINK      = -21, /* imports could not be linked */
    GALE_EFUEL      = -22, /* fuel exhausted (resumable where documented) */
    GALE_ESTACK     = -23, /* stack exhausted or overflow detected */
    GALE_EIO        = -24, /* device or transport error */
};

static inline const char *gale_strerror(int err)
{
    switch (err) {
    case GALE_OK:         return "success";
    case GALE_EINVAL:     return "invalid argument";
    case GALE_EBUSY:      return "busy";
    case GALE_EAGAIN:     return "would block (no-wait)";
    case GALE_ETIMEDOUT:  return "timed out";
    case GALE_ENOMEM:     return "out of memory or pool exhausted";
    case GALE_EPERM:      return "operation not permitted";
    case GALE_EPIPE:      return "broken pipe (other end closed)";
    case GALE_EOVERFLOW:  return "overflow";
    case GALE_ENOMSG:     return "no message";
    case GALE_EDEADLK:    return "would deadlock";
    case GALE_ECANCELED:  return "cancelled";
    case GALE_ENOENT:     return "no such entry";
    case GALE_EEXIST:     return "already exists";
    case GALE_ENOSYS:     return "not supported";
    case GALE_EFAULT:     return "bad address";
    case GALE_ERANGE:     return "value out of range";
    case GALE_ECONTEXT:   return "not allowed in this context";
    case GALE_ETRAP:      return "wasm trap";
    case GALE_EMALFORMED: return "malformed input";
    case GALE_EINVALID:   return "invalid input";
    case GALE_ELINK:      return "link error";
    case GALE_EFUEL:      return "out of fuel";
    case GALE_ESTACK:     return "stack exhausted";
    case GALE_EIO:        return "I/O error";
    default:              return "unknown error";
    }
}

#endif /* GALE_ERROR_H */
