package idmap

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxLineLen bounds one line of a subid file; real lines are a few dozen
// bytes, so anything longer is garbage rather than data worth buffering.
const maxLineLen = 1 << 20

// ParseSubIDs reads subuid/subgid-format lines ("name:start:count" or
// "uid:start:count", '#' comments, blank lines) and returns the ranges that
// belong to the user given by name or by numeric uid, in file order.
//
// Malformed lines that belong to the user are an error naming the line
// number; malformed lines of other users are skipped, since they are not
// ours to fix and newuidmap ignores them too. Zero counts are skipped.
// A range reaching past 2^32 is an error.
//
// The owner column names a user in both files, so pass the user's uid (not
// a gid) when parsing /etc/subgid.
func ParseSubIDs(r io.Reader, userName string, uid uint32) ([]Range, error) {
	var ranges []Range
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLineLen)
	n := 0
	for sc.Scan() {
		n++
		owner, rest, ok := splitEntry(sc.Text())
		if !ok || !ownedBy(owner, userName, uid) {
			continue
		}
		rg, err := parseRange(rest)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if rg.Count > 0 {
			ranges = append(ranges, rg)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	return ranges, nil
}

// splitEntry separates the owner column from the rest of a line. ok is
// false for blank lines and comments.
func splitEntry(line string) (owner, rest string, ok bool) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return "", "", false
	}
	owner, rest, _ = strings.Cut(line, ":")
	return strings.TrimSpace(owner), rest, true
}

// ownedBy reports whether a line's owner column means this user. Numeric
// owners are compared as numbers, as shadow does, so "01000" is uid 1000.
func ownedBy(owner, userName string, uid uint32) bool {
	if owner == "" {
		return false
	}
	if owner == userName {
		return true
	}
	n, err := strconv.ParseUint(owner, 10, 32)
	return err == nil && uint32(n) == uid
}

// parseRange parses the "start:count" part of a line.
func parseRange(rest string) (Range, error) {
	startText, countText, ok := strings.Cut(rest, ":")
	if !ok || strings.Contains(countText, ":") {
		return Range{}, fmt.Errorf("want owner:start:count, got %d fields", strings.Count(rest, ":")+1)
	}
	start, err := parseID("start", startText)
	if err != nil {
		return Range{}, err
	}
	count, err := parseID("count", countText)
	if err != nil {
		return Range{}, err
	}
	return checkedRange(start, count)
}

// checkedRange refuses ranges that would wrap past the last 32-bit ID.
func checkedRange(start, count uint32) (Range, error) {
	r := Range{Start: start, Count: count}
	if r.end() > idSpace {
		return Range{}, fmt.Errorf("range %d+%d goes past the last ID 4294967295", start, count)
	}
	return r, nil
}

func parseID(what, text string) (uint32, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(text), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a number from 0 to 4294967295", what, text)
	}
	return uint32(n), nil
}

// parseGetSubIDs reads the output of getsubids, one range a line in the
// form "INDEX: OWNER START COUNT", e.g. "0: alice 100000 65536".
func parseGetSubIDs(out string) ([]Range, error) {
	var ranges []Range
	for i, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		rg, err := parseGetSubIDsLine(fields)
		if err != nil {
			return nil, fmt.Errorf("getsubids output line %d: %w", i+1, err)
		}
		if rg.Count > 0 {
			ranges = append(ranges, rg)
		}
	}
	return ranges, nil
}

func parseGetSubIDsLine(fields []string) (Range, error) {
	index, ok := strings.CutSuffix(fields[0], ":")
	if len(fields) != 4 || !ok {
		return Range{}, fmt.Errorf("want \"N: owner start count\", got %q", strings.Join(fields, " "))
	}
	if _, err := strconv.ParseUint(index, 10, 32); err != nil {
		return Range{}, fmt.Errorf("index %q is not a number", index)
	}
	start, err := parseID("start", fields[2])
	if err != nil {
		return Range{}, err
	}
	count, err := parseID("count", fields[3])
	if err != nil {
		return Range{}, err
	}
	return checkedRange(start, count)
}
