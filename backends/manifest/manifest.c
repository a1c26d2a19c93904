/* manifest: the objects of the seed's three approaches, built from options. Values an
 * operator types (names, hosts, addresses) are checked here with messages naming the
 * option; structural validity is the CRD schema's job (mf_validate). SQL identifiers
 * and hosts are validated against a strict character set and string values are
 * escaped, so no option can inject SQL into the generated statements. */
#include "manifest/manifest.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "codec/yamlout.h"
#include "manifest/crdreg.h"

static int
check_dns_label(const char *opt, const char *v, struct pxerr *err)
{
    size_t n = v ? strlen(v) : 0;
    if (n == 0)
        return pxerr_set(err, PXE_USAGE, "%s is required", opt);
    if (n > 63)
        return pxerr_set(err, PXE_INVAL, "%s '%s' is longer than 63 characters", opt, v);
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '-'))
            return pxerr_set(err, PXE_INVAL,
                             "%s '%s': only lower-case letters, digits and '-' are allowed "
                             "(a Kubernetes name)",
                             opt, v);
    }
    if (v[0] == '-' || v[n - 1] == '-')
        return pxerr_set(err, PXE_INVAL, "%s '%s' must start and end with a letter or digit",
                         opt, v);
    return 0;
}

static int
check_host(const char *opt, const char *v, struct pxerr *err)
{
    size_t n = v ? strlen(v) : 0;
    if (n == 0)
        return pxerr_set(err, PXE_USAGE, "%s is required", opt);
    if (n > 253)
        return pxerr_set(err, PXE_INVAL, "%s '%.40s...' is longer than 253 characters", opt, v);
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!(isalnum((unsigned char)c) || c == '-' || c == '.' || c == ':' || c == '_'))
            return pxerr_set(err, PXE_INVAL,
                             "%s '%s': a host name or IP address may hold letters, digits, "
                             "'-', '.', '_' and ':' only",
                             opt, v);
    }
    return 0;
}

static int
check_port(const char *opt, int p, struct pxerr *err)
{
    if (p < 1 || p > 65535)
        return pxerr_set(err, PXE_INVAL, "%s %d is not a TCP port (1-65535)", opt, p);
    return 0;
}

/* An endpoint address for resolution: STATIC takes IP addresses only (Envoy connects to
 * them as given; a name there is silently never resolved), DNS takes host names too. */
static int
check_endpoint(const char *addr, bool dns, struct pxerr *err)
{
    int rc = check_host("--endpoint", addr, err);
    if (rc != 0)
        return rc;
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, addr, &a4) == 1 || inet_pton(AF_INET6, addr, &a6) == 1)
        return 0;
    bool numeric = strspn(addr, "0123456789.") == strlen(addr);
    if (numeric)
        return pxerr_set(err, PXE_INVAL,
                         "--endpoint '%s' is not an IPv4 address (four numbers 0-255, "
                         "dot-separated)",
                         addr);
    if (!dns)
        return pxerr_set(err, PXE_INVAL,
                         "--endpoint '%s' is not an IP address: the endpoints of a STATIC "
                         "ServiceEntry are IPv4 or IPv6 addresses; for a host name use "
                         "--resolution DNS",
                         addr);
    /* A host name: dot-separated labels of letters, digits and '-', 1-63 each. */
    for (const char *p = addr; *p;) {
        size_t n = strcspn(p, ".");
        bool ok = n >= 1 && n <= 63 && p[0] != '-' && p[n - 1] != '-';
        for (size_t i = 0; ok && i < n; i++)
            ok = isalnum((unsigned char)p[i]) || p[i] == '-';
        if (!ok)
            return pxerr_set(err, PXE_INVAL,
                             "--endpoint '%s' is neither an IP address nor a host name "
                             "(labels of letters, digits and '-', 1-63 characters)",
                             addr);
        p += n;
        if (*p == '.')
            p++;
    }
    return 0;
}

static json_t *
metadata(const char *name, const char *ns)
{
    json_t *md = json_object();
    json_object_set_new(md, "name", json_string(name));
    if (ns != NULL)
        json_object_set_new(md, "namespace", json_string(ns));
    return md;
}

static json_t *
object(const char *api_version, const char *kind, json_t *md)
{
    json_t *o = json_object();
    json_object_set_new(o, "apiVersion", json_string(api_version));
    json_object_set_new(o, "kind", json_string(kind));
    json_object_set_new(o, "metadata", md);
    return o;
}

int
mf_namespace(const struct mf_namespace_opts *o, json_t *docs, struct pxerr *err)
{
    int rc;
    if ((rc = check_dns_label("--name", o->name, err)) != 0)
        return rc;
    if (o->revision != NULL && (rc = check_dns_label("--revision", o->revision, err)) != 0)
        return rc;
    json_t *md = metadata(o->name, NULL);
    json_t *labels = json_object();
    if (o->revision != NULL)
        json_object_set_new(labels, "istio.io/rev", json_string(o->revision));
    else
        json_object_set_new(labels, "istio-injection", json_string("enabled"));
    json_object_set_new(md, "labels", labels);
    json_array_append_new(docs, object("v1", "Namespace", md));
    return 0;
}

void
mf_vip_for_host(const char *host, char *buf, size_t n)
{
    uint32_t h = 2166136261u;
    for (const char *p = host; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 16777619u;
    }
    unsigned x = (h >> 8) & 0xff, y = h & 0xff;
    if (y == 0 || y == 255)
        y = 1 + (h >> 16) % 254;
    snprintf(buf, n, "240.240.%u.%u", x, y);
}

int
mf_parse_endpoint(char *buf, struct mf_endpoint *e, struct pxerr *err)
{
    char *addr = buf, *port = NULL;
    if (buf[0] == '[') {
        char *close = strchr(buf, ']');
        if (close == NULL)
            return pxerr_set(err, PXE_INVAL, "--endpoint '%s': missing ']' after IPv6 address",
                             buf);
        *close = '\0';
        addr = buf + 1;
        if (close[1] == ':')
            port = close + 2;
        else if (close[1] != '\0')
            return pxerr_set(err, PXE_INVAL, "--endpoint: unexpected text after ']'");
    } else {
        char *colon = strchr(buf, ':');
        if (colon != NULL && strchr(colon + 1, ':') == NULL) {
            *colon = '\0';
            port = colon + 1;
        }
    }
    e->address = addr;
    e->port = 0;
    if (port != NULL) {
        char *end;
        long p = strtol(port, &end, 10);
        if (*port == '\0' || *end != '\0' || p < 1 || p > 65535)
            return pxerr_set(err, PXE_INVAL, "--endpoint %s: port '%s' is not 1-65535", addr,
                             port);
        e->port = (int)p;
    }
    return check_host("--endpoint", addr, err);
}

int
mf_serviceentry(const struct mf_serviceentry_opts *o, json_t *docs, struct pxerr *err)
{
    int rc;
    if ((rc = check_dns_label("--name", o->name, err)) != 0 ||
        (rc = check_dns_label("--namespace", o->namespace, err)) != 0 ||
        (rc = check_dns_label("--remote-cluster", o->remote_cluster, err)) != 0)
        return rc;
    int port = o->port ? o->port : 3306;
    if ((rc = check_port("--port", port, err)) != 0)
        return rc;
    const char *resolution = o->resolution != NULL ? o->resolution : "STATIC";
    if (strcmp(resolution, "STATIC") != 0 && strcmp(resolution, "DNS") != 0)
        return pxerr_set(err, PXE_INVAL,
                         "--resolution '%s': use STATIC (endpoints are IP addresses) or DNS "
                         "(endpoints are host names)",
                         resolution);
    for (int i = 0; i < o->n_endpoints; i++)
        if ((rc = check_endpoint(o->endpoints[i].address, resolution[0] == 'D', err)) != 0)
            return rc;
    if (o->n_endpoints == 0)
        return pxerr_set(err, PXE_USAGE,
                         "at least one --endpoint ADDR[:PORT] is needed (a STATIC ServiceEntry "
                         "without endpoints sends traffic nowhere), or --endpoints-from-cluster");
    char host[300], objname[300], vip[32];
    snprintf(host, sizeof host, "%s.%s.global", o->name, o->remote_cluster);
    if (o->object_name != NULL) {
        if ((rc = check_dns_label("--object-name", o->object_name, err)) != 0)
            return rc;
        snprintf(objname, sizeof objname, "%s", o->object_name);
    } else {
        snprintf(objname, sizeof objname, "%s-%s", o->name, o->remote_cluster);
    }
    if (o->address != NULL) {
        struct in_addr a;
        if (inet_pton(AF_INET, o->address, &a) != 1)
            return pxerr_set(err, PXE_INVAL, "--address '%s' is not an IPv4 address",
                             o->address);
        snprintf(vip, sizeof vip, "%s", o->address);
    } else {
        mf_vip_for_host(host, vip, sizeof vip);
    }
    const char *av = o->api_version ? o->api_version : "networking.istio.io/v1beta1";
    json_t *md = metadata(objname, o->namespace);
    json_t *labels = json_object();
    json_object_set_new(labels, "app.kubernetes.io/managed-by", json_string("pxcmesh"));
    json_object_set_new(labels, "pxcmesh.dev/remote-cluster", json_string(o->remote_cluster));
    json_object_set_new(md, "labels", labels);
    json_t *se = object(av, "ServiceEntry", md);
    json_t *spec = json_object();
    json_object_set_new(spec, "hosts", json_pack("[s]", host));
    json_object_set_new(spec, "addresses", json_pack("[s]", vip));
    json_object_set_new(spec, "ports",
                        json_pack("[{s:i, s:s, s:s}]", "number", port, "name", "tcp-mysql",
                                  "protocol", "TCP"));
    json_object_set_new(spec, "location", json_string("MESH_INTERNAL"));
    json_object_set_new(spec, "resolution", json_string(resolution));
    json_t *eps = json_array();
    for (int i = 0; i < o->n_endpoints; i++) {
        const struct mf_endpoint *e = &o->endpoints[i];
        json_t *ep = json_pack("{s:s}", "address", e->address);
        if (e->port != 0 && e->port != port)
            json_object_set_new(ep, "ports", json_pack("{s:i}", "tcp-mysql", e->port));
        json_array_append_new(eps, ep);
    }
    json_object_set_new(spec, "endpoints", eps);
    json_object_set_new(se, "spec", spec);
    json_array_append_new(docs, se);

    if (o->mtls) {
        json_t *dr = object("networking.istio.io/v1beta1", "DestinationRule",
                            metadata(objname, o->namespace));
        json_object_set_new(dr, "spec",
                            json_pack("{s:s, s:{s:{s:s}}}", "host", host, "trafficPolicy", "tls",
                                      "mode", "ISTIO_MUTUAL"));
        json_array_append_new(docs, dr);
    }
    if (o->peer_auth != NULL) {
        if (strcmp(o->peer_auth, "STRICT") != 0 && strcmp(o->peer_auth, "PERMISSIVE") != 0)
            return pxerr_set(err, PXE_INVAL, "--peer-auth '%s': use STRICT or PERMISSIVE",
                             o->peer_auth);
        json_t *pa = object("security.istio.io/v1beta1", "PeerAuthentication",
                            metadata("default", o->namespace));
        json_object_set_new(pa, "spec", json_pack("{s:{s:s}}", "mtls", "mode", o->peer_auth));
        json_array_append_new(docs, pa);
    }
    return 0;
}

int
mf_pxc(const struct mf_pxc_opts *o, json_t *docs, struct pxerr *err)
{
    int rc;
    if ((rc = check_dns_label("--name", o->name, err)) != 0 ||
        (rc = check_dns_label("--namespace", o->namespace, err)) != 0)
        return rc;
    int size = o->size ? o->size : 3;
    if (size < 1 || size > 9)
        return pxerr_set(err, PXE_INVAL,
                         "--size %d: a PXC cluster has 1 to 9 nodes (odd sizes keep quorum)",
                         size);
    char secrets[128];
    snprintf(secrets, sizeof secrets, "%s-secrets", o->name);
    json_t *cr = object("pxc.percona.com/v1", "PerconaXtraDBCluster",
                        metadata(o->name, o->namespace));
    json_t *spec = json_object();
    json_object_set_new(spec, "crVersion", json_string(o->cr_version ? o->cr_version : "1.13.0"));
    json_object_set_new(spec, "secretsName",
                        json_string(o->secrets_name ? o->secrets_name : secrets));
    json_t *pxc = json_object();
    json_object_set_new(pxc, "size", json_integer(size));
    json_object_set_new(pxc, "image", json_string(o->image ? o->image
                                                           : "percona/percona-xtradb-cluster:"
                                                             "8.0.32-24.2"));
    /* No pxc.expose: the mesh carries replication (the point of the seed's approach). */
    json_object_set_new(pxc, "resources",
                        json_pack("{s:{s:s, s:s}}", "requests", "memory",
                                  o->memory ? o->memory : "1G", "cpu", o->cpu ? o->cpu : "600m"));
    json_object_set_new(pxc, "affinity",
                        json_pack("{s:s}", "antiAffinityTopologyKey",
                                  o->anti_affinity_key ? o->anti_affinity_key
                                                       : "kubernetes.io/hostname"));
    if (o->n_channels > 0) {
        json_t *chans = json_array();
        for (int i = 0; i < o->n_channels; i++) {
            const struct mf_pxc_channel *c = &o->channels[i];
            if (c->name == NULL || c->name[0] == '\0' || strlen(c->name) > 64 ||
                strspn(c->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
                    strlen(c->name)) {
                json_decref(chans);
                json_decref(pxc);
                json_decref(spec);
                json_decref(cr);
                return pxerr_set(err, PXE_INVAL,
                                 "replication channel name '%s': letters, digits and '_' only, "
                                 "at most 64",
                                 c->name ? c->name : "");
            }
            json_t *ch = json_pack("{s:s, s:b}", "name", c->name, "isSource", c->is_source);
            if (!c->is_source) {
                json_t *src = json_array();
                for (int j = 0; j < c->n_sources; j++) {
                    const struct mf_pxc_source *s = &c->sources[j];
                    if ((rc = check_host("--replication-source host", s->host, err)) != 0) {
                        json_decref(src);
                        json_decref(ch);
                        json_decref(chans);
                        json_decref(pxc);
                        json_decref(spec);
                        json_decref(cr);
                        return rc;
                    }
                    json_array_append_new(src, json_pack("{s:s, s:i, s:i}", "host", s->host,
                                                         "port", s->port ? s->port : 3306,
                                                         "weight", s->weight ? s->weight : 100));
                }
                json_object_set_new(ch, "sourcesList", src);
            }
            json_array_append_new(chans, ch);
        }
        json_object_set_new(pxc, "replicationChannels", chans);
    }
    json_object_set_new(spec, "pxc", pxc);
    if (o->haproxy)
        json_object_set_new(spec, "haproxy",
                            json_pack("{s:b, s:i, s:s}", "enabled", 1, "size", size, "image",
                                      "percona/percona-xtradb-cluster-operator:1.13.0-haproxy"));
    json_object_set_new(cr, "spec", spec);
    json_array_append_new(docs, cr);
    return 0;
}

int
mf_multicluster(const struct mf_multicluster_opts *o, json_t *docs, struct pxerr *err)
{
    int rc;
    if ((rc = check_dns_label("--cluster-name", o->cluster_name, err)) != 0 ||
        (rc = check_dns_label("--network", o->network, err)) != 0 ||
        (rc = check_dns_label("--mesh-id", o->mesh_id, err)) != 0)
        return rc;
    /* The install values istioctl takes (IstioOperator), with the east-west gateway as a
     * component labelled for the network, as Istio's multicluster guide sets it up. */
    json_t *iop = object("install.istio.io/v1alpha1", "IstioOperator",
                         metadata("pxcmesh-multicluster", "istio-system"));
    json_t *spec = json_object();
    json_object_set_new(spec, "values",
                        json_pack("{s:{s:s, s:{s:s}, s:s}}", "global", "meshID", o->mesh_id,
                                  "multiCluster", "clusterName", o->cluster_name, "network",
                                  o->network));
    if (o->eastwest) {
        json_t *gw = json_pack("{s:s, s:s, s:b}", "name", "istio-eastwestgateway", "namespace",
                               "istio-system", "enabled", 1);
        json_object_set_new(gw, "label",
                            json_pack("{s:s, s:s, s:s}", "istio", "eastwestgateway", "app",
                                      "istio-eastwestgateway", "topology.istio.io/network",
                                      o->network));
        json_t *ports = json_array();
        static const struct {
            const char *name;
            int port;
        } gwports[] = {{"status-port", 15021}, {"tls", 15443}, {"tls-istiod", 15012},
                       {"tls-webhook", 15017}};
        for (size_t i = 0; i < sizeof gwports / sizeof gwports[0]; i++)
            json_array_append_new(ports, json_pack("{s:s, s:i, s:i}", "name", gwports[i].name,
                                                   "port", gwports[i].port, "targetPort",
                                                   gwports[i].port));
        json_t *k8s = json_object();
        json_object_set_new(k8s, "env",
                            json_pack("[{s:s, s:s}]", "name", "ISTIO_META_REQUESTED_NETWORK_VIEW",
                                      "value", o->network));
        json_object_set_new(k8s, "service", json_pack("{s:o}", "ports", ports));
        json_object_set_new(gw, "k8s", k8s);
        json_object_set_new(spec, "components",
                            json_pack("{s:[o]}", "ingressGateways", gw));
    }
    json_object_set_new(iop, "spec", spec);
    json_array_append_new(docs, iop);
    if (o->expose) {
        json_t *g = object("networking.istio.io/v1beta1", "Gateway",
                           metadata("cross-network-gateway", "istio-system"));
        json_object_set_new(
            g, "spec",
            json_pack("{s:{s:s}, s:[{s:{s:i, s:s, s:s}, s:{s:s}, s:[s]}]}", "selector", "istio",
                      "eastwestgateway", "servers", "port", "number", 15443, "name", "tls",
                      "protocol", "TLS", "tls", "mode", "AUTO_PASSTHROUGH", "hosts", "*.local"));
        json_array_append_new(docs, g);
    }
    return 0;
}

int
mf_remote_secret(const struct mf_remote_secret_opts *o, json_t *docs, struct pxerr *err)
{
    int rc;
    if ((rc = check_dns_label("--cluster-name", o->cluster_name, err)) != 0)
        return rc;
    if (o->server == NULL || strncmp(o->server, "https://", 8) != 0)
        return pxerr_set(err, PXE_INVAL,
                         "--server '%s': the remote API server URL must start with https://",
                         o->server ? o->server : "");
    if (o->token == NULL || o->token[0] == '\0')
        return pxerr_set(err, PXE_USAGE,
                         "a token of the remote istio-reader-service-account is needed "
                         "(--token-file FILE)");
    /* A bearer token is one line of printable ASCII (RFC 6750 b64token); a CR or LF would
     * also add lines to the kubeconfig below (and headers to a request). */
    for (const char *t = o->token; *t; t++)
        if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
            return pxerr_set(err, PXE_INVAL,
                             "the token holds %s (byte 0x%02x at offset %zu): a bearer token is "
                             "one line of printable characters; check --token-file",
                             *t == '\n' || *t == '\r' ? "a line break"
                             : *t == ' '                ? "a space"
                                                        : "a character a token cannot hold",
                             (unsigned char)*t, (size_t)(t - o->token));
    for (const char *t = o->server; *t; t++)
        if ((unsigned char)*t <= 0x20 || (unsigned char)*t == 0x7f)
            return pxerr_set(err, PXE_INVAL,
                             "--server: the URL holds a space or control character (byte 0x%02x "
                             "at offset %zu)",
                             (unsigned char)*t, (size_t)(t - o->server));
    /* The kubeconfig goes through the YAML writer, which quotes what needs quoting. */
    json_t *cluster = json_object();
    if (o->ca_data != NULL)
        json_object_set_new(cluster, "certificate-authority-data", json_string(o->ca_data));
    else
        json_object_set_new(cluster, "insecure-skip-tls-verify", json_true());
    json_object_set_new(cluster, "server", json_string(o->server));
    json_t *kcfg = json_pack("{s:s, s:s, s:[{s:o, s:s}], s:[{s:{s:s, s:s}, s:s}], s:s, "
                             "s:[{s:s, s:{s:s}}]}",
                             "apiVersion", "v1", "kind", "Config", "clusters", "cluster", cluster,
                             "name", o->cluster_name, "contexts", "context", "cluster",
                             o->cluster_name, "user", o->cluster_name, "name", o->cluster_name,
                             "current-context", o->cluster_name, "users", "name",
                             o->cluster_name, "user", "token", o->token);
    struct strbuf kc;
    strbuf_init(&kc);
    yamlout_yaml(kcfg, &kc);
    json_decref(kcfg);
    char name[128];
    snprintf(name, sizeof name, "istio-remote-secret-%s", o->cluster_name);
    json_t *md = metadata(name, "istio-system");
    json_object_set_new(md, "annotations",
                        json_pack("{s:s}", "networking.istio.io/cluster", o->cluster_name));
    json_object_set_new(md, "labels", json_pack("{s:s}", "istio/multiCluster", "true"));
    json_t *sec = object("v1", "Secret", md);
    json_object_set_new(sec, "type", json_string("Opaque"));
    json_object_set_new(sec, "stringData", json_pack("{s:s}", o->cluster_name, kc.s));
    explicit_bzero(kc.s, kc.len);
    strbuf_fini(&kc);
    json_array_append_new(docs, sec);
    return 0;
}

static void
sql_string(struct strbuf *out, const char *s)
{
    strbuf_appendc(out, '\'');
    for (; *s; s++) {
        if (*s == '\'' || *s == '\\')
            strbuf_appendc(out, '\\');
        strbuf_appendc(out, *s);
    }
    strbuf_appendc(out, '\'');
}

static int
check_sql_name(const char *opt, const char *v, struct pxerr *err)
{
    size_t n = v ? strlen(v) : 0;
    if (n == 0)
        return pxerr_set(err, PXE_USAGE, "%s is required", opt);
    if (n > 64 || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != n)
        return pxerr_set(err, PXE_INVAL,
                         "%s '%s': letters, digits, '_', '-' and '.' only, at most 64", opt, v);
    return 0;
}

int
mf_replication_sql(const struct mf_repl_sql_opts *o, struct strbuf *out, struct pxerr *err)
{
    int rc;
    const char *user = o->user ? o->user : "replication";
    const char *uhost = o->user_host ? o->user_host : "%";
    int port = o->source_port ? o->source_port : 3306;
    if ((rc = check_sql_name("--channel", o->channel, err)) != 0 ||
        (rc = check_host("--source-host", o->source_host, err)) != 0 ||
        (rc = check_sql_name("--user", user, err)) != 0 ||
        (rc = check_port("--source-port", port, err)) != 0)
        return rc;
    if (strcmp(uhost, "%") != 0 && (rc = check_host("--user-host", uhost, err)) != 0)
        return rc;
    const char *pw = o->password ? o->password : "CHANGE_ME";
    const char *shown = o->show_password || o->password == NULL ? pw : "********";
    if (o->create_user) {
        strbuf_append(out, "-- On the source cluster (any node; Galera replicates it):\n");
        strbuf_append(out, "CREATE USER IF NOT EXISTS ");
        sql_string(out, user);
        strbuf_appendc(out, '@');
        sql_string(out, uhost);
        strbuf_append(out, " IDENTIFIED BY ");
        sql_string(out, shown);
        strbuf_append(out, ";\n");
        strbuf_appendf(out, "GRANT REPLICATION SLAVE%s ON *.* TO ",
                       o->dialect == MF_MARIADB ? ", REPLICATION CLIENT" : ", REPLICATION CLIENT");
        sql_string(out, user);
        strbuf_appendc(out, '@');
        sql_string(out, uhost);
        strbuf_append(out, ";\n\n-- On the replica (the node that runs the channel):\n");
    }
    switch (o->dialect) {
    case MF_MYSQL8:
        strbuf_append(out, "CHANGE REPLICATION SOURCE TO\n  SOURCE_HOST=");
        sql_string(out, o->source_host);
        strbuf_appendf(out, ",\n  SOURCE_PORT=%d,\n  SOURCE_USER=", port);
        sql_string(out, user);
        strbuf_append(out, ",\n  SOURCE_PASSWORD=");
        sql_string(out, shown);
        strbuf_append(out, ",\n  SOURCE_AUTO_POSITION=1");
        if (o->ssl)
            strbuf_append(out, ",\n  SOURCE_SSL=1");
        if (o->connect_retry > 0)
            strbuf_appendf(out, ",\n  SOURCE_CONNECT_RETRY=%d", o->connect_retry);
        if (o->retry_count > 0)
            strbuf_appendf(out, ",\n  SOURCE_RETRY_COUNT=%d", o->retry_count);
        /* The source list (8.0.22+): when the source fails, the channel reconnects to the
         * list's best source, here the mesh name, which the sidecar routes to a node that
         * answers; more entries are added the same way (the operator does, per sourcesList). */
        strbuf_appendf(out, ",\n  SOURCE_CONNECTION_AUTO_FAILOVER=1\n  FOR CHANNEL '%s';\n",
                       o->channel);
        strbuf_appendf(out, "SELECT asynchronous_connection_failover_add_source('%s', ",
                       o->channel);
        sql_string(out, o->source_host);
        strbuf_appendf(out, ", %d, '', 100);\nSTART REPLICA FOR CHANNEL '%s';\n", port,
                       o->channel);
        break;
    case MF_MYSQL57:
        strbuf_append(out, "CHANGE MASTER TO\n  MASTER_HOST=");
        sql_string(out, o->source_host);
        strbuf_appendf(out, ",\n  MASTER_PORT=%d,\n  MASTER_USER=", port);
        sql_string(out, user);
        strbuf_append(out, ",\n  MASTER_PASSWORD=");
        sql_string(out, shown);
        strbuf_append(out, ",\n  MASTER_AUTO_POSITION=1");
        if (o->ssl)
            strbuf_append(out, ",\n  MASTER_SSL=1");
        if (o->connect_retry > 0)
            strbuf_appendf(out, ",\n  MASTER_CONNECT_RETRY=%d", o->connect_retry);
        if (o->retry_count > 0)
            strbuf_appendf(out, ",\n  MASTER_RETRY_COUNT=%d", o->retry_count);
        strbuf_appendf(out, "\n  FOR CHANNEL '%s';\nSTART SLAVE FOR CHANNEL '%s';\n", o->channel,
                       o->channel);
        break;
    case MF_MARIADB:
        strbuf_appendf(out, "CHANGE MASTER '%s' TO\n  MASTER_HOST=", o->channel);
        sql_string(out, o->source_host);
        strbuf_appendf(out, ",\n  MASTER_PORT=%d,\n  MASTER_USER=", port);
        sql_string(out, user);
        strbuf_append(out, ",\n  MASTER_PASSWORD=");
        sql_string(out, shown);
        strbuf_append(out, ",\n  MASTER_USE_GTID=slave_pos");
        if (o->ssl)
            strbuf_append(out, ",\n  MASTER_SSL=1");
        if (o->connect_retry > 0)
            strbuf_appendf(out, ",\n  MASTER_CONNECT_RETRY=%d", o->connect_retry);
        strbuf_appendf(out, ";\nSTART SLAVE '%s';\n", o->channel);
        break;
    }
    return 0;
}

int
mf_validate(const struct crdreg *reg, const json_t *docs, struct pxerr *err)
{
    size_t i;
    const json_t *d;
    json_array_foreach((json_t *)docs, i, d) {
        int rc = crdreg_validate(reg, d, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}
