/* examples/hello — the gale kernel on the host simulator.
 *
 * Four threads at different priorities on one simulated core, in deterministic
 * virtual time (so every run prints the same timeline):
 *   sensor  (prio 2)  paced by a periodic kernel timer (5 ms), sends samples
 *                     through a message queue
 *   control (prio 4)  receives samples, computes 1 ms, and every 3rd sample
 *                     writes telemetry under a mutex shared with the logger
 *   house   (prio 7)  housekeeping: 4 ms of work every 15 ms
 *   logger  (prio 10) every 15 ms flushes telemetry: 6 ms of work while holding
 *                     the mutex
 * When control blocks on the mutex the logger holds, priority inheritance lifts
 * the logger to control's priority, so housekeeping cannot delay it — the
 * timeline shows the boost and its end. A heartbeat timer callback runs in ISR
 * context every 10 ms.
 */
#include <inttypes.h>
#include <stdio.h>

#include "gale/kernel.h"

#define SAMPLES 9

#ifdef HELLO_USE_MSGQ
GALE_MSGQ_DEFINE(samples_q, sizeof(int), 4);
static int q_put(int v) { return gale_kernel_msgq_put(&samples_q, &v, GALE_FOREVER); }
static int q_get(int *v) { return gale_kernel_msgq_get(&samples_q, v, GALE_FOREVER); }
#define TRANSPORT "msgq"
#else
/* Fallback until the message queue lands: a ring guarded by two semaphores. */
static int ring[4];
static unsigned int ring_rd, ring_wr;
static GALE_SEM_DEFINE(ring_items, 0, 4);
static GALE_SEM_DEFINE(ring_room, 4, 4);
static int q_put(int v)
{
    gale_kernel_sem_take(&ring_room, GALE_FOREVER);
    ring[ring_wr++ % 4] = v;
    return gale_kernel_sem_give(&ring_items);
}
static int q_get(int *v)
{
    gale_kernel_sem_take(&ring_items, GALE_FOREVER);
    *v = ring[ring_rd++ % 4];
    return gale_kernel_sem_give(&ring_room);
}
#define TRANSPORT "sem ring"
#endif

static GALE_MUTEX_DEFINE(telemetry);
static gale_timer_t pace, heartbeat;
static volatile bool done;

static void say(const char *who, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void say(const char *who, const char *fmt, ...)
{
    uint64_t ns = gale_kernel_cycles_get();
    gale_thread_t *self = gale_kernel_thread_self();
    char prio[16] = "isr";
    if (self != NULL) {
        if (self->prio != self->base_prio)
            snprintf(prio, sizeof prio, "%d<-%d", self->prio, self->base_prio);
        else
            snprintf(prio, sizeof prio, "%d", self->prio);
    }
    printf("[%4" PRIu64 ".%03" PRIu64 " ms] %-8s (prio %-5s) ", ns / 1000000u, ns / 1000u % 1000u, who, prio);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

static void heartbeat_fn(gale_timer_t *t)
{
    (void)t;
    say("timer", "heartbeat (callback in ISR context)");
}

static void sensor(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    gale_kernel_timer_start(&pace, GALE_MSEC(5), GALE_MSEC(5));
    for (int i = 1; i <= SAMPLES; i++) {
        gale_kernel_timer_status_sync(&pace, GALE_FOREVER);
        int v = 100 + i * 7 % 13;
        say("sensor", "sample #%d = %d -> %s", i, v, TRANSPORT);
        q_put(i * 1000 + v);
    }
    gale_kernel_timer_stop(&pace);
    q_put(-1);
}

static void control(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    int m;
    while (q_get(&m) == GALE_OK && m >= 0) {
        say("control", "got sample #%d, computing 1 ms", m / 1000);
        gale_sim_busy_ns(1000000);
        if (m / 1000 % 3 == 0) {
            gale_thread_t *owner = gale_kernel_mutex_owner_get(&telemetry);
            if (owner != NULL)
                say("control", "telemetry mutex held by %s (prio %d): waiting", owner->name, owner->prio);
            uint64_t t0 = gale_kernel_uptime_us();
            gale_kernel_mutex_lock(&telemetry, GALE_FOREVER);
            say("control", "telemetry written (waited %.1f ms for the mutex)",
                (double)(gale_kernel_uptime_us() - t0) / 1000.0);
            gale_kernel_mutex_unlock(&telemetry);
        }
    }
    done = true;
    gale_kernel_timer_stop(&heartbeat);
    say("control", "end of stream");
}

static void house(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (uint64_t at_us = 16500; !done; at_us += 15000) {
        gale_kernel_sleep(GALE_TIMEOUT_ABS_TICKS(gale_kernel_us_to_ticks_ceil(at_us)));
        if (done)
            break;
        say("house", "housekeeping: 4 ms of work");
        gale_sim_busy_ns(4000000);
        say("house", "housekeeping done");
    }
}

static void logger(void *p1, void *p2, void *p3)
{
    (void)p1; (void)p2; (void)p3;
    for (uint64_t at_ms = 12; !done; at_ms += 15) {
        gale_kernel_sleep(GALE_TIMEOUT_ABS_TICKS(gale_kernel_ms_to_ticks_ceil(at_ms)));
        if (done)
            break;
        gale_kernel_mutex_lock(&telemetry, GALE_FOREVER);
        say("logger", "flushing telemetry: 6 ms of work under the mutex");
        gale_sim_busy_ns(4600000);
        gale_thread_t *self = gale_kernel_thread_self();
        if (self->prio != self->base_prio)
            say("logger", "priority inheritance: running at %d instead of %d, so house (7) cannot preempt",
                self->prio, self->base_prio);
        gale_sim_busy_ns(1400000);
        say("logger", "flushed; unlocking drops the logger back to prio %d", self->base_prio);
        gale_kernel_mutex_unlock(&telemetry);
    }
}

GALE_THREAD_DEFINE(logger_thread, 32768, logger, NULL, NULL, NULL, 10, 0);

int main(void)
{
    static GALE_THREAD_STACK_DEFINE(sensor_stack, 32768);
    static GALE_THREAD_STACK_DEFINE(control_stack, 32768);
    static GALE_THREAD_STACK_DEFINE(house_stack, 32768);
    static gale_thread_t sensor_t, control_t, house_t;

    gale_sim_config_t cfg = { .cpus = 1, .mode = GALE_SIM_DETERMINISTIC, .time_limit_ns = 1000000000u };
    if (gale_sim_setup(&cfg) != GALE_OK || gale_kernel_init() != GALE_OK)
        return 1;
    gale_kernel_timer_init(&pace, NULL, NULL);
    gale_kernel_timer_init(&heartbeat, heartbeat_fn, NULL);
    gale_kernel_timer_start(&heartbeat, GALE_MSEC(10), GALE_MSEC(10));

    gale_kernel_thread_create(&sensor_t, sensor_stack, sizeof sensor_stack, sensor, NULL, NULL, NULL, 2, 0,
                              GALE_NO_WAIT);
    gale_kernel_thread_name_set(&sensor_t, "sensor");
    gale_kernel_thread_create(&control_t, control_stack, sizeof control_stack, control, NULL, NULL, NULL, 4, 0,
                              GALE_NO_WAIT);
    gale_kernel_thread_name_set(&control_t, "control");
    gale_kernel_thread_create(&house_t, house_stack, sizeof house_stack, house, NULL, NULL, NULL, 7, 0,
                              GALE_NO_WAIT);
    gale_kernel_thread_name_set(&house_t, "house");
    gale_kernel_thread_name_set(&logger_thread, "logger");

    printf("gale hello: 4 threads on a simulated core, deterministic virtual time, samples via %s\n", TRANSPORT);
    int rc = gale_sim_run();
    printf("gale hello: %s at %.3f ms virtual time, %" PRIu64 " context switches\n",
           rc == GALE_OK ? "all threads finished" : gale_strerror(rc), (double)gale_sim_time_ns() / 1e6,
           gale_sim_switch_count());
    return rc == GALE_OK ? 0 : 1;
}
