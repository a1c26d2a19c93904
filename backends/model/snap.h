/* snap: the status JSON (schemaVersion 1) that `pxcmesh status --json` prints and
 * `pxcmesh --replay FILE` reads back. docs/status-json.md is the field-by-field
 * contract; this header is the C one.
 *
 * Loading is strict about types and lenient about presence: a field of the wrong type
 * is an error naming its JSON path ("clusters[1].pods[3].ready: expected boolean, got
 * string"), an unknown field is ignored, and a missing optional field takes the default
 * the document lists. Loading is transactional: everything is parsed into a private
 * model first; only when the whole file is good are its contents swapped into the
 * caller's model (struct body swap, so the caller's `struct model *` stays valid) and
 * the previous contents freed. On failure the caller's model is not touched at all.
 *
 * Writing is deterministic: keys in a fixed order, pods/namespaces/PXC/ServiceEntries/
 * channels/nodes sorted by (namespace, name) or (server, name), clusters and findings
 * in model order, 2-space indentation, a trailing newline. write -> load -> write gives
 * identical text. It is streamed: a 20,000-pod snapshot is 10 MB of text, and the writer
 * never holds it (nor a tree of it).
 *
 * One table of fields (snap_fields.c) drives both directions. Speed: pods in the shape
 * this writer gives them are read straight from the text (no JSON tree; a 20,000-pod
 * snapshot loads in about 70 ms instead of 230); any other shape, and every error, goes
 * through jansson, so messages do not depend on the road taken.
 *
 * Thread: any thread, provided nobody else touches the model meanwhile; in the app that
 * means the loop thread. Loading and writing a file are synchronous: call them at start-up
 * (--replay), at the end of a one-shot command, or from a worker, not from a loop
 * callback on a large model. */
#ifndef PXC_BACKENDS_MODEL_SNAP_H
#define PXC_BACKENDS_MODEL_SNAP_H

#include <stddef.h>
#include <stdio.h>

#include "pxerr.h"
#include "strbuf.h"
#include "model/model.h"

#define SNAP_SCHEMA_VERSION 1

/* Load the snapshot at path into m (borrowed; normally a fresh model_new(), but a
 * populated model is fine: on success its previous contents are replaced and freed, so
 * every pointer borrowed from it is invalid afterwards). On success m->replay = true,
 * m->generated_ms = the snapshot's generatedAt, and model_touch(m, DIRTY_ALL) runs (seq
 * bumped; the dirty callback set with model_set_dirty_cb is kept and called). On failure
 * m is untouched (no callback either) and err says, e.g.:
 *   "snap.json:12:7: '}' expected near ']'"               (malformed JSON: file:line:col)
 *   "snap.json: clusters[1].pods[3].ready: expected boolean, got string"
 *   "snap.json: schemaVersion 2 is newer than this pxcmesh understands (1); upgrade"
 * Codes: PXE_IO (cannot read), PXE_PARSE (malformed JSON), PXE_SCHEMA (types/values). */
int snap_load_file(const char *path, struct model *m, struct pxerr *err) PXC_MUST_CHECK;

/* The same from memory: buf (borrowed) holds len bytes, need not be NUL-terminated;
 * name (borrowed, may be NULL: "<snapshot>") labels the error messages. */
int snap_load_buf(const char *buf, size_t len, const char *name, struct model *m,
                  struct pxerr *err) PXC_MUST_CHECK;

/* A sink for a streamed snapshot: takes len bytes of it (borrowed for the call). Returns
 * 0, or a negative PXE_* code with err filled, which ends the writing with that error. */
typedef int snap_out_fn(const char *buf, size_t len, void *arg, struct pxerr *err);

#define SNAP_WRITE_BUF (64u << 10) /* bytes the writer holds before handing them to out */

/* Stream the snapshot of m (borrowed, read only) to out as pretty JSON with a trailing
 * newline, in pieces of at most SNAP_WRITE_BUF bytes; arg (borrowed) is out's. generatedAt
 * is m->generated_ms, or the current time when that is 0. Besides the buffer it holds one
 * sorted array of pointers per list, never the text. Returns 0 or out's error (the bytes
 * before it were handed over). */
int snap_write_to(const struct model *m, snap_out_fn *out, void *arg,
                  struct pxerr *err) PXC_MUST_CHECK;

/* snap_write_to f (borrowed, open for writing), then fflush(f). name labels the error:
 * PXE_IO "NAME: write failed: No space left on device". */
int snap_write_file(const struct model *m, FILE *f, const char *name,
                    struct pxerr *err) PXC_MUST_CHECK;

/* The snapshot appended to out, whole (tests, and callers that parse it again). Cannot
 * fail today; the int keeps the contract of the writers above. */
int snap_write(const struct model *m, struct strbuf *out, struct pxerr *err) PXC_MUST_CHECK;

/* One object of the model, whose pointer obj (borrowed) is of the struct its kind names. */
enum snap_obj {
    SNAP_OBJ_POD,       /* struct m_pod */
    SNAP_OBJ_PXC,       /* struct m_pxc */
    SNAP_OBJ_SENTRY,    /* struct m_sentry */
    SNAP_OBJ_NAMESPACE, /* struct m_namespace */
    SNAP_OBJ_CHANNEL,   /* struct m_channel */
};
/* The object as the snapshot writes it (its fields in docs/status-json.md), pretty JSON
 * appended to out: what the console knows of one object (the console's describe). Cannot
 * fail today, as snap_write. */
int snap_write_object(enum snap_obj kind, const void *obj, struct strbuf *out,
                      struct pxerr *err) PXC_MUST_CHECK;

/* The snapshot streamed to path, atomically (path.tmp then rename), mode 0644. PXE_IO with
 * the path and strerror on failure, the old file (if any) left in place. */
int snap_save_file(const struct model *m, const char *path, struct pxerr *err) PXC_MUST_CHECK;

#endif
