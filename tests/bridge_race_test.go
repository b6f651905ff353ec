package tests

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// raceRounds is how many times a race test repeats its concurrent step:
// BURROW_RACE_ROUNDS, else def.
func raceRounds(t *testing.T, def int) int {
	if s := os.Getenv("BURROW_RACE_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("BURROW_RACE_ROUNDS=%q: want a positive number", s)
		}
		return n
	}
	return def
}

// TestStartConnectRace: start of a stopped container and network connect
// of it, run together, agree: once both are done the container's record
// names the network and the running container has an address on it (or
// connect failed cleanly and neither shows it).
func TestStartConnectRace(t *testing.T) {
	e := bridgeEnv(t)
	e.ok("network", "create", "--subnet", "10.89.61.0/24", "home")
	e.ok("network", "create", "--subnet", "10.89.62.0/24", "extra")
	e.ok("create", "--name", "racer", "--network", "home", busyboxImage, "sleep", "1000")
	onExtra := func() (record, live bool) {
		members := e.ok("network", "inspect", "--format", "{{len .Containers}}", "extra")
		addrs := e.ok("exec", "racer", "ip", "-o", "-4", "addr")
		return strings.TrimSpace(members) == "1", strings.Contains(addrs, "10.89.62.")
	}
	rounds := raceRounds(t, 20)
	for i := range rounds {
		var wg sync.WaitGroup
		var start, connect result
		wg.Add(2)
		go func() { defer wg.Done(); start = e.burrow("start", "racer") }()
		go func() { defer wg.Done(); connect = e.burrow("network", "connect", "extra", "racer") }()
		wg.Wait()
		if start.code != 0 {
			t.Fatalf("round %d: start: %s", i, start)
		}
		record, live := onExtra()
		switch {
		case connect.code == 0 && (!record || !live):
			t.Fatalf("round %d: connect and start both succeeded, yet the record names extra: %v, the container has an address on it: %v", i, record, live)
		case connect.code != 0 && (connect.code != 125 || record || live):
			t.Fatalf("round %d: connect failed (%s), yet record %v, live %v", i, connect, record, live)
		}
		e.ok("kill", "racer")
		e.ok("wait", "racer")
		if record {
			e.ok("network", "disconnect", "extra", "racer")
		}
	}
}

// TestConnectKeptAfterAttachedStart: a network connected while a container
// runs in the foreground (start -a) stays in its record after it exits:
// the exit is recorded on the record as it is then, not as it was read at
// the start.
func TestConnectKeptAfterAttachedStart(t *testing.T) {
	e := bridgeEnv(t)
	e.ok("network", "create", "--subnet", "10.89.63.0/24", "home")
	e.ok("network", "create", "--subnet", "10.89.64.0/24", "extra")
	e.ok("create", "--name", "fg", "--network", "home", busyboxImage, "sh", "-c", "until ip -o -4 addr | grep -q 10.89.64.; do sleep 0.1; done; echo joined")
	done := make(chan result, 1)
	go func() { done <- e.burrow("start", "-a", "fg") }()
	if !waitFor(20*time.Second, func() bool { return e.burrow("exec", "fg", "true").code == 0 }) {
		t.Fatal("start -a: the container did not come up")
	}
	e.ok("network", "connect", "extra", "fg")
	select {
	case r := <-done:
		if r.code != 0 || r.stdout != "joined\n" {
			t.Fatalf("start -a: %s; want it to see the connected network and exit 0", r)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("start -a did not end")
	}
	if out := e.ok("network", "inspect", "--format", "{{len .Containers}}", "extra"); strings.TrimSpace(out) != "1" {
		t.Errorf("after the foreground container exited, extra has %q containers, want 1 (the connect was undone)", out)
	}
	if r := e.burrow("network", "disconnect", "extra", "fg"); r.code != 0 {
		t.Errorf("disconnect after the exit: %s", r)
	}
}
