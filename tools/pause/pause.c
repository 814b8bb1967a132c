/* The sandbox ("pause") container of the test bed's node component: it holds a pod's namespaces
 * and reaps orphaned children, as Kubernetes' own pause does. No registry is reachable here, so
 * scripts/setup.d/33-node.sh builds it statically and the node component puts it in a FROM-scratch
 * image. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int signal_number) { (void)signal_number; _exit(0); }

static void reap(int signal_number) {
  (void)signal_number;
  while (waitpid(-1, 0, WNOHANG) > 0) {
  }
}

int main(void) {
  signal(SIGINT, stop);
  signal(SIGTERM, stop);
  signal(SIGCHLD, reap);
  for (;;) pause();
}
