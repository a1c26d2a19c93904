/* cmd_apply: `pxcmesh apply -f FILE|- [--dry-run] [--context C | --cluster NAME]
 * [--config FILE] [--yes]`: every object is validated against the CRD schemas, then for
 * each one the live object is read, a server-side dry run is made, and the diff of live
 * against intended is shown; without --yes pxcmesh asks before it applies (on the
 * terminal, so `generate ... | pxcmesh apply -f -` still asks). Exit 0 applied (or dry
 * run ok), 1 a validation, server or connection error, 2 usage. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "cli.h"
#include "collect.h"
#include "manifest/crdreg.h"
#include "kube/kube_get_obj.h"
#include "live/live.h"
#include "manifest/ydiff.h"
#include "codec/yamldocs.h"
#include "codec/yamlout.h"

int cmd_apply(const struct cli_opts *opts, int argc, char **argv);

static const char apply_usage[] =
    "usage: pxcmesh apply -f FILE|- [--dry-run] [--yes] [--force]\n"
    "                     [--context C | --config FILE [--cluster NAME]]\n"
    "Validates every object against the CRD schemas, shows the diff of live against\n"
    "intended (from a server-side dry run), asks, then applies with server-side apply\n"
    "(fieldManager=pxcmesh). --dry-run stops after the diff; --yes does not ask.\n";

/* One request at a time on a private loop: run until the callback stores its answer. */
struct wait {
    uv_loop_t *loop;
    bool done;
    int status;
    json_t *body; /* owned reference */
    struct pxerr err;
};

static void
on_resp(int status, long code, json_t *body, const struct pxerr *err, void *arg)
{
    struct wait *w = arg;
    (void)code;
    w->done = true;
    w->status = status;
    w->body = body ? json_incref(body) : NULL;
    if (err != NULL)
        w->err = *err;
    uv_stop(w->loop);
}

static void
wait_run(struct wait *w)
{
    while (!w->done)
        uv_run(w->loop, UV_RUN_DEFAULT);
}

static void
on_synced_stop(struct live *lv, int n_unreachable, void *arg)
{
    (void)lv, (void)n_unreachable;
    uv_loop_t *loop = arg;
    uv_stop(loop);
}

static char *
slurp_stream(FILE *f)
{
    struct strbuf sb;
    strbuf_init(&sb);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_appendn(&sb, buf, n);
    return strbuf_detach(&sb);
}

/* Ask on the terminal (stdin may be the manifest). */
static bool
confirm(const char *question)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (tty == NULL)
        return false;
    fprintf(tty, "%s [y/N] ", question);
    fflush(tty);
    char line[32] = "";
    bool yes = fgets(line, sizeof line, tty) != NULL && (line[0] == 'y' || line[0] == 'Y');
    fclose(tty);
    return yes;
}

static const char *
obj_desc(const json_t *o, char *buf, size_t n)
{
    json_t *md = json_object_get(o, "metadata");
    const char *ns = json_string_value(json_object_get(md, "namespace"));
    snprintf(buf, n, "%s %s%s%s", json_string_value(json_object_get(o, "kind")),
             ns ? ns : "", ns ? "/" : "", json_string_value(json_object_get(md, "name")));
    return buf;
}

int
cmd_apply(const struct cli_opts *opts, int argc, char **argv)
{
    static const struct option lo[] = {
        {"filename", required_argument, NULL, 'f'}, {"dry-run", no_argument, NULL, 'd'},
        {"yes", no_argument, NULL, 'y'},            {"force", no_argument, NULL, 'F'},
        {"cluster", required_argument, NULL, 'c'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *file = NULL, *cluster = NULL;
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
        case 'c':
            cluster = optarg;
            break;
        case 'h':
            fputs(apply_usage, stdout);
            return 0;
        default:
            return cli_usage_error("apply", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (file == NULL)
        return cli_usage_error("apply", "give the manifest with -f FILE (or -f - for stdin)");
    if (optind < argc)
        return cli_usage_error("apply", "unexpected argument '%s'", argv[optind]);
    if (opts->readonly && !dry) {
        fprintf(stderr, "pxcmesh apply: read-only mode (--readonly): nothing is applied; use "
                        "--dry-run to preview\n");
        return 1;
    }

    /* Read and validate everything before touching a cluster. */
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    if (f == NULL) {
        fprintf(stderr, "pxcmesh apply: cannot read '%s'\n", file);
        return 1;
    }
    char *text = slurp_stream(f);
    if (f != stdin)
        fclose(f);
    struct pxerr err = {0};
    json_t *docs = NULL;
    struct crdreg *reg = NULL;
    int rc = yamldocs_load_buf(strcmp(file, "-") == 0 ? "<stdin>" : file, text, strlen(text),
                               &docs, &err);
    free(text);
    if (rc == 0 && json_array_size(docs) == 0)
        rc = pxerr_set(&err, PXE_INVAL, "%s holds no objects", file);
    if (rc == 0)
        rc = crdreg_load(NULL, &reg, &err);
    size_t i;
    json_t *doc;
    json_array_foreach(docs, i, doc) {
        if (rc != 0)
            break;
        rc = crdreg_validate(reg, doc, &err);
    }
    crdreg_free(reg);
    if (rc != 0) {
        fprintf(stderr, "pxcmesh apply: %s\n", err.msg);
        json_decref(docs);
        return 1;
    }

    /* The cluster. */
    struct config *cfg = NULL;
    if ((rc = cmd_kube_config(opts, &cfg, &err)) != 0) {
        fprintf(stderr, "pxcmesh apply: %s\n", err.msg);
        json_decref(docs);
        return rc == PXE_USAGE ? 2 : 1;
    }
    const char *target = cluster;
    if (target == NULL) {
        if (cfg->n_clusters != 1) {
            fprintf(stderr, "pxcmesh apply: the configuration names %zu clusters; say which with "
                            "--cluster NAME or --context C\n",
                    cfg->n_clusters);
            config_free(cfg);
            json_decref(docs);
            return 2;
        }
        target = cfg->clusters[0].name;
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct model *m = model_new();
    /* Not read-only at the client: a dry run writes nothing, and a real apply was refused
     * above in read-only mode. */
    struct live_opts lopts = {.readonly = false, .mode = KUBE_MODE_DISCOVER,
                              .kubeconfig = opts->kubeconfig, .on_synced = on_synced_stop,
                              .arg = &loop};
    struct live *lv = NULL;
    int exit_code = 0;
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
    json_array_foreach(docs, i, doc) {
        char desc[300];
        obj_desc(doc, desc, sizeof desc);
        struct wait live = {.loop = &loop}, plan = {.loop = &loop};
        if (kube_get_obj(kc, doc, on_resp, &live, NULL, &err) != 0 ||
            (wait_run(&live), live.status != 0 && live.status != PXE_NOTFOUND)) {
            fprintf(stderr, "pxcmesh apply: %s: %s\n", desc, live.done ? live.err.msg : err.msg);
            json_decref(live.body);
            exit_code = 1;
            break;
        }
        if (kube_apply(kc, doc, KUBE_DRY_RUN | (force ? KUBE_FORCE : 0), on_resp, &plan, NULL,
                       &err) != 0 ||
            (wait_run(&plan), plan.status != 0)) {
            fprintf(stderr, "pxcmesh apply: %s: the server refuses it (dry run): %s\n", desc,
                    plan.done ? plan.err.msg : err.msg);
            json_decref(live.body);
            json_decref(plan.body);
            exit_code = 1;
            break;
        }
        /* What changes in the fields we set: live (projected) against the dry-run result. */
        json_t *before = live.status == 0 ? ydiff_project(live.body, doc) : NULL;
        json_t *after = ydiff_project(plan.body, doc);
        struct strbuf a, b, d;
        strbuf_init(&a);
        strbuf_init(&b);
        strbuf_init(&d);
        if (before != NULL)
            yamlout_yaml(before, &a);
        yamlout_yaml(after, &b);
        int changes = ydiff_lines(a.s, b.s, 3, &d);
        printf("%s on %s: %s\n", desc, target,
               before == NULL ? "will be created" : changes ? "will change" : "unchanged");
        if (changes > 0)
            fputs(d.s, stdout);
        strbuf_fini(&a);
        strbuf_fini(&b);
        strbuf_fini(&d);
        json_decref(before);
        json_decref(after);
        json_decref(live.body);
        json_decref(plan.body);
        if (dry || (changes == 0 && before != NULL))
            continue;
        char q[400];
        snprintf(q, sizeof q, "apply %s to cluster %s?", desc, target);
        if (!yes && !confirm(q)) {
            printf("%s: not applied%s\n", desc,
                   isatty(STDIN_FILENO) ? "" : " (no terminal to ask on: use --yes)");
            exit_code = 1;
            continue;
        }
        struct wait done = {.loop = &loop};
        if (kube_apply(kc, doc, force ? KUBE_FORCE : 0, on_resp, &done, NULL, &err) != 0 ||
            (wait_run(&done), done.status != 0)) {
            fprintf(stderr, "pxcmesh apply: %s: %s\n", desc, done.done ? done.err.msg : err.msg);
            exit_code = 1;
        } else {
            printf("%s: applied\n", desc);
        }
        json_decref(done.body);
    }
out:
    live_free(lv);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) != 0)
        fprintf(stderr, "pxcmesh apply: internal: handles left open\n");
    model_free(m);
    config_free(cfg);
    json_decref(docs);
    return exit_code;
}
