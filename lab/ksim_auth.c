/* ksim_auth: who is asking: a bearer token from --token/--readonly-token/--tokens-file, or
 * a client certificate signed by the lab's CA (CN is the user, O=ksim:readonly makes it
 * read-only), or anonymous admin when nothing is required. */
#include "ksim_http.h"

#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"

enum ksim_role
ksim_auth_identify(struct ksim_server *srv, struct MHD_Connection *c, char *user, size_t n)
{
    const char *authz = ksim_hdr(c, "Authorization");
    /* With no token configured a bearer token is ignored (no token authenticator), as
     * the API server does; with tokens, an unknown one is a 401. */
    if (authz != NULL && strncasecmp(authz, "Bearer ", 7) == 0 && srv->tokens.n > 0) {
        const char *t = authz + 7;
        for (size_t i = 0; i < srv->tokens.n; i++) {
            struct ksim_token *tk = vec_at(&srv->tokens, i);
            if (strcmp(tk->token, t) == 0) {
                snprintf(user, n, "%s", tk->user);
                return tk->role;
            }
        }
        return KSIM_ROLE_NONE;
    }
    if (srv->tls) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
        gnutls_session_t s = ci ? (gnutls_session_t)ci->tls_session : NULL;
        unsigned status = 0;
        unsigned n_certs = 0;
        const gnutls_datum_t *certs = s ? gnutls_certificate_get_peers(s, &n_certs) : NULL;
        if (certs != NULL && n_certs > 0 && gnutls_certificate_verify_peers2(s, &status) == 0 &&
            status == 0) {
            gnutls_x509_crt_t crt;
            enum ksim_role role = KSIM_ROLE_ADMIN;
            snprintf(user, n, "unknown");
            if (gnutls_x509_crt_init(&crt) == 0) {
                if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) == 0) {
                    size_t len = n;
                    if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, user,
                                                      &len) != 0)
                        snprintf(user, n, "unknown");
                    char org[128];
                    for (unsigned k = 0; k < 8; k++) {
                        len = sizeof org;
                        if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, k,
                                                          0, org, &len) != 0)
                            break;
                        if (strcmp(org, "ksim:readonly") == 0)
                            role = KSIM_ROLE_READONLY;
                    }
                }
                gnutls_x509_crt_deinit(crt);
            }
            return role;
        }
    }
    if (!srv->auth_required) {
        snprintf(user, n, "system:anonymous");
        return KSIM_ROLE_ADMIN;
    }
    return KSIM_ROLE_NONE;
}

bool
ksim_auth_denied(struct ksim_server *srv, const char *user, const char *what)
{
    char pat[128];
    snprintf(pat, sizeof pat, " %s ", what);
    for (size_t i = 0; i < srv->tokens.n; i++) {
        struct ksim_token *t = vec_at(&srv->tokens, i);
        if (t->deny != NULL && strcmp(t->user, user) == 0 && strstr(t->deny, pat) != NULL)
            return true;
    }
    return false;
}

void
ksim_auth_token_free(void *p)
{
    struct ksim_token *t = p;
    xfree_secret(t->token);
    free(t->user);
    free(t->deny);
    free(t);
}

void
ksim_auth_token_add(struct ksim_server *srv, const char *tok, const char *user, enum ksim_role role)
{
    struct ksim_token *t = xcalloc(1, sizeof *t);
    t->token = xstrdup(tok);
    t->user = xstrdup(user);
    t->role = role;
    vec_push(&srv->tokens, t);
}

int
ksim_auth_tokens_load(struct ksim_server *srv, const char *path, struct pxerr *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return pxerr_set(err, PXE_IO, "tokens file %s: %s", path, strerror(errno));
    char line[1024];
    int lineno = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        char *save = NULL;
        char *tok = strtok_r(line, ",", &save);
        char *user = strtok_r(NULL, ",", &save);
        if (tok == NULL || user == NULL) {
            fclose(f);
            return pxerr_set(err, PXE_PARSE,
                             "%s:%d: expected \"token,user[,readonly][,deny=pods/SUB]...\"", path,
                             lineno);
        }
        enum ksim_role role = KSIM_ROLE_ADMIN;
        struct strbuf deny;
        strbuf_init(&deny);
        for (char *fld = strtok_r(NULL, ",", &save); fld; fld = strtok_r(NULL, ",", &save)) {
            if (strcmp(fld, "readonly") == 0) {
                role = KSIM_ROLE_READONLY;
            } else if (strncmp(fld, "deny=", 5) == 0 && strchr(fld + 5, '/') != NULL) {
                strbuf_appendf(&deny, " %s ", fld + 5);
            } else {
                strbuf_fini(&deny);
                fclose(f);
                return pxerr_set(err, PXE_PARSE,
                                 "%s:%d: unknown field \"%s\" (expected readonly or "
                                 "deny=RESOURCE/SUB such as deny=pods/portforward)",
                                 path, lineno, fld);
            }
        }
        ksim_auth_token_add(srv, tok, user, role);
        if (deny.len > 0) {
            struct ksim_token *t = vec_at(&srv->tokens, srv->tokens.n - 1);
            t->deny = strbuf_detach(&deny);
        }
        strbuf_fini(&deny);
    }
    fclose(f);
    return 0;
}
