/* ksim_stream: what the files of kubesim's streaming subresources share (pods/exec,
 * pods/attach, pods/portforward, the followed pods/log): the WebSocket connection
 * (ksim_ws.c), SPDY/3.1 (ksim_spdy.c), where a pod's ports and files really are
 * (ksim_podnet.c), and the session handlers (ksim_exec.c, ksim_portforward.c). Nothing outside
 * lab/ includes it.
 *
 * Threads: every upgraded connection is served by a thread of its own (ksim_stream_spawn),
 * which owns the connection, the child process or the relayed TCP sockets, and polls them
 * all; the store is only read at the start, under store->mu. */
#ifndef PXC_LAB_KSIM_STREAM_H
#define PXC_LAB_KSIM_STREAM_H

#include <poll.h>
#include <stdint.h>

#include "ksim_http.h"

/* ---- WebSocket (RFC 6455) on a socket handed over after the 101 (ksim_ws.c) ---- */

struct ksim_ws;
/* A whole message from the client (binary or text); msg is borrowed for the call. */
typedef void ksim_ws_msg_cb(struct ksim_ws *ws, int opcode, const uint8_t *msg, size_t len,
                            void *arg);

/* The Sec-WebSocket-Accept value for key (RFC 6455 4.2.2): out receives base64(SHA-1). */
void ksim_ws_accept_key(const char *key, char *out, size_t n);
/* Take over fd (borrowed: the caller closes it through libmicrohttpd) with the bytes
 * libmicrohttpd read past the request (copied). Owned; ksim_ws_free. */
struct ksim_ws *ksim_ws_new(int fd, const char *extra, size_t extra_len, ksim_ws_msg_cb *cb,
                            void *arg);
void ksim_ws_free(struct ksim_ws *ws); /* NULL does nothing */
/* Route messages to another handler (a session that takes over the connection). */
void ksim_ws_set_handler(struct ksim_ws *ws, ksim_ws_msg_cb *cb, void *arg);
/* The pollfd for the socket, with the events the connection waits for. */
void ksim_ws_pollfd(struct ksim_ws *ws, struct pollfd *pfd);
/* Read and write what revents allow; messages go to the callback. -1 once the connection
 * is over (closed both ways, reset, or broken). */
int ksim_ws_io(struct ksim_ws *ws, short revents);
/* Queue one message: opcode (WSLAY_BINARY_FRAME, ...) of prefix then data (copied). */
void ksim_ws_send(struct ksim_ws *ws, int opcode, const void *prefix, size_t prefix_len,
                  const void *data, size_t len);
/* Queue a close frame (code, reason); nothing more is sent after it. */
void ksim_ws_close(struct ksim_ws *ws, uint16_t code, const char *reason);
/* Bytes queued and not yet written (backpressure: stop reading what feeds it). */
size_t ksim_ws_backlog(const struct ksim_ws *ws);
/* Write what is queued and wait (at most timeout_ms) for the close handshake to finish. */
void ksim_ws_finish(struct ksim_ws *ws, int timeout_ms);

/* ---- SPDY/3.1 framing (ksim_spdy.c) ---- */

struct ksim_spdy;
struct ksim_spdy_hdr {
    char name[32];
    char value[128];
};
typedef void ksim_spdy_out_cb(const uint8_t *buf, size_t len, void *arg); /* bytes to send */
struct ksim_spdy_events {
    /* A new stream from the client, with its headers (names lower case). */
    void (*syn_stream)(uint32_t id, const struct ksim_spdy_hdr *h, size_t n, void *arg);
    void (*data)(uint32_t id, const uint8_t *buf, size_t len, bool fin, void *arg);
    void (*rst)(uint32_t id, void *arg);
    void (*goaway)(void *arg);
};
/* A server-side SPDY/3.1 session; every frame it makes goes to out. Owned. */
struct ksim_spdy *ksim_spdy_new(const struct ksim_spdy_events *ev, ksim_spdy_out_cb *out,
                                void *arg);
void ksim_spdy_free(struct ksim_spdy *s);
/* Feed bytes from the client; -1 (err says why) on a malformed frame or header block. */
int ksim_spdy_feed(struct ksim_spdy *s, const uint8_t *buf, size_t len,
                   struct pxerr *err) PXC_MUST_CHECK;
void ksim_spdy_reply(struct ksim_spdy *s, uint32_t id);
void ksim_spdy_data(struct ksim_spdy *s, uint32_t id, const void *buf, size_t len, bool fin);
void ksim_spdy_rst(struct ksim_spdy *s, uint32_t id, uint32_t status);
void ksim_spdy_goaway(struct ksim_spdy *s);
/* The SPDY/3 header dictionary's adler32, for the unit test. */
uint32_t ksim_spdy_dict_adler(void);

/* ---- where a pod really is (ksim_podnet.c) ---- */

/* What the lab says about one pod (--pod-map FILE, one line "NS/NAME key=value ..."):
 * the address its ports are served on, its MySQL socket, its resolv.conf, its containers'
 * log files. Fields are "" when the map says nothing. */
struct ksim_podnet {
    char addr[64];     /* "127.0.10.1"; else the pod's status.podIP */
    char socket[512];  /* the pxc container's mysqld socket (MYSQL_UNIX_PORT) */
    char resolv[512];  /* the pod's /etc/resolv.conf */
    char pxc_log[512]; /* the pxc container's log: the server's error log */
    char sandbox[65];  /* a sandbox id derived from the pod's uid (error texts) */
};
/* Fill pn for pod (borrowed) from the map file (re-read each time: the lab may change it)
 * and the pod itself. */
void ksim_podnet_lookup(struct ksim_store *st, const json_t *pod, struct ksim_podnet *pn);

/* ---- sessions ---- */

/* One upgraded connection: what the request asked for, decided before the 101. */
enum ksim_stream_kind {
    KSIM_STREAM_EXEC,
    KSIM_STREAM_ATTACH,
    KSIM_STREAM_PF_WS,   /* portforward, v4.channel.k8s.io (kubelet's WebSocket handler) */
    KSIM_STREAM_PF_SPDY, /* portforward, SPDY/3.1 (raw, or tunnelled in WebSocket messages) */
};

struct ksim_stream {
    enum ksim_stream_kind kind;
    struct ksim_server *srv;    /* borrowed */
    bool websocket;             /* WebSocket framing (else raw SPDY on the socket) */
    int proto_version;          /* 5, 4 or 1 (channel.k8s.io) for exec and attach */
    bool base64;                /* base64.channel.k8s.io variants */
    char *ns, *pod, *container; /* owned */
    json_t *pod_obj;            /* owned copy of the pod as it was at the upgrade */
    struct vec argv;            /* char *, owned: exec's command */
    bool in, out, err, tty;     /* exec/attach streams asked for */
    struct vec ports;           /* intptr_t: portforward's ?ports= (PF_WS) */
    struct ksim_podnet net;
};

void ksim_stream_free(struct ksim_stream *s); /* NULL does nothing */
/* Run s on a thread of its own over fd (ksim_stream takes s); returns at once. The
 * thread releases urh when done. */
void ksim_stream_spawn(struct ksim_stream *s, const char *extra, size_t extra_len, int fd,
                       struct MHD_UpgradeResponseHandle *urh);
/* Remove the exec PATH directories (server shutdown). */
void ksim_exec_cleanup(struct ksim_server *srv);
/* Session bodies, run on the stream's thread. */
void ksim_exec_run(struct ksim_stream *s, struct ksim_ws *ws);
void ksim_pf_ws_run(struct ksim_stream *s, struct ksim_ws *ws);
void ksim_pf_spdy_run(struct ksim_stream *s, struct ksim_ws *ws /* NULL: raw */, int fd,
                      const char *extra, size_t extra_len);
/* Whether the server is shutting down (sessions then close with 1001 Going Away). */
bool ksim_stream_stopping(const struct ksim_stream *s);

/* pods/NAME/{exec,attach,portforward} before the upgrade: checks, negotiation, the 101.
 * ksim_stream.c. */
enum MHD_Result ksim_stream_reply(struct ksim_server *srv, struct MHD_Connection *c,
                                  const char *method, const struct ksim_target *t,
                                  struct ksim_req *req);

#endif
