/* outfmt: parsing -o against what a verb honours, and writing a verb's document. The YAML
 * and JSON writers are codec's (the same that generate uses), so every verb's yaml reads
 * back as its json. */
#include "outfmt.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "codec/jsonpath.h"
#include "codec/yamlout.h"

static const char *const names[OUTFMT__COUNT] = {
    [OUTFMT_TEXT] = "text", [OUTFMT_WIDE] = "wide", [OUTFMT_JSON] = "json",
    [OUTFMT_YAML] = "yaml", [OUTFMT_NAME] = "name", [OUTFMT_JSONPATH] = "jsonpath",
    [OUTFMT_NIX] = "nix",
};

const char *
outfmt_name(enum outfmt_kind k)
{
    return k < OUTFMT__COUNT ? names[k] : "?";
}

void
outfmt_names(unsigned allowed, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < OUTFMT__COUNT && used < n; k++) {
        if (!(allowed & OUTFMT_BIT(k)))
            continue;
        used += (size_t)snprintf(buf + used, n - used, "%s%s%s", used ? ", " : "",
                                 k == OUTFMT_TEXT ? "text (no -o)" : names[k],
                                 k == OUTFMT_JSONPATH ? "=TEMPLATE" : "");
    }
}

int
outfmt_set(struct outfmt *o, const char *verb, const char *arg, unsigned allowed)
{
    enum outfmt_kind k = OUTFMT__COUNT;
    const char *tmpl = NULL;
    if (strncmp(arg, "jsonpath=", 9) == 0) {
        k = OUTFMT_JSONPATH;
        tmpl = arg + 9;
    } else if (strcmp(arg, "jsonpath") == 0) {
        return cmd_usage_error(verb, "-o jsonpath needs its template: -o "
                                     "jsonpath='{.items[*].metadata.name}'");
    } else {
        for (int i = 0; i < OUTFMT__COUNT; i++)
            if (i != OUTFMT_TEXT && strcmp(arg, names[i]) == 0)
                k = (enum outfmt_kind)i;
    }
    char have[160];
    outfmt_names(allowed, have, sizeof have);
    if (k == OUTFMT__COUNT)
        return cmd_usage_error(verb, "%s: unknown output '-o %s' (it has: %s)", verb, arg, have);
    if (!(allowed & OUTFMT_BIT(k)))
        return cmd_usage_error(verb, "%s: -o %s is not one of its outputs (it has: %s)", verb,
                               names[k], have);
    struct jsonpath *jp = NULL;
    if (k == OUTFMT_JSONPATH) {
        struct pxerr err = {0};
        if (jsonpath_compile(tmpl, &jp, &err) != 0)
            return cmd_usage_error(verb, "%s", err.msg);
    }
    jsonpath_free(o->jp);
    o->jp = jp;
    o->kind = k;
    return 0;
}

void
outfmt_fini(struct outfmt *o)
{
    jsonpath_free(o->jp);
    o->jp = NULL;
}

int
outfmt_print_doc(const struct outfmt *o, const json_t *doc, FILE *f)
{
    struct strbuf sb;
    strbuf_init(&sb);
    switch (o->kind) {
    case OUTFMT_JSON:
        yamlout_json(doc, &sb);
        break;
    case OUTFMT_YAML:
        yamlout_yaml(doc, &sb);
        break;
    case OUTFMT_JSONPATH:
        jsonpath_eval(o->jp, doc, &sb);
        break;
    default:
        strbuf_fini(&sb);
        return -1;
    }
    if (o->kind != OUTFMT_JSONPATH && sb.len > 0 && sb.s[sb.len - 1] != '\n')
        strbuf_appendc(&sb, '\n');
    fputs(sb.s, f);
    strbuf_fini(&sb);
    return 0;
}
