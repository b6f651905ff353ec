// Runs before the Go runtime: see doc.go.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char burrow_exec_error[256];

static pid_t child;

static void forward(int sig) {
	if (child > 0)
		kill(child, sig);
}

// stay_parent waits for the child that entered the PID namespace, passing
// on signals, and exits with its status. The child keeps fds 3 and 4 (the
// process spec and the sync socket); closing ours lets the CLI see their
// EOF as the child's.
static void stay_parent(void) {
	static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGCONT, SIGTSTP, SIGWINCH};
	struct sigaction sa = {.sa_handler = forward};
	int status;

	close(3);
	close(4);
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR)
			_exit(125);
	}
	if (WIFSIGNALED(status))
		_exit(128 + WTERMSIG(status));
	_exit(WEXITSTATUS(status));
}

// join_netns puts the container init into an existing network namespace
// (--network container:NAME).
static void join_netns(const char *path) {
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
		snprintf(burrow_exec_error, sizeof burrow_exec_error, "join network namespace %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

// same_namespace reports whether fd is the namespace this process is in.
static int same_namespace(int fd, const char *name) {
	char self[64];
	struct stat a, b;

	snprintf(self, sizeof self, "/proc/self/ns/%s", name);
	return fstat(fd, &a) == 0 && stat(self, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void burrow_nsjoin(void) {
	static const struct { const char *name; int type; } order[] = {
		// The mount namespace goes last: after it /proc is the container's.
		{"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
		{"net", CLONE_NEWNET}, {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS},
	};
	const char *pid = getenv("_BURROW_EXEC_PID");
	const char *netns = getenv("_BURROW_JOIN_NETNS");
	int fds[6];
	char path[64];

	if (netns && *netns) {
		join_netns(netns);
		return;
	}
	if (!pid || !*pid)
		return;
	// Open every namespace first: once in the container's mount namespace
	// the host's /proc/PID paths are gone.
	for (int i = 0; i < 6; i++) {
		snprintf(path, sizeof path, "/proc/%s/ns/%s", pid, order[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			snprintf(burrow_exec_error, sizeof burrow_exec_error, "open %s: %s", path, strerror(errno));
			return;
		}
	}
	for (int i = 0; i < 6; i++) {
		// A namespace the container shares with the holder (--network
		// host, and the like) is ours already; setns would want
		// CAP_SYS_ADMIN over the host's user namespace.
		if (same_namespace(fds[i], order[i].name)) {
			close(fds[i]);
			continue;
		}
		if (setns(fds[i], order[i].type) < 0 && !burrow_exec_error[0])
			snprintf(burrow_exec_error, sizeof burrow_exec_error, "join %s namespace of %s: %s",
				 order[i].name, pid, strerror(errno));
		close(fds[i]);
	}
	// Joining a PID namespace places only children in it, and a process
	// whose children go elsewhere cannot start threads: the Go runtime has
	// to run in a child.
	child = fork();
	if (child < 0) {
		snprintf(burrow_exec_error, sizeof burrow_exec_error, "fork into the container: %s", strerror(errno));
		return;
	}
	if (child > 0)
		stay_parent();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}
