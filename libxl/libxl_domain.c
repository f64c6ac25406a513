/* libxl_domain.c -- what exists, and doing things to it: information,
 * names, pause/unpause, rename, destroy, shutdown and reboot, sysrq, the
 * stored configuration of running domains.
 *
 * Names live in XenStore (/local/domain/N/name and /vm/UUID/name); the
 * run directory's lock (xl.lock) is held from checking that a name is
 * free until it is written, by create and rename alike.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/time.h>
#include <unistd.h>

#include "libxl_life.h"
#include "util.h"

/* How long xenconsoled may take to let go of a destroyed domain's console
 * before its XenStore entries are removed anyway. */
#define CONSOLE_RELEASE_MS 2000

/* ---- information ------------------------------------------------------------------- */

void libxl__dominfo_from_xc(libxl_dominfo *info, const xc_domaininfo_t *xi)
{
    uint32_t f = xi->flags;

    libxl_dominfo_init(info);
    memcpy(info->uuid.uuid, xi->handle, sizeof(info->uuid.uuid));
    info->domid = xi->domain;
    info->ssidref = xi->ssidref;
    info->running = !!(f & XEN_DOMINF_running);
    info->blocked = !!(f & XEN_DOMINF_blocked);
    info->paused = !!(f & XEN_DOMINF_paused);
    info->shutdown = !!(f & XEN_DOMINF_shutdown);
    info->dying = !!(f & XEN_DOMINF_dying);
    info->shutdown_reason = info->shutdown
        ? (libxl_shutdown_reason)((f >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask)
        : LIBXL_SHUTDOWN_REASON_UNKNOWN;
    info->outstanding_memkb = xi->outstanding_pages * (XC_PAGE_SIZE / 1024);
    info->current_memkb = xi->tot_pages * (XC_PAGE_SIZE / 1024);
    info->shared_memkb = xi->shr_pages * (XC_PAGE_SIZE / 1024);
    info->paged_memkb = xi->paged_pages * (XC_PAGE_SIZE / 1024);
    info->max_memkb = xi->max_pages == ~0ULL ? ~0ULL : xi->max_pages * (XC_PAGE_SIZE / 1024);
    info->cpu_time = xi->cpu_time;
    info->vcpu_max_id = xi->max_vcpu_id;
    info->vcpu_online = xi->nr_online_vcpus;
    info->cpupool = xi->cpupool;
    info->gpaddr_bits = xi->gpaddr_bits;
    if (!(f & XEN_DOMINF_hvm_guest))
        info->domain_type = LIBXL_DOMAIN_TYPE_PV;
    else if ((xi->arch_config.emulation_flags & ~XEN_X86_EMU_LAPIC) == 0)
        info->domain_type = LIBXL_DOMAIN_TYPE_PVH;
    else
        info->domain_type = LIBXL_DOMAIN_TYPE_HVM;
}

int libxl_domain_info(libxl_ctx *ctx, libxl_dominfo *info_r, uint32_t domid)
{
    xc_interface *xch = libxl__xch(ctx);
    xc_domaininfo_t xi;

    if (!xch)
        return ERROR_FAIL;
    if (xc_domain_getinfo_single(xch, domid, &xi) < 0) {
        if (errno == ESRCH)
            return ERROR_DOMAIN_NOTFOUND;
        LOGED(ERROR, domid, "cannot get domain information");
        return ERROR_FAIL;
    }
    if (info_r)
        libxl__dominfo_from_xc(info_r, &xi);
    return 0;
}

libxl_dominfo *libxl_list_domain(libxl_ctx *ctx, int *nb_domain_out)
{
    xc_interface *xch = libxl__xch(ctx);
    enum { BATCH = 512 };
    xc_domaininfo_t *xi = NULL;
    libxl_dominfo *out = NULL;
    int n = 0, got;
    uint32_t next = 0;

    *nb_domain_out = 0;
    if (!xch)
        return NULL;
    xi = libxl__malloc(BATCH * sizeof(*xi));
    while ((got = xc_domain_getinfolist(xch, next, BATCH, xi)) > 0) {
        out = libxl__realloc(out, (size_t)(n + got) * sizeof(*out));
        for (int i = 0; i < got; i++)
            libxl__dominfo_from_xc(&out[n + i], &xi[i]);
        n += got;
        next = xi[got - 1].domain + 1u;
        if (got < BATCH || next >= DOMID_FIRST_RESERVED)
            break;
    }
    if (got < 0) {
        LOGE(ERROR, "cannot list the domains");
        libxl_dominfo_list_free(out, n);
        free(xi);
        return NULL;
    }
    free(xi);
    *nb_domain_out = n;
    return out ? out : libxl__calloc(1, sizeof(*out));
}

void libxl_dominfo_list_free(libxl_dominfo *list, int nb_domain)
{
    for (int i = 0; list && i < nb_domain; i++)
        libxl_dominfo_dispose(&list[i]);
    free(list);
}

char *libxl_domid_to_name(libxl_ctx *ctx, uint32_t domid)
{
    char *name = libxl__xs_read(ctx, XBT_NULL, "/local/domain/%u/name", domid);

    if (!name && domid == 0)
        name = libxl__strdup("Domain-0");
    return name;
}

int libxl_name_to_domid(libxl_ctx *ctx, const char *name, uint32_t *domid)
{
    libxl_dominfo *list;
    int n, rc = ERROR_INVAL;

    if (!name || !*name)
        return ERROR_INVAL;
    list = libxl_list_domain(ctx, &n);
    if (!list)
        return ERROR_FAIL;
    for (int i = 0; i < n && rc; i++) {
        char *d = libxl_domid_to_name(ctx, list[i].domid);
        if (d && strcmp(d, name) == 0) {
            *domid = list[i].domid;
            rc = 0;
        }
        free(d);
    }
    libxl_dominfo_list_free(list, n);
    return rc;
}

uint32_t libxl_vm_get_start_time(libxl_ctx *ctx, uint32_t domid)
{
    char *vm = libxl__xs_read(ctx, XBT_NULL, "/local/domain/%u/vm", domid);
    char *st = vm ? libxl__xs_read(ctx, XBT_NULL, "%s/start_time", vm) : NULL;
    uint32_t start = st ? (uint32_t)strtoul(st, NULL, 10) : 0;

    free(st);
    free(vm);
    return start;
}

/* ---- the run directory's lock and the stored configuration ------------------------- */

int libxl__lock_acquire(libxl_ctx *ctx)
{
    char *path = libxl__sprintf("%s/xl.lock", ctx->run_dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    if (fd < 0) {
        LOGE(ERROR, "cannot open %s", path);
        free(path);
        return -1;
    }
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            LOGE(ERROR, "cannot lock %s", path);
            close(fd);
            free(path);
            return -1;
        }
    }
    free(path);
    return fd;
}

void libxl__lock_release(int fd)
{
    if (fd >= 0)
        close(fd);                 /* drops the lock */
}

char *libxl__domain_config_file(libxl_ctx *ctx, uint32_t domid)
{
    libxl_dominfo info;
    char *path;

    if (libxl_domain_info(ctx, &info, domid))
        return NULL;
    path = libxl_domain_config_path(ctx->run_dir, domid, &info.uuid);
    libxl_dominfo_dispose(&info);
    if (access(path, F_OK) < 0) {
        free(path);
        return NULL;
    }
    return path;
}

int libxl_retrieve_domain_configuration(libxl_ctx *ctx, uint32_t domid,
                                        libxl_domain_config *d_config,
                                        const libxl_asyncop_how *ao_how)
{
    char *path, *err = NULL;
    int rc;

    (void)ao_how;
    if (libxl_domain_info(ctx, NULL, domid))
        return ERROR_DOMAIN_NOTFOUND;
    path = libxl__domain_config_file(ctx, domid);
    if (!path)
        return ERROR_JSON_CONFIG_EMPTY;
    rc = libxl_domain_config_load(path, d_config, &err);
    if (rc) {
        LOGD(ERROR, domid, "%s", err ? err : "cannot read the stored configuration");
        rc = ERROR_FAIL;
    }
    free(err);
    free(path);
    return rc;
}

int libxl__domain_config_update(libxl_ctx *ctx, uint32_t domid, libxl__config_update_fn *fn,
                                void *arg)
{
    libxl_domain_config c;
    char *path, *err = NULL;
    int lock, rc;

    lock = libxl__lock_acquire(ctx);
    if (lock < 0)
        return ERROR_FAIL;
    path = libxl__domain_config_file(ctx, domid);
    if (!path) {
        libxl__lock_release(lock);
        return 0;
    }
    libxl_domain_config_init(&c);
    rc = libxl_domain_config_load(path, &c, &err);
    if (rc) {
        LOGD(ERROR, domid, "%s", err ? err : "cannot read the stored configuration");
        rc = ERROR_FAIL;
        goto out;
    }
    fn(&c, arg);
    if (libxl_domain_config_store(path, &c)) {
        LOGED(ERROR, domid, "cannot store the configuration in %s", path);
        rc = ERROR_FAIL;
    }
out:
    libxl_domain_config_dispose(&c);
    free(err);
    free(path);
    libxl__lock_release(lock);
    return rc;
}

/* ---- pause, unpause ------------------------------------------------------------------------ */

static int domctl_simple(libxl_ctx *ctx, uint32_t domid, int (*op)(xc_interface *, uint32_t),
                         const char *what)
{
    xc_interface *xch = libxl__xch(ctx);

    if (!xch)
        return ERROR_FAIL;
    if (op(xch, domid) < 0) {
        if (errno == ESRCH)
            return ERROR_DOMAIN_NOTFOUND;
        LOGED(ERROR, domid, "cannot %s the domain", what);
        return ERROR_FAIL;
    }
    return 0;
}

int libxl_domain_pause(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how)
{
    (void)ao_how;
    return domctl_simple(ctx, domid, xc_domain_pause, "pause");
}

int libxl_domain_unpause(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how)
{
    (void)ao_how;
    return domctl_simple(ctx, domid, xc_domain_unpause, "unpause");
}

/* ---- rename ------------------------------------------------------------------------------------ */

struct rename {
    uint32_t domid;
    const char *old_name, *new_name;
};

static int rename_txn(libxl_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct rename *r = arg;
    char *cur = libxl__xs_read(ctx, t, "/local/domain/%u/name", r->domid);
    char *vm = libxl__xs_read(ctx, t, "/local/domain/%u/vm", r->domid);
    char path[128];
    int rc = 0;

    if (!cur) {
        LOGD(ERROR, r->domid, "the domain has no name in XenStore (is it a domain of this "
             "toolstack?)");
        rc = ERROR_DOMAIN_NOTFOUND;
        goto out;
    }
    if (r->old_name && strcmp(cur, r->old_name) != 0) {
        LOGD(ERROR, r->domid, "the domain is called \"%s\", not \"%s\"", cur, r->old_name);
        rc = ERROR_INVAL;
        goto out;
    }
    snprintf(path, sizeof(path), "/local/domain/%u/name", r->domid);
    if (libxl__xs_write(ctx, t, path, "%s", r->new_name)) {
        LOGED(ERROR, r->domid, "cannot write the new name");
        rc = ERROR_FAIL;
        goto out;
    }
    if (vm && strncmp(vm, "/vm/", 4) == 0) {
        snprintf(path, sizeof(path), "%s/name", vm);
        if (libxl__xs_write(ctx, t, path, "%s", r->new_name)) {
            LOGED(ERROR, r->domid, "cannot write %s", path);
            rc = ERROR_FAIL;
        }
    }
out:
    free(cur);
    free(vm);
    return rc;
}

static void rename_config(libxl_domain_config *c, void *arg)
{
    const struct rename *r = arg;

    free(c->c_info.name);
    c->c_info.name = libxl__strdup(r->new_name);
}

int libxl_domain_rename(libxl_ctx *ctx, uint32_t domid, const char *old_name,
                        const char *new_name)
{
    struct rename r = { domid, old_name, new_name };
    const char *why = libxl_domain_name_problem(new_name);
    uint32_t other;
    int lock, rc;

    if (why) {
        LOGD(ERROR, domid, "cannot rename to \"%s\": %s", new_name, why);
        return ERROR_INVAL;
    }
    lock = libxl__lock_acquire(ctx);
    if (lock < 0)
        return ERROR_FAIL;
    if (libxl_name_to_domid(ctx, new_name, &other) == 0 && other != domid) {
        LOGD(ERROR, domid, "cannot rename to \"%s\": domain %u already has that name",
             new_name, other);
        libxl__lock_release(lock);
        return ERROR_INVAL;
    }
    rc = libxl__xs_transaction(ctx, rename_txn, &r);
    libxl__lock_release(lock);
    if (rc)
        return rc;
    return libxl__domain_config_update(ctx, domid, rename_config, &r);
}

/* ---- destroy ------------------------------------------------------------------------------------ */

void libxl__domain_cleanup(libxl_ctx *ctx, uint32_t domid, const libxl_uuid *uuid)
{
    char *vm = libxl__xs_read(ctx, XBT_NULL, "/local/domain/%u/vm", domid);
    char path[128];
    glob_t g;

    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    xs_rm(ctx->xsh, XBT_NULL, path);
    snprintf(path, sizeof(path), "/libxl/%u", domid);
    xs_rm(ctx->xsh, XBT_NULL, path);
    if (vm && strncmp(vm, "/vm/", 4) == 0)
        xs_rm(ctx->xsh, XBT_NULL, vm);
    free(vm);
    if (uuid && !libxl_uuid_is_nil(uuid)) {
        char *cfg = libxl_domain_config_path(ctx->run_dir, domid, uuid);
        unlink(cfg);
        free(cfg);
        return;
    }
    /* The UUID is not known any more: whatever file names this domid. */
    char *pattern = libxl__sprintf("%s/userdata-d%u.*.libxl-json", ctx->run_dir, domid);
    if (glob(pattern, GLOB_NOSORT, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++)
            unlink(g.gl_pathv[i]);
        globfree(&g);
    }
    free(pattern);
}

struct tty_gone {
    uint32_t domid;
};

static int console_released(libxl_ctx *ctx, void *arg)
{
    struct tty_gone *tg = arg;
    char *tty = libxl__xs_read(ctx, XBT_NULL, "/local/domain/%u/console/tty", tg->domid);

    free(tty);
    return tty ? 0 : 1;
}

int libxl_domain_destroy(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how)
{
    xc_interface *xch = libxl__xch(ctx);
    xc_domaininfo_t xi;
    libxl_uuid uuid;
    char *tty, path[64];
    bool in_xen, in_xs;

    (void)ao_how;
    if (!xch)
        return ERROR_FAIL;
    if (domid == 0) {
        LOG(ERROR, "Domain-0 cannot be destroyed");
        return ERROR_INVAL;
    }
    libxl_uuid_clear(&uuid);
    in_xen = xc_domain_getinfo_single(xch, domid, &xi) == 0;
    if (in_xen)
        memcpy(uuid.uuid, xi.handle, sizeof(uuid.uuid));
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    tty = libxl__xs_read(ctx, XBT_NULL, "/local/domain/%u/console/tty", domid);
    {
        char *name = libxl__xs_read(ctx, XBT_NULL, "%s", path);
        in_xs = name != NULL;
        free(name);
    }
    if (!in_xen && !in_xs) {
        free(tty);
        return ERROR_DOMAIN_NOTFOUND;
    }
    if (in_xen) {
        xc_domain_pause(xch, domid);
        if (xc_domain_destroy(xch, domid) < 0 && errno != ESRCH) {
            LOGED(ERROR, domid, "the hypervisor cannot destroy the domain");
            free(tty);
            return ERROR_FAIL;
        }
    }
    /* xenstored forgets the domain and fires @releaseDomain: xenconsoled
     * lets go of the console and removes console/tty.  It gets a deadline;
     * then the entries go anyway. */
    if (tty) {
        struct tty_gone tg = { domid };
        char tty_path[64];
        char *token;

        snprintf(tty_path, sizeof(tty_path), "/local/domain/%u/console/tty", domid);
        token = libxl__watch_add(ctx, tty_path);
        xs_release_domain(ctx->xsh, domid);
        if (token && libxl__wait(ctx, domid, 0, console_released, &tg, CONSOLE_RELEASE_MS) ==
                         ERROR_TIMEDOUT)
            LOGD(WARN, domid, "xenconsoled did not release the console within %d ms; "
                 "removing its entries anyway", CONSOLE_RELEASE_MS);
        libxl__watch_remove(ctx, tty_path, token);
        free(tty);
    } else {
        xs_release_domain(ctx->xsh, domid);
    }
    libxl__domain_cleanup(ctx, domid, in_xen ? &uuid : NULL);
    return 0;
}

/* ---- shutdown, reboot, sysrq ---------------------------------------------------------------- */

/* The guest's PV control: it announced the feature, or (Xen's own test)
 * its PV drivers registered the event callback. */
static bool pvcontrol_available(libxl_ctx *ctx, uint32_t domid, const char *feature)
{
    char *v = libxl__xs_read(ctx, XBT_NULL, "/local/domain/%u/control/feature-%s", domid,
                             feature);
    uint64_t cb = 0;
    bool ok;

    if (v && *v) {
        ok = strcmp(v, "1") == 0;
        free(v);
        return ok;
    }
    free(v);
    return libxl__xch(ctx) && xc_hvm_param_get(libxl__xch(ctx), domid, HVM_PARAM_CALLBACK_IRQ,
                                               &cb) == 0 && cb != 0;
}

struct control_write {
    uint32_t domid;
    const char *node, *value;
};

static int control_txn(libxl_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct control_write *cw = arg;
    char path[128];
    char *cur;

    snprintf(path, sizeof(path), "/local/domain/%u/control/%s", cw->domid, cw->node);
    cur = xs_read(ctx->xsh, t, path, &(unsigned int){ 0 });
    if (!cur) {
        LOGD(ERROR, cw->domid, "it has no %s node (it is not a domain of this toolstack, or it "
             "is being destroyed)", path);
        return ERROR_FAIL;
    }
    free(cur);
    if (libxl__xs_write(ctx, t, path, "%s", cw->value)) {
        LOGED(ERROR, cw->domid, "cannot write %s", path);
        return ERROR_FAIL;
    }
    return 0;
}

static int pvcontrol(libxl_ctx *ctx, uint32_t domid, const char *cmd, const char *feature)
{
    struct control_write cw = { domid, "shutdown", cmd };
    int rc = libxl_domain_info(ctx, NULL, domid);

    if (rc)
        return rc;
    if (!pvcontrol_available(ctx, domid, feature))
        return ERROR_NOPARAVIRT;
    return libxl__xs_transaction(ctx, control_txn, &cw);
}

int libxl_domain_shutdown(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how)
{
    (void)ao_how;
    return pvcontrol(ctx, domid, "poweroff", "poweroff");
}

int libxl_domain_reboot(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how)
{
    (void)ao_how;
    return pvcontrol(ctx, domid, "reboot", "reboot");
}

int libxl_domain_remote_shutdown(libxl_ctx *ctx, uint32_t domid,
                                 libxl_shutdown_reason reason)
{
    xc_interface *xch = libxl__xch(ctx);

    if (!xch)
        return ERROR_FAIL;
    if (xc_domain_shutdown(xch, domid, (int)reason) < 0) {
        if (errno == ESRCH)
            return ERROR_DOMAIN_NOTFOUND;
        LOGED(ERROR, domid, "the hypervisor cannot shut the domain down");
        return ERROR_FAIL;
    }
    return 0;
}

int libxl_send_trigger(libxl_ctx *ctx, uint32_t domid, libxl_trigger trigger, uint32_t vcpuid,
                       const libxl_asyncop_how *ao_how)
{
    (void)vcpuid;
    (void)ao_how;
    switch (trigger) {
    case LIBXL_TRIGGER_POWER:
        return libxl_domain_remote_shutdown(ctx, domid, LIBXL_SHUTDOWN_REASON_POWEROFF);
    case LIBXL_TRIGGER_RESET:
        return libxl_domain_remote_shutdown(ctx, domid, LIBXL_SHUTDOWN_REASON_REBOOT);
    default:
        LOGD(ERROR, domid, "trigger %s is not supported by xenkvm (no ACPI)",
             libxl_trigger_to_string(trigger));
        return ERROR_NI;
    }
}

int libxl_send_sysrq(libxl_ctx *ctx, uint32_t domid, char sysrq)
{
    char v[2] = { sysrq, '\0' };
    struct control_write cw = { domid, "sysrq", v };
    int rc = libxl_domain_info(ctx, NULL, domid);

    if (rc)
        return rc;
    return libxl__xs_transaction(ctx, control_txn, &cw);
}

/* ---- preserve ------------------------------------------------------------------------------ */

struct move_vm {
    uint32_t domid;
    char new_vm[64];
};

static int move_vm_txn(libxl_ctx *ctx, xs_transaction_t t, void *arg)
{
    struct move_vm *m = arg;
    char *old = libxl__xs_read(ctx, t, "/local/domain/%u/vm", m->domid);
    char path[128];
    int rc = ERROR_FAIL;

    if (!old || strncmp(old, "/vm/", 4) != 0) {
        free(old);
        return 0;                  /* nothing to move */
    }
    char *name = libxl__xs_read(ctx, t, "%s/name", old);
    char *start = libxl__xs_read(ctx, t, "%s/start_time", old);
    if (libxl__xs_mknode(ctx, t, m->new_vm, NULL, m->domid, LIBXL__XS_NOPERM))
        goto out;
    snprintf(path, sizeof(path), "%s/uuid", m->new_vm);
    if (libxl__xs_write(ctx, t, path, "%s", m->new_vm + 4))
        goto out;
    snprintf(path, sizeof(path), "%s/name", m->new_vm);
    if (name && libxl__xs_write(ctx, t, path, "%s", name))
        goto out;
    snprintf(path, sizeof(path), "%s/start_time", m->new_vm);
    if (start && libxl__xs_write(ctx, t, path, "%s", start))
        goto out;
    snprintf(path, sizeof(path), "/local/domain/%u/vm", m->domid);
    if (libxl__xs_write(ctx, t, path, "%s", m->new_vm))
        goto out;
    xs_rm(ctx->xsh, t, old);
    rc = 0;
out:
    if (rc)
        LOGED(ERROR, m->domid, "cannot move %s to %s", old, m->new_vm);
    free(name);
    free(start);
    free(old);
    return rc;
}

int libxl_domain_preserve(libxl_ctx *ctx, uint32_t domid, libxl_domain_create_info *info,
                          const char *name_suffix, libxl_uuid new_uuid)
{
    struct move_vm m = { .domid = domid };
    char u[LIBXL_UUID_FMTLEN + 1];
    char *name = NULL;
    uint32_t other;
    int rc;

    for (int i = 0; i < 100; i++) {
        free(name);
        name = i ? libxl__sprintf("%s%s-%d", info->name, name_suffix, i)
                 : libxl__sprintf("%s%s", info->name, name_suffix);
        if (libxl_name_to_domid(ctx, name, &other) != 0 || other == domid)
            break;
    }
    rc = libxl_domain_rename(ctx, domid, NULL, name);
    free(name);
    if (rc)
        return rc;
    /* The kept domain gets the new UUID, in xen and in its stored
     * configuration (which is filed under the UUID). */
    char *old_cfg = libxl__domain_config_file(ctx, domid);
    xc_interface *xch = libxl__xch(ctx);
    if (!xch || xc_domain_sethandle(xch, domid, new_uuid.uuid) < 0) {
        LOGED(ERROR, domid, "cannot give the domain its new UUID");
        free(old_cfg);
        return ERROR_FAIL;
    }
    if (old_cfg) {
        libxl_domain_config c;
        char *err = NULL;
        libxl_domain_config_init(&c);
        if (libxl_domain_config_load(old_cfg, &c, &err) == 0) {
            char *new_cfg = libxl_domain_config_path(ctx->run_dir, domid, &new_uuid);
            libxl_uuid_copy(ctx, &c.c_info.uuid, &new_uuid);
            if (libxl_domain_config_store(new_cfg, &c) == 0)
                unlink(old_cfg);
            else
                LOGED(WARN, domid, "cannot store the configuration in %s", new_cfg);
            free(new_cfg);
        }
        free(err);
        libxl_domain_config_dispose(&c);
        free(old_cfg);
    }
    libxl_uuid_to_string(&new_uuid, u);
    snprintf(m.new_vm, sizeof(m.new_vm), "/vm/%s", u);
    return libxl__xs_transaction(ctx, move_vm_txn, &m);
}
