/* gale kernel — decision core: pipe transfer decisions (see core_pipe.h). */
#include "core_pipe.h"

int gale_core_pipe_start(size_t avail, size_t len, size_t min, bool may_wait, size_t *now)
{
    if (avail >= min) {
        *now = avail < len ? avail : len;
        return GALE_CORE_PIPE_DONE;
    }
    if (!may_wait) {
        *now = 0;
        return GALE_CORE_PIPE_AGAIN;
    }
    *now = avail;
    return GALE_CORE_PIPE_BLOCK;
}

bool gale_core_pipe_feed(size_t done, size_t len, size_t min, size_t avail, size_t *now)
{
    size_t rest = len - done;
    size_t n = avail < rest ? avail : rest;
    *now = n;
    return n >= min - done;
}
