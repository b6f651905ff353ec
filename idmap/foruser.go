package idmap

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

const (
	defaultSubUIDPath = "/etc/subuid"
	defaultSubGIDPath = "/etc/subgid"

	// getsubidsTimeout keeps a hung NSS backend (say, an unreachable sssd)
	// from stalling container start; the files are the fallback anyway.
	getsubidsTimeout = 10 * time.Second
)

// Opt holds host facts as parameters so tests can point them elsewhere.
type Opt struct {
	UserName   string
	UID, GID   uint32
	SubUIDPath string // default /etc/subuid when empty
	SubGIDPath string // default /etc/subgid when empty
	// LookPath finds newuidmap, newgidmap and getsubids; default exec.LookPath.
	LookPath func(string) (string, error)
}

func (o Opt) withDefaults() Opt {
	if o.SubUIDPath == "" {
		o.SubUIDPath = defaultSubUIDPath
	}
	if o.SubGIDPath == "" {
		o.SubGIDPath = defaultSubGIDPath
	}
	if o.LookPath == nil {
		o.LookPath = exec.LookPath
	}
	return o
}

// owner is how the user is named to getsubids and in suggested subid lines;
// a user without a passwd entry can still be named by uid.
func (o Opt) owner() string {
	if o.UserName != "" {
		return o.UserName
	}
	return strconv.FormatUint(uint64(o.UID), 10)
}

// find returns the path of a helper, or "" when it is not installed.
func (o Opt) find(name string) string {
	path, err := o.LookPath(name)
	if err != nil {
		return ""
	}
	return path
}

// ForUser computes the mapping: container 0 is the user's own uid/gid and
// container 1..N are the subordinate ranges concatenated in file order.
//
// Ranges come from `getsubids USER` and `getsubids -g USER` when getsubids
// is installed, because it also sees ranges served by NSS plugins; if it
// fails, the files are read instead. A missing subid file means no ranges.
// Without ranges for uids or gids, or without newuidmap/newgidmap, the
// result maps only container 0 to the user (SingleID) and Warning says what
// breaks and how to fix the host.
func ForUser(opt Opt) (Mapping, error) {
	opt = opt.withDefaults()
	m := Mapping{NewUIDMap: opt.find("newuidmap"), NewGIDMap: opt.find("newgidmap")}
	getsubids := opt.find("getsubids")

	uidRanges, err := opt.ranges(getsubids, opt.SubUIDPath, false)
	if err != nil {
		return Mapping{}, err
	}
	gidRanges, err := opt.ranges(getsubids, opt.SubGIDPath, true)
	if err != nil {
		return Mapping{}, err
	}

	lack := shortfall{
		noUIDs:   len(uidRanges) == 0,
		noGIDs:   len(gidRanges) == 0,
		noUIDMap: m.NewUIDMap == "",
		noGIDMap: m.NewGIDMap == "",
	}
	if lack.any() {
		m.UIDs, m.GIDs = singleID(opt.UID), singleID(opt.GID)
		m.SingleID = true
		m.Warning = lack.warning(opt)
		return m, nil
	}

	if m.UIDs, err = fullMapping(opt.UID, uidRanges); err != nil {
		return Mapping{}, fmt.Errorf("uid mapping for %s: %w", opt.owner(), err)
	}
	if m.GIDs, err = fullMapping(opt.GID, gidRanges); err != nil {
		return Mapping{}, fmt.Errorf("gid mapping for %s: %w", opt.owner(), err)
	}
	return m, nil
}

// ranges returns the user's subordinate uid (or gid) ranges, preferring
// getsubids and falling back to the file at path.
func (o Opt) ranges(getsubids, path string, group bool) ([]Range, error) {
	if getsubids != "" {
		if rs, err := runGetSubIDs(getsubids, o.owner(), group); err == nil && len(rs) > 0 {
			return rs, nil
		}
	}
	return readSubIDFile(path, o.UserName, o.UID)
}

// runGetSubIDs asks getsubids for the owner's ranges. It exits non-zero
// when the user has none, which callers treat like any other failure.
func runGetSubIDs(path, owner string, group bool) ([]Range, error) {
	args := []string{owner}
	if group {
		args = []string{"-g", owner}
	}
	ctx, cancel := context.WithTimeout(context.Background(), getsubidsTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, args...).Output()
	if err != nil {
		return nil, fmt.Errorf("getsubids %s: %w", strings.Join(args, " "), err)
	}
	return parseGetSubIDs(string(out))
}

func readSubIDFile(path, userName string, uid uint32) ([]Range, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read subordinate IDs: %w", err)
	}
	defer f.Close()
	rs, err := ParseSubIDs(f, userName, uid)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return rs, nil
}
