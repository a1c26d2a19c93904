/* cmd_get: `pxcmesh get KIND [NAME] [-n NS | -A] [--context C] [-o json|yaml]`, a small kubectl
 * get through pxcmesh's own client, for debugging that client: discovery, pagination,
 * authentication and error words are exactly what the console uses. Secrets are refused.
 * Exit 0 printed, 1 the request failed (the error says what and where), 2 usage. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <uv.h>

#include "clock.h"
#include "strbuf.h"
#include "cmd.h"
#include "config/config.h"
#include "kube/kube.h"
#include "live/live.h"
#include "model/model.h"
#include "codec/yamlout.h"

static int cmd_get_exec(const struct cmd_opts *opts, int argc, char **argv);

const struct cmd_entry cmd_get_entry = {
    .name = "get",
    .usage = "get KIND [NAME] [-n NS | -A] [-o json|yaml]",
    .summary = "list objects through pxcmesh's own Kubernetes client (for debugging it)",
    .exec = cmd_get_exec,
};

static const char get_usage[] =
    "usage: pxcmesh get KIND [NAME] [-n NAMESPACE | -A] [--context C] [-o json|yaml]\n"
    "Without -n, namespaced kinds are listed in all namespaces.\n"
    "kinds: pods, namespaces, services, nodes, statefulsets, pxc, serviceentries (se),\n"
    "       destinationrules (dr), peerauthentications (pa), mutatingwebhookconfigurations\n";

struct get_run {
    uv_loop_t *loop;
    struct live *lv;
    struct model *m;
    const char *cluster;
    const char *kind, *name, *ns;
    const char *output; /* NULL table, "json", "yaml" */
    int exit_code;
    bool done;
};

static void
print_table(json_t *body, bool one)
{
    printf("%-24s %-48s %s\n", "NAMESPACE", "NAME", "AGE");
    json_t *items = one ? NULL : json_object_get(body, "items");
    size_t n = one ? 1 : json_array_size(items);
    for (size_t i = 0; i < n; i++) {
        json_t *it = one ? body : json_array_get(items, i);
        json_t *md = json_object_get(it, "metadata");
        const char *ns = json_string_value(json_object_get(md, "namespace"));
        const char *name = json_string_value(json_object_get(md, "name"));
        const char *ts = json_string_value(json_object_get(md, "creationTimestamp"));
        char age[16] = "?";
        int64_t ms;
        if (ts && clock_parse_rfc3339(ts, &ms) == 0)
            clock_fmt_age(clock_wall_ms() - ms, age, sizeof age);
        printf("%-24s %-48s %s\n", ns ? ns : "", name ? name : "?", age);
    }
}

static void
on_got(int status, long code, json_t *body, const struct pxerr *err, void *arg)
{
    struct get_run *r = arg;
    (void)code;
    r->done = true;
    if (status != 0) {
        fprintf(stderr, "pxcmesh get: %s\n", err->msg);
        r->exit_code = 1;
    } else if (r->output == NULL) {
        print_table(body, r->name != NULL);
    } else {
        struct strbuf out;
        strbuf_init(&out);
        if (strcmp(r->output, "yaml") == 0)
            yamlout_yaml(body, &out);
        else
            yamlout_json(body, &out);
        fputs(out.s, stdout);
        if (out.len && out.s[out.len - 1] != '\n')
            fputc('\n', stdout);
        strbuf_fini(&out);
    }
    uv_stop(r->loop);
}

static void
on_ready(struct live *lv, int n_bad, void *arg)
{
    struct get_run *r = arg;
    struct kube_client *kc = live_client(lv, r->cluster);
    struct pxerr err = {0};
    if (kc == NULL || n_bad > 0) {
        /* A context that did not resolve has no client, but the model has its reason. */
        struct m_cluster *c = model_cluster_find(r->m, r->cluster);
        fprintf(stderr, "pxcmesh get: cluster %s: %s\n", r->cluster,
                c && c->error[0] ? c->error : "cannot connect (see the error above)");
        r->exit_code = 1;
        r->done = true;
        uv_stop(r->loop);
        return;
    }
    struct strbuf path;
    strbuf_init(&path);
    int rc = kube_kind_path(kc, r->kind, r->ns, r->name, &path, &err);
    if (rc == 0 && r->name) {
        rc = kube_get(kc, path.s, on_got, r, NULL, &err);
    } else if (rc == 0) {
        rc = kube_list(kc, path.s, on_got, r, NULL, &err);
    }
    strbuf_fini(&path);
    if (rc < 0) {
        fprintf(stderr, "pxcmesh get: %s\n", err.msg);
        r->exit_code = rc == PXE_NOTFOUND || rc == PXE_UNSUPPORTED || rc == PXE_INVAL ? 2 : 1;
        r->done = true;
        uv_stop(r->loop);
    }
}

static void
on_deadline(uv_timer_t *t)
{
    uv_stop(t->loop);
}

static int
cmd_get_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    const char *ns = NULL, *output = NULL;
    bool all = false;
    static const struct option lo[] = {
        {"namespace", required_argument, NULL, 'n'},
        {"all-namespaces", no_argument, NULL, 'A'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "+n:Ao:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'n':
            ns = optarg;
            break;
        case 'A':
            all = true;
            break;
        case 'o':
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "yaml") != 0)
                return cmd_usage_error("get", "-o takes json or yaml, not '%s'", optarg);
            output = optarg;
            break;
        case 'h':
            fputs(get_usage, stdout);
            return 0;
        default:
            return cmd_usage_error("get", "unknown option '%s'", argv[optind - 1]);
        }
    }
    /* Options may also follow KIND (kubectl habit): parse the rest again. */
    const char *kind = NULL, *name = NULL;
    while (optind < argc) {
        if (argv[optind][0] == '-') {
            while ((ch = getopt_long(argc, argv, "+n:Ao:h", lo, NULL)) != -1) {
                if (ch == 'n')
                    ns = optarg;
                else if (ch == 'A')
                    all = true;
                else if (ch == 'o' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "yaml") == 0))
                    output = optarg;
                else
                    return cmd_usage_error("get", "bad option '%s'", argv[optind - 1]);
            }
            continue;
        }
        if (kind == NULL)
            kind = argv[optind];
        else if (name == NULL)
            name = argv[optind];
        else
            return cmd_usage_error("get", "unexpected argument '%s'", argv[optind]);
        optind++;
    }
    if (kind == NULL)
        return cmd_usage_error("get", "which KIND? e.g. pxcmesh get pods -n pxc");
    if (all && ns)
        return cmd_usage_error("get", "give -n NAMESPACE or -A, not both");
    if (opts->n_contexts > 1)
        return cmd_usage_error("get", "get talks to one cluster: give one --context");
    /* A name goes into the request path: refuse what is not a name ("../secrets/x") before
     * anything is sent. */
    struct pxerr nerr = {0};
    if ((name && kube_name_check(name, &nerr) < 0) || (ns && kube_name_check_ns(ns, &nerr) < 0))
        return cmd_usage_error("get", "%s", nerr.msg);

    struct pxerr err = {0};
    struct config *cfg = NULL;
    int rc = cmd_kube_config(opts, &cfg, &err);
    if (rc != 0) {
        fprintf(stderr, "pxcmesh get: %s\n", err.msg);
        return rc == PXE_USAGE ? 2 : 1;
    }
    /* One cluster: the first one configured (a shallow view; cfg keeps ownership). */
    struct config one = *cfg;
    one.n_clusters = 1;

    uv_loop_t loop;
    uv_loop_init(&loop);
    struct model *m = model_new();
    struct get_run r = {.loop = &loop, .m = m, .cluster = cfg->clusters[0].name, .kind = kind,
                        .name = name, .ns = ns, .output = output};
    struct live_opts lo_ = {.readonly = true, .mode = KUBE_MODE_DISCOVER,
                            .kubeconfig = opts->kubeconfig, .on_synced = on_ready, .arg = &r};
    struct live *lv = NULL;
    if (live_start_opts(&loop, m, &one, &lo_, &lv, &err) < 0) {
        fprintf(stderr, "pxcmesh get: %s\n", err.msg);
        model_free(m);
        config_free(cfg);
        uv_loop_close(&loop);
        return 1;
    }
    r.lv = lv;
    uv_timer_t deadline;
    uv_timer_init(&loop, &deadline);
    uv_timer_start(&deadline, on_deadline, 60000, 0);
    if (!r.done)
        uv_run(&loop, UV_RUN_DEFAULT);
    if (!r.done) {
        fprintf(stderr, "pxcmesh get: no answer from cluster %s within 60 s\n", r.cluster);
        r.exit_code = 1;
    }
    fflush(stdout);
    live_free(lv);
    uv_close((uv_handle_t *)&deadline, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    (void)uv_loop_close(&loop);
    model_free(m);
    config_free(cfg);
    return r.exit_code;
}
