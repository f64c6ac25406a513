/* The control socket server (main thread). */
#ifndef XK_CTL_SERVER_H
#define XK_CTL_SERVER_H

#include <stdint.h>

int ctl_init(const char *run_dir, int notify_fd, int signal_fd);
/* Serves until on_signal() returns non-zero.  Returns 0, or -errno. */
int ctl_loop(int notify_fd, int (*on_signal)(void));
void ctl_fini(void);

struct evtchn_dom;
struct evtchn_port;
/* Delivers a pending dom0 port to the process that bound it. */
void ctl_evtchn_deliver(struct evtchn_dom *ed, struct evtchn_port *p, uint32_t port);

#endif
