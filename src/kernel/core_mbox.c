/* gale kernel — decision core: mailbox descriptor matching (see core_mbox.h). */
#include "core_mbox.h"

bool gale_core_mbox_match(uintptr_t tx_target, uintptr_t tx_thread,
                          uintptr_t rx_source, uintptr_t rx_thread)
{
    bool to_ok = tx_target == 0u || tx_target == rx_thread;
    bool from_ok = rx_source == 0u || rx_source == tx_thread;
    return to_ok && from_ok;
}

size_t gale_core_mbox_xfer(size_t tx_size, size_t rx_size)
{
    return tx_size < rx_size ? tx_size : rx_size;
}
