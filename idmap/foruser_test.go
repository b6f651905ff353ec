package idmap

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

var helpers = map[string]string{
	"newuidmap": "/usr/bin/newuidmap",
	"newgidmap": "/usr/bin/newgidmap",
}

func aliceOpt(t *testing.T, subuid, subgid string, found map[string]string) Opt {
	return Opt{
		UserName:   "alice",
		UID:        1000,
		GID:        1001,
		SubUIDPath: writeFile(t, "subuid", subuid, 0o644),
		SubGIDPath: writeFile(t, "subgid", subgid, 0o644),
		LookPath:   fakeLookPath(found),
	}
}

func TestForUserFull(t *testing.T) {
	opt := aliceOpt(t,
		"bob:100000:65536\nalice:165536:65536\n1000:400000:10\n",
		"alice:165536:65536\n",
		helpers)
	m, err := ForUser(opt)
	if err != nil {
		t.Fatal(err)
	}
	if m.SingleID || m.Warning != "" {
		t.Fatalf("want a full mapping, got SingleID=%v warning %q", m.SingleID, m.Warning)
	}
	if got, want := Format(m.UIDs), "0:1000:1,1:165536:65536,65537:400000:10"; got != want {
		t.Errorf("UIDs = %s, want %s", got, want)
	}
	if got, want := Format(m.GIDs), "0:1001:1,1:165536:65536"; got != want {
		t.Errorf("GIDs = %s, want %s", got, want)
	}
	if m.NewUIDMap != "/usr/bin/newuidmap" || m.NewGIDMap != "/usr/bin/newgidmap" {
		t.Errorf("helpers = %q, %q", m.NewUIDMap, m.NewGIDMap)
	}
	if Size(m.UIDs) != 1+65536+10 {
		t.Errorf("Size(UIDs) = %d", Size(m.UIDs))
	}
}

func TestForUserNoEntries(t *testing.T) {
	opt := aliceOpt(t, "bob:100000:65536\n", "bob:100000:65536\n", helpers)
	m, err := ForUser(opt)
	if err != nil {
		t.Fatal(err)
	}
	assertSingle(t, m, 1000, 1001)
	for _, want := range []string{
		"alice", "subuid", "subgid", "nobody", "apt", "chown", "useradd",
		// bob holds 100000-165535, so the suggestion starts after it.
		"echo 'alice:165536:65536' | sudo tee -a " + opt.SubUIDPath + " " + opt.SubGIDPath,
		"sudo usermod --add-subuids 165536-231071 --add-subgids 165536-231071 alice",
	} {
		if !strings.Contains(m.Warning, want) {
			t.Errorf("warning lacks %q:\n%s", want, m.Warning)
		}
	}
	if strings.Contains(m.Warning, "uidmap") {
		t.Errorf("helpers are installed, warning should not mention them:\n%s", m.Warning)
	}
	t.Logf("warning:\n%s", m.Warning)
}

func TestForUserMissingFiles(t *testing.T) {
	dir := t.TempDir()
	opt := Opt{
		UserName:   "alice",
		UID:        1000,
		GID:        1000,
		SubUIDPath: filepath.Join(dir, "subuid"),
		SubGIDPath: filepath.Join(dir, "subgid"),
		LookPath:   fakeLookPath(helpers),
	}
	m, err := ForUser(opt)
	if err != nil {
		t.Fatalf("a missing subid file is not an error: %v", err)
	}
	assertSingle(t, m, 1000, 1000)
	want := "echo 'alice:100000:65536' | sudo tee -a " + opt.SubUIDPath + " " + opt.SubGIDPath
	if !strings.Contains(m.Warning, want) {
		t.Errorf("warning lacks %q:\n%s", want, m.Warning)
	}
}

func TestForUserOnlyGIDsMissing(t *testing.T) {
	opt := aliceOpt(t, "alice:100000:65536\n", "", helpers)
	m, err := ForUser(opt)
	if err != nil {
		t.Fatal(err)
	}
	assertSingle(t, m, 1000, 1001)
	for _, want := range []string{
		"no subordinate GIDs in " + opt.SubGIDPath,
		"echo 'alice:100000:65536' | sudo tee -a " + opt.SubGIDPath + "\n",
		"sudo usermod --add-subgids 100000-165535 alice",
	} {
		if !strings.Contains(m.Warning+"\n", want) {
			t.Errorf("warning lacks %q:\n%s", want, m.Warning)
		}
	}
	if strings.Contains(m.Warning, "subuids") || strings.Contains(m.Warning, "UIDs in") {
		t.Errorf("uids are fine, warning should not ask for them:\n%s", m.Warning)
	}
}

func TestForUserNoNameUsesUID(t *testing.T) {
	opt := aliceOpt(t, "", "", helpers)
	opt.UserName = ""
	m, err := ForUser(opt)
	if err != nil {
		t.Fatal(err)
	}
	assertSingle(t, m, 1000, 1001)
	if !strings.Contains(m.Warning, "echo '1000:100000:65536'") {
		t.Errorf("warning should name the user by uid:\n%s", m.Warning)
	}
	if strings.Contains(m.Warning, "usermod") {
		t.Errorf("usermod needs a login name; warning should not offer it:\n%s", m.Warning)
	}
}

func TestForUserMissingHelper(t *testing.T) {
	subid := "alice:100000:65536\n"
	opt := aliceOpt(t, subid, subid, map[string]string{"newgidmap": "/usr/bin/newgidmap"})
	m, err := ForUser(opt)
	if err != nil {
		t.Fatal(err)
	}
	assertSingle(t, m, 1000, 1001)
	for _, want := range []string{"newuidmap", "uidmap", "sudo apt-get install uidmap"} {
		if !strings.Contains(m.Warning, want) {
			t.Errorf("warning lacks %q:\n%s", want, m.Warning)
		}
	}
	if strings.Contains(m.Warning, "tee") {
		t.Errorf("ranges exist, warning should not ask to add them:\n%s", m.Warning)
	}
	if m.NewUIDMap != "" || m.NewGIDMap != "/usr/bin/newgidmap" {
		t.Errorf("helpers = %q, %q", m.NewUIDMap, m.NewGIDMap)
	}
}

func TestForUserUnreadableFile(t *testing.T) {
	// A directory cannot be read as a file, even by root.
	opt := aliceOpt(t, "", "", helpers)
	opt.SubUIDPath = t.TempDir()
	if _, err := ForUser(opt); err == nil {
		t.Fatal("want an error for an unreadable subuid file")
	}
}

func TestForUserMalformedFile(t *testing.T) {
	opt := aliceOpt(t, "alice:x:1\n", "", helpers)
	_, err := ForUser(opt)
	if err == nil || !strings.Contains(err.Error(), opt.SubUIDPath+": line 1:") {
		t.Fatalf("err = %v, want one naming the file and line", err)
	}
}

func TestForUserPrefersGetsubids(t *testing.T) {
	getsubids := fakeScript(t, "getsubids", `
if [ "$1" = "-g" ]; then
	[ "$2" = alice ] || exit 2
	echo "0: alice 500000 100"
else
	[ "$1" = alice ] || exit 2
	echo "0: alice 200000 1000"
	echo "1: alice 300000 5"
fi`)
	found := map[string]string{"getsubids": getsubids}
	for k, v := range helpers {
		found[k] = v
	}
	opt := aliceOpt(t, "alice:100000:65536\n", "alice:100000:65536\n", found)
	m, err := ForUser(opt)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Format(m.UIDs), "0:1000:1,1:200000:1000,1001:300000:5"; got != want {
		t.Errorf("UIDs = %s, want %s", got, want)
	}
	if got, want := Format(m.GIDs), "0:1001:1,1:500000:100"; got != want {
		t.Errorf("GIDs = %s, want %s", got, want)
	}
}

func TestForUserGetsubidsFailsFallsBack(t *testing.T) {
	for name, body := range map[string]string{
		"exit status":  `echo "Error fetching ranges" >&2; exit 1`,
		"garbage":      `echo "something unexpected"`,
		"empty output": `exit 0`,
	} {
		t.Run(name, func(t *testing.T) {
			found := map[string]string{"getsubids": fakeScript(t, "getsubids", body)}
			for k, v := range helpers {
				found[k] = v
			}
			opt := aliceOpt(t, "alice:100000:65536\n", "alice:100000:65536\n", found)
			m, err := ForUser(opt)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := Format(m.UIDs), "0:1000:1,1:100000:65536"; got != want {
				t.Errorf("UIDs = %s, want %s", got, want)
			}
		})
	}
}

func TestForUserDefaults(t *testing.T) {
	o := Opt{}.withDefaults()
	if o.SubUIDPath != "/etc/subuid" || o.SubGIDPath != "/etc/subgid" || o.LookPath == nil {
		t.Errorf("defaults = %+v", o)
	}
}

func TestShQuote(t *testing.T) {
	for in, want := range map[string]string{
		"alice":          "alice",
		"/etc/subuid":    "/etc/subuid",
		"a b":            "'a b'",
		"it's":           `'it'\''s'`,
		"":               "''",
		"$(rm -rf /)":    "'$(rm -rf /)'",
		"domain@example": "domain@example",
	} {
		if got := shQuote(in); got != want {
			t.Errorf("shQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestSuggestStartFull(t *testing.T) {
	path := writeFile(t, "subuid", "bob:4294900000:60000\n", 0o644)
	if got := suggestStart(path); got != suggestMin {
		t.Errorf("suggestStart = %d, want fallback %d", got, suggestMin)
	}
	if got := suggestStart(filepathMissing(t)); got != suggestMin {
		t.Errorf("suggestStart(missing) = %d", got)
	}
}

func filepathMissing(t *testing.T) string {
	return filepath.Join(t.TempDir(), "nope")
}

func assertSingle(t *testing.T, m Mapping, uid, gid uint32) {
	t.Helper()
	if !m.SingleID {
		t.Fatalf("want SingleID, got UIDs %s", Format(m.UIDs))
	}
	if m.Warning == "" {
		t.Error("SingleID without a warning")
	}
	// Spelled out rather than built with singleID, the code under test.
	if got, want := Format(m.UIDs), fmt.Sprintf("0:%d:1", uid); got != want {
		t.Errorf("UIDs = %s, want %s", got, want)
	}
	if got, want := Format(m.GIDs), fmt.Sprintf("0:%d:1", gid); got != want {
		t.Errorf("GIDs = %s, want %s", got, want)
	}
}
