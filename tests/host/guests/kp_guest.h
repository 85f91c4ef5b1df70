/* Guest-side declarations of pulseengine:gale@0.1.0 kernel-primitives for C
 * components (hand-written canonical lowering: the core names and signatures
 * that wit-component expects; `gale bindgen` generates the same). */
#ifndef KP_GUEST_H
#define KP_GUEST_H
#include <stdint.h>

#define KP_IMPORT(iface, name) __attribute__((import_module("pulseengine:gale/" iface "@0.1.0"), import_name(name)))
#define CM_BUILTIN(name) __attribute__((import_module("$root"), import_name(name)))

/* timeout variant, flattened: (disc, millis) */
#define KP_NO_WAIT 0, 0
#define KP_FOREVER 1, 0
#define KP_MILLIS(ms) 2, (ms)

/* result<_, kernel-error>: {u8 disc; u8 err} */
typedef struct { uint8_t is_err, err; } kp_res_unit_t;
/* result<u32|own, kernel-error>: {u8 disc; u32 val-or-err at 4} */
typedef struct { uint8_t is_err; uint8_t pad[3]; uint32_t val; } kp_res_u32_t;
/* result<list<u8>, kernel-error>: {u8 disc; (ptr,len) or err at 4} */
typedef struct { uint8_t is_err; uint8_t pad[3]; uint32_t ptr_or_err; uint32_t len; } kp_res_bytes_t;
/* result<u64, kernel-error> */
typedef struct { uint8_t is_err; uint8_t pad[7]; uint64_t val; } kp_res_u64_t;

/* semaphore */
KP_IMPORT("semaphore", "[constructor]sem") int32_t kp_sem_new(uint32_t initial, uint32_t limit);
KP_IMPORT("semaphore", "[static]sem.open") void kp_sem_open(const char *name, uint32_t len, kp_res_u32_t *ret);
KP_IMPORT("semaphore", "[method]sem.give") void kp_sem_give(int32_t self);
KP_IMPORT("semaphore", "[method]sem.take") void kp_sem_take(int32_t self, uint32_t tdisc, uint32_t tms, kp_res_unit_t *ret);
KP_IMPORT("semaphore", "[async-lower][method]sem.take") uint32_t kp_sem_take_async(int32_t self, uint32_t tdisc, uint32_t tms, kp_res_unit_t *ret);
KP_IMPORT("semaphore", "[method]sem.count") uint32_t kp_sem_count(int32_t self);
KP_IMPORT("semaphore", "[resource-drop]sem") void kp_sem_drop(int32_t self);
/* mutex */
KP_IMPORT("mutex", "[constructor]mtx") int32_t kp_mtx_new(void);
KP_IMPORT("mutex", "[method]mtx.lock") void kp_mtx_lock(int32_t self, uint32_t tdisc, uint32_t tms, kp_res_unit_t *ret);
KP_IMPORT("mutex", "[method]mtx.unlock") void kp_mtx_unlock(int32_t self, kp_res_unit_t *ret);
KP_IMPORT("mutex", "[resource-drop]mtx") void kp_mtx_drop(int32_t self);
/* condvar */
KP_IMPORT("condvar", "[constructor]cv") int32_t kp_cv_new(void);
KP_IMPORT("condvar", "[method]cv.signal") void kp_cv_signal(int32_t self);
KP_IMPORT("condvar", "[method]cv.wait") void kp_cv_wait(int32_t self, uint32_t tdisc, uint32_t tms, kp_res_unit_t *ret);
KP_IMPORT("condvar", "[resource-drop]cv") void kp_cv_drop(int32_t self);
/* message-queue */
KP_IMPORT("message-queue", "[constructor]msgq") int32_t kp_msgq_new(uint32_t msg_size, uint32_t max_msgs);
KP_IMPORT("message-queue", "[static]msgq.open") void kp_msgq_open(const char *name, uint32_t len, kp_res_u32_t *ret);
KP_IMPORT("message-queue", "[method]msgq.put") void kp_msgq_put(int32_t self, const void *data, uint32_t len, uint32_t tdisc, uint32_t tms, kp_res_unit_t *ret);
KP_IMPORT("message-queue", "[method]msgq.get") void kp_msgq_get(int32_t self, uint32_t tdisc, uint32_t tms, kp_res_bytes_t *ret);
KP_IMPORT("message-queue", "[async-lower][method]msgq.get") uint32_t kp_msgq_get_async(int32_t self, uint32_t tdisc, uint32_t tms, kp_res_bytes_t *ret);
KP_IMPORT("message-queue", "[method]msgq.num-used") uint32_t kp_msgq_num_used(int32_t self);
KP_IMPORT("message-queue", "[resource-drop]msgq") void kp_msgq_drop(int32_t self);
/* async-lowered put: 5 flat params > 4, so they travel as a tuple in memory */
typedef struct { int32_t self; uint32_t ptr, len; uint8_t tdisc; uint8_t pad[3]; uint32_t tms; } kp_msgq_put_args_t;
KP_IMPORT("message-queue", "[async-lower][method]msgq.put") uint32_t kp_msgq_put_async(const kp_msgq_put_args_t *args, kp_res_unit_t *ret);
/* stack */
KP_IMPORT("stack", "[constructor]stk") int32_t kp_stk_new(uint32_t max);
KP_IMPORT("stack", "[static]stk.open") void kp_stk_open(const char *name, uint32_t len, kp_res_u32_t *ret);
KP_IMPORT("stack", "[method]stk.push") void kp_stk_push(int32_t self, uint64_t v, kp_res_unit_t *ret);
KP_IMPORT("stack", "[method]stk.pop") void kp_stk_pop(int32_t self, uint32_t tdisc, uint32_t tms, kp_res_u64_t *ret);
KP_IMPORT("stack", "[resource-drop]stk") void kp_stk_drop(int32_t self);
/* pipe */
KP_IMPORT("pipe", "[constructor]pip") int32_t kp_pip_new(uint32_t size);
KP_IMPORT("pipe", "[method]pip.write") void kp_pip_write(int32_t self, const void *data, uint32_t len, uint32_t tdisc, uint32_t tms, kp_res_u32_t *ret);
KP_IMPORT("pipe", "[method]pip.read") void kp_pip_read(int32_t self, uint32_t max, uint32_t tdisc, uint32_t tms, kp_res_bytes_t *ret);
KP_IMPORT("pipe", "[method]pip.close") void kp_pip_close(int32_t self);
KP_IMPORT("pipe", "[resource-drop]pip") void kp_pip_drop(int32_t self);
/* event */
KP_IMPORT("event", "[constructor]evt") int32_t kp_evt_new(void);
KP_IMPORT("event", "[method]evt.post") void kp_evt_post(int32_t self, uint32_t bits);
KP_IMPORT("event", "[method]evt.wait-all") void kp_evt_wait_all(int32_t self, uint32_t bits, uint32_t reset, uint32_t tdisc, uint32_t tms, kp_res_u32_t *ret);
KP_IMPORT("event", "[resource-drop]evt") void kp_evt_drop(int32_t self);
/* timer */
KP_IMPORT("timer", "[constructor]tmr") int32_t kp_tmr_new(uint32_t period_ms);
KP_IMPORT("timer", "[method]tmr.start") void kp_tmr_start(int32_t self);
KP_IMPORT("timer", "[method]tmr.stop") void kp_tmr_stop(int32_t self);
KP_IMPORT("timer", "[async-lower][method]tmr.status-sync") uint32_t kp_tmr_sync_async(int32_t self, uint32_t tdisc, uint32_t tms, kp_res_u32_t *ret);
KP_IMPORT("timer", "[resource-drop]tmr") void kp_tmr_drop(int32_t self);
/* mem-slab */
KP_IMPORT("mem-slab", "[constructor]slab") int32_t kp_slab_new(uint32_t block_size, uint32_t n);
KP_IMPORT("mem-slab", "[method]slab.alloc") void kp_slab_alloc(int32_t self, uint32_t tdisc, uint32_t tms, kp_res_u32_t *ret);
KP_IMPORT("mem-slab", "[method]slab.free") void kp_slab_free(int32_t self, uint32_t idx, kp_res_unit_t *ret);
KP_IMPORT("mem-slab", "[method]slab.num-used") uint32_t kp_slab_num_used(int32_t self);
KP_IMPORT("mem-slab", "[resource-drop]slab") void kp_slab_drop(int32_t self);

/* canonical built-ins */
CM_BUILTIN("[waitable-set-new]") uint32_t cm_ws_new(void);
CM_BUILTIN("[waitable-join]") void cm_join(uint32_t w, uint32_t set);
CM_BUILTIN("[subtask-drop]") void cm_subtask_drop(uint32_t st);
CM_BUILTIN("[context-get-0]") uint32_t cm_ctx_get(void);
CM_BUILTIN("[context-set-0]") void cm_ctx_set(uint32_t v);
__attribute__((import_module("[export]$root"), import_name("[task-return]run"))) void cm_task_return_run(void);

#define CM_EXIT 0
#define CM_WAIT 2
#define CM_EVENT_SUBTASK 1
#define CM_STATUS(s) ((s) & 0xf)
#define CM_SUBTASK(s) ((s) >> 4)

/* a bump allocator for lowered results */
static unsigned char kp_heap[16384];
static unsigned kp_heap_top;
__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old, unsigned old_size, unsigned align, unsigned new_size)
{
    (void)old, (void)old_size;
    kp_heap_top = (kp_heap_top + align - 1) & ~(align - 1);
    if (kp_heap_top + new_size > sizeof kp_heap)
        kp_heap_top = 0; /* tests: recycle */
    void *p = kp_heap + kp_heap_top;
    kp_heap_top += new_size;
    return p;
}

static inline uint32_t kp_strlen(const char *s)
{
    uint32_t n = 0;
    while (s[n])
        n++;
    return n;
}
#endif
