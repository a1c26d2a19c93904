/* act_copy: "copy as YAML": ask for a path (default ~/pxcmesh-KIND-NAME.yaml), then write
 * the text there on a libuv worker (a file write never runs on the loop). It writes no
 * cluster, so it runs in read-only mode and in replays too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "path.h"
#include "xmalloc.h"
#include "act_internal.h"

struct copy_job {
    uv_work_t work;
    struct act_ctx *cx; /* NULL: the console quit meanwhile */
    char *path, *text;
    int rc;
    char err[256];
};

/* What the question's answer writes. */
struct copy_pend {
    struct act_ctx *cx;
    char *text; /* owned */
};

static void
copy_work(uv_work_t *w)
{
    struct copy_job *j = w->data;
    FILE *f = fopen(j->path, "w");
    if (f == NULL) {
        snprintf(j->err, sizeof j->err, "cannot write '%s': %m", j->path);
        j->rc = -1;
        return;
    }
    size_t n = strlen(j->text);
    if (fwrite(j->text, 1, n, f) != n) {
        snprintf(j->err, sizeof j->err, "cannot write '%s': %m", j->path);
        j->rc = -1;
    }
    if (fclose(f) != 0 && j->rc == 0) {
        snprintf(j->err, sizeof j->err, "cannot write '%s': %m", j->path);
        j->rc = -1;
    }
}

static void
copy_job_free(struct copy_job *j)
{
    free(j->path);
    free(j->text);
    free(j);
}

static void
copy_after(uv_work_t *w, int status)
{
    struct copy_job *j = w->data;
    struct act_ctx *cx = j->cx;
    if (cx != NULL) {
        struct vec *v = &cx->st->copies;
        for (size_t i = 0; i < v->n; i++)
            if (v->items[i] == j) {
                vec_take(v, i);
                break;
            }
        if (status != 0)
            act__report(cx, ACT_ERROR, "copy as YAML: %s", uv_strerror(status));
        else if (j->rc != 0)
            act__report(cx, ACT_ERROR, "copy as YAML: %s (choose another path)", j->err);
        else
            act__report(cx, ACT_INFO, "written: %s", j->path);
    }
    copy_job_free(j);
}

static void
copy_write(struct act_ctx *cx, const char *path_in, const char *text)
{
    char path[1024];
    if (path_in[0] == '~' && (path_in[1] == '/' || path_in[1] == '\0')) {
        const char *home = path_home();
        snprintf(path, sizeof path, "%s%s", home != NULL ? home : "", path_in + 1);
    } else {
        snprintf(path, sizeof path, "%s", path_in);
    }
    if (path[0] == '\0') {
        act__report(cx, ACT_WARN, "copy as YAML: no path given, nothing written");
        return;
    }
    struct copy_job *j = xcalloc(1, sizeof *j);
    j->cx = cx;
    j->work.data = j;
    j->path = xstrdup(path);
    j->text = xstrdup(text);
    if (uv_queue_work(cx->loop, &j->work, copy_work, copy_after) != 0) {
        act__report(cx, ACT_ERROR, "copy as YAML: cannot start the write");
        copy_job_free(j);
        return;
    }
    vec_push(&cx->st->copies, j);
}

static void
on_copy_answer(enum act_answer ans, const char *text, void *arg)
{
    struct copy_pend *p = arg;
    if (ans == ACT_YES)
        copy_write(p->cx, text != NULL ? text : "", p->text);
    free(p->text);
    free(p);
}

unsigned
act__start_copy(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    if (args->text == NULL || args->text[0] == '\0') {
        act__report(cx, ACT_WARN, "copy as YAML: nothing selected");
        return R_NONE;
    }
    const char *kind = args->what != NULL ? args->what : "object";
    char lower[64];
    snprintf(lower, sizeof lower, "%s", kind);
    for (char *s = lower; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
    const char *home = path_home();
    char path[1024];
    snprintf(path, sizeof path, "%s/pxcmesh-%s-%s.yaml", home != NULL ? home : ".", lower,
             args->name);
    char l1[320];
    snprintf(l1, sizeof l1, "Write %s %s as YAML to this file (replaced if it exists):", kind,
             args->name);
    const char *lines[] = {l1};
    struct copy_pend *p = xcalloc(1, sizeof *p);
    p->cx = cx;
    p->text = xstrdup(args->text);
    struct act_question q = {def->title, lines, 1, NULL, path};
    act__ask(cx, &q, on_copy_answer, p);
    return R_REDRAW;
}

void
act__copy_stop(struct act_state *st)
{
    /* A queued write cannot be taken back: it finishes, and its job is freed then. */
    for (size_t i = 0; i < st->copies.n; i++)
        ((struct copy_job *)st->copies.items[i])->cx = NULL;
    vec_clear(&st->copies);
}
