/* A test engine behind gale_wasm_engine_t whose "guest" functions are C
 * functions: lets the component host's linking, host calls, built-ins and
 * the async driver be tested without the interpreter. A guest function calls
 * imports with mock_call_import(); a trap in a host function unwinds the guest
 * (longjmp) back to the engine call, as a real engine would. */
#ifndef MOCK_ENGINE_H
#define MOCK_ENGINE_H

#include <stdint.h>

#include "gale/wasm.h"

typedef struct gale_wasm_instance mock_inst_t;
typedef int (*mock_guest_fn)(mock_inst_t *mi, const gale_wasm_val_t *args, gale_wasm_val_t *results);

typedef struct mock_sig {
    const char *module; /* imports only */
    const char *name;
    uint8_t np, nr;
    uint8_t types[20];
    mock_guest_fn fn; /* exports only */
} mock_sig_t;

typedef struct mock_module_def {
    const mock_sig_t *imports;
    uint32_t n_imports;
    const mock_sig_t *exports;
    uint32_t n_exports;
    uint32_t mem_size; /* 0: no memory export */
} mock_module_def_t;

extern const gale_wasm_engine_t mock_engine;

/* Inside a guest function: */
uint8_t *mock_mem(mock_inst_t *mi);
int mock_call_import(mock_inst_t *mi, uint32_t idx, const gale_wasm_val_t *args, gale_wasm_val_t *results);
uint32_t mock_call_import_i32(mock_inst_t *mi, uint32_t idx, int n, ...);
void mock_trap(mock_inst_t *mi, const char *msg); /* does not return */
/* Guest-side state for tests. */
void *mock_state(mock_inst_t *mi);
void mock_set_state(mock_inst_t *mi, void *s);

#endif
