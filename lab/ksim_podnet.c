/* ksim_podnet: where a pod of the lab really is. A real cluster has a network namespace
 * per pod; the lab has loopback addresses and files. The lab scripts tell kubesim, in the
 * file given with --pod-map, which address serves each pod's ports, which MySQL socket,
 * resolv.conf and error log belong to it; the API objects clients see carry none of that.
 * A pod the file does not name is served at its status.podIP with the machine's files.
 *
 *   # NS/NAME key=value ...
 *   pxc/pxc-cluster-pxc-0 addr=127.0.10.1 socket=/lab/a1/mysqld.sock \
 *       resolv=/lab/a1/resolv.conf log.pxc=/lab/a1/error.log
 */
#include "ksim_stream.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <string.h>

static void
set_field(struct ksim_podnet *pn, const char *k, size_t klen, const char *v)
{
    if (klen == 4 && strncmp(k, "addr", 4) == 0)
        snprintf(pn->addr, sizeof pn->addr, "%s", v);
    else if (klen == 6 && strncmp(k, "socket", 6) == 0)
        snprintf(pn->socket, sizeof pn->socket, "%s", v);
    else if (klen == 6 && strncmp(k, "resolv", 6) == 0)
        snprintf(pn->resolv, sizeof pn->resolv, "%s", v);
    else if (klen == 7 && strncmp(k, "log.pxc", 7) == 0)
        snprintf(pn->pxc_log, sizeof pn->pxc_log, "%s", v);
}

void
ksim_podnet_lookup(struct ksim_store *st, const json_t *pod, struct ksim_podnet *pn)
{
    memset(pn, 0, sizeof *pn);
    const char *ns = json_string_value(ksim_path_get((json_t *)pod, "metadata.namespace"));
    const char *name = json_string_value(ksim_path_get((json_t *)pod, "metadata.name"));
    const char *uid = json_string_value(ksim_path_get((json_t *)pod, "metadata.uid"));
    unsigned char sha[32];
    if (uid != NULL && gnutls_hash_fast(GNUTLS_DIG_SHA256, uid, strlen(uid), sha) == 0)
        for (int i = 0; i < 32; i++)
            snprintf(pn->sandbox + 2 * i, 3, "%02x", sha[i]);
    char key[600];
    snprintf(key, sizeof key, "%s/%s", ns ? ns : "", name ? name : "");
    FILE *f = st->pod_map ? fopen(st->pod_map, "r") : NULL;
    char line[4096];
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *save = NULL;
        char *first = strtok_r(line, " \t", &save);
        if (first == NULL || first[0] == '#' || strcmp(first, key) != 0)
            continue;
        for (char *kv = strtok_r(NULL, " \t", &save); kv; kv = strtok_r(NULL, " \t", &save)) {
            char *eq = strchr(kv, '=');
            if (eq != NULL)
                set_field(pn, kv, (size_t)(eq - kv), eq + 1);
        }
        break;
    }
    if (f != NULL)
        fclose(f);
    if (pn->addr[0] == '\0') {
        const char *ip = json_string_value(ksim_path_get((json_t *)pod, "status.podIP"));
        snprintf(pn->addr, sizeof pn->addr, "%s", ip ? ip : "");
    }
}
