/* The component side of the bindgen test world `app`: implements every
 * export and calls a few imports, so the generated bindings are compiled,
 * linked and wrapped (by jco, when present) as a real guest would be. */
#include "app.h"

struct test_app_control_estimator_rep_t {
    double gain;
    float state;
};

static test_app_control_setpoint_t last;

/* ---- exported resource ---- */
test_app_control_estimator_own_t exports_test_app_control_constructor_estimator(double gain)
{
    test_app_control_estimator_rep_t *r = malloc(sizeof *r);
    r->gain = gain;
    r->state = 0;
    return exports_test_app_control_estimator_new(r);
}

void exports_test_app_control_estimator_destructor(test_app_control_estimator_rep_t *rep)
{
    free(rep);
}

app_option_test_app_control_setpoint_t exports_test_app_control_method_estimator_update(
    test_app_control_estimator_borrow_t self_, float dt, app_tuple3_f32_f32_f32_t accel)
{
    /* for a resource this component implements, the borrow carries the rep */
    test_app_control_estimator_rep_t *r = (test_app_control_estimator_rep_t *)(uintptr_t)(uint32_t)self_.handle;
    app_option_test_app_control_setpoint_t out = {0};
    r->state += (float)(dt * r->gain) * (accel.f0 + accel.f1 + accel.f2);
    out.is_some = r->state > 0;
    out.val.thrust = r->state;
    return out;
}

bool exports_test_app_control_static_estimator_check(test_app_control_estimator_borrow_t e)
{
    return e.handle != 0;
}

/* async method: sleeps through the async-lowered import, then returns */
static void settled(void *arg, uint32_t event, uint32_t p1, uint32_t p2)
{
    (void)arg;
    (void)event;
    (void)p1;
    (void)p2;
    app_result_f32_string_t r = {0};
    r.val.ok = 1.5f;
    exports_test_app_control_method_estimator_settle_return(r);
}

uint32_t exports_test_app_control_method_estimator_settle(test_app_control_estimator_borrow_t self_, uint32_t ms)
{
    (void)self_;
    static uint64_t woke;
    gale_task_t *t = gale_task_begin(NULL);
    gale_task_await(t, app_wait_ms_async(ms, &woke), settled, NULL);
    return gale_task_code(t);
}

uint32_t exports_test_app_control_method_estimator_settle_callback(uint32_t event, uint32_t p1, uint32_t p2)
{
    return gale_task_dispatch(event, p1, p2);
}

/* ---- interface functions ---- */
app_result_test_app_control_setpoint_string_t exports_test_app_control_step(test_app_control_mode_t m, float dt)
{
    app_result_test_app_control_setpoint_string_t r = {0};
    switch (m.tag) {
    case TEST_APP_CONTROL_MODE_MANUAL:
        r.val.ok = m.val.manual;
        r.val.ok.thrust *= dt;
        last = r.val.ok;
        break;
    case TEST_APP_CONTROL_MODE_FAULT:
        r.is_err = true;
        r.val.err = m.val.fault;
        break;
    default:
        r.val.ok = last;
        break;
    }
    return r;
}

test_app_control_status_t exports_test_app_control_flags_of(test_app_control_status_t s)
{
    return (test_app_control_status_t)(s | TEST_APP_CONTROL_STATUS_ARMED);
}

uint32_t exports_test_app_control_plan(app_list_test_app_control_setpoint_t waypoints, uint64_t deadline)
{
    app_result_u32_string_t r = {0};
    r.val.ok = (uint32_t)waypoints.len + (uint32_t)deadline;
    exports_test_app_control_plan_return(r);
    return GALE_CALLBACK_EXIT;
}

uint32_t exports_test_app_control_plan_callback(uint32_t event, uint32_t p1, uint32_t p2)
{
    return gale_task_dispatch(event, p1, p2);
}

uint8_t exports_test_app_control_many(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f,
                                      uint64_t g, uint64_t h, uint64_t i, uint64_t j, uint64_t k, uint64_t l,
                                      uint64_t m, uint64_t n, uint64_t o, uint64_t p, uint8_t q)
{
    return (uint8_t)(a + b + c + d + e + f + g + h + i + j + k + l + m + n + o + p + q);
}

uint32_t exports_test_app_control_big_result(void)
{
    app_tuple17_u64_u64_u64_u64_u64_u64_u64_u64_u64_u64_u64_u64_u64_u64_u64_u64_u64_t t = {0};
    t.f16 = 17;
    exports_test_app_control_big_result_return(t);
    return GALE_CALLBACK_EXIT;
}

uint32_t exports_test_app_control_big_result_callback(uint32_t event, uint32_t p1, uint32_t p2)
{
    return gale_task_dispatch(event, p1, p2);
}

/* ---- world-level exports ---- */
uint32_t exports_app_ping(uint32_t x)
{
    return x + 1;
}

uint32_t exports_app_compute(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t e)
{
    static uint8_t text[5];
    text[0] = a;
    text[1] = b;
    text[2] = c;
    text[3] = d;
    text[4] = e;
    gale_string_t s = {text, 5};
    exports_app_compute_return(s);
    return GALE_CALLBACK_EXIT;
}

uint32_t exports_app_compute_callback(uint32_t event, uint32_t p1, uint32_t p2)
{
    return gale_task_dispatch(event, p1, p2);
}

/* run: takes a semaphore asynchronously, logs, and exits */
static pulseengine_gale_semaphore_sem_own_t sem;
static app_result_void_pulseengine_gale_types_kernel_error_t take_result;

static void taken(void *arg, uint32_t event, uint32_t p1, uint32_t p2)
{
    (void)arg;
    (void)event;
    (void)p1;
    (void)p2;
    static uint8_t msg[] = "taken";
    gale_string_t s = {msg, 5};
    app_log(take_result.is_err ? 3 : 1, s);
    pulseengine_gale_semaphore_sem_drop_own(sem);
    exports_app_run_return();
}

uint32_t exports_app_run(void)
{
    gale_task_t *t = gale_task_begin(NULL);
    sem = pulseengine_gale_semaphore_constructor_sem(0, 1);
    pulseengine_gale_semaphore_method_sem_give(pulseengine_gale_semaphore_sem_borrow(sem));
    pulseengine_gale_types_timeout_t to = {PULSEENGINE_GALE_TYPES_TIMEOUT_MILLIS, {.millis = 10}};
    gale_task_await(t, pulseengine_gale_semaphore_method_sem_take_async(pulseengine_gale_semaphore_sem_borrow(sem), to,
                                                                        &take_result),
                    taken, NULL);
    return gale_task_code(t);
}

uint32_t exports_app_run_callback(uint32_t event, uint32_t p1, uint32_t p2)
{
    return gale_task_dispatch(event, p1, p2);
}

/* telemetry: creates a stream, returns its readable end, writes nothing yet */
uint32_t exports_app_telemetry(uint32_t limit)
{
    uint64_t ends = exports_app_telemetry_stream0_new();
    uint32_t readable = (uint32_t)ends, writable = (uint32_t)(ends >> 32);
    static uint8_t bytes[4] = {1, 2, 3, 4};
    (void)exports_app_telemetry_stream0_write(writable, bytes, limit < 4 ? limit : 4);
    exports_app_telemetry_return(readable);
    exports_app_telemetry_stream0_drop_writable(writable);
    return GALE_CALLBACK_EXIT;
}

uint32_t exports_app_telemetry_callback(uint32_t event, uint32_t p1, uint32_t p2)
{
    return gale_task_dispatch(event, p1, p2);
}
