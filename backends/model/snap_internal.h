/* snap_internal.h: what the snapshot's three files share, and nobody else (they use snap.h).
 *
 * snap_fields.c describes every object of the status JSON once, as a const table of fields
 * (JSON name, where the value lives in the model struct, its type, how it may be absent or
 * null); snap_read.c and snap_write.c are two interpreters of those tables, so a field added
 * to a table is read, written and round-tripped with no other change. What does not fit a
 * row (how an object is made in the model, a cross-field check, the few odd encodings) is a
 * hook beside its table, written against the small value API below, never against jansson.
 *
 * Thread: as snap.h; the tables are const and shared by every thread. */
#ifndef PXC_BACKENDS_MODEL_SNAP_INTERNAL_H
#define PXC_BACKENDS_MODEL_SNAP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "pxerr.h"
#include "vec.h"
#include "model/model.h"

struct json_t;  /* jansson's node; only snap_read.c looks inside */
struct snap_rd; /* a load in progress (snap_read.c) */
struct snap_wr; /* an output stream (snap_write.c) */

/* How a field's value is stored in the model struct, and so how it is read and written. */
enum snap_type {
    T_STR,    /* char * or const char *: owned (model_set_str), or F_INTERN / F_BORROW */
    T_BUF,    /* char[size]: an identifier refused when too long, or F_CUT free text */
    T_BOOL,   /* bool */
    T_INT,    /* int in min..max */
    T_I64,    /* int64_t in min..max */
    T_NUM,    /* double: any JSON number */
    T_TIME,   /* int64_t wall ms as an RFC 3339 string; 0 (unknown) is null */
    T_TRI,    /* signed char 0 unknown / 1 off / 2 on as null / false / true */
    T_ENUM,   /* an int-sized enum as the word en->names[value] */
    T_OBJ,    /* a nested object: kind's fields, at off (0: the same struct) */
    T_LIST,   /* objects that kind->open() adds to this one: a struct vec at off (sorted by
                 cmp when written), or what .seq enumerates */
    T_ARR,    /* a heap array: kind elements at *off, their int count at n_off */
    T_FIX,    /* an array inside the struct: at most size kind elements, int count at n_off */
    T_STRS,   /* char **: owned strings at *off, their int count at n_off */
    T_CUSTOM, /* hooks: read and write the value themselves */
};

/* Field flags. */
enum {
    F_REQ = 1u << 0,          /* read: absence is an error (null is not absence) */
    F_NULL = 1u << 1,         /* read: null means absent: the default */
    F_BORROW = 1u << 2,       /* T_STR read: a pointer into the input; the kind's open() or
                                 close() copies it before the next object is read */
    F_INTERN = 1u << 3,       /* T_STR read: interned in the model's pool */
    F_CUT = 1u << 4,          /* T_BUF read: cut to the buffer, as the live backends cut */
    F_MS = 1u << 5,           /* T_NUM write: rounded to the millisecond */
    F_BULK = 1u << 6,         /* T_LIST of thousands: read straight from the text when it
                                 has the shape the writer gives it (snap_read.c) */
    F_W_NULL_PTR = 1u << 7,   /* write null for a NULL string (else "") */
    F_W_NULL_EMPTY = 1u << 8, /* write null for "" or NULL */
    F_W_NULL_NEG = 1u << 9,   /* write null for a negative number */
    F_W_NULL_ZERO = 1u << 10, /* write null for 0 */
    F_W_NOW = 1u << 11,       /* T_TIME write: 0 is the current time, not null */
    F_KNOWN = 1u << 12,       /* T_OBJ: the bool at n_off in the nested struct says it is
                                 known; false is written as null, reading sets it */
};

/* The words of an enum: names[v] is value v's JSON string; a NULL name is written as null,
 * and null (or absence with a NULL default) reads as that value. */
struct snap_enum {
    const char *const *names;
    int n;
    const char *expected; /* for the error: "injected, missing or disabled" */
};

/* One JSON value as a reader sees it, whichever parser found it. */
enum snap_vt { SV_ABSENT, SV_NULL, SV_BOOL, SV_INT, SV_REAL, SV_STR, SV_OBJ, SV_ARR };
struct snap_val {
    enum snap_vt t;
    bool b;
    long long i;
    double d;
    const char *s;    /* SV_STR: borrowed until the object holding it is read */
    struct json_t *j; /* SV_OBJ, SV_ARR: borrowed, for snap_read.c */
};

/* Where an object sits in its array (i of n); NULL for a nested or the root object. */
struct snap_pos {
    size_t i, n;
};

/* The JSON type a hook expects, checked (with F_REQ/F_NULL) before the hook is called. */
enum snap_want { W_STR, W_BOOL, W_INT, W_NUM, W_OBJ, W_ARR };

struct snap_custom {
    enum snap_want want;
    /* v is the value, SV_ABSENT when missing (or null under F_NULL). The error path (via
     * snap__fail) already names the field. Returns 0 or the error. */
    int (*read)(struct snap_rd *rd, const struct snap_val *v, void *obj,
                const struct snap_pos *pos);
    /* Writes exactly one value (the key is written). */
    void (*write)(struct snap_wr *w, const void *obj);
};

/* A sequence that is not a struct vec (the event ring): for writing. */
struct snap_seq {
    size_t (*count)(const void *obj);
    const void *(*at)(const void *obj, size_t i); /* borrowed */
};

struct snap_field {
    const char *key; /* the JSON name */
    enum snap_type type;
    unsigned flags;
    size_t off;   /* of the value in the object's struct */
    size_t size;  /* T_BUF: the buffer's size; T_FIX: the capacity */
    size_t n_off; /* T_ARR, T_FIX, T_STRS: of the int count; F_KNOWN: of the bool, in the
                     nested struct, that says it is known */
    long long min, max, dflt_i;       /* T_INT, T_I64: accepted range, default */
    double dflt_d;                    /* T_NUM: default */
    const char *dflt_s;               /* T_STR, T_BUF, T_ENUM: default (NULL allowed) */
    const struct snap_enum *en;       /* T_ENUM */
    const struct snap_kind *kind;     /* T_OBJ, T_LIST, T_ARR, T_FIX */
    vec_cmp_fn *cmp;                  /* T_LIST: the written order; NULL the model's */
    const struct snap_seq *seq;       /* T_LIST: not a vec */
    const struct snap_custom *custom; /* T_CUSTOM */
};

/* One kind of object. Reading one: a zeroed struct of `size` bytes (the stage) receives the
 * leading F_BORROW fields (its identity); open() then makes the model object into *obj, or
 * refuses it (returning the error), and the other fields are read into the object. Without
 * open() the fields go into the object given (an array slot, a nested struct) or stay in
 * the stage for close(), which runs last. */
struct snap_kind {
    const char *name; /* its heading in docs/status-json.md, whose table test_snap
                         holds to this one, row for row (inline ones have none) */
    const struct snap_field *fields;
    size_t n_fields;
    size_t size;
    const char *noun; /* T_FIX: "sources", for "9 sources, at most 8" */
    int (*open)(struct snap_rd *rd, void *parent, const void *stage, const struct snap_pos *pos,
                void **obj);
    int (*close)(struct snap_rd *rd, void *parent, void *obj, const struct snap_pos *pos);
};

#define SNAP_STAGE_MAX 4096 /* bytes: the largest struct read through a stage */

/* The document (snap_fields.c). */
extern const struct snap_kind snap__root;
/* The table of one kind of object (snap.h's enum snap_obj as an int), NULL unknown. */
const struct snap_kind *snap__object_kind(int obj);

/* ---- for hooks: reading (snap_read.c) ---- */

/* The model being filled (private to the load until it succeeds). */
struct model *snap__model(struct snap_rd *rd);
/* PXE_SCHEMA "FILE: PATH: msg" at the value being read; returns the code. */
int snap__fail(struct snap_rd *rd, const char *fmt, ...) PXC_PRINTF(2, 3);
/* PXE_SCHEMA "FILE: msg", for errors about the whole document. */
int snap__fail_doc(struct snap_rd *rd, const char *fmt, ...) PXC_PRINTF(2, 3);
/* Elements of an SV_ARR value, with the path following them (snap__arr_pop after each). */
size_t snap__arr_len(const struct snap_val *arr);
size_t snap__arr_at(struct snap_rd *rd, const struct snap_val *arr, size_t i,
                    struct snap_val *out); /* returns the mark for snap__arr_pop */
void snap__arr_pop(struct snap_rd *rd, size_t mark);
const char *snap__type_name(const struct snap_val *v); /* "string", "null", ... */

/* ---- for hooks: writing (snap_write.c) ---- */

void snap__w_null(struct snap_wr *w);
void snap__w_bool(struct snap_wr *w, bool b);
void snap__w_int(struct snap_wr *w, long long x);
void snap__w_str(struct snap_wr *w, const char *s);  /* NULL is "" */
void snap__w_ms(struct snap_wr *w, double v);        /* rounded; nothing if not finite */
void snap__w_open(struct snap_wr *w, char bracket);  /* '[' or '{' */
void snap__w_close(struct snap_wr *w, char bracket); /* ']' or '}' */

#endif
