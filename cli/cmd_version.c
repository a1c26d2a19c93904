/* cmd_version: `pxcmesh version [-o json|yaml]` (and --version): pxcmesh's version, the
 * commit it was built from (git at build time, "unknown" outside a checkout), and the
 * versions of the libraries it runs with, as the libraries report them at run time (what a
 * bug report needs: a distribution may have upgraded one since the build). */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <curses.h>
#include <jansson.h>
#include <mysql.h>
#include <uv.h>
#include <yaml.h>
#ifdef PXC_HAVE_CARES
#include <ares.h>
#endif

#include "cmd.h"
#include "commit.h"
#include "outfmt.h"
#include "tabw.h"
#include "version.h"

static int cmd_version_exec(const struct cmd_opts *opts, int argc, char **argv);

#define VERSION_OUTPUTS (OUTFMT_BIT(OUTFMT_TEXT) | OUTFMT_BIT(OUTFMT_JSON) | \
                         OUTFMT_BIT(OUTFMT_YAML) | OUTFMT_BIT(OUTFMT_JSONPATH))

static const struct cmd_flag version_flags[] = {
    {"--output", "-o", CV_OUTPUT, "FORMAT", NULL, "json, yaml or jsonpath=TEMPLATE"},
    {NULL, NULL, CV_NONE, NULL, NULL, NULL},
};

const struct cmd_entry cmd_version_entry = {
    .name = "version",
    .usage = "version [-o json|yaml]",
    .summary = "print the version, the commit and the libraries' versions",
    .exec = cmd_version_exec,
    .opts = version_flags,
    .outputs = VERSION_OUTPUTS,
};

/* {"version", "commit", "libraries": {name: version}}: owned. */
static json_t *
version_doc(void)
{
    json_t *libs = json_object();
    json_object_set_new(libs, "libuv", json_string(uv_version_string()));
    const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
    json_object_set_new(libs, "libcurl", json_string(cv->version));
    if (cv->ssl_version != NULL)
        json_object_set_new(libs, "tls", json_string(cv->ssl_version));
    json_object_set_new(libs, "jansson", json_string(jansson_version_str()));
    json_object_set_new(libs, "libyaml", json_string(yaml_get_version_string()));
    json_object_set_new(libs, "ncurses", json_string(curses_version()));
    json_object_set_new(libs, "mariadb-connector-c", json_string(mysql_get_client_info()));
#ifdef PXC_HAVE_CARES
    json_object_set_new(libs, "c-ares", json_string(ares_version(NULL)));
#endif
    json_t *doc = json_object();
    json_object_set_new(doc, "version", json_string(PXC_VERSION));
    json_object_set_new(doc, "commit", json_string(PXC_COMMIT));
    json_object_set_new(doc, "libraries", libs);
    return doc;
}

static int
cmd_version_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    (void)opts;
    struct outfmt o = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0) {
            puts("usage: pxcmesh version [-o json|yaml|jsonpath=TEMPLATE]\n"
                 "Prints pxcmesh's version, the commit it was built from and the versions of "
                 "the\nlibraries it runs with.");
            return 0;
        }
        const char *val = NULL;
        if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && i + 1 < argc)
            val = argv[++i];
        else if (strncmp(a, "-o", 2) == 0 && a[2] != '\0')
            val = a[2] == '=' ? a + 3 : a + 2;
        else if (strncmp(a, "--output=", 9) == 0)
            val = a + 9;
        else if (strcmp(a, "--json") == 0)
            val = "json";
        if (val == NULL) {
            outfmt_fini(&o);
            return cmd_usage_error("version", "unexpected argument '%s'", a);
        }
        if (outfmt_set(&o, "version", val, VERSION_OUTPUTS) != 0)
            return 2;
    }
    json_t *doc = version_doc();
    if (o.kind == OUTFMT_TEXT) {
        printf("pxcmesh %s\ncommit %s\n", PXC_VERSION, PXC_COMMIT);
        struct tabw t;
        tabw_init(&t);
        const char *k;
        json_t *v;
        json_object_foreach (json_object_get(doc, "libraries"), k, v) {
            tabw_row(&t);
            tabw_cell(&t, k);
            tabw_cell(&t, json_string_value(v));
        }
        tabw_flush(&t, stdout);
        tabw_fini(&t);
    } else {
        outfmt_print_doc(&o, doc, stdout);
    }
    json_decref(doc);
    outfmt_fini(&o);
    return ferror(stdout) ? 1 : 0;
}
