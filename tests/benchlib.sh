# Shared by tests/bench and tests/bench-net (sourced, not run): the
# unprivileged user's scratch environment, logged steps, and the clean-up
# of the long-lived processes the user's tools leave behind.
#
# The caller sets prog (its name, for messages) and user, then calls
# bench_init. Everything the user's tools write goes to a scratch directory
# (XDG_DATA_HOME, XDG_CONFIG_HOME and XDG_RUNTIME_DIR point into it), so the
# user's real burrow store, podman storage and configuration are untouched.

say() { printf '%s: %s\n' "$prog" "$*"; }
skip() { printf '%s: SKIP %s\n' "$prog" "$*"; notes+=("skipped $*"); }
notes=()

# bench_init TOOL...: check that this is root and that the TOOLs exist,
# then make the scratch directory and cd to the user's part of it. Sets uid,
# home, py, scratch, rt, u and B.
#
# Layout: $scratch (root, 0755) holds the rootfs, the tarball and the burrow
# binary; $rt is the user's XDG_RUNTIME_DIR (0700) and $u (the user's) holds
# the other XDG directories, logs (log/) and results (res/). The runtime
# directory's name must stay short: podman's conmon makes sockets under
# $XDG_RUNTIME_DIR/libpod/tmp/socket/<64 hex>/, and past the 108-byte socket
# path limit every `podman run` waits 20 s for its conmon timeout ("Exceeded
# conmon timeout waiting for container to exit"). /tmp/bb.XXXXXX/r is 16
# bytes; /run/user/UID is 14.
bench_init() {
	local t
	if [ "$(id -u)" != 0 ]; then
		echo "tests/$prog: run as root (it runs the benchmark as the unprivileged user $user)" >&2
		exit 1
	fi
	uid=$(id -u "$user") || { echo "tests/$prog: no user $user (run tests/setup)" >&2; exit 1; }
	home=$(getent passwd "$user" | cut -d: -f6)
	py=$(command -v python3 || echo /usr/bin/python3)
	for t in runuser hyperfine "$@"; do
		command -v "$t" >/dev/null || { echo "tests/$prog: $t is missing (run tests/setup)" >&2; exit 1; }
	done
	scratch=$(mktemp -d /tmp/bb.XXXXXX)
	chmod 0755 "$scratch"
	B=$scratch/burrow
	rt=$scratch/r
	u=$scratch/u
	mkdir -p "$rt"
	chown "$user:$user" "$rt"
	chmod 0700 "$rt"
	user_dirs data config/containers res log
	cd "$u" || exit 1
}

# user_dirs DIR...: directories under $u that the user owns.
user_dirs() {
	local d
	for d in "$@"; do mkdir -p "$u/$d"; done
	chown -R "$user:$user" "$u"
}

# copy_burrow BIN: burrow into the scratch directory, and the small
# burrow-init beside it when there is one (burrow runs it as the
# container's first process, else itself). Sets init_note.
copy_burrow() {
	local dir
	dir=$(dirname "$1")
	if ! { cp "$1" "$B" && chmod 0755 "$B"; }; then
		echo "tests/$prog: cannot copy $1" >&2
		exit 1
	fi
	init_note="none beside $1: burrow serves as its own init"
	if [ -x "$dir/burrow-init" ]; then
		cp "$dir/burrow-init" "$scratch/burrow-init" && chmod 0755 "$scratch/burrow-init" &&
			init_note="$scratch/burrow-init (from $dir)"
	fi
	# burrow hands its build verb to burrow-build beside it.
	if [ -x "$dir/burrow-build" ]; then
		cp "$dir/burrow-build" "$scratch/burrow-build" && chmod 0755 "$scratch/burrow-build"
	fi
}

# busybox_rootfs APPLET...: $scratch/rootfs from the host's static busybox,
# with the APPLETs linked in /bin and a root user. Sets rootfs.
busybox_rootfs() {
	local a
	rootfs=$scratch/rootfs
	mkdir -p "$rootfs"/{bin,etc,proc,dev,sys,tmp,root}
	if ! cp /bin/busybox "$rootfs/bin/busybox"; then
		echo "tests/$prog: /bin/busybox is missing (run tests/setup)" >&2
		exit 1
	fi
	for a in "$@"; do ln -s busybox "$rootfs/bin/$a"; done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$rootfs/etc/passwd"
	printf 'root:x:0:\n' >"$rootfs/etc/group"
}

# pack_rootfs TAR: the rootfs, readable by the user, as a tarball.
pack_rootfs() {
	chmod -R a+rX "$rootfs"
	tar -C "$rootfs" -cf "$1" . && chmod 0644 "$1"
}

# podman_config: overlay (Debian's 4.3.1 defaults to vfs), runc (crun
# refuses hybrid cgroups), cgroupfs and a file event log (no systemd, no
# journald), in the scratch XDG_CONFIG_HOME, which podman reads instead of
# ~/.config.
podman_config() {
	printf '[storage]\ndriver = "overlay"\n' >"$u/config/containers/storage.conf"
	printf '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' \
		>"$u/config/containers/containers.conf"
	chown -R "$user:$user" "$u/config"
}

# stop_daemons: burrow's namespace holder and podman's pause process, when
# this run started them (found through its own scratch files).
stop_daemons() {
	local pid
	if [ -f "$rt/burrow/holder.pid" ]; then
		read -r pid _ <"$rt/burrow/holder.pid"
		if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "^$scratch/burrow __holder"; then
			kill "$pid" 2>/dev/null
		fi
	fi
	if [ -f "$rt/libpod/tmp/pause.pid" ]; then
		# podman's pause process (catatonit -P, or podman itself in 4.3) blocks SIGTERM.
		pid=$(cat "$rt/libpod/tmp/pause.pid")
		[ -n "$pid" ] && grep -qx -e catatonit -e 'podman pause' "/proc/$pid/comm" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	fi
}

# remove_scratch: unless BENCH_KEEP is set.
remove_scratch() {
	cd /
	if [ -n "${BENCH_KEEP:-}" ]; then
		say "scratch kept in $scratch"
	else
		sleep 0.2
		rm -rf "$scratch"
	fi
}

# as_user [NAME=VALUE...] CMD...: run as the test user with the scratch XDG setup.
as_user() {
	runuser -u "$user" -- env -i HOME="$home" USER="$user" LOGNAME="$user" \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		XDG_RUNTIME_DIR="$rt" XDG_DATA_HOME="$u/data" XDG_CONFIG_HOME="$u/config" \
		"$@"
}

# step NAME CMD...: run CMD as the user, output to a log; on failure print why.
failed_step=
step() {
	local name=$1; shift
	local log=$u/log/$name.log rc
	as_user "$@" >"$log" 2>&1
	rc=$?
	[ "$rc" = 0 ] && return 0
	failed_step=$name
	printf '%s: %s failed (exit %d): %s\n' "$prog" "$name" "$rc" "$*"
	sed "s/^/$prog:   | /" "$log" | tail -n 15
	return "$rc"
}

# why [NAME]: last line of a step's log (default: the last that failed), for skip reasons
why() {
	local line
	line=$(grep -v -e '^$' -e 'level=warning' "$u/log/${1:-$failed_step}.log" 2>/dev/null | tail -n 1)
	echo "${line:-no output}"
}
