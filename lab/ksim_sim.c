/* ksim_sim: the parts of a cluster that are not the API server but that the console
 * observes through it. The Istio sidecar injector (a mutating webhook: pods created in
 * a namespace labelled istio-injection=enabled or istio.io/rev get istio-proxy and
 * istio-init as in istio's injected test pods), the kubelet (pods are Running and Ready
 * at once, with a pod IP the lab chooses), the StatefulSet controller (pods <sts>-0..N-1
 * from the template, re-created when the template changes, e.g. by kubectl rollout
 * restart, or when one is deleted), and container logs. Nothing here runs a process:
 * probe pods are ksim_probe.c. */
#include "ksim_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xmalloc.h"

#define ANN_POD_IP "ksim.pxcmesh.dev/pod-ip"
#define ANN_POD_IPS "ksim.pxcmesh.dev/pod-ips"
#define ANN_LOG "ksim.pxcmesh.dev/log"

/* istio-proxy and istio-init as in istio pkg/kube/inject/testdata/inject/
 * native-sidecar-opt-out.yaml.injected; the image is kubesim's --proxy-image. */
static const char proxy_json[] =
    "{\"name\":\"istio-proxy\",\"args\":[\"proxy\",\"sidecar\",\"--domain\","
    "\"$(POD_NAMESPACE).svc.cluster.local\",\"--proxyLogLevel=warning\","
    "\"--proxyComponentLogLevel=misc:error\",\"--log_output_level=default:info\"],"
    "\"env\":[{\"name\":\"PILOT_CERT_PROVIDER\",\"value\":\"istiod\"},"
    "{\"name\":\"CA_ADDR\",\"value\":\"istiod.istio-system.svc:15012\"},"
    "{\"name\":\"POD_NAME\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}},"
    "{\"name\":\"POD_NAMESPACE\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":"
    "\"metadata.namespace\"}}},"
    "{\"name\":\"INSTANCE_IP\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"status.podIP\"}}},"
    "{\"name\":\"SERVICE_ACCOUNT\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":"
    "\"spec.serviceAccountName\"}}},"
    "{\"name\":\"HOST_IP\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"status.hostIP\"}}},"
    "{\"name\":\"ISTIO_CPU_LIMIT\",\"valueFrom\":{\"resourceFieldRef\":{\"divisor\":\"1\","
    "\"resource\":\"limits.cpu\"}}},"
    "{\"name\":\"PROXY_CONFIG\",\"value\":\"{}\\n\"},"
    "{\"name\":\"ISTIO_META_CLUSTER_ID\",\"value\":\"Kubernetes\"},"
    "{\"name\":\"ISTIO_META_INTERCEPTION_MODE\",\"value\":\"REDIRECT\"},"
    "{\"name\":\"ISTIO_META_MESH_ID\",\"value\":\"cluster.local\"},"
    "{\"name\":\"TRUST_DOMAIN\",\"value\":\"cluster.local\"}],"
    "\"ports\":[{\"containerPort\":15090,\"name\":\"http-envoy-prom\",\"protocol\":\"TCP\"}],"
    "\"readinessProbe\":{\"failureThreshold\":4,\"httpGet\":{\"path\":\"/healthz/ready\","
    "\"port\":15021},\"periodSeconds\":15,\"timeoutSeconds\":3},"
    "\"resources\":{\"limits\":{\"cpu\":\"2\",\"memory\":\"1Gi\"},\"requests\":{\"cpu\":"
    "\"100m\",\"memory\":\"128Mi\"}},"
    "\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":"
    "[\"ALL\"]},\"privileged\":false,\"readOnlyRootFilesystem\":true,\"runAsGroup\":1337,"
    "\"runAsNonRoot\":true,\"runAsUser\":1337},"
    "\"startupProbe\":{\"failureThreshold\":600,\"httpGet\":{\"path\":\"/healthz/ready\","
    "\"port\":15021},\"periodSeconds\":1,\"timeoutSeconds\":3},"
    "\"volumeMounts\":[{\"mountPath\":\"/var/run/secrets/workload-spiffe-uds\",\"name\":"
    "\"workload-socket\"},{\"mountPath\":\"/var/run/secrets/credential-uds\",\"name\":"
    "\"credential-socket\"},{\"mountPath\":\"/var/run/secrets/workload-spiffe-credentials\","
    "\"name\":\"workload-certs\"},{\"mountPath\":\"/var/run/secrets/istio\",\"name\":"
    "\"istiod-ca-cert\"},{\"mountPath\":\"/var/lib/istio/data\",\"name\":\"istio-data\"},"
    "{\"mountPath\":\"/etc/istio/proxy\",\"name\":\"istio-envoy\"},{\"mountPath\":"
    "\"/var/run/secrets/tokens\",\"name\":\"istio-token\"},{\"mountPath\":\"/etc/istio/pod\","
    "\"name\":\"istio-podinfo\"}]}";

static const char init_json[] =
    "{\"name\":\"istio-init\",\"args\":[\"istio-iptables\",\"-p\",\"15001\",\"-z\",\"15006\","
    "\"-u\",\"1337\",\"-m\",\"REDIRECT\",\"-i\",\"*\",\"-x\",\"\",\"-b\",\"*\",\"-d\","
    "\"15090,15021,15020\",\"--log_output_level=default:info\"],"
    "\"resources\":{\"limits\":{\"cpu\":\"2\",\"memory\":\"1Gi\"},\"requests\":{\"cpu\":"
    "\"100m\",\"memory\":\"128Mi\"}},"
    "\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"add\":"
    "[\"NET_ADMIN\",\"NET_RAW\"],\"drop\":[\"ALL\"]},\"privileged\":false,"
    "\"readOnlyRootFilesystem\":false,\"runAsGroup\":0,\"runAsNonRoot\":false,"
    "\"runAsUser\":0}}";

static const char volumes_json[] =
    "[{\"name\":\"workload-socket\",\"emptyDir\":{}},{\"name\":\"credential-socket\","
    "\"emptyDir\":{}},{\"name\":\"workload-certs\",\"emptyDir\":{}},{\"name\":\"istio-envoy\","
    "\"emptyDir\":{\"medium\":\"Memory\"}},{\"name\":\"istio-data\",\"emptyDir\":{}},"
    "{\"name\":\"istio-podinfo\",\"downwardAPI\":{\"items\":[{\"fieldRef\":{\"fieldPath\":"
    "\"metadata.labels\"},\"path\":\"labels\"},{\"fieldRef\":{\"fieldPath\":"
    "\"metadata.annotations\"},\"path\":\"annotations\"}]}},{\"name\":\"istio-token\","
    "\"projected\":{\"sources\":[{\"serviceAccountToken\":{\"audience\":\"istio-ca\","
    "\"expirationSeconds\":43200,\"path\":\"istio-token\"}}]}},{\"name\":\"istiod-ca-cert\","
    "\"configMap\":{\"name\":\"istio-ca-root-cert\"}}]";

static json_t *tmpl_proxy, *tmpl_init, *tmpl_volumes; /* parsed once, then read-only */

static json_t *
parse_const(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    if (j == NULL)
        pxc_fatal("kubesim: built-in JSON does not parse: %s", e.text);
    return j;
}

static void
parse_templates(void)
{
    tmpl_proxy = parse_const(proxy_json);
    tmpl_init = parse_const(init_json);
    tmpl_volumes = parse_const(volumes_json);
}

/* A fresh copy (owned) of one of the templates. */
static json_t *
template_copy(json_t **which)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, parse_templates);
    return json_deep_copy(*which);
}

static const char *
str_at(json_t *obj, const char *path)
{
    return json_string_value(ksim_path_get(obj, path));
}

static bool
has_container(const json_t *pod, const char *list, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(ksim_path_get((json_t *)pod, list), i, c)
    {
        const char *n = json_string_value(json_object_get(c, "name"));
        if (n != NULL && strcmp(n, name) == 0)
            return true;
    }
    return false;
}

bool
ksim_sim_pod_has_sidecar(const json_t *pod)
{
    return has_container(pod, "spec.containers", "istio-proxy") ||
           has_container(pod, "spec.initContainers", "istio-proxy");
}

/* The injector's decision (istio's injectRequired, reduced to what the lab uses). */
static bool
wants_injection(struct ksim_store *st, json_t *pod, const char **rev)
{
    const char *ns = str_at(pod, "metadata.namespace");
    struct ksim_res *nsr = ksim_res_find(st, "", "v1", "namespaces");
    struct ksim_obj *nso = ns ? ksim_obj_get_locked(nsr, "", ns) : NULL;
    if (nso == NULL || ksim_sim_pod_has_sidecar(pod))
        return false;
    if (json_is_true(ksim_path_get(pod, "spec.hostNetwork")))
        return false;
    const char *inj = json_string_value(json_object_get(nso->labels, "istio-injection"));
    const char *r = json_string_value(json_object_get(nso->labels, "istio.io/rev"));
    bool ns_on = (inj != NULL && strcmp(inj, "enabled") == 0) || (inj == NULL && r != NULL);
    if (!ns_on)
        return false;
    json_t *ann = ksim_path_get(pod, "metadata.annotations");
    json_t *lab = ksim_path_get(pod, "metadata.labels");
    const char *a = json_string_value(json_object_get(ann, "sidecar.istio.io/inject"));
    const char *l = json_string_value(json_object_get(lab, "sidecar.istio.io/inject"));
    if ((a != NULL && strcmp(a, "false") == 0) || (l != NULL && strcmp(l, "false") == 0))
        return false;
    *rev = r != NULL ? r : "default";
    return true;
}

static void
inject(struct ksim_store *st, json_t *pod, const char *rev)
{
    json_t *meta = ksim_obj_ensure(pod, "metadata");
    json_t *spec = ksim_obj_ensure(pod, "spec");
    json_t *ann = ksim_obj_ensure(meta, "annotations");
    json_t *labels = ksim_obj_ensure(meta, "labels");
    const char *name = json_string_value(json_object_get(meta, "name"));
    const char *ns = json_string_value(json_object_get(meta, "namespace"));
    json_t *containers = json_object_get(spec, "containers");
    if (!json_is_array(containers)) {
        containers = json_array();
        json_object_set_new(spec, "containers", containers);
    }

    /* Workload name: the owner (StatefulSet) or the pod. */
    const char *workload = name;
    json_t *owner = json_array_get(json_object_get(meta, "ownerReferences"), 0);
    if (json_string_value(json_object_get(owner, "name")) != NULL)
        workload = json_string_value(json_object_get(owner, "name"));

    struct strbuf apps, ports;
    strbuf_init(&apps);
    strbuf_init(&ports);
    strbuf_append(&ports, "[\n");
    size_t i;
    json_t *c;
    bool first_port = true;
    json_array_foreach(containers, i, c)
    {
        const char *cn = json_string_value(json_object_get(c, "name"));
        strbuf_appendf(&apps, "%s%s", apps.len ? "," : "", cn ? cn : "");
        size_t j;
        json_t *p;
        json_array_foreach(json_object_get(c, "ports"), j, p)
        {
            const char *pn = json_string_value(json_object_get(p, "name"));
            strbuf_appendf(&ports, "%s    {", first_port ? "" : "\n    ,");
            if (pn != NULL)
                strbuf_appendf(&ports, "\"name\":\"%s\",", pn);
            strbuf_appendf(&ports, "\"containerPort\":%lld",
                           (long long)json_integer_value(json_object_get(p, "containerPort")));
            const char *proto = json_string_value(json_object_get(p, "protocol"));
            if (proto != NULL)
                strbuf_appendf(&ports, ",\"protocol\":\"%s\"", proto);
            strbuf_append(&ports, "}");
            first_port = false;
        }
    }
    strbuf_append(&ports, "\n]");
    const char *first_app =
        json_string_value(json_object_get(json_array_get(containers, 0), "name"));

    json_t *proxy = template_copy(&tmpl_proxy);
    json_object_set_new(proxy, "image", json_string(st->proxy_image));
    json_t *env = json_object_get(proxy, "env");
    char *owner_s = xasprintf("kubernetes://apis/v1/namespaces/%s/pods/%s", ns, name);
    json_array_append_new(
        env, json_pack("{s:s, s:s}", "name", "ISTIO_META_POD_PORTS", "value", ports.s));
    json_array_append_new(
        env, json_pack("{s:s, s:s}", "name", "ISTIO_META_APP_CONTAINERS", "value", apps.s));
    json_array_append_new(
        env, json_pack("{s:s, s:s}", "name", "ISTIO_META_WORKLOAD_NAME", "value", workload));
    json_array_append_new(env,
                          json_pack("{s:s, s:s}", "name", "ISTIO_META_OWNER", "value", owner_s));
    free(owner_s);
    strbuf_fini(&apps);
    strbuf_fini(&ports);

    json_t *init = template_copy(&tmpl_init);
    json_object_set_new(init, "image", json_string(st->proxy_image));
    json_t *inits = json_object_get(spec, "initContainers");
    if (!json_is_array(inits)) {
        inits = json_array();
        json_object_set_new(spec, "initContainers", inits);
    }
    json_array_insert_new(inits, 0, init);
    const char *native = json_string_value(json_object_get(ann, "sidecar.istio.io/nativeSidecar"));
    bool as_native = native != NULL && strcmp(native, "true") == 0;
    if (as_native) {
        json_object_set_new(proxy, "restartPolicy", json_string("Always"));
        json_array_insert_new(inits, 1, proxy);
    } else {
        json_array_append_new(containers, proxy);
    }
    json_t *vols = json_object_get(spec, "volumes");
    if (!json_is_array(vols)) {
        vols = json_array();
        json_object_set_new(spec, "volumes", vols);
    }
    json_t *more = template_copy(&tmpl_volumes);
    json_array_extend(vols, more);
    json_decref(more);

    char status[512];
    snprintf(status, sizeof status,
             "{\"initContainers\":[\"istio-init\"%s],\"containers\":[%s],\"volumes\":["
             "\"workload-socket\",\"credential-socket\",\"workload-certs\",\"istio-envoy\","
             "\"istio-data\",\"istio-podinfo\",\"istio-token\",\"istiod-ca-cert\"],"
             "\"imagePullSecrets\":null,\"revision\":\"%s\"}",
             as_native ? ",\"istio-proxy\"" : "", as_native ? "" : "\"istio-proxy\"", rev);
    json_object_set_new(ann, "sidecar.istio.io/status", json_string(status));
    json_object_set_new(ann, "istio.io/rev", json_string(rev));
    if (first_app != NULL) {
        json_object_set_new(ann, "kubectl.kubernetes.io/default-container", json_string(first_app));
        json_object_set_new(ann, "kubectl.kubernetes.io/default-logs-container",
                            json_string(first_app));
    }
    json_object_set_new(ann, "prometheus.io/path", json_string("/stats/prometheus"));
    json_object_set_new(ann, "prometheus.io/port", json_string("15020"));
    json_object_set_new(ann, "prometheus.io/scrape", json_string("true"));
    json_object_set_new(labels, "security.istio.io/tlsMode", json_string("istio"));
    const char *app = json_string_value(json_object_get(labels, "app.kubernetes.io/name"));
    if (app == NULL)
        app = json_string_value(json_object_get(labels, "app"));
    json_object_set_new(labels, "service.istio.io/canonical-name",
                        json_string(app ? app : workload));
    const char *ver = json_string_value(json_object_get(labels, "version"));
    json_object_set_new(labels, "service.istio.io/canonical-revision",
                        json_string(ver ? ver : "latest"));
}

static void
fake_hex(char *buf, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char r[65];
    ksim_random_alnum(r, sizeof r);
    for (size_t i = 0; i + 1 < n; i++)
        buf[i] = hex[(unsigned char)r[i % 64] % 16];
    buf[n - 1] = '\0';
}

static json_t *
container_status(json_t *c, bool init, const char *now, bool running)
{
    const char *name = json_string_value(json_object_get(c, "name"));
    const char *image = json_string_value(json_object_get(c, "image"));
    char id[65], digest[65];
    fake_hex(id, sizeof id);
    fake_hex(digest, sizeof digest);
    char *cid = xasprintf("containerd://%s", id);
    char *iid = xasprintf("%s@sha256:%s", image ? image : "unknown", digest);
    json_t *state;
    bool native = init && json_string_value(json_object_get(c, "restartPolicy")) != NULL;
    if (running && (!init || native))
        state = json_pack("{s:{s:s}}", "running", "startedAt", now);
    else if (init)
        state = json_pack("{s:{s:i, s:s, s:s, s:s, s:s}}", "terminated", "exitCode", 0, "reason",
                          "Completed", "startedAt", now, "finishedAt", now, "containerID", cid);
    else
        state = json_pack("{s:{s:s}}", "waiting", "reason", "ContainerCreating");
    bool ready = running;
    json_t *s = json_pack("{s:s, s:s, s:s, s:b, s:i, s:o, s:{}}", "name", name ? name : "", "image",
                          image ? image : "", "imageID", iid, "ready", ready, "restartCount", 0,
                          "state", state, "lastState");
    if (running)
        json_object_set_new(s, "containerID", json_string(cid));
    if (!init || native)
        json_object_set_new(s, "started", json_boolean(running));
    free(cid);
    free(iid);
    return s;
}

static const char *
node_name(struct ksim_store *st)
{
    struct ksim_res *nodes = ksim_res_find(st, "", "v1", "nodes");
    if (nodes == NULL || nodes->sorted.n == 0)
        return "ksim-node";
    return ((struct ksim_obj *)vec_at(&nodes->sorted, 0))->name;
}

/* The kubelet's view of a new pod. running=false leaves it Pending (probe pods). */
static void
pod_status(struct ksim_store *st, json_t *pod, bool running)
{
    json_t *meta = json_object_get(pod, "metadata");
    json_t *spec = ksim_obj_ensure(pod, "spec");
    json_t *status = ksim_obj_ensure(pod, "status");
    const char *ann_ip =
        json_string_value(json_object_get(json_object_get(meta, "annotations"), ANN_POD_IP));
    if (json_object_get(spec, "nodeName") == NULL)
        json_object_set_new(spec, "nodeName", json_string(node_name(st)));
    if (json_object_get(spec, "restartPolicy") == NULL)
        json_object_set_new(spec, "restartPolicy", json_string("Always"));
    if (json_object_get(spec, "serviceAccountName") == NULL)
        json_object_set_new(spec, "serviceAccountName", json_string("default"));
    char ip[64];
    const char *have_ip = json_string_value(json_object_get(status, "podIP"));
    if (ann_ip != NULL) {
        snprintf(ip, sizeof ip, "%s", ann_ip);
    } else if (have_ip != NULL) {
        snprintf(ip, sizeof ip, "%s", have_ip);
    } else {
        uint64_t n = ++st->pod_ip_next;
        snprintf(ip, sizeof ip, "10.244.%u.%u", (unsigned)((n >> 8) & 0xff),
                 (unsigned)(n & 0xff) | 1u);
    }
    if (json_object_get(status, "phase") != NULL) {
        /* The seed said how this pod is doing; only fill the address in. */
        json_object_set_new(status, "podIP", json_string(ip));
        json_object_set_new(status, "podIPs", json_pack("[{s:s}]", "ip", ip));
        return;
    }
    char now[40];
    ksim_now_rfc3339(now, sizeof now);
    const char *t = running ? "True" : "False";
    json_object_set_new(status, "phase", json_string(running ? "Running" : "Pending"));
    json_object_set_new(status, "conditions",
                        json_pack("[{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s},"
                                  "{s:s,s:s,s:s}]",
                                  "type", "PodReadyToStartContainers", "status", t,
                                  "lastTransitionTime", now, "type", "Initialized", "status",
                                  "True", "lastTransitionTime", now, "type", "Ready", "status", t,
                                  "lastTransitionTime", now, "type", "ContainersReady", "status", t,
                                  "lastTransitionTime", now, "type", "PodScheduled", "status",
                                  "True", "lastTransitionTime", now));
    json_object_set_new(status, "hostIP", json_string("127.0.0.1"));
    json_object_set_new(status, "hostIPs", json_pack("[{s:s}]", "ip", "127.0.0.1"));
    json_object_set_new(status, "podIP", json_string(ip));
    json_object_set_new(status, "podIPs", json_pack("[{s:s}]", "ip", ip));
    json_object_set_new(status, "startTime", json_string(now));
    json_object_set_new(status, "qosClass", json_string("Burstable"));
    json_t *cs = json_array(), *ics = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(spec, "containers"), i, c)
        json_array_append_new(cs, container_status(c, false, now, running));
    json_array_foreach(json_object_get(spec, "initContainers"), i, c)
        json_array_append_new(ics, container_status(c, true, now, running));
    json_object_set_new(status, "containerStatuses", cs);
    if (json_array_size(ics) > 0)
        json_object_set_new(status, "initContainerStatuses", ics);
    else
        json_decref(ics);
}

void
ksim_sim_admit_pod_locked(struct ksim_store *st, json_t *pod)
{
    const char *rev;
    if (wants_injection(st, pod, &rev))
        inject(st, pod, rev);
    pod_status(st, pod, !ksim_probe_is_probe(pod));
}

/* ---- StatefulSet controller ---- */

static uint32_t
fnv32(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

static char *
template_hash(json_t *sts)
{
    char *s = json_dumps(ksim_path_get(sts, "spec.template"), JSON_COMPACT | JSON_SORT_KEYS);
    uint32_t h = fnv32(s ? s : "");
    free(s);
    return xasprintf("%s-%08x", str_at(sts, "metadata.name"), h);
}

static char *
ip_from_list(const char *list, long idx)
{
    if (list == NULL)
        return NULL;
    char *dup = xstrdup(list), *save = NULL, *out = NULL;
    long i = 0;
    for (char *t = strtok_r(dup, ", ", &save); t; t = strtok_r(NULL, ", ", &save), i++)
        if (i == idx) {
            out = xstrdup(t);
            break;
        }
    free(dup);
    return out;
}

static void
create_sts_pod(struct ksim_store *st, json_t *sts, long idx, const char *keep_ip)
{
    const char *ns = str_at(sts, "metadata.namespace");
    const char *sname = str_at(sts, "metadata.name");
    json_t *tmpl = ksim_path_get(sts, "spec.template");
    json_t *pod = json_pack("{s:s, s:s}", "apiVersion", "v1", "kind", "Pod");
    json_t *meta = json_deep_copy(json_object_get(tmpl, "metadata"));
    if (!json_is_object(meta)) {
        json_decref(meta);
        meta = json_object();
    }
    json_object_set_new(pod, "metadata", meta);
    json_t *spec = json_deep_copy(json_object_get(tmpl, "spec"));
    json_object_set_new(pod, "spec", json_is_object(spec) ? spec : json_object());
    if (!json_is_object(spec))
        json_decref(spec);
    spec = json_object_get(pod, "spec");
    char *pname = xasprintf("%s-%ld", sname, idx);
    char idxs[24];
    snprintf(idxs, sizeof idxs, "%ld", idx);
    char *hash = template_hash(sts);
    json_object_set_new(meta, "name", json_string(pname));
    json_object_set_new(meta, "namespace", json_string(ns));
    json_t *labels = ksim_obj_ensure(meta, "labels");
    json_object_set_new(labels, "statefulset.kubernetes.io/pod-name", json_string(pname));
    json_object_set_new(labels, "apps.kubernetes.io/pod-index", json_string(idxs));
    json_object_set_new(labels, "controller-revision-hash", json_string(hash));
    json_object_set_new(meta, "ownerReferences",
                        json_pack("[{s:s, s:s, s:s, s:s, s:b, s:b}]", "apiVersion", "apps/v1",
                                  "kind", "StatefulSet", "name", sname, "uid",
                                  str_at(sts, "metadata.uid") ? str_at(sts, "metadata.uid") : "",
                                  "controller", 1, "blockOwnerDeletion", 1));
    json_object_set_new(spec, "hostname", json_string(pname));
    const char *svc = str_at(sts, "spec.serviceName");
    if (svc != NULL)
        json_object_set_new(spec, "subdomain", json_string(svc));
    json_t *sann = ksim_path_get(sts, "metadata.annotations");
    char *ip = keep_ip ? xstrdup(keep_ip)
                       : ip_from_list(json_string_value(json_object_get(sann, ANN_POD_IPS)), idx);
    if (ip != NULL)
        json_object_set_new(ksim_obj_ensure(meta, "annotations"), ANN_POD_IP, json_string(ip));
    free(ip);
    free(hash);
    struct ksim_status stt;
    json_t *out = NULL;
    struct ksim_res *pods = ksim_res_find(st, "", "v1", "pods");
    if (ksim_api_create_locked(st, pods, ns, pod, KSIM_W_NOHOOKS, &out, &stt) != 0)
        fprintf(stderr, "kubesim: statefulset %s/%s: creating pod %s failed: %s\n", ns, sname,
                pname, stt.msg);
    json_decref(out);
    free(pname);
}

static char *
pod_ip_of(struct ksim_obj *pod)
{
    json_t *p = ksim_blob_parse(pod->blob);
    const char *ip =
        json_string_value(json_object_get(ksim_path_get(p, "metadata.annotations"), ANN_POD_IP));
    char *out = ip ? xstrdup(ip) : NULL;
    if (out == NULL && str_at(p, "status.podIP") != NULL)
        out = xstrdup(str_at(p, "status.podIP"));
    json_decref(p);
    return out;
}

static bool
owned_by(struct ksim_obj *pod, const char *sname)
{
    json_t *p = ksim_blob_parse(pod->blob);
    json_t *owner = json_array_get(ksim_path_get(p, "metadata.ownerReferences"), 0);
    const char *k = json_string_value(json_object_get(owner, "kind"));
    const char *n = json_string_value(json_object_get(owner, "name"));
    bool yes = k && n && strcmp(k, "StatefulSet") == 0 && strcmp(n, sname) == 0;
    json_decref(p);
    return yes;
}

static void
reconcile(struct ksim_store *st, const char *ns, const char *sname, bool restart)
{
    struct ksim_res *stsr = ksim_res_find(st, "apps", "v1", "statefulsets");
    struct ksim_res *pods = ksim_res_find(st, "", "v1", "pods");
    struct ksim_obj *so = ksim_obj_get_locked(stsr, ns, sname);
    if (so == NULL)
        return;
    json_t *sts = ksim_blob_parse(so->blob);
    json_t *rep = ksim_path_get(sts, "spec.replicas");
    long replicas = json_is_integer(rep) ? (long)json_integer_value(rep) : 1;
    /* Real StatefulSets roll from the highest ordinal down; so does this. */
    for (long i = replicas - 1; i >= 0; i--) {
        char *pname = xasprintf("%s-%ld", sname, i);
        struct ksim_obj *p = ksim_obj_get_locked(pods, ns, pname);
        char *ip = NULL;
        if (p != NULL && restart) {
            ip = pod_ip_of(p);
            json_t *gone = ksim_store_del_locked(st, pods, p);
            json_decref(gone);
            p = NULL;
        }
        if (p == NULL)
            create_sts_pod(st, sts, i, ip);
        free(ip);
        free(pname);
    }
    /* Scale down: ordinals >= replicas that this StatefulSet owns. */
    char *prefix = xasprintf("%s/%s-", ns, sname);
    size_t at = ksim_res_lower_bound(pods, prefix, true);
    while (at < pods->sorted.n) {
        struct ksim_obj *p = vec_at(&pods->sorted, at);
        if (strncmp(p->key, prefix, strlen(prefix)) != 0)
            break;
        char *end;
        long ord = strtol(p->key + strlen(prefix), &end, 10);
        if (*end == '\0' && ord >= replicas && owned_by(p, sname)) {
            json_t *gone = ksim_store_del_locked(st, pods, p);
            json_decref(gone);
            continue;
        }
        at++;
    }
    free(prefix);

    long ready = 0;
    for (long i = 0; i < replicas; i++) {
        char *pname = xasprintf("%s-%ld", sname, i);
        struct ksim_obj *p = ksim_obj_get_locked(pods, ns, pname);
        if (p != NULL) {
            json_t *pj = ksim_blob_parse(p->blob);
            const char *phase = str_at(pj, "status.phase");
            ready += phase && strcmp(phase, "Running") == 0;
            json_decref(pj);
        }
        free(pname);
    }
    char *hash = template_hash(sts);
    json_t *status = json_pack(
        "{s:i, s:i, s:i, s:i, s:i, s:i, s:s, s:s, s:i}", "replicas", (json_int_t)replicas,
        "readyReplicas", (json_int_t)ready, "currentReplicas", (json_int_t)replicas,
        "updatedReplicas", (json_int_t)replicas, "availableReplicas", (json_int_t)ready,
        "observedGeneration", json_integer_value(ksim_path_get(sts, "metadata.generation")),
        "currentRevision", hash, "updateRevision", hash, "collisionCount", 0);
    free(hash);
    json_object_set_new(sts, "status", status);
    json_object_del(json_object_get(sts, "metadata"), "resourceVersion");
    struct ksim_status stt;
    json_t *out = NULL;
    if (ksim_api_update_locked(st, stsr, ns, sname, sts, KSIM_W_STATUS | KSIM_W_NOHOOKS, &out,
                               &stt) != 0)
        fprintf(stderr, "kubesim: statefulset %s/%s: status update failed: %s\n", ns, sname,
                stt.msg);
    json_decref(out);
}

void
ksim_sim_reconcile_all_locked(struct ksim_store *st)
{
    struct ksim_res *stsr = ksim_res_find(st, "apps", "v1", "statefulsets");
    struct vec keys;
    vec_init(&keys, free);
    for (size_t i = 0; i < stsr->sorted.n; i++)
        vec_push(&keys, xstrdup(((struct ksim_obj *)vec_at(&stsr->sorted, i))->key));
    for (size_t i = 0; i < keys.n; i++) {
        char *k = vec_at(&keys, i);
        char *slash = strchr(k, '/');
        *slash = '\0';
        reconcile(st, k, slash + 1, false);
    }
    vec_fini(&keys);
}

static void
forget_logs(struct ksim_store *st, const char *ns, const char *name)
{
    char *prefix = xasprintf("%s/%s/", ns, name);
    struct vec dead;
    vec_init(&dead, free);
    const char *k;
    void *v;
    for (size_t it = 0; hmap_next(&st->logs, &it, &k, &v);)
        if (strncmp(k, prefix, strlen(prefix)) == 0)
            vec_push(&dead, xstrdup(k));
    for (size_t i = 0; i < dead.n; i++)
        free(hmap_del(&st->logs, vec_at(&dead, i)));
    vec_fini(&dead);
    free(prefix);
}

void
ksim_sim_after_write_locked(struct ksim_store *st, struct ksim_res *res, const char *ns,
                            const char *name, bool deleted, json_t *old_obj)
{
    if (res->group[0] == '\0' && strcmp(res->plural, "pods") == 0) {
        if (!deleted) {
            struct ksim_obj *o = old_obj ? NULL : ksim_obj_get_locked(res, ns, name);
            if (o != NULL && !st->seeding) {
                json_t *pod = ksim_blob_parse(o->blob);
                (void)ksim_probe_maybe_start_locked(st, pod); /* false: not a probe */
                json_decref(pod);
            }
            return;
        }
        forget_logs(st, ns, name);
        /* A deleted StatefulSet pod comes back, as the controller would bring it. */
        json_t *owner = json_array_get(ksim_path_get(old_obj, "metadata.ownerReferences"), 0);
        const char *kind = json_string_value(json_object_get(owner, "kind"));
        const char *sname = json_string_value(json_object_get(owner, "name"));
        if (kind == NULL || sname == NULL || strcmp(kind, "StatefulSet") != 0)
            return;
        struct ksim_res *stsr = ksim_res_find(st, "apps", "v1", "statefulsets");
        struct ksim_obj *so = ksim_obj_get_locked(stsr, ns, sname);
        if (so == NULL)
            return;
        size_t sl = strlen(sname);
        if (strncmp(name, sname, sl) != 0 || name[sl] != '-')
            return;
        char *end;
        long idx = strtol(name + sl + 1, &end, 10);
        json_t *sts = ksim_blob_parse(so->blob);
        json_t *rep = ksim_path_get(sts, "spec.replicas");
        long replicas = json_is_integer(rep) ? (long)json_integer_value(rep) : 1;
        if (*end == '\0' && idx < replicas) {
            const char *ip = json_string_value(
                json_object_get(ksim_path_get(old_obj, "metadata.annotations"), ANN_POD_IP));
            if (ip == NULL)
                ip = str_at(old_obj, "status.podIP");
            create_sts_pod(st, sts, idx, ip);
        }
        json_decref(sts);
        return;
    }
    if (strcmp(res->group, "apps") == 0 && strcmp(res->plural, "statefulsets") == 0) {
        if (deleted) {
            /* Garbage collection of the pods it owned. */
            struct ksim_res *pods = ksim_res_find(st, "", "v1", "pods");
            char *prefix = xasprintf("%s/%s-", ns, name);
            size_t at = ksim_res_lower_bound(pods, prefix, true);
            while (at < pods->sorted.n) {
                struct ksim_obj *p = vec_at(&pods->sorted, at);
                if (strncmp(p->key, prefix, strlen(prefix)) != 0)
                    break;
                if (owned_by(p, name)) {
                    json_t *gone = ksim_store_del_locked(st, pods, p);
                    json_decref(gone);
                    continue;
                }
                at++;
            }
            free(prefix);
            return;
        }
        bool restart = false;
        if (old_obj != NULL && !st->seeding) {
            struct ksim_obj *o = ksim_obj_get_locked(res, ns, name);
            json_t *now = ksim_blob_parse(o->blob);
            json_t *t_new = ksim_path_get(now, "spec.template");
            json_t *t_old = ksim_path_get(old_obj, "spec.template");
            restart = (t_new != NULL || t_old != NULL) && !json_equal(t_new, t_old);
            json_decref(now);
        }
        if (!st->seeding)
            reconcile(st, ns, name, restart);
    }
}

/* ---- logs ---- */

static void
envoy_log(const json_t *pod, struct strbuf *out)
{
    const char *ts = json_string_value(ksim_path_get((json_t *)pod, "status.startTime"));
    char t[64];
    snprintf(t, sizeof t, "%.19s", ts ? ts : "2026-01-01T00:00:00");
    const char *ns = json_string_value(ksim_path_get((json_t *)pod, "metadata.namespace"));
    const char *name = json_string_value(ksim_path_get((json_t *)pod, "metadata.name"));
    strbuf_appendf(out,
                   "%s.000000Z\tinfo\tFLAG: --concurrency=\"2\"\n"
                   "%s.001000Z\tinfo\tVersion 1.24.2-ksim\n"
                   "%s.002000Z\tinfo\tProxy role\tips=[%s] type=sidecar id=%s.%s "
                   "domain=%s.svc.cluster.local\n"
                   "%s.010000Z\tinfo\tPilot SAN: [istiod.istio-system.svc]\n"
                   "%s.020000Z\tinfo\tStarting proxy agent\n"
                   "%s.030000Z\tinfo\tEnvoy command: [-c etc/istio/proxy/envoy-rev.json "
                   "--drain-time-s 45 --drain-strategy immediate --local-address-ip-version v4 "
                   "--file-flush-interval-msec 1000 --disable-hot-restart --allow-unknown-static-"
                   "fields --log-format %%Y-%%m-%%dT%%T.%%fZ\t%%l\tenvoy %%n %%g:%%#\t%%v\t"
                   "thread=%%t -l warning --component-log-level misc:error]\n"
                   "%s.400000Z\tinfo\txdsproxy\tconnected to delta upstream XDS server: "
                   "istiod.istio-system.svc:15012\tid=1\n"
                   "%s.500000Z\tinfo\tads\tADS: new connection for node:%s.%s-1\n"
                   "%s.510000Z\tinfo\tcache\tgenerated new workload certificate\t"
                   "resourceName=default latency=48ms ttl=23h59m59s\n"
                   "%s.520000Z\tinfo\tads\tSDS: PUSH request for node:%s.%s "
                   "resources:1 size:4.0kB resource:default\n"
                   "%s.900000Z\tinfo\tReadiness succeeded in 1.1s\n"
                   "%s.910000Z\tinfo\tEnvoy proxy is ready\n",
                   t, t, t,
                   json_string_value(ksim_path_get((json_t *)pod, "status.podIP"))
                       ? json_string_value(ksim_path_get((json_t *)pod, "status.podIP"))
                       : "",
                   name ? name : "", ns ? ns : "", ns ? ns : "", t, t, t, t, t, name ? name : "",
                   ns ? ns : "", t, t, name ? name : "", ns ? ns : "", t, t);
}

char *
ksim_sim_pod_log_locked(struct ksim_store *st, const json_t *pod, const char *container,
                        int *status, char *msg, size_t msg_len)
{
    const char *ns = json_string_value(ksim_path_get((json_t *)pod, "metadata.namespace"));
    const char *name = json_string_value(ksim_path_get((json_t *)pod, "metadata.name"));
    json_t *cs = ksim_path_get((json_t *)pod, "spec.containers");
    if (container == NULL || *container == '\0') {
        if (json_array_size(cs) != 1) {
            struct strbuf names;
            strbuf_init(&names);
            size_t i;
            json_t *c;
            json_array_foreach(cs, i, c) strbuf_appendf(
                &names, "%s%s", i ? " " : "", json_string_value(json_object_get(c, "name")));
            snprintf(msg, msg_len,
                     "a container name must be specified for pod %s, choose one of: [%s]", name,
                     names.s);
            strbuf_fini(&names);
            *status = 400;
            return NULL;
        }
        container = json_string_value(json_object_get(json_array_get(cs, 0), "name"));
    }
    if (!has_container(pod, "spec.containers", container) &&
        !has_container(pod, "spec.initContainers", container)) {
        snprintf(msg, msg_len, "container %s is not valid for pod %s", container, name);
        *status = 400;
        return NULL;
    }
    char *key = xasprintf("%s/%s/%s", ns, name, container);
    const char *probe = hmap_get(&st->logs, key);
    free(key);
    if (probe != NULL)
        return xstrdup(probe);
    json_t *ann = ksim_path_get((json_t *)pod, "metadata.annotations");
    char *akey = xasprintf("%s-%s", ANN_LOG, container);
    const char *text = json_string_value(json_object_get(ann, akey));
    free(akey);
    if (text == NULL)
        text = json_string_value(json_object_get(ann, ANN_LOG));
    if (text != NULL)
        return xstrdup(text);
    struct strbuf out;
    strbuf_init(&out);
    if (strcmp(container, "istio-proxy") == 0) {
        envoy_log(pod, &out);
    } else if (strcmp(container, "istio-init") == 0) {
        strbuf_append(&out, "2026-01-01T00:00:00.000000Z\tinfo\tIstio iptables environment:\n"
                            "ENVOY_PORT=\nINBOUND_CAPTURE_PORT=\nISTIO_INBOUND_INTERCEPTION_MODE="
                            "\n-A ISTIO_OUTPUT -j ISTIO_REDIRECT\nCOMMIT\n");
    } else {
        strbuf_appendf(&out,
                       "kubesim: container %s of pod %s/%s is simulated and has no log; give it "
                       "one with the annotation %s-%s\n",
                       container, ns, name, ANN_LOG, container);
    }
    return strbuf_detach(&out);
}
