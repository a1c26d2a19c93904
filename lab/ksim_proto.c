/* ksim_proto: just enough of the Kubernetes protobuf encoding to read the bodies that
 * kubectl's typed clients send (client-go defaults them to
 * application/vnd.kubernetes.protobuf): `kubectl create namespace|secret|configmap|
 * serviceaccount`. The envelope is the "k8s\0" magic and runtime.Unknown; the objects
 * are decoded with field tables copied from k8s.io/api/core/v1/generated.proto. Other
 * kinds are refused with a message that says how to send JSON instead. Answers are
 * always JSON, which the clients accept. */
#include "ksim.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "xmalloc.h"

enum ftype { F_STR, F_BYTES, F_INT, F_BOOL, F_MSG, F_MAP_SS, F_MAP_SB, F_REP_STR, F_TIME };

struct msgdef;
struct field {
    unsigned num;
    const char *name;
    enum ftype type;
    const struct msgdef *sub;
};
struct msgdef {
    const struct field *f;
    size_t n;
};

#define MSG(arr)                                                                                   \
    {                                                                                              \
        arr, sizeof arr / sizeof arr[0]                                                            \
    }

static const struct field owner_ref_f[] = {
    {5, "apiVersion", F_STR, NULL},  {1, "kind", F_STR, NULL},
    {3, "name", F_STR, NULL},        {4, "uid", F_STR, NULL},
    {6, "controller", F_BOOL, NULL}, {7, "blockOwnerDeletion", F_BOOL, NULL},
};
static const struct msgdef owner_ref = MSG(owner_ref_f);

static const struct field meta_f[] = {
    {1, "name", F_STR, NULL},
    {2, "generateName", F_STR, NULL},
    {3, "namespace", F_STR, NULL},
    {5, "uid", F_STR, NULL},
    {6, "resourceVersion", F_STR, NULL},
    {7, "generation", F_INT, NULL},
    {8, "creationTimestamp", F_TIME, NULL},
    {11, "labels", F_MAP_SS, NULL},
    {12, "annotations", F_MAP_SS, NULL},
    {13, "ownerReferences", F_MSG, &owner_ref},
    {14, "finalizers", F_REP_STR, NULL},
};
static const struct msgdef meta = MSG(meta_f);

static const struct field ns_spec_f[] = {{1, "finalizers", F_REP_STR, NULL}};
static const struct msgdef ns_spec = MSG(ns_spec_f);
static const struct field ns_f[] = {{1, "metadata", F_MSG, &meta}, {2, "spec", F_MSG, &ns_spec}};
static const struct field secret_f[] = {
    {1, "metadata", F_MSG, &meta},     {2, "data", F_MAP_SB, NULL},    {3, "type", F_STR, NULL},
    {4, "stringData", F_MAP_SS, NULL}, {5, "immutable", F_BOOL, NULL},
};
static const struct field cm_f[] = {
    {1, "metadata", F_MSG, &meta},
    {2, "data", F_MAP_SS, NULL},
    {3, "binaryData", F_MAP_SB, NULL},
    {4, "immutable", F_BOOL, NULL},
};
static const struct field sa_f[] = {{1, "metadata", F_MSG, &meta},
                                    {4, "automountServiceAccountToken", F_BOOL, NULL}};

static const struct {
    const char *kind;
    struct msgdef def;
} kinds[] = {
    {"Namespace", MSG(ns_f)},
    {"Secret", MSG(secret_f)},
    {"ConfigMap", MSG(cm_f)},
    {"ServiceAccount", MSG(sa_f)},
};

struct pbuf {
    const unsigned char *p, *end;
};

static int
varint(struct pbuf *b, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && b->p < b->end; shift += 7) {
        unsigned char c = *b->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* Next field: number, wire type, and for wire type 2 the bytes. */
static int
next_field(struct pbuf *b, unsigned *num, unsigned *wt, struct pbuf *bytes, uint64_t *v)
{
    uint64_t key;
    if (varint(b, &key) != 0)
        return -1;
    *num = (unsigned)(key >> 3);
    *wt = (unsigned)(key & 7);
    switch (*wt) {
    case 0:
        return varint(b, v);
    case 1:
        if (b->end - b->p < 8)
            return -1;
        b->p += 8;
        return 0;
    case 5:
        if (b->end - b->p < 4)
            return -1;
        b->p += 4;
        return 0;
    case 2: {
        uint64_t len;
        if (varint(b, &len) != 0 || len > (uint64_t)(b->end - b->p))
            return -1;
        bytes->p = b->p;
        bytes->end = b->p + len;
        b->p += len;
        return 0;
    }
    default:
        return -1;
    }
}

static int decode_msg(struct pbuf b, const struct msgdef *def, json_t *out);

static int
decode_map_entry(struct pbuf b, bool bytes_val, json_t *map)
{
    char *key = NULL;
    json_t *val = NULL;
    while (b.p < b.end) {
        unsigned num, wt;
        struct pbuf s = {0};
        uint64_t v;
        if (next_field(&b, &num, &wt, &s, &v) != 0 || (wt != 2 && (num == 1 || num == 2))) {
            free(key);
            json_decref(val);
            return -1;
        }
        if (num == 1) {
            free(key);
            key = xstrndup((const char *)s.p, (size_t)(s.end - s.p));
        } else if (num == 2) {
            json_decref(val);
            if (bytes_val) {
                char *e = base64_encode(s.p, (size_t)(s.end - s.p), 0);
                val = json_string(e);
                free(e);
            } else {
                val = json_stringn((const char *)s.p, (size_t)(s.end - s.p));
            }
        }
    }
    json_object_set_new(map, key ? key : "", val ? val : json_string(""));
    free(key);
    return 0;
}

static int
decode_msg(struct pbuf b, const struct msgdef *def, json_t *out)
{
    while (b.p < b.end) {
        unsigned num, wt;
        struct pbuf s = {0};
        uint64_t v = 0;
        if (next_field(&b, &num, &wt, &s, &v) != 0)
            return -1;
        const struct field *f = NULL;
        for (size_t i = 0; i < def->n; i++)
            if (def->f[i].num == num)
                f = &def->f[i];
        if (f == NULL)
            continue; /* a field kubesim does not keep */
        bool lenv = wt == 2;
        switch (f->type) {
        case F_STR:
            if (!lenv)
                return -1;
            json_object_set_new(out, f->name,
                                json_stringn((const char *)s.p, (size_t)(s.end - s.p)));
            break;
        case F_BYTES: {
            if (!lenv)
                return -1;
            char *e = base64_encode(s.p, (size_t)(s.end - s.p), 0);
            json_object_set_new(out, f->name, json_string(e));
            free(e);
            break;
        }
        case F_INT:
            json_object_set_new(out, f->name, json_integer((json_int_t)v));
            break;
        case F_BOOL:
            json_object_set_new(out, f->name, json_boolean(v != 0));
            break;
        case F_TIME:
            break; /* creationTimestamp is the server's to set */
        case F_REP_STR: {
            if (!lenv)
                return -1;
            json_t *arr = json_object_get(out, f->name);
            if (!json_is_array(arr)) {
                arr = json_array();
                json_object_set_new(out, f->name, arr);
            }
            json_array_append_new(arr, json_stringn((const char *)s.p, (size_t)(s.end - s.p)));
            break;
        }
        case F_MAP_SS:
        case F_MAP_SB: {
            if (!lenv)
                return -1;
            json_t *map = json_object_get(out, f->name);
            if (!json_is_object(map)) {
                map = json_object();
                json_object_set_new(out, f->name, map);
            }
            if (decode_map_entry(s, f->type == F_MAP_SB, map) != 0)
                return -1;
            break;
        }
        case F_MSG: {
            if (!lenv)
                return -1;
            json_t *sub = json_object();
            if (decode_msg(s, f->sub, sub) != 0) {
                json_decref(sub);
                return -1;
            }
            /* ownerReferences is repeated; metadata and spec are not */
            if (strcmp(f->name, "ownerReferences") == 0) {
                json_t *arr = json_object_get(out, f->name);
                if (!json_is_array(arr)) {
                    arr = json_array();
                    json_object_set_new(out, f->name, arr);
                }
                json_array_append_new(arr, sub);
            } else {
                json_object_set_new(out, f->name, sub);
            }
            break;
        }
        }
    }
    return 0;
}

json_t *
ksim_proto_decode(const unsigned char *buf, size_t len, struct pxerr *err)
{
    if (len < 4 || memcmp(buf, "k8s\0", 4) != 0) {
        pxerr_set(err, PXE_PARSE, "protobuf body without the \"k8s\\0\" envelope");
        return NULL;
    }
    struct pbuf b = {buf + 4, buf + len};
    char api_version[128] = "", kind[128] = "";
    struct pbuf raw = {0};
    while (b.p < b.end) {
        unsigned num, wt;
        struct pbuf s = {0};
        uint64_t v;
        if (next_field(&b, &num, &wt, &s, &v) != 0)
            goto bad;
        if (num == 1 && wt == 2) { /* TypeMeta */
            struct pbuf t = s;
            while (t.p < t.end) {
                unsigned tn, tw;
                struct pbuf ts = {0};
                if (next_field(&t, &tn, &tw, &ts, &v) != 0 || tw != 2)
                    goto bad;
                char *dst = tn == 1 ? api_version : tn == 2 ? kind : NULL;
                if (dst != NULL)
                    snprintf(dst, 128, "%.*s", (int)(ts.end - ts.p), (const char *)ts.p);
            }
        } else if (num == 2 && wt == 2) {
            raw = s;
        }
    }
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(kinds[i].kind, kind) != 0)
            continue;
        json_t *obj = json_pack("{s:s, s:s}", "apiVersion", api_version, "kind", kind);
        if (raw.p != NULL && decode_msg(raw, &kinds[i].def, obj) != 0) {
            json_decref(obj);
            goto bad;
        }
        return obj;
    }
    pxerr_set(err, PXE_UNSUPPORTED,
              "kubesim decodes protobuf bodies only for Namespace, Secret, ConfigMap and "
              "ServiceAccount, not %s %s; send JSON instead (kubectl apply -f, or kubectl "
              "create ... -o json --dry-run=client | kubectl apply -f -)",
              api_version, kind);
    return NULL;
bad:
    pxerr_set(err, PXE_PARSE, "malformed protobuf body");
    return NULL;
}
