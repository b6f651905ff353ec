// Runs before the Go runtime: see doc.go for why the join must happen here.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

// Read by the Go side (nsenter.go): Go keeps its own copy of the
// environment taken at exec, so setenv here would not reach it.
int burrow_joined_pid;
int burrow_failed_pid;
int burrow_use_lock_fd = -1;
char burrow_join_error[256];

static void report(const char *what, const char *pid) {
	snprintf(burrow_join_error, sizeof burrow_join_error, "%s of holder %s: %s", what, pid, strerror(errno));
}

static int read_small(const char *path, char *buf, size_t len) {
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

// start_time returns field 22 of /proc/PID/stat, the process start time in
// clock ticks; comm (field 2) may hold spaces and parentheses, so fields are
// counted after its last ')'.
static unsigned long long start_time(const char *pid) {
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%s/stat", pid);
	if (read_small(path, buf, sizeof buf) < 0)
		return 0;
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	int field = 2;
	while (*p && field < 22) {
		if (*p++ == ' ')
			field++;
	}
	return strtoull(p, NULL, 10);
}

// run_dir is where the holder is recorded: the directory the Go side
// names when it re-executes (it may be a fallback), else
// $XDG_RUNTIME_DIR/burrow.
static int run_dir(char *buf, size_t len) {
	const char *dir = getenv("_BURROW_RUN_DIR");
	if (dir && *dir) {
		snprintf(buf, len, "%s", dir);
		return 0;
	}
	const char *run = getenv("XDG_RUNTIME_DIR");
	if (!run || !*run)
		return -1;
	snprintf(buf, len, "%s/burrow", run);
	return 0;
}

// lock_file takes a flock on DIR/NAME and returns its descriptor, or -1
// when the file is missing (no holder was ever started there).
static int lock_file(const char *dir, const char *name, int op) {
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	while (flock(fd, op) < 0) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

// recorded_holder reads "PID STARTTIME" and accepts it only while that
// process still has that start time.
static int recorded_holder(const char *dir, char *pid, size_t len) {
	char path[4096], buf[128];
	unsigned long long want;
	snprintf(path, sizeof path, "%s/holder.pid", dir);
	if (read_small(path, buf, sizeof buf) < 0)
		return -1;
	if (sscanf(buf, "%31s %llu", pid, &want) != 2 || len < 32)
		return -1;
	if (want == 0 || start_time(pid) != want)
		return -1;
	return 0;
}

static int open_ns(const char *pid, const char *ns) {
	char path[64];
	snprintf(path, sizeof path, "/proc/%s/ns/%s", pid, ns);
	return open(path, O_RDONLY | O_CLOEXEC);
}

// burrow_nsenter joins the recorded holder while holding holder.use
// shared, for the whole life of the process: `system migrate` takes it
// exclusive before it retires the holder, so a command is either wholly in
// the old holder's namespace or wholly in the next one. holder.gate, held
// only around taking holder.use, keeps a stream of commands from starving
// migrate. Locks are taken before the record is read, never after.
void burrow_nsenter(void) {
	char dir[4000], pid[32];

	if (getenv("_BURROW_IN_USERNS") || getenv("_BURROW_NO_JOIN"))
		return;
	if (run_dir(dir, sizeof dir) < 0)
		return;
	int gate = lock_file(dir, "holder.gate", LOCK_SH);
	int use = lock_file(dir, "holder.use", LOCK_SH);
	if (gate >= 0)
		close(gate);
	if (recorded_holder(dir, pid, sizeof pid) < 0) {
		if (use >= 0)
			close(use);
		return;
	}

	// setns(CLONE_NEWNS) moves the working directory to the namespace's
	// root; the holder sees the host's tree, so the same path is there.
	char cwd[4096];
	int have_cwd = getcwd(cwd, sizeof cwd) != NULL;

	int userfd = open_ns(pid, "user");
	int mntfd = open_ns(pid, "mnt");
	if (userfd < 0 || mntfd < 0) {
		report("open namespaces", pid);
		goto out;
	}
	if (setns(userfd, CLONE_NEWUSER) < 0) {
		report("join user namespace", pid);
		goto out;
	}
	if (setns(mntfd, CLONE_NEWNS) < 0) {
		report("join mount namespace", pid);
		goto out;
	}
	// Credentials are unchanged by setns; take uid/gid 0 of the namespace
	// so files we create belong to container root.
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
		report("become root in user namespace", pid);
		goto out;
	}
	burrow_joined_pid = atoi(pid);
	burrow_use_lock_fd = use;
	use = -1;
	if (have_cwd && chdir(cwd) < 0)
		chdir("/");
out:
	if (!burrow_joined_pid)
		burrow_failed_pid = atoi(pid);
	if (use >= 0)
		close(use);
	if (userfd >= 0)
		close(userfd);
	if (mntfd >= 0)
		close(mntfd);
}
