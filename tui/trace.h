/* trace: the console's benchmark hook. With the environment variable PXCMESH_TRACE=FILE
 * set, the app appends one line per event to FILE (the format is in docs/performance.md):
 *
 *   start <mono_ms> <wall_ms>          trace_open: the console starts
 *   synced <mono_ms> <seq>             the replay is loaded / every cluster's first sync ended
 *   first_frame <ms since start>       the first frame that shows every cluster (see below)
 *   synced_frame <ms since start>      the first frame that shows the synced model
 *   model_change <mono_ms> <seq>       the first model change after a frame
 *   frame <mono_ms> <bytes> <seq>      a frame ended: bytes sent to the terminal, model seq drawn
 *   key <mono_ms>                      a key was read (key-to-frame: the next frame line)
 *   doctor <mono_ms> <us> <changes> <findings> <changed>
 *                                      the live doctor ran: for <us> µs on the loop, after
 *                                      <changes> model changes, giving <findings>; changed 1
 *                                      when they differed from the model's
 *
 * first_frame: in a replay the first frame (the snapshot is loaded before curses starts);
 * live, the first frame drawn once every cluster has answered (an HTTP answer marks it
 * reachable) or has an error to show. synced_frame: the first frame that draws a model at
 * least as new as the model was when the data became complete (the replay loaded, or live:
 * every cluster's first LIST of every resource done or failed). Only the first model change
 * after each frame is written: it is what change-to-screen latency is measured from, and a
 * relist of thousands of objects stays one line.
 *
 * Bytes are counted with the loop thread's own write counter (/proc/thread-self/io wchar)
 * read around doupdate(): ncurses writes to the terminal's file descriptor directly, and in
 * that bracket the loop thread writes nothing else.
 *
 * Every call takes a NULL trace and then does nothing, so with PXCMESH_TRACE unset the
 * hook costs one branch per call. Loop thread only. */
#ifndef PXC_TUI_TRACE_H
#define PXC_TUI_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct trace;
struct model;
struct live;

/* Open the trace named by $PXCMESH_TRACE for the model m (borrowed, must outlive the
 * trace). NULL when the variable is unset or empty, or when the file cannot be opened (then
 * a warning goes to stderr: call before curses starts). Owned: trace_free. */
struct trace *trace_open(const struct model *m);
void trace_free(struct trace *t);

/* The data is complete (the replay loaded): from now on the next frame that draws the
 * current model seq is the first complete frame. */
void trace_data_ready(struct trace *t);
/* The same for live data, shaped as a live_synced_cb; arg is the struct trace * (or NULL). */
void trace_live_synced(struct live *lv, int n_unreachable, void *arg);

/* The model changed (the app's model dirty callback). */
void trace_model_change(struct trace *t);

/* The live doctor ran (a doctor_live_run_cb; arg is the struct trace * or NULL). */
void trace_doctor(int64_t run_us, uint64_t changes, size_t n_findings, bool changed, void *arg);

/* A key was read from the terminal (before it is handled). */
void trace_key(struct trace *t);

/* Bracket doupdate(): begin just before it, end just after. */
void trace_frame_begin(struct trace *t);
void trace_frame_end(struct trace *t);

#endif
