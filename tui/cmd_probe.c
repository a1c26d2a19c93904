/* cmd_probe: `pxcmesh probe dns|tcp|mysql TARGET [options]`, one probe on a private
 * loop, printed as a line (or JSON). Exit 0 when the probe succeeded, 1 when it failed
 * or timed out, 2 on usage errors. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "base/strbuf.h"
#include "cli.h"
#include "probe.h"

int cmd_probe(const struct cli_opts *opts, int argc, char **argv);

static const char probe_usage[] =
    "usage: pxcmesh probe dns|tcp|mysql TARGET [--server IP[:PORT]] [--timeout MS]\n"
    "                     [--user U --password-env VAR] [--from-cluster C] [--json]\n"
    "  dns HOST          resolve HOST (A records) with the system resolver or --server\n"
    "  tcp HOST:PORT     connect, timing the connect; refused / timeout / unreachable\n"
    "  mysql HOST[:PORT] read the server's handshake (version, flavour) without logging in;\n"
    "                    with --user, log in and run SELECT 1\n";

struct probe_cli {
    struct probe_result r;
    int calls;
};

static void
on_probe_done(const struct probe_result *r, void *arg)
{
    struct probe_cli *pc = arg;
    pc->r = *r;
    pc->calls++;
}

int
cmd_probe(const struct cli_opts *opts, int argc, char **argv)
{
    (void)opts;
    static const struct option longopts[] = {
        {"server", required_argument, NULL, 's'},   {"timeout", required_argument, NULL, 't'},
        {"user", required_argument, NULL, 'u'},     {"password-env", required_argument, NULL, 'p'},
        {"from-cluster", required_argument, NULL, 'f'}, {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    struct probe_opts po = {.timeout_ms = 3000};
    const char *from = NULL;
    bool json = false;
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            po.dns_server = optarg;
            break;
        case 't': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end != '\0' || v < 10 || v > 600000) {
                fprintf(stderr, "pxcmesh probe: --timeout '%s': milliseconds, 10-600000\n",
                        optarg);
                return 2;
            }
            po.timeout_ms = (int)v;
            break;
        }
        case 'u':
            po.user = optarg;
            break;
        case 'p':
            po.password = getenv(optarg);
            if (po.password == NULL) {
                fprintf(stderr, "pxcmesh probe: --password-env %s: variable not set\n", optarg);
                return 2;
            }
            break;
        case 'f':
            from = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            fputs(probe_usage, stdout);
            return 0;
        case ':':
            fprintf(stderr, "pxcmesh probe: option '%s' needs a value\n%s", argv[optind - 1],
                    probe_usage);
            return 2;
        default:
            fprintf(stderr, "pxcmesh probe: unknown option '%s'\n%s", argv[optind - 1],
                    probe_usage);
            return 2;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "pxcmesh probe: expected a kind and a target\n%s", probe_usage);
        return 2;
    }
    const char *kind = argv[optind], *target = argv[optind + 1];
    if (from != NULL) {
        fprintf(stderr,
                "pxcmesh probe: --from-cluster %s: probing from inside the mesh needs a probe pod "
                "created through the Kubernetes backend, which this build does not have yet; run "
                "the probe locally or with kubectl run\n",
                from);
        return 1;
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct probe_cli pc = {.calls = 0};
    struct pxerr err = {0};
    int rc;
    if (strcmp(kind, "dns") == 0)
        rc = probe_dns_start(&loop, target, &po, on_probe_done, &pc, NULL, &err);
    else if (strcmp(kind, "tcp") == 0)
        rc = probe_tcp_start(&loop, target, &po, on_probe_done, &pc, NULL, &err);
    else if (strcmp(kind, "mysql") == 0)
        rc = probe_mysql_start(&loop, target, &po, on_probe_done, &pc, NULL, &err);
    else {
        fprintf(stderr, "pxcmesh probe: unknown kind '%s' (dns, tcp or mysql)\n%s", kind,
                probe_usage);
        uv_loop_close(&loop);
        return 2;
    }
    if (rc != 0) {
        fprintf(stderr, "pxcmesh probe %s: %s\n", kind, err.msg);
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
        return rc == PXE_USAGE || rc == PXE_INVAL ? 2 : 1;
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) != 0)
        fprintf(stderr, "pxcmesh probe: internal: handles left open\n");
    if (json) {
        struct strbuf sb;
        strbuf_init(&sb);
        probe_result_json(&pc.r, &sb);
        puts(sb.s);
        strbuf_fini(&sb);
    } else {
        printf("%-5s %-40s %-7s %7.1f ms  %s\n", probe_kind_name(pc.r.kind), pc.r.target,
               probe_status_name(pc.r.status), pc.r.elapsed_ms, pc.r.summary);
        if (pc.r.detail[0] != '\0')
            printf("      %s\n", pc.r.detail);
    }
    return pc.r.status == PROBE_OK ? 0 : 1;
}
