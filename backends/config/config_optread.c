/* config_optread: uv_queue_work around config_read_option_file. The request owns copies of
 * what the worker needs, so the caller may go away: a cancel only clears the callback, and
 * the after-work step, which always runs on the loop, frees the request. */
#include "config/config_optread.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "config/config.h"

struct config_optread {
    uv_work_t work;
    char *path;
    char *group;    /* NULL: client */
    int status;     /* worker's result */
    char *password; /* secret, worker's result */
    struct pxerr err;
    config_optread_cb *cb; /* NULL: cancelled */
    void *arg;
};

static void
on_work(uv_work_t *w)
{
    struct config_optread *r = w->data;
    r->status = config_read_option_file(r->path, r->group, NULL, &r->password, NULL, NULL, &r->err);
    if (r->status == 0 && r->password == NULL)
        r->status = pxerr_set(&r->err, PXE_NOTFOUND, "%s has no password= in [%s] or [client]",
                              r->path, r->group ? r->group : "client");
}

static void
on_work_done(uv_work_t *w, int status)
{
    struct config_optread *r = w->data;
    if (status == UV_ECANCELED && r->status == 0)
        r->status = pxerr_set(&r->err, PXE_CANCELLED, "%s: read cancelled", r->path);
    if (r->cb != NULL) {
        if (r->status == 0)
            r->cb(0, r->password, strlen(r->password), NULL, r->arg);
        else
            r->cb(r->status, NULL, 0, &r->err, r->arg);
    }
    xfree_secret(r->password);
    free(r->path);
    free(r->group);
    free(r);
}

int
config_optread_start(uv_loop_t *loop, const char *path, const char *group, config_optread_cb *cb,
                     void *arg, struct config_optread **out, struct pxerr *err)
{
    struct config_optread *r = xcalloc(1, sizeof *r);
    r->path = xstrdup(path);
    r->group = xstrdup_or_null(group);
    r->cb = cb;
    r->arg = arg;
    r->work.data = r;
    int rc = uv_queue_work(loop, &r->work, on_work, on_work_done);
    if (rc < 0) {
        free(r->path);
        free(r->group);
        free(r);
        return pxerr_set(err, PXE_INTERNAL, "cannot read %s on a worker: %s", path,
                         uv_strerror(rc));
    }
    *out = r;
    return 0;
}

void
config_optread_cancel(struct config_optread *r)
{
    if (r == NULL)
        return;
    r->cb = NULL;
    r->arg = NULL;
    /* Not started yet: it never will (on_work_done then gets UV_ECANCELED). */
    (void)uv_cancel((uv_req_t *)&r->work);
}
