/* act_internal: what the act_*.c files share: the state behind struct act_state, the
 * helpers every action uses to refuse, report and ask, and each file's start and stop
 * functions for the table in act.c. Private to tui/act*.c. Loop thread only. */
#ifndef PXC_TUI_ACT_INTERNAL_H
#define PXC_TUI_ACT_INTERNAL_H

#include <stdbool.h>

#include "act.h"
#include "vec.h"

struct crdreg;
struct kube_client;
struct kube_req;

struct act_state {
    struct vec ops;         /* owned struct act_op *: Kubernetes writes and SQL in flight */
    struct vec applies;     /* owned struct act_apply * (act_kube.c) */
    struct crdreg *schemas; /* owned: the CRD schemas once an apply loaded them; NULL
                               while none are loaded or an apply holds them */
    struct vec probe_jobs;  /* borrowed struct probe_job * running (act_probe.c) */
    struct vec copies;      /* borrowed struct copy_job * writing (act_copy.c) */
    struct vec fixes;       /* borrowed struct fix_job * previewing, asking or running
                               (act_fix.c) */
};

/* One Kubernetes write or SQL action in flight. */
struct act_op {
    struct act_ctx *cx; /* NULL: orphaned at shutdown, freed by its callback */
    char cluster[128], what[512];
    struct kube_req *req;                      /* the request in flight, NULL none */
    struct kube_client *kc;                    /* the client req runs on */
    bool sql_pending;                          /* a mysql_poll_action's callback is still to come */
    char server[256], channel[256], host[320]; /* SQL actions */
};

/* Report a formatted message. */
void act__report(struct act_ctx *cx, enum act_level lv, const char *fmt, ...) PXC_PRINTF(3, 4);
/* In a replay or read-only mode: report why "what" is refused and return true. */
bool act__refuse_write(struct act_ctx *cx, const char *what);
/* In a replay: report that probes test the present and return true. */
bool act__refuse_replay_probe(struct act_ctx *cx);
/* The cluster's client, or NULL after reporting why "what" cannot run. */
struct kube_client *act__client(struct act_ctx *cx, const char *cluster, const char *what);
/* The outcome of a write: reported, and written to the model's event log. */
void act__outcome(struct act_ctx *cx, const char *cluster, bool ok, const char *what,
                  const char *why);
/* Split text in place at each '\n' into lines[0..max) (pointers into text). Returns how
 * many; a last empty line is dropped. */
size_t act__split_lines(char *text, const char **lines, size_t max);
/* Ask q; answer(arg) follows (act.h). */
void act__ask(struct act_ctx *cx, const struct act_question *q, act_answer_cb *answer, void *arg);

/* An op for cluster (may be NULL), tracked in cx->st->ops until act__op_done. */
struct act_op *act__op_new(struct act_ctx *cx, const char *cluster, const char *fmt, ...)
    PXC_PRINTF(3, 4);
/* The op's request is over: forget and free it. */
void act__op_done(struct act_op *op);

/* act_kube.c */
unsigned act__start_apply(struct act_ctx *cx, const struct act_def *def,
                          const struct act_args *args);
void act__kube_stop(struct act_state *st);

/* act_channel.c */
unsigned act__start_channel(struct act_ctx *cx, const struct act_def *def,
                            const struct act_args *args);
unsigned act__start_create_channel(struct act_ctx *cx, const struct act_def *def,
                                   const struct act_args *args);

/* act_copy.c */
unsigned act__start_copy(struct act_ctx *cx, const struct act_def *def,
                         const struct act_args *args);
void act__copy_stop(struct act_state *st);

/* act_fix.c */
unsigned act__start_fix(struct act_ctx *cx, const struct act_def *def, const struct act_args *args);
unsigned act__start_label(struct act_ctx *cx, const struct act_def *def,
                          const struct act_args *args);
unsigned act__start_restart(struct act_ctx *cx, const struct act_def *def,
                            const struct act_args *args);
unsigned act__start_delete_sentry(struct act_ctx *cx, const struct act_def *def,
                                  const struct act_args *args);
unsigned act__start_create_sentry(struct act_ctx *cx, const struct act_def *def,
                                  const struct act_args *args);
unsigned act__start_copy_text(struct act_ctx *cx, const struct act_def *def,
                              const struct act_args *args);
void act__fix_stop(struct act_state *st);

/* act_probe.c */
unsigned act__start_probe(struct act_ctx *cx, const struct act_def *def,
                          const struct act_args *args);
unsigned act__start_probe_host(struct act_ctx *cx, const struct act_def *def,
                               const struct act_args *args);
unsigned act__start_probe_channel(struct act_ctx *cx, const struct act_def *def,
                                  const struct act_args *args);
unsigned act__start_probe_rerun(struct act_ctx *cx, const struct act_def *def,
                                const struct act_args *args);
unsigned act__start_probe_cancel(struct act_ctx *cx, const struct act_def *def,
                                 const struct act_args *args);
void act__probe_stop(struct act_state *st);

#endif
