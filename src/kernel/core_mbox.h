/* gale kernel — decision core: mailbox descriptor matching.
 *
 * A sender names a target thread (or any), a receiver names a source thread
 * (or any); thread identities are opaque non-zero words and 0 means "any".
 * When they match, min(tx size, rx size) bytes are copied; both sides learn
 * that count (a receiver with a smaller buffer truncates, and the sender sees
 * how much was taken). Proven by Frama-C WP (prove_kobj_core_mbox). */
#ifndef GALE_KERNEL_CORE_MBOX_H
#define GALE_KERNEL_CORE_MBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*@ assigns \nothing;
    ensures \result <==> ((tx_target == 0 || tx_target == rx_thread) &&
                          (rx_source == 0 || rx_source == tx_thread));
*/
static inline bool gale_core_mbox_match(uintptr_t tx_target, uintptr_t tx_thread,
                          uintptr_t rx_source, uintptr_t rx_thread);

/*@ assigns \nothing;
    ensures \result <= tx_size && \result <= rx_size;
    ensures \result == tx_size || \result == rx_size;
*/
static inline size_t gale_core_mbox_xfer(size_t tx_size, size_t rx_size);

/* ---- definitions (proven against the contracts above) ---- */

static inline bool gale_core_mbox_match(uintptr_t tx_target, uintptr_t tx_thread,
                          uintptr_t rx_source, uintptr_t rx_thread)
{
    bool to_ok = tx_target == 0u || tx_target == rx_thread;
    bool from_ok = rx_source == 0u || rx_source == tx_thread;
    return to_ok && from_ok;
}

static inline size_t gale_core_mbox_xfer(size_t tx_size, size_t rx_size)
{
    return tx_size < rx_size ? tx_size : rx_size;
}

#endif /* GALE_KERNEL_CORE_MBOX_H */
