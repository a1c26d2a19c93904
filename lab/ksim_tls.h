/* ksim_tls: kubesim's CA, server and client certificates, and its kubeconfig. Startup
 * only (runs the openssl command and waits for it). */
#ifndef PXC_LAB_KSIM_TLS_H
#define PXC_LAB_KSIM_TLS_H

#include "ksim.h"

struct ksim_pki {
    char *ca_pem; /* owned PEM texts */
    char *cert_pem;
    char *key_pem; /* secret */
    char *client_cert_pem;
    char *client_key_pem; /* secret */
};

/* Make (or reuse) the PKI in dir for a server listening on ip. */
int ksim_pki_ensure(const char *dir, const char *ip, struct ksim_pki *out,
                    struct pxerr *err) PXC_MUST_CHECK;
void ksim_pki_fini(struct ksim_pki *p);

/* Write or merge path: cluster, user and context all named context. pki NULL: plain
 * HTTP; token non-NULL: the user carries the token instead of the client certificate. */
int ksim_kubeconfig_write(const char *path, const char *context, const char *server_url,
                          const struct ksim_pki *pki, const char *token,
                          struct pxerr *err) PXC_MUST_CHECK;

#endif
