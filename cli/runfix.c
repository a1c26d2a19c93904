/* runfix: the fix runner's two steps, each run to its callback on the collect's loop, with
 * the operator's answer between them. */
#include "runfix.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "doctor/fixrun.h"
#include "manifest/crdreg.h"
#include "config/config.h"

struct step_wait {
    uv_loop_t *loop;
    bool done;
    int status;
    struct pxerr err;
};

static void
on_step(struct fixrun *fr, int status, const struct pxerr *err, void *arg)
{
    struct step_wait *w = arg;
    (void)fr;
    w->done = true;
    w->status = status;
    if (err != NULL)
        w->err = *err;
    uv_stop(w->loop);
}

/* Run one step to its callback. 0 or its status with w->err. */
static int
wait_step(struct step_wait *w, int started, const struct pxerr *err)
{
    if (started != 0) {
        w->err = *err;
        return started;
    }
    while (!w->done)
        uv_run(w->loop, UV_RUN_DEFAULT);
    return w->status;
}

static void
print_indented(const char *indent, const char *text)
{
    for (const char *s = text; *s != '\0';) {
        size_t len = strcspn(s, "\n");
        printf("%s%.*s\n", indent, (int)len, s);
        s += len + (s[len] == '\n');
    }
}

enum runfix_outcome
runfix_one(struct collect_result *res, const struct m_fix *fix, const char *verb,
           const char *indent, bool dry, bool yes, struct crdreg **schemas)
{
    struct fixrun *fr = fixrun_new(res->loop, res->model, res->live, fix);
    struct step_wait pw = {.loop = res->loop};
    struct pxerr err = {0};
    enum runfix_outcome out;
    int rc = wait_step(&pw, fixrun_preview(fr, *schemas, on_step, &pw, &err), &err);
    *schemas = fixrun_take_schemas(fr);
    if (rc != 0) {
        printf("%scannot run it: %s\n", indent, pw.err.msg);
        out = RUNFIX_FAILED;
        goto done;
    }
    print_indented(indent, fixrun_text(fr));
    if (fix->warning != NULL && fix->warning[0] != '\0')
        printf("%swarning: %s\n", indent, fix->warning);
    if (dry) {
        printf("%snot run (--dry-run)\n", indent);
        out = RUNFIX_DRY;
        goto done;
    }
    if (fixrun_no_change(fr)) {
        printf("%snothing to change\n", indent);
        out = RUNFIX_NO_CHANGE;
        goto done;
    }
    char q[700];
    snprintf(q, sizeof q, "run it: %s?", fixrun_what(fr));
    fflush(stdout);
    if (!cmd_confirm(verb, q, yes)) {
        printf("%snot run\n", indent);
        out = RUNFIX_DECLINED;
        goto done;
    }
    struct step_wait aw = {.loop = res->loop};
    if (wait_step(&aw, fixrun_apply(fr, on_step, &aw, &err), &err) != 0) {
        printf("%sfailed: %s\n", indent, aw.err.msg);
        out = RUNFIX_FAILED;
    } else {
        printf("%sdone\n", indent);
        out = RUNFIX_DONE;
    }
done:
    fixrun_free(fr);
    uv_run(res->loop, UV_RUN_NOWAIT);
    fflush(stdout);
    return out;
}

/* The cluster acted on: the only one selected besides rq->also. NULL after the usage error. */
static struct m_cluster *
acted_on(struct collect_result *res, const struct runfix_req *rq)
{
    struct m_cluster *hit = NULL;
    int n = 0;
    for (size_t i = 0; i < res->model->clusters.n; i++) {
        struct m_cluster *c = res->model->clusters.items[i];
        if (rq->also != NULL && strcmp(c->name, rq->also) == 0)
            continue;
        hit = c;
        n++;
    }
    if (n == 1)
        return hit;
    if (n == 0) {
        cmd_usage_error(rq->verb, "%s: the selection has no cluster but %s; name the one to act "
                        "on with --cluster NAME", rq->verb, rq->also);
        return NULL;
    }
    (void)cmd_one_cluster(res->cfg, rq->verb); /* says which there are */
    return NULL;
}

int
runfix_verb(const struct cmd_opts *opts, const struct runfix_req *rq)
{
    if (opts->readonly && !rq->dry) {
        fprintf(stderr, "pxcmesh %s: read-only mode (--readonly): nothing is changed; "
                        "--dry-run shows what would be\n", rq->verb);
        return 1;
    }
    /* The remote is read too: added to the --cluster names when some are given. */
    struct cmd_opts o = *opts;
    if (rq->also != NULL && o.n_clusters > 0 && o.n_clusters < CMD_MAX_CONTEXTS) {
        bool have = false;
        for (int i = 0; i < o.n_clusters; i++)
            have = have || strcmp(o.clusters[i], rq->also) == 0;
        if (!have)
            o.clusters[o.n_clusters++] = rq->also;
    }
    struct collect_result res = {0};
    struct pxerr err = {0};
    int rc = collect_once(&o, rq->timeout_s, COLLECT_KEEP | rq->collect_flags, &res, &err);
    if (rc != 0) {
        fprintf(stderr, "pxcmesh %s: %s\n", rq->verb, err.msg);
        return rc == PXE_USAGE ? 2 : 1;
    }
    int code = 0;
    struct m_finding *holder = NULL;
    if (res.cfg->readonly && !rq->dry) {
        fprintf(stderr, "pxcmesh %s: read-only mode (readonly: true in %s): nothing is "
                        "changed; --dry-run shows what would be\n",
                rq->verb, res.cfg->path != NULL ? res.cfg->path : "the config");
        code = 1;
        goto out;
    }
    if (rq->also != NULL && model_cluster_find(res.model, rq->also) == NULL) {
        code = cmd_usage_error(rq->verb, "%s: no cluster '%s' in the selection", rq->verb,
                               rq->also);
        goto out;
    }
    struct m_cluster *c = acted_on(&res, rq);
    if (c == NULL) {
        code = 2;
        goto out;
    }
    if (!c->reachable || c->error[0] != '\0') {
        fprintf(stderr, "pxcmesh %s: cluster %s: %s\n", rq->verb, c->name,
                c->error[0] ? c->error : "it did not answer");
        code = 1;
        goto out;
    }
    /* A finding outside the model holds the fix: its strings are freed with it. */
    holder = model_finding_new(SEV_INFO, rq->verb, c->name, "", "", "");
    if ((code = rq->build(res.model, c, &holder->fix, rq->arg)) != 0)
        goto out;
    printf("%s (%s)\n", holder->fix.what, holder->fix.where);
    struct crdreg *schemas = NULL;
    enum runfix_outcome r = runfix_one(&res, &holder->fix, rq->verb, "", rq->dry, rq->yes,
                                       &schemas);
    crdreg_free(schemas);
    code = r == RUNFIX_DECLINED || r == RUNFIX_FAILED ? 1 : 0;
out:
    model_finding_free(holder);
    collect_result_fini(&res);
    return code;
}
