/* ksim_list: LIST with selectors, limit and continue tokens, as JSON, Table or
 * PartialObjectMetadataList; and the object selection that WATCH and deletecollection
 * share with it. A page serializes only its own objects. */
#include "ksim_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "xmalloc.h"

/* ---- which objects a request selects ---- */

json_t *
ksim_lazy_get(void *arg)
{
    struct ksim_lazy_obj *l = arg;
    if (l->parsed == NULL)
        l->parsed = ksim_blob_parse(l->o->blob);
    return l->parsed;
}

int
ksim_parse_selectors(struct MHD_Connection *c, struct ksim_selector **ls, struct ksim_selector **fs,
                     struct ksim_status *stt)
{
    struct pxerr err = {0};
    *ls = *fs = NULL;
    if (ksim_selector_parse(ksim_qarg(c, "labelSelector"), false, ls, &err) != 0 ||
        ksim_selector_parse(ksim_qarg(c, "fieldSelector"), true, fs, &err) != 0) {
        ksim_selector_free(*ls);
        *ls = NULL;
        ksim_status_set(stt, 400, "BadRequest", "%s", err.msg);
        return -1;
    }
    return 0;
}

bool
ksim_obj_matches(struct ksim_obj *o, const char *ns, struct ksim_selector *ls,
                 struct ksim_selector *fs, struct ksim_lazy_obj *lz)
{
    if (ns[0] && strcmp(o->ns, ns) != 0)
        return false;
    if (!ksim_selector_empty(ls) && !ksim_selector_match_labels(ls, o->labels))
        return false;
    if (!ksim_selector_empty(fs)) {
        lz->o = o;
        lz->parsed = NULL;
        bool m = ksim_selector_match_fields(fs, o->ns, o->name, ksim_lazy_get, lz);
        json_decref(lz->parsed);
        lz->parsed = NULL;
        if (!m)
            return false;
    }
    return true;
}

/* ---- LIST ---- */

enum MHD_Result
ksim_list_reply(struct ksim_server *srv, struct MHD_Connection *c, const struct ksim_target *t)
{
    struct ksim_store *st = srv->st;
    struct ksim_status stt;
    struct ksim_selector *ls, *fs;
    if (ksim_parse_selectors(c, &ls, &fs, &stt) != 0)
        return ksim_reply_status(c, &stt, 0);
    long limit = ksim_qarg(c, "limit") ? strtol(ksim_qarg(c, "limit"), NULL, 10) : 0;
    const char *cont = ksim_qarg(c, "continue");
    const char *rvq = ksim_qarg(c, "resourceVersion");
    bool table = ksim_wants_table(c);
    char *start = NULL;
    uint64_t list_rv = 0;
    if (cont != NULL && *cont) {
        /* The token is {"rv":N,"start":"key"} in unpadded URL-safe base64, the encoding
         * of the API server's own (apiserver storage DecodeContinue: RawURLEncoding), and
         * decoded as strictly. */
        char *dec = NULL;
        size_t dec_len = 0;
        json_t *tok = NULL;
        if (base64_decode(cont, strlen(cont), BASE64_URL | BASE64_NOPAD, &dec, &dec_len) == 0)
            tok = json_loadb(dec, dec_len, 0, NULL);
        free(dec);
        const char *s = json_string_value(json_object_get(tok, "start"));
        if (s == NULL) {
            json_decref(tok);
            ksim_selector_free(ls);
            ksim_selector_free(fs);
            return ksim_reply_err(c, 400, "BadRequest",
                                  "continue key is not valid: not a token this "
                                  "server issued; start the list again without "
                                  "continue");
        }
        start = xstrdup(s);
        list_rv = (uint64_t)json_integer_value(json_object_get(tok, "rv"));
        json_decref(tok);
    }
    pthread_mutex_lock(&st->mu);
    if (cont != NULL && *cont && list_rv < st->horizon_rv) {
        pthread_mutex_unlock(&st->mu);
        free(start);
        ksim_selector_free(ls);
        ksim_selector_free(fs);
        return ksim_reply_err(
            c, 410, "Expired",
            "The provided continue parameter is too old to display a consistent "
            "list result. You can start a new list without the continue parameter.");
    }
    if (rvq != NULL && *rvq && strcmp(rvq, "0") != 0 && strtoull(rvq, NULL, 10) > st->rv) {
        uint64_t cur = st->rv;
        pthread_mutex_unlock(&st->mu);
        free(start);
        ksim_selector_free(ls);
        ksim_selector_free(fs);
        return ksim_reply_err(c, 504, "Timeout", "Too large resource version: %s, current: %llu",
                              rvq, (unsigned long long)cur);
    }
    if (list_rv == 0)
        list_rv = st->rv;
    struct ksim_res *res = t->res;
    size_t at;
    char *ns_prefix = t->ns[0] ? xasprintf("%s/", t->ns) : NULL;
    if (start != NULL)
        at = ksim_res_lower_bound(res, start, false);
    else if (ns_prefix != NULL)
        at = ksim_res_lower_bound(res, ns_prefix, true);
    else
        at = 0;
    struct strbuf out;
    strbuf_init(&out);
    json_t *tab = table ? ksim_table_of(res, NULL, NULL, true) : NULL;
    json_t *rows = tab ? json_object_get(tab, "rows") : NULL;
    long n = 0;
    char *next = NULL;
    struct ksim_lazy_obj lz = {0};
    for (; at < res->sorted.n; at++) {
        struct ksim_obj *o = vec_at(&res->sorted, at);
        if (ns_prefix != NULL && strncmp(o->key, ns_prefix, strlen(ns_prefix)) != 0)
            break;
        if (!ksim_obj_matches(o, t->ns, ls, fs, &lz))
            continue;
        if (limit > 0 && n == limit) {
            /* there is at least one more: the token starts after the last one sent */
            const struct ksim_obj *last = vec_at(&res->sorted, at - 1);
            (void)last;
            break;
        }
        if (table) {
            json_t *obj = ksim_blob_parse(o->blob);
            ksim_fix_version(t, obj);
            json_array_append_new(rows, ksim_table_row(res, obj, ksim_include_object(c)));
            json_decref(obj);
        } else {
            if (n > 0)
                strbuf_appendc(&out, ',');
            ksim_append_obj(t, o->blob, &out);
        }
        n++;
        free(next);
        next = xstrdup(o->key);
    }
    bool more = at < res->sorted.n && limit > 0 && n == limit;
    if (more && ns_prefix != NULL) {
        struct ksim_obj *o = vec_at(&res->sorted, at);
        more = strncmp(o->key, ns_prefix, strlen(ns_prefix)) == 0;
    }
    pthread_mutex_unlock(&st->mu);
    free(ns_prefix);
    free(start);
    ksim_selector_free(ls);
    ksim_selector_free(fs);
    char rvs[32];
    snprintf(rvs, sizeof rvs, "%llu", (unsigned long long)list_rv);
    char *token = NULL;
    if (more && next != NULL) {
        json_t *tok = json_pack("{s:I, s:s}", "rv", (json_int_t)list_rv, "start", next);
        char *s = json_dumps(tok, JSON_COMPACT);
        token = base64_encode(s, strlen(s), BASE64_URL | BASE64_NOPAD);
        free(s);
        json_decref(tok);
    }
    free(next);
    if (table) {
        json_t *meta = json_object_get(tab, "metadata");
        json_object_set_new(meta, "resourceVersion", json_string(rvs));
        if (token != NULL)
            json_object_set_new(meta, "continue", json_string(token));
        free(token);
        strbuf_fini(&out);
        return ksim_reply_json(c, 200, tab);
    }
    struct strbuf doc;
    strbuf_init(&doc);
    char *av = t->meta_only    ? xstrdup("meta.k8s.io/v1")
               : res->group[0] ? xasprintf("%s/%s", res->group, t->version)
                               : xstrdup(t->version);
    strbuf_appendf(&doc,
                   "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{\"resourceVersion\":"
                   "\"%s\"",
                   t->meta_only ? "PartialObjectMetadataList" : res->list_kind, av, rvs);
    free(av);
    if (token != NULL)
        strbuf_appendf(&doc, ",\"continue\":\"%s\"", token);
    free(token);
    strbuf_append(&doc, "},\"items\":[");
    strbuf_appendn(&doc, out.s, out.len);
    strbuf_append(&doc, "]}\n");
    strbuf_fini(&out);
    size_t len = doc.len;
    return ksim_reply_buf(c, 200, "application/json", strbuf_detach(&doc), len, 0);
}
