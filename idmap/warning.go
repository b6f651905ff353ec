package idmap

import (
	"fmt"
	"github.com/burrow/burrow/hostbin"
	"os"
	"strings"
)

// The range suggested to users who have none: what useradd hands out by
// default (SUB_UID_MIN and SUB_UID_COUNT in login.defs), which is enough
// for the uids Debian and Fedora images use.
const (
	suggestMin   = 100000
	suggestCount = 65536
)

// shortfall records why only a single ID can be mapped.
type shortfall struct {
	noUIDs, noGIDs     bool
	noUIDMap, noGIDMap bool
}

func (s shortfall) any() bool {
	return s.noUIDs || s.noGIDs || s.noUIDMap || s.noGIDMap
}

// warning explains the single-ID fallback and gives commands to paste.
func (s shortfall) warning(o Opt) string {
	var b strings.Builder
	fmt.Fprintf(&b, "only root (ID 0) is mapped inside containers: %s.\n", strings.Join(s.reasons(o), "; "))
	b.WriteString("Files in images owned by other users show up as nobody, and apt, chown and useradd fail.\n")
	b.WriteString("To fix, run:\n")
	for _, line := range s.fixes(o) {
		b.WriteString("  " + line + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (s shortfall) reasons(o Opt) []string {
	var rs []string
	switch {
	case s.noUIDMap && s.noGIDMap:
		rs = append(rs, "newuidmap and newgidmap are not installed")
	case s.noUIDMap:
		rs = append(rs, "newuidmap is not installed")
	case s.noGIDMap:
		rs = append(rs, "newgidmap is not installed")
	}
	if s.noUIDs {
		rs = append(rs, fmt.Sprintf("%s has no subordinate UIDs in %s", o.owner(), o.SubUIDPath))
	}
	if s.noGIDs {
		rs = append(rs, fmt.Sprintf("%s has no subordinate GIDs in %s", o.owner(), o.SubGIDPath))
	}
	return rs
}

func (s shortfall) fixes(o Opt) []string {
	var fs []string
	if s.noUIDMap || s.noGIDMap {
		fs = append(fs, hostbin.Install("newuidmap")+"   # Fedora/Arch: the shadow-utils/shadow package")
	}
	if !s.noUIDs && !s.noGIDs {
		return fs
	}
	uidStart, gidStart := suggestStart(o.SubUIDPath), suggestStart(o.SubGIDPath)
	fs = append(fs, s.teeLines(o, uidStart, gidStart)...)
	if o.UserName != "" {
		fs = append(fs, "or: "+s.usermodLine(o, uidStart, gidStart))
	}
	return fs
}

// teeLines appends the user's range to the files that lack it, as one
// command when both files get the same line.
func (s shortfall) teeLines(o Opt, uidStart, gidStart uint32) []string {
	tee := func(start uint32, paths ...string) string {
		line := fmt.Sprintf("%s:%d:%d", o.owner(), start, suggestCount)
		for i, p := range paths {
			paths[i] = shQuote(p)
		}
		return fmt.Sprintf("echo %s | sudo tee -a %s", quote(line), strings.Join(paths, " "))
	}
	switch {
	case s.noUIDs && s.noGIDs && uidStart == gidStart:
		return []string{tee(uidStart, o.SubUIDPath, o.SubGIDPath)}
	case s.noUIDs && s.noGIDs:
		return []string{tee(uidStart, o.SubUIDPath), tee(gidStart, o.SubGIDPath)}
	case s.noUIDs:
		return []string{tee(uidStart, o.SubUIDPath)}
	default:
		return []string{tee(gidStart, o.SubGIDPath)}
	}
}

// usermodLine is the same fix through usermod, which needs a login name.
func (s shortfall) usermodLine(o Opt, uidStart, gidStart uint32) string {
	span := func(start uint32) string {
		return fmt.Sprintf("%d-%d", start, uint64(start)+suggestCount-1)
	}
	cmd := "sudo usermod"
	if s.noUIDs {
		cmd += " --add-subuids " + span(uidStart)
	}
	if s.noGIDs {
		cmd += " --add-subgids " + span(gidStart)
	}
	return cmd + " " + shQuote(o.UserName)
}

// suggestStart picks a range start above every range already granted in
// path, so the suggested line cannot collide with another user's range.
func suggestStart(path string) uint32 {
	data, err := os.ReadFile(path)
	if err != nil {
		return suggestMin
	}
	end := uint64(suggestMin)
	for _, line := range strings.Split(string(data), "\n") {
		_, rest, ok := splitEntry(line)
		if !ok {
			continue
		}
		if r, err := parseRange(rest); err == nil {
			end = max(end, r.end())
		}
	}
	if end+suggestCount > idSpace {
		// No room above the existing ranges; the admin has to choose.
		return suggestMin
	}
	return uint32(end)
}

// quote single-quotes s for a POSIX shell.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shQuote quotes s only when the shell would otherwise split or expand it,
// so that ordinary paths and names stay readable.
func shQuote(s string) string {
	safe := func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("-_./:@+=,%", r)
	}
	for _, r := range s {
		if !safe(r) {
			return quote(s)
		}
	}
	if s == "" {
		return quote(s)
	}
	return s
}
