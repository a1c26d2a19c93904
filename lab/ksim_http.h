/* ksim_http: what the files of kubesim's HTTP face share; nothing outside them includes
 * this header. ksim_http.c owns the server and routes a request to one of the handlers
 * below; each handler answers on the connection's thread and takes store->mu itself
 * (none is called with it held). Strings handed in are borrowed for the call. */
#ifndef PXC_LAB_KSIM_HTTP_H
#define PXC_LAB_KSIM_HTTP_H

#include <microhttpd.h>

#include "ksim_api.h"

#define KSIM_MAX_BODY (32u << 20)

enum ksim_role { KSIM_ROLE_NONE, KSIM_ROLE_ADMIN, KSIM_ROLE_READONLY };

struct ksim_token {
    char *token; /* owned, wiped when freed */
    char *user;  /* owned */
    enum ksim_role role;
    char *deny; /* owned " pods/exec pods/portforward " (subresources refused) or NULL */
};

struct ksim_server {
    struct ksim_store *st; /* borrowed */
    struct MHD_Daemon *d;
    bool tls;
    bool auth_required;
    struct vec tokens; /* struct ksim_token *, owned */
    struct vec forbid; /* char *, owned */
    char addr[128];
    int port;
    int n_streams;   /* upgraded connections being served (store->mu) */
    char *exec_root; /* owned: per-container PATH directories for exec, made on first use */
};

struct ksim_stream;

/* One request's upload, kept by libmicrohttpd between calls of the handler. */
struct ksim_req {
    struct strbuf body;
    bool too_big;
    struct ksim_stream *stream; /* owned until the upgrade handler takes it */
};

/* What the path names. */
struct ksim_target {
    struct ksim_res *res;
    const char *version; /* borrowed from the path */
    const char *ns;      /* "" for all namespaces or cluster scope */
    const char *name;    /* NULL for the collection */
    const char *sub;     /* NULL, "status", "log", "scale", "exec", "attach", "portforward" */
    bool meta_only;      /* Accept: ...;as=PartialObjectMetadata(List) */
};

/* ---- reading requests, shaping answers (ksim_reply.c) ---- */

const char *ksim_qarg(struct MHD_Connection *c, const char *k); /* query argument or NULL */
const char *ksim_hdr(struct MHD_Connection *c, const char *k);  /* header or NULL */
bool ksim_truthy(const char *v);                                /* "1" or "true" */
/* Each ksim_reply_* queues the answer and returns what the handler returns. */
enum MHD_Result ksim_reply_buf(struct MHD_Connection *c, unsigned code, const char *ctype,
                               char *buf /* takes */, size_t len, int retry_after_s);
enum MHD_Result ksim_reply_json(struct MHD_Connection *c, unsigned code, json_t *j /* takes */);
enum MHD_Result ksim_reply_status(struct MHD_Connection *c, const struct ksim_status *stt,
                                  int retry_after_s);
enum MHD_Result ksim_reply_err(struct MHD_Connection *c, int code, const char *reason,
                               const char *fmt, ...) PXC_PRINTF(4, 5);
/* obj (taken) as the client asked for it: JSON, Table or PartialObjectMetadata. */
enum MHD_Result ksim_reply_obj(struct MHD_Connection *c, const struct ksim_target *t, unsigned code,
                               json_t *obj);
/* The body as one JSON or YAML document (owned), or NULL with stt filled. */
json_t *ksim_parse_body(const struct strbuf *b, struct ksim_status *stt);
bool ksim_wants_table(struct MHD_Connection *c);
const char *ksim_include_object(struct MHD_Connection *c); /* includeObject, default Metadata */
/* Set apiVersion to the version the path asked for, when it is not the stored one. */
void ksim_fix_version(const struct ksim_target *t, json_t *obj);
json_t *ksim_partial_of(json_t *obj /* takes */); /* its PartialObjectMetadata (owned) */
/* The stored object b as t asks for it, appended to out. */
void ksim_append_obj(const struct ksim_target *t, struct ksim_blob *b, struct strbuf *out);
/* An empty meta.k8s.io/v1 Table (owned); rv and cont may be NULL. */
json_t *ksim_table_of(const struct ksim_res *res, const char *rv, const char *cont, bool cols);

/* ---- selecting objects (ksim_list.c) ---- */

/* An object whose JSON is parsed only when a field selector needs it. */
struct ksim_lazy_obj {
    struct ksim_obj *o; /* borrowed */
    json_t *parsed;     /* owned, or NULL until asked for */
};
json_t *ksim_lazy_get(void *arg); /* arg: struct ksim_lazy_obj *; borrowed result */
/* labelSelector and fieldSelector of the query (owned; NULL when absent); -1 with stt
 * filled when one does not parse. */
int ksim_parse_selectors(struct MHD_Connection *c, struct ksim_selector **ls,
                         struct ksim_selector **fs, struct ksim_status *stt) PXC_MUST_CHECK;
/* Whether o is in ns ("" for any) and matches both selectors; lz is scratch. Lock held. */
bool ksim_obj_matches(struct ksim_obj *o, const char *ns, struct ksim_selector *ls,
                      struct ksim_selector *fs, struct ksim_lazy_obj *lz);

/* ---- handlers ---- */

enum MHD_Result ksim_list_reply(struct ksim_server *srv, struct MHD_Connection *c,
                                const struct ksim_target *t); /* ksim_list.c */
enum MHD_Result ksim_watch_reply(struct ksim_server *srv, struct MHD_Connection *c,
                                 const struct ksim_target *t); /* ksim_watch.c */
/* ksim_object.c: GET of one object (and pods/log), writes, the scale subresource. */
enum MHD_Result ksim_object_get(struct ksim_server *srv, struct MHD_Connection *c,
                                const struct ksim_target *t);
/* ksim_log.c: pods/NAME/log (tailLines, sinceSeconds, timestamps, follow). */
enum MHD_Result ksim_log_reply(struct ksim_server *srv, struct MHD_Connection *c,
                               const struct ksim_target *t);
enum MHD_Result ksim_object_write(struct ksim_server *srv, struct MHD_Connection *c,
                                  const char *method, const struct ksim_target *t,
                                  struct ksim_req *req);
enum MHD_Result ksim_object_scale(struct ksim_server *srv, struct MHD_Connection *c,
                                  const char *method, const struct ksim_target *t,
                                  struct ksim_req *req);

/* ---- discovery and OpenAPI (ksim_discovery.c, ksim_openapi.c); lock held, owned results,
 * NULL when the group (version) serves nothing ---- */

json_t *ksim_discovery_resources(struct ksim_store *st, const char *group, const char *version);
json_t *ksim_discovery_group(struct ksim_store *st, const char *group);
json_t *ksim_discovery_groups(struct ksim_store *st);
json_t *ksim_openapi_v3_root(struct ksim_store *st);
json_t *ksim_openapi_v3_gv(struct ksim_store *st, const char *gvpath); /* "api/v1?hash=..." */
/* GET /openapi/v2 in the format the Accept header asks for; takes the lock. */
enum MHD_Result ksim_openapi_v2_reply(struct ksim_server *srv, struct MHD_Connection *c);

/* ---- authentication (ksim_auth.c) ---- */

/* The caller's role; user receives its name. */
enum ksim_role ksim_auth_identify(struct ksim_server *srv, struct MHD_Connection *c, char *user,
                                  size_t n);
void ksim_auth_token_add(struct ksim_server *srv, const char *tok, const char *user,
                         enum ksim_role role);
/* Whether user's token refuses "RESOURCE/SUB" (tokens file: ",deny=pods/portforward"). */
bool ksim_auth_denied(struct ksim_server *srv, const char *user, const char *what);
int ksim_auth_tokens_load(struct ksim_server *srv, const char *path,
                          struct pxerr *err) PXC_MUST_CHECK;
void ksim_auth_token_free(void *p); /* vec free function */

/* ---- faults and the control paths (ksim_fault.c) ---- */

/* 1 when a fault answered (or must close) the request, with *ret what the handler
 * returns; 0 to go on. May sleep (delay_ms) or block (hang). */
int ksim_fault_answer(struct ksim_server *srv, struct MHD_Connection *c, enum MHD_Result *ret);
/* /_ksim/fault (GET, POST) and /_ksim/stats. */
enum MHD_Result ksim_fault_control(struct ksim_server *srv, struct MHD_Connection *c,
                                   const char *url, const char *method, struct ksim_req *req);

#endif
