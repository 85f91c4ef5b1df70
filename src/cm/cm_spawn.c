/* Instance-per-thread spawn: a kernel thread per system whose body instantiates
 * the component, runs _initialize and the entry export (sync: as the body;
 * async: the task driver on this thread), contains traps, and applies the
 * restart policy. The state changes and the restart decision are the proven
 * pure functions of cm_book.c. */
#include <stdio.h>
#include <string.h>

#include "cm_internal.h"
#include "gale/exec.h"

struct gale_cm_system {
    uint8_t state; /* gale_cm_sys_state_t */
    gale_cm_spawn_cfg_t cfg;
    gale_thread_t thread;
    gale_cm_instance_t *inst;
    uint32_t restarts;
    gale_cm_trap_info_t last_trap;
    uint8_t arena_buf[256];
    gale_exec_t exec; /* async entries run under this thread's executor */
    gale_cm_exec_task_t etask;
};

static void exec_done(gale_exec_t *exec, gale_exec_task_t *task, int status, void *arg)
{
    (void)task, (void)status, (void)arg;
    gale_exec_stop(exec);
}

/* Runs an async entry as a task of an executor hosted by this thread. */
static int run_async_entry(gale_cm_system_t *s, gale_cm_instance_t *inst, gale_cm_err_t *err)
{
    gale_exec_config_t cfg = {.name = s->cfg.name, .on_done = exec_done};
    int rc = gale_exec_init(&s->exec, &cfg);
    if (rc)
        return gale_cm_err_set(err, rc, "executor init failed");
    rc = gale_cm_exec_spawn(&s->exec, &s->etask, inst, s->cfg.entry_iface, s->cfg.entry_name, NULL, 0);
    if (rc)
        return gale_cm_err_set(err, rc, "executor spawn failed");
    rc = gale_exec_run(&s->exec);
    if (rc)
        return gale_cm_err_set(err, rc, "executor run failed");
    if (s->etask.status)
        *err = s->etask.err;
    return s->etask.status;
}

static gale_cm_system_t g_systems[GALE_CM_MAX_SYSTEMS];

static void report(gale_cm_system_t *s, gale_cm_sys_report_t what, const char *msg)
{
    if (s->cfg.report)
        s->cfg.report(s, what, msg, s->cfg.user);
}

static void set_state(gale_cm_system_t *s, int event, int decision)
{
    int next = gale_cm_sys_next(s->state, event, decision);
    if (next >= 0)
        s->state = (uint8_t)next;
}

static void system_main(void *p1, void *p2, void *p3)
{
    (void)p2, (void)p3;
    gale_cm_system_t *s = p1;
    for (;;) {
        gale_cm_err_t err = {0};
        gale_cm_instance_t *inst = NULL;
        int rc = gale_cm_instantiate(s->cfg.component, s->cfg.host_ctx, s->cfg.fuel, &inst, &err);
        s->inst = inst;
        if (inst) {
            gale_cm_instance_set_name(inst, s->cfg.name);
            if (s->cfg.fuel_per_call)
                gale_cm_instance_set_call_fuel(inst, s->cfg.fuel_per_call);
        }
        if (rc == 0) {
            set_state(s, GALE_CM_EV_STARTED, 0);
            report(s, GALE_CM_REPORT_STARTED, "started");
            gale_cm_arena_t ar;
            gale_cm_arena_init(&ar, s->arena_buf, sizeof s->arena_buf);
            gale_cm_val_t result;
            if (cm_export_is_async(inst, s->cfg.entry_iface, s->cfg.entry_name) == 1)
                rc = run_async_entry(s, inst, &err);
            else
                rc = gale_cm_call_export(inst, s->cfg.entry_iface, s->cfg.entry_name, NULL, 0, &result, &ar, &err);
        }
        if (rc == 0) {
            set_state(s, GALE_CM_EV_EXIT, 0);
            report(s, GALE_CM_REPORT_EXITED, "entry returned");
            gale_cm_instance_free(inst);
            s->inst = NULL;
            return;
        }
        /* trap (or failure to start): contained here, this system only */
        memset(&s->last_trap, 0, sizeof s->last_trap);
        if (inst && gale_cm_instance_trap(inst)->trapped)
            s->last_trap = *gale_cm_instance_trap(inst);
        else {
            s->last_trap.trapped = true;
            memcpy(s->last_trap.reason, err.message, sizeof s->last_trap.reason - 1);
        }
        char msg[600];
        snprintf(msg, sizeof msg, "%s: trap in export %s (function %u, offset 0x%x): %s", s->cfg.name,
                 s->last_trap.export_name[0] ? s->last_trap.export_name : "(start)", (unsigned)s->last_trap.func_index,
                 (unsigned)s->last_trap.code_offset, s->last_trap.reason);
        report(s, GALE_CM_REPORT_TRAP, msg);
        if (inst)
            gale_cm_instance_free(inst);
        s->inst = NULL;
        uint32_t delay = 0;
        int d = gale_cm_restart_decide(s->cfg.restart_policy, s->restarts, s->cfg.max_restarts, s->cfg.backoff_base_ms,
                                       s->cfg.backoff_max_ms, &delay);
        set_state(s, GALE_CM_EV_TRAP, d);
        if (d == GALE_CM_DECIDE_STOP) {
            report(s, GALE_CM_REPORT_STOPPED, msg);
            return;
        }
        if (d == GALE_CM_DECIDE_ESCALATE) {
            report(s, GALE_CM_REPORT_ESCALATE, msg);
            return;
        }
        gale_kernel_sleep(GALE_MSEC(delay));
        s->restarts++;
        set_state(s, GALE_CM_EV_BACKOFF_DONE, 0);
        report(s, GALE_CM_REPORT_RESTART, "restarting");
    }
}

int gale_cm_spawn(const gale_cm_spawn_cfg_t *cfg, gale_cm_system_t **out, gale_cm_err_t *err)
{
    *out = NULL;
    if (!cfg || !cfg->component)
        return gale_cm_err_set(err, GALE_EINVAL, "spawn: no component");
    if (!cfg->entry_name)
        return gale_cm_err_set(err, GALE_EINVAL, "spawn %s: no entry export", cfg->name ? cfg->name : "?");
    if (!cfg->stack || cfg->stack_size == 0)
        return gale_cm_err_set(err, GALE_EINVAL, "spawn %s: no stack", cfg->name ? cfg->name : "?");
    if (cfg->restart_policy < GALE_CM_RESTART_NONE || cfg->restart_policy > GALE_CM_RESTART_ESCALATE)
        return gale_cm_err_set(err, GALE_EINVAL, "spawn %s: bad restart policy %d", cfg->name ? cfg->name : "?",
                               cfg->restart_policy);
    uint8_t states[GALE_CM_MAX_SYSTEMS];
    for (int i = 0; i < GALE_CM_MAX_SYSTEMS; i++)
        states[i] = g_systems[i].state;
    int slot = gale_cm_sys_slot_find(states, GALE_CM_MAX_SYSTEMS);
    if (slot < 0)
        return gale_cm_err_set(err, GALE_ENOMEM, "spawn %s: all %d system slots in use", cfg->name ? cfg->name : "?",
                               GALE_CM_MAX_SYSTEMS);
    gale_cm_system_t *s = &g_systems[slot];
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    if (!s->cfg.name)
        s->cfg.name = "system";
    if (!s->cfg.entry_iface)
        s->cfg.entry_iface = "";
    int rc = gale_kernel_thread_create(&s->thread, cfg->stack, cfg->stack_size, system_main, s, NULL, NULL, cfg->prio,
                                       GALE_THREAD_OPT_NONE, GALE_FOREVER);
    if (rc)
        return gale_cm_err_set(err, rc, "spawn %s: thread create failed (%s)", s->cfg.name, gale_strerror(rc));
    gale_kernel_thread_name_set(&s->thread, s->cfg.name);
    if (cfg->cpu_mask) {
        rc = gale_kernel_thread_cpu_mask_set(&s->thread, cfg->cpu_mask);
        if (rc)
            return gale_cm_err_set(err, rc, "spawn %s: cpu mask 0x%x rejected (%s)", s->cfg.name,
                                   (unsigned)cfg->cpu_mask, gale_strerror(rc));
    }
    set_state(s, GALE_CM_EV_SPAWN, 0);
    rc = gale_kernel_thread_start(&s->thread);
    if (rc) {
        s->state = GALE_CM_SYS_FREE;
        return gale_cm_err_set(err, rc, "spawn %s: thread start failed", s->cfg.name);
    }
    *out = s;
    return 0;
}

int gale_cm_system_state(const gale_cm_system_t *sys)
{
    return sys->state;
}

uint32_t gale_cm_system_restarts(const gale_cm_system_t *sys)
{
    return sys->restarts;
}

const gale_cm_trap_info_t *gale_cm_system_last_trap(const gale_cm_system_t *sys)
{
    return &sys->last_trap;
}

const char *gale_cm_system_name(const gale_cm_system_t *sys)
{
    return sys->cfg.name;
}

int gale_cm_system_join(gale_cm_system_t *sys, int64_t timeout_ms)
{
    return gale_kernel_thread_join(&sys->thread, timeout_ms < 0 ? GALE_FOREVER : GALE_MSEC((uint64_t)timeout_ms));
}

int gale_cm_system_release(gale_cm_system_t *sys)
{
    int next = gale_cm_sys_next(sys->state, GALE_CM_EV_RELEASE, 0);
    if (next < 0)
        return GALE_EBUSY;
    sys->state = (uint8_t)next;
    return 0;
}
