/* cmd_apply: `pxcmesh apply -f FILE|- [--dry-run] [--context C | --cluster NAME]
 * [--config FILE] [--yes]`: the manifest is applied whole or not at all. Every object is
 * validated against the CRD schemas, then every object is previewed (the live object
 * read, a server-side dry run, the diff of live against intended); only when all passed
 * does pxcmesh ask (on the terminal, so `generate ... | pxcmesh apply -f -` still asks),
 * once for the whole manifest, and apply. Each object's outcome is printed; if the server
 * refuses one midway, the apply stops and says which objects were applied and which were
 * not. Exit 0 applied (or dry run ok), 1 a validation, server or connection error or a
 * partial apply, 2 usage. The steps are apply_plan's (backends/manifest), the same the
 * console's apply runs; this file reads the manifest, prints and asks. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "file.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "cmd.h"
#include "collect.h"
#include "codec/yamldocs.h"
#include "live/live.h"
#include "manifest/apply_plan.h"

static int cmd_apply_exec(const struct cmd_opts *opts, int argc, char **argv);

static const struct cmd_flag apply_flags[] = {
    {"--filename", "-f", CV_FILE, "FILE", NULL, "the manifest (- for stdin)"},
    {"--dry-run", NULL, CV_NONE, NULL, NULL, "stop after the diff"},
    {"--yes", "-y", CV_NONE, NULL, NULL, "do not ask"},
    {"--force", NULL, CV_NONE, NULL, NULL, "take over fields another manager owns"},
    {NULL, NULL, CV_NONE, NULL, NULL, NULL},
};

const struct cmd_entry cmd_apply_entry = {
    .name = "apply",
    .usage = "apply -f FILE|- [--dry-run] [--yes] [--cluster NAME]",
    .summary = "validate, diff live against intended, and server-side apply manifests",
    .exec = cmd_apply_exec,
    .opts = apply_flags,
};

static const char apply_usage[] =
    "usage: pxcmesh apply -f FILE|- [--dry-run] [--yes] [--force]\n"
    "                     [--context C | --config FILE [--cluster NAME]]\n"
    "Validates every object against the CRD schemas, shows the diff of live against\n"
    "intended (from a server-side dry run), asks, then applies with server-side apply\n"
    "(fieldManager=pxcmesh). Nothing is applied unless every object passes both checks.\n"
    "--dry-run stops after the diff; --yes does not ask. The manifest may be at most\n"
    "16 MiB (a file, a pipe, or - for stdin).\n";

#define APPLY_MAX_MANIFEST (16u << 20)

/* One step of the plan at a time on a private loop: run until its callback stores the
 * answer. */
struct wait {
    uv_loop_t *loop;
    bool done;
    int status;
    struct pxerr err;
};

static void
on_step(struct apply_plan *p, int status, enum apply_step step, const struct pxerr *err, void *arg)
{
    struct wait *w = arg;
    (void)p, (void)step;
    w->done = true;
    w->status = status;
    if (err != NULL)
        w->err = *err;
    uv_stop(w->loop);
}

/* 0 when the step started and ended well; else the step's error in err. */
static int
wait_step(struct wait *w, int start_rc, struct pxerr *err)
{
    if (start_rc != 0)
        return start_rc;
    while (!w->done)
        uv_run(w->loop, UV_RUN_DEFAULT);
    if (w->status != 0)
        *err = w->err;
    return w->status;
}

static void
on_synced_stop(struct live *lv, int n_unreachable, void *arg)
{
    (void)lv, (void)n_unreachable;
    uv_loop_t *loop = arg;
    uv_stop(loop);
}

static int
cmd_apply_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    static const struct option lo[] = {
        {"filename", required_argument, NULL, 'f'}, {"dry-run", no_argument, NULL, 'd'},
        {"yes", no_argument, NULL, 'y'},            {"force", no_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *file = NULL;
    bool dry = false, yes = false, force = false;
    int ch;
    optind = 0;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+f:yh", lo, NULL)) != -1) {
        switch (ch) {
        case 'f':
            file = optarg;
            break;
        case 'd':
            dry = true;
            break;
        case 'y':
            yes = true;
            break;
        case 'F':
            force = true;
            break;
        case 'h':
            fputs(apply_usage, stdout);
            return 0;
        default:
            return cmd_usage_error("apply", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (file == NULL)
        return cmd_usage_error("apply", "give the manifest with -f FILE (or -f - for stdin)");
    if (optind < argc)
        return cmd_usage_error("apply", "unexpected argument '%s'", argv[optind]);
    if (opts->readonly && !dry) {
        fprintf(stderr, "pxcmesh apply: read-only mode (--readonly): nothing is applied; use "
                        "--dry-run to preview\n");
        return 1;
    }

    /* Read and validate everything before touching a cluster. */
    bool is_stdin = strcmp(file, "-") == 0;
    const char *name = is_stdin ? "<stdin>" : file;
    char *text = NULL;
    size_t text_len = 0;
    struct pxerr err = {0};
    int rc = is_stdin ? file_read_fd(STDIN_FILENO, name, APPLY_MAX_MANIFEST, &text, &text_len, &err)
                      : file_read_stream(file, APPLY_MAX_MANIFEST, &text, &text_len, &err);
    json_t *docs = NULL;
    if (rc == 0)
        rc = yamldocs_load_buf(name, text, text_len, &docs, &err);
    file_free_secret(text, text_len); /* a manifest may carry a Secret's values */
    if (rc == 0 && json_array_size(docs) == 0)
        rc = pxerr_set(&err, PXE_INVAL, "%s holds no objects", name);
    if (rc != 0) {
        fprintf(stderr, "pxcmesh apply: %s\n", err.msg);
        json_decref(docs);
        return 1;
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct apply_plan *plan =
        apply_plan_new(&loop, docs, &(struct apply_opts){force ? APPLY_FORCE : 0, 3});
    json_decref(docs);
    size_t n = apply_plan_count(plan);
    struct config *cfg = NULL;
    struct model *m = NULL;
    struct live *lv = NULL;
    int exit_code = 0;
    struct wait valid = {.loop = &loop};
    if (wait_step(&valid, apply_plan_validate(plan, NULL, on_step, &valid, &err), &err) != 0) {
        size_t n_bad = 0;
        for (size_t i = 0; i < n; i++) {
            const struct apply_item *it = apply_plan_item(plan, i);
            if (!it->valid && it->error[0] != '\0') {
                fprintf(stderr, "pxcmesh apply: document %zu: %s\n", i + 1, it->error);
                n_bad++;
            }
        }
        if (n_bad == 0) /* the schemas could not be loaded */
            fprintf(stderr, "pxcmesh apply: %s\n", err.msg);
        else
            fprintf(stderr, "pxcmesh apply: nothing applied: %zu of %zu objects %s not valid\n",
                    n_bad, n, n_bad == 1 ? "is" : "are");
        exit_code = 1;
        goto out;
    }

    /* The cluster. */
    if ((rc = cmd_kube_config(opts, &cfg, &err)) != 0) {
        fprintf(stderr, "pxcmesh apply: %s\n", err.msg);
        exit_code = rc == PXE_USAGE ? 2 : 1;
        goto out;
    }
    /* The global --cluster / --context narrowed the selection to the one acted on. */
    const char *target = cmd_one_cluster(cfg, "apply");
    if (target == NULL) {
        exit_code = 2;
        goto out;
    }
    m = model_new();
    /* Not read-only at the client: a dry run writes nothing, and a real apply was refused
     * above in read-only mode. */
    struct live_opts lopts = {.readonly = false,
                              .mode = KUBE_MODE_DISCOVER,
                              .kubeconfig = opts->kubeconfig,
                              .on_synced = on_synced_stop,
                              .arg = &loop};
    if (live_start_opts(&loop, m, cfg, &lopts, &lv, &err) != 0) {
        fprintf(stderr, "pxcmesh apply: %s\n", err.msg);
        exit_code = 1;
        goto out;
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    struct kube_client *kc = live_client(lv, target);
    struct m_cluster *mc = model_cluster_find(m, target);
    if (kc == NULL || mc == NULL || !mc->reachable) {
        fprintf(stderr, "pxcmesh apply: cluster '%s': %s\n", target,
                mc && mc->error[0] ? mc->error
                                   : "not in the configuration (see --cluster / --context)");
        exit_code = 1;
        goto out;
    }

    /* Every object previewed: what changes in the fields we set, or why the server
     * refuses it. */
    struct wait preview = {.loop = &loop};
    (void)wait_step(&preview, apply_plan_preview(plan, lv, target, 0, n, on_step, &preview, &err),
                    &err);
    if (!preview.done) { /* refused before any request: no client */
        fprintf(stderr, "pxcmesh apply: %s\n", err.msg);
        exit_code = 1;
        goto out;
    }
    size_t n_failed = 0, n_new = 0, n_changed = 0;
    for (size_t i = 0; i < n; i++) {
        const struct apply_item *it = apply_plan_item(plan, i);
        if (!it->previewed) {
            fflush(stdout);
            fprintf(stderr, "pxcmesh apply: document %zu: %s: %s\n", i + 1, it->desc, it->error);
            n_failed++;
            continue;
        }
        printf("%s on %s: %s\n", it->desc, target,
               !it->exists     ? "will be created"
               : it->n_changed ? "will change"
                               : "unchanged");
        if (it->n_changed > 0)
            fputs(it->diff, stdout);
        if (it->note[0] != '\0')
            printf("  (%s)\n", it->note);
        n_new += !it->exists;
        n_changed += it->exists && it->n_changed > 0;
    }
    if (n_failed > 0) {
        fprintf(stderr, "pxcmesh apply: nothing applied: %zu of %zu objects failed the preview\n",
                n_failed, n);
        exit_code = 1;
        goto out;
    }
    if (dry)
        goto out;
    if (n_new + n_changed == 0) {
        printf("nothing to apply: the live objects match the manifest\n");
        goto out;
    }
    char q[400];
    snprintf(q, sizeof q, "apply %zu object%s to cluster %s (%zu new, %zu changed)?",
             n_new + n_changed, n_new + n_changed == 1 ? "" : "s", target, n_new, n_changed);
    fflush(stdout);
    if (!cmd_confirm("apply", q, yes)) {
        printf("not applied: %zu object%s\n", n_new + n_changed,
               n_new + n_changed == 1 ? "" : "s");
        exit_code = 1;
        goto out;
    }
    struct wait done = {.loop = &loop};
    if (wait_step(&done, apply_plan_apply(plan, lv, target, 0, n, on_step, &done, &err), &err) !=
        0) {
        struct strbuf o;
        strbuf_init(&o);
        apply_plan_outcome(plan, 0, n, "\n  ", &o);
        fflush(stdout);
        fprintf(stderr, "pxcmesh apply: %s\npxcmesh apply: %s\n", err.msg, o.s);
        strbuf_fini(&o);
        exit_code = 1;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const struct apply_item *it = apply_plan_item(plan, i);
        printf("%s: %s\n", it->desc, it->applied ? "applied" : "unchanged");
    }
out:
    apply_plan_free(plan); /* before the clients it may use */
    live_free(lv);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) != 0)
        fprintf(stderr, "pxcmesh apply: internal: handles left open\n");
    model_free(m);
    config_free(cfg);
    return exit_code;
}
