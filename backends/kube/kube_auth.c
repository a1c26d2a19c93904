/* kube_auth: the client's credentials. It keeps its own copy of what the kubeconfig target
 * says (server, CA, client certificate and key, bearer token and token file, basic auth, the
 * exec plugin spec), secrets zeroed when freed, and turns it into the TLS and authentication
 * options of each request. An exec plugin's credential comes from the shared cache; while
 * the plugin runs the requests wait (kube_call.c parks them). After a 401 it renews what can
 * be renewed: the cached exec credential is dropped, a token file is re-read (kubectl reads
 * it the same way, so a rotated service-account token is picked up).
 *
 * It deliberately does not decide when to retry: kube_call.c retries a request once. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "log.h"
#include "xmalloc.h"
#include "kube/kube_internal.h"

static void
free_secret_n(char *s, size_t n)
{
    if (s) {
        explicit_bzero(s, n);
        free(s);
    }
}

void
kube__auth_init(struct kube_auth *a, const struct kcfg_target *t)
{
    a->server = xstrdup(t->server);
    size_t sl = strlen(a->server);
    while (sl > 0 && a->server[sl - 1] == '/')
        a->server[--sl] = '\0';
    a->ca_pem = kube__dupn(t->ca_pem, t->ca_pem_len);
    a->ca_len = t->ca_pem_len;
    a->insecure = t->insecure;
    a->tls_server_name = xstrdup_or_null(t->tls_server_name);
    a->proxy_url = xstrdup_or_null(t->proxy_url);
    a->cert_pem = kube__dupn(t->client_cert_pem, t->client_cert_len);
    a->cert_len = t->client_cert_len;
    a->key_pem = kube__dupn(t->client_key_pem, t->client_key_len);
    a->key_len = t->client_key_len;
    a->token = xstrdup_or_null(t->token);
    a->token_file = xstrdup_or_null(t->token_file);
    a->username = xstrdup_or_null(t->username);
    a->password = xstrdup_or_null(t->password);
    a->user_name = xstrdup_or_null(t->user_name);
    a->exec = t->exec ? kcfg_exec_dup(t->exec) : NULL;
}

void
kube__auth_fini(struct kube_auth *a)
{
    free(a->server);
    free(a->ca_pem);
    free(a->tls_server_name);
    free(a->proxy_url);
    free(a->cert_pem);
    free_secret_n(a->key_pem, a->key_len);
    xfree_secret(a->token);
    free(a->token_file);
    free(a->username);
    xfree_secret(a->password);
    free(a->user_name);
    kcfg_exec_free(a->exec);
    memset(a, 0, sizeof *a);
}

static void
on_cred(int status, const struct kcfg_cred *cred, const struct pxerr *err, void *arg)
{
    struct kube_life *life = arg;
    struct kube_client *kc = life->kc;
    bool dead = life->dead;
    if (--life->refs == 0)
        free(life);
    if (dead || kc == NULL)
        return;
    kc->cred_pending = false;
    (void)cred; /* read back through kcfg_cred_peek when each call is sent */
    kube__call_cred_done(kc, status, err);
    kube__ws_cred_done(kc, status, err);
}

int
kube__auth_cred(struct kube_client *kc, const struct kcfg_cred **cred, struct pxerr *err)
{
    *cred = NULL;
    if (kc->a.exec == NULL)
        return 0;
    *cred = kcfg_cred_peek(kc->creds, kc->a.exec, kc->a.server);
    if (*cred != NULL)
        return 0;
    if (!kc->cred_pending) {
        kc->life->refs++;
        if (kcfg_cred_get(kc->creds, kc->a.exec, kc->a.server, on_cred, kc->life, err) < 0) {
            kc->life->refs--;
            return err ? err->code : PXE_AUTH;
        }
        kc->cred_pending = true;
    }
    return 1;
}

void
kube__auth_tls(const struct kube_client *kc, const struct kcfg_cred *cred,
               struct http_tls_auth *t)
{
    *t = (struct http_tls_auth){
        .ca_pem = kc->a.ca_pem,
        .ca_pem_len = kc->a.ca_len,
        .insecure = kc->a.insecure,
        .tls_server_name = kc->a.tls_server_name,
        .proxy_url = kc->a.proxy_url,
        .client_cert_pem = kc->a.cert_pem,
        .client_cert_len = kc->a.cert_len,
        .client_key_pem = kc->a.key_pem,
        .client_key_len = kc->a.key_len,
        .bearer_token = kc->a.token,
        .username = kc->a.username,
        .password = kc->a.password,
    };
    if (cred == NULL)
        return;
    if (cred->token)
        t->bearer_token = cred->token;
    if (cred->client_cert_pem && cred->client_key_pem) {
        t->client_cert_pem = cred->client_cert_pem;
        t->client_cert_len = strlen(cred->client_cert_pem);
        t->client_key_pem = cred->client_key_pem;
        t->client_key_len = strlen(cred->client_key_pem);
    }
}

/* Re-read after a 401, on the loop: kubectl re-reads the same way. It stays here rather
 * than on a worker because file_read opens without waiting (a FIFO is refused, not waited
 * on), refuses anything but a regular file, and reads at most KUBE_TOKEN_MAX bytes from
 * the page cache, which is a bounded step like any other on the loop. The token is trimmed
 * as kcfg_resolve trims it: owned (xfree_secret), NULL when the file is missing, unreadable
 * (logged) or empty; <0 in *rc with err filled when it holds what no header may. */
#define KUBE_TOKEN_MAX (64u << 10)
static char *
read_token_file(const char *path, int *rc, struct pxerr *err)
{
    *rc = 0;
    char *buf = NULL;
    size_t n = 0;
    struct pxerr e = {0};
    if (file_read_secret(path, KUBE_TOKEN_MAX, &buf, &n, &e) != 0) {
        log_warn("token file: %s", e.msg);
        return NULL;
    }
    size_t s = 0, len = n;
    while (s < len && isspace((unsigned char)buf[s]))
        s++;
    while (len > s && isspace((unsigned char)buf[len - 1]))
        len--;
    struct pxerr te;
    char *t = NULL;
    if (memchr(buf + s, '\0', len - s) != NULL)
        *rc = pxerr_set(err, PXE_AUTH, "token file %s (read again after a 401) holds a NUL byte; "
                        "refusing to send it", path);
    else if (len > s) {
        t = xstrndup(buf + s, len - s);
        if (kcfg_token_check(t, &te) < 0) {
            *rc = pxerr_set(err, PXE_AUTH, "token file %s (read again after a 401): the token %s; "
                            "refusing to send it", path, te.msg);
            xfree_secret(t);
            t = NULL;
        }
    }
    file_free_secret(buf, n);
    return t;
}

int
kube__auth_renew(struct kube_client *kc, struct pxerr *err)
{
    if (kc->a.exec) {
        kcfg_cred_invalidate(kc->creds, kc->a.exec, kc->a.server);
        return 1;
    }
    if (kc->a.token_file == NULL)
        return 0;
    int rc;
    char *t = read_token_file(kc->a.token_file, &rc, err);
    if (rc < 0)
        return rc;
    if (t) {
        xfree_secret(kc->a.token);
        kc->a.token = t;
    }
    return 1;
}
