/* The control socket server (main thread). */
#ifndef XK_CTL_SERVER_H
#define XK_CTL_SERVER_H

int ctl_init(const char *run_dir, int notify_fd, int signal_fd);
/* Serves until on_signal() returns non-zero.  Returns 0, or -errno. */
int ctl_loop(int notify_fd, int (*on_signal)(void));
void ctl_fini(void);

#endif
