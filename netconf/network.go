package netconf

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/burrow/burrow/atomicfile"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/names"
	"golang.org/x/sys/unix"
)

// DefaultName is the network `--network bridge` means, created on first use.
const DefaultName = "bridge"

// Driver is the only driver: a Linux bridge in the rootless network namespace.
const Driver = "bridge"

// Network is one user-defined network as stored.
type Network struct {
	Name    string `json:"name"`
	ID      string `json:"id"`
	Driver  string `json:"driver"`
	Subnet  string `json:"subnet"`
	Gateway string `json:"gateway"`
	IPRange string `json:"ip_range,omitempty"`
	// Subnet6 and Gateway6 are the IPv6 half of a dual-stack network
	// (--ipv6); a container's IPv6 address mirrors its IPv4 one.
	Subnet6  string            `json:"subnet6,omitempty"`
	Gateway6 string            `json:"gateway6,omitempty"`
	Internal bool              `json:"internal,omitempty"`
	Labels   map[string]string `json:"labels,omitempty"`
	Created  time.Time         `json:"created"`
}

// Bridge is the name of the network's bridge in the rootless namespace
// (at most 15 bytes, as every interface name).
func (n Network) Bridge() string { return "bn" + n.ID[:12] }

// IPNet is the parsed subnet; a stored network always has a valid one.
func (n Network) IPNet() *net.IPNet {
	_, sub, _ := net.ParseCIDR(n.Subnet)
	return sub
}

// IPNet6 is the parsed IPv6 subnet, nil when the network has none.
func (n Network) IPNet6() *net.IPNet {
	if n.Subnet6 == "" {
		return nil
	}
	_, sub, _ := net.ParseCIDR(n.Subnet6)
	return sub
}

// CreateOpt is `network create`.
type CreateOpt struct {
	Name, Driver, Subnet, Gateway, IPRange string
	// IPv6 adds an IPv6 subnet: Subnet6, else a unique local /64.
	IPv6     bool
	Subnet6  string
	Internal bool
	Labels   map[string]string
}

// Store is the directory of network files, $XDG_DATA_HOME/burrow/networks.
type Store struct {
	Dir string
	// HostRoutes are the host's IPv4 destinations, which a chosen subnet
	// must not overlap (a parameter so tests need no host).
	HostRoutes func() []*net.IPNet
}

// reserved are --network values that are modes, not networks.
var reserved = map[string]bool{"none": true, "host": true, "pasta": true, "slirp4netns": true, "container": true, "default": true, "private": true}

// ErrNetworkUnknown is a name or ID that no network has.
var ErrNetworkUnknown = errors.New("no such network")

func (s Store) file(name string) string { return filepath.Join(s.Dir, name+".json") }

// lock serialises changes to the store (create, remove).
func (s Store) lock() (func(), error) {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("network store: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(s.Dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("network store lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("network store lock: %w", err)
	}
	return func() { f.Close() }, nil
}

// Create validates o against the stored networks and the host's routes
// and stores the network; on any error nothing is written.
func (s Store) Create(o CreateOpt) (Network, error) {
	unlock, err := s.lock()
	if err != nil {
		return Network{}, err
	}
	defer unlock()
	return s.create(o)
}

func (s Store) create(o CreateOpt) (Network, error) {
	if !names.Valid(o.Name) || reserved[o.Name] {
		return Network{}, fmt.Errorf("network name %q: want letters, digits, '_', '.', '-' (not none, host, pasta, slirp4netns, container): %w", o.Name, errdefs.ErrInvalidArgument)
	}
	if o.Driver != "" && o.Driver != Driver {
		return Network{}, fmt.Errorf("network driver %q: only %s: %w", o.Driver, Driver, errdefs.ErrInvalidArgument)
	}
	all, err := s.List()
	if err != nil {
		return Network{}, err
	}
	for _, n := range all {
		if n.Name == o.Name {
			return Network{}, fmt.Errorf("network %s exists: %w", o.Name, errdefs.ErrNameInUse)
		}
	}
	n, err := plan(o, all, s.hostRoutes())
	if err != nil {
		return Network{}, err
	}
	data, err := json.MarshalIndent(n, "", "  ")
	if err != nil {
		return Network{}, err
	}
	if err := atomicfile.Write(s.file(n.Name), data, 0o600); err != nil {
		return Network{}, fmt.Errorf("store network %s: %w", n.Name, err)
	}
	return n, nil
}

func (s Store) hostRoutes() []*net.IPNet {
	if s.HostRoutes == nil {
		return nil
	}
	return s.HostRoutes()
}

// plan turns o into a network: the subnet given (checked against the
// others) or the first free 10.89.N.0/24, the gateway given or the
// subnet's first address, the range inside the subnet.
func plan(o CreateOpt, others []Network, hostRoutes []*net.IPNet) (Network, error) {
	n := Network{Name: o.Name, Driver: Driver, Internal: o.Internal, Labels: o.Labels, Created: time.Now().UTC()}
	n.ID = newID()
	var sub *net.IPNet
	if o.Subnet != "" {
		var err error
		if sub, err = parseSubnet(o.Subnet); err != nil {
			return n, err
		}
		if other := overlapping(sub, others); other != "" {
			return n, fmt.Errorf("--subnet %s overlaps network %s: %w", o.Subnet, other, errdefs.ErrInvalidArgument)
		}
	} else {
		if o.Gateway != "" || o.IPRange != "" {
			return n, fmt.Errorf("--gateway and --ip-range need --subnet: %w", errdefs.ErrInvalidArgument)
		}
		var err error
		if sub, err = freeSubnet(o.Name, others, hostRoutes); err != nil {
			return n, err
		}
	}
	n.Subnet = sub.String()
	gw, err := gateway(sub, o.Gateway)
	if err != nil {
		return n, err
	}
	n.Gateway = gw.String()
	if o.IPRange != "" {
		r, err := parseSubnet(o.IPRange)
		if err != nil {
			return n, fmt.Errorf("--ip-range: %w", err)
		}
		ones, _ := r.Mask.Size()
		subOnes, _ := sub.Mask.Size()
		if !sub.Contains(r.IP) || ones < subOnes {
			return n, fmt.Errorf("--ip-range %s is not inside --subnet %s: %w", o.IPRange, sub, errdefs.ErrInvalidArgument)
		}
		n.IPRange = r.String()
	}
	if o.IPv6 || o.Subnet6 != "" {
		if err := plan6(&n, o.Subnet6, others); err != nil {
			return n, err
		}
	}
	return n, nil
}

// plan6 gives n its IPv6 half: the subnet given, else the unique local
// fdXX:XXXX:XXXX:XXXX::/64 made of its ID. Addresses mirror the IPv4 ones
// (the same host offset), so the subnet needs at least as many host bits.
func plan6(n *Network, want string, others []Network) error {
	var sub *net.IPNet
	if want != "" {
		ip, s, err := net.ParseCIDR(want)
		switch {
		case err != nil || ip.To4() != nil:
			return fmt.Errorf("IPv6 subnet %q is not an IPv6 CIDR (like fd00:89:1::/64): %w", want, errdefs.ErrInvalidArgument)
		case !ip.Equal(s.IP):
			return fmt.Errorf("IPv6 subnet %s has host bits set (did you mean %s?): %w", want, s, errdefs.ErrInvalidArgument)
		}
		sub = s
	} else {
		id, _ := hex.DecodeString(n.ID[:14])
		sub = &net.IPNet{IP: append(append(net.IP{0xfd}, id...), make(net.IP, 8)...), Mask: net.CIDRMask(64, 128)}
	}
	ones6, _ := sub.Mask.Size()
	ones4, _ := n.IPNet().Mask.Size()
	if 128-ones6 < 32-ones4 {
		return fmt.Errorf("IPv6 subnet %s is smaller than IPv4 subnet %s (want at most /%d): %w", sub, n.Subnet, 96+ones4, errdefs.ErrInvalidArgument)
	}
	for _, o := range others {
		if os := o.IPNet6(); os != nil && (os.Contains(sub.IP) || sub.Contains(os.IP)) {
			return fmt.Errorf("IPv6 subnet %s overlaps network %s: %w", sub, o.Name, errdefs.ErrInvalidArgument)
		}
	}
	n.Subnet6 = sub.String()
	n.Gateway6 = Mirror6(*n, net.ParseIP(n.Gateway)).String()
	return nil
}

// parseSubnet reads an IPv4 CIDR; the address must be the network's own
// (10.89.1.0/24, not 10.89.1.5/24), as podman wants.
func parseSubnet(s string) (*net.IPNet, error) {
	ip, sub, err := net.ParseCIDR(s)
	if err != nil {
		return nil, fmt.Errorf("subnet %q is not a CIDR (like 10.89.1.0/24): %w", s, errdefs.ErrInvalidArgument)
	}
	if ip.To4() == nil {
		return nil, fmt.Errorf("subnet %s: only IPv4 networks are supported: %w", s, errdefs.ErrInvalidArgument)
	}
	if !ip.Equal(sub.IP) {
		return nil, fmt.Errorf("subnet %s has host bits set (did you mean %s?): %w", s, sub, errdefs.ErrInvalidArgument)
	}
	if ones, _ := sub.Mask.Size(); ones > 30 {
		return nil, fmt.Errorf("subnet %s is too small (at most /30): %w", s, errdefs.ErrInvalidArgument)
	}
	return sub, nil
}

func gateway(sub *net.IPNet, want string) (net.IP, error) {
	if want == "" {
		return offset(sub.IP, 1), nil
	}
	gw := net.ParseIP(want).To4()
	if gw == nil || !usable(sub, gw) {
		return nil, fmt.Errorf("--gateway %s is not a host address of %s: %w", want, sub, errdefs.ErrInvalidArgument)
	}
	return gw, nil
}

func overlapping(sub *net.IPNet, others []Network) string {
	for _, o := range others {
		if os := o.IPNet(); os != nil && (os.Contains(sub.IP) || sub.Contains(os.IP)) {
			return o.Name
		}
	}
	return ""
}

// freeSubnet picks 10.88.0.0/16 for the default network, else the first
// 10.89.N.0/24 that overlaps neither another network nor a host route.
func freeSubnet(name string, others []Network, hostRoutes []*net.IPNet) (*net.IPNet, error) {
	var candidates []string
	if name == DefaultName {
		candidates = append(candidates, "10.88.0.0/16")
	}
	for i := 0; i < 256; i++ {
		candidates = append(candidates, fmt.Sprintf("10.89.%d.0/24", i))
	}
	for _, c := range candidates {
		_, sub, _ := net.ParseCIDR(c)
		if overlapping(sub, others) != "" {
			continue
		}
		clash := false
		for _, r := range hostRoutes {
			if ones, _ := r.Mask.Size(); ones > 0 && (r.Contains(sub.IP) || sub.Contains(r.IP)) {
				clash = true
			}
		}
		if !clash {
			return sub, nil
		}
	}
	return nil, fmt.Errorf("no free subnet in 10.89.0.0/16 for network %s: give --subnet: %w", name, errdefs.ErrInvalidArgument)
}

func newID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// List reads every stored network, sorted by name.
func (s Store) List() ([]Network, error) {
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("network store: %w", err)
	}
	var out []Network
	for _, en := range entries {
		name, ok := strings.CutSuffix(en.Name(), ".json")
		if !ok || strings.HasPrefix(name, ".") {
			continue
		}
		n, err := s.read(name)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (s Store) read(name string) (Network, error) {
	var n Network
	data, err := os.ReadFile(s.file(name))
	if errors.Is(err, fs.ErrNotExist) {
		return n, fmt.Errorf("network %s: %w", name, ErrNetworkUnknown)
	}
	if err != nil {
		return n, fmt.Errorf("read network %s: %w", name, err)
	}
	if err := json.Unmarshal(data, &n); err != nil || n.IPNet() == nil || len(n.ID) < 12 || (n.Subnet6 != "" && n.IPNet6() == nil) {
		return n, fmt.Errorf("network file %s is damaged: %v", s.file(name), err)
	}
	return n, nil
}

// Get finds a network by name or ID prefix; `bridge` is created on first use.
func (s Store) Get(ref string) (Network, error) {
	if names.Valid(ref) {
		if n, err := s.read(ref); !errors.Is(err, ErrNetworkUnknown) {
			return n, err
		}
	}
	if ref == DefaultName {
		return s.ensureDefault()
	}
	all, err := s.List()
	if err != nil {
		return Network{}, err
	}
	var found []Network
	for _, n := range all {
		if len(ref) >= 3 && strings.HasPrefix(n.ID, ref) {
			found = append(found, n)
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	return Network{}, fmt.Errorf("network %s: %w", ref, ErrNetworkUnknown)
}

func (s Store) ensureDefault() (Network, error) {
	unlock, err := s.lock()
	if err != nil {
		return Network{}, err
	}
	defer unlock()
	if n, err := s.read(DefaultName); !errors.Is(err, ErrNetworkUnknown) {
		return n, err
	}
	return s.create(CreateOpt{Name: DefaultName})
}

// Remove deletes a network's file; the caller has checked that no
// container uses it.
func (s Store) Remove(name string) error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := s.read(name); err != nil {
		return err
	}
	if err := os.Remove(s.file(name)); err != nil {
		return fmt.Errorf("remove network %s: %w", name, err)
	}
	return nil
}

// Attach is a container's request to join one network: resolved at
// create, stored in its record, carried out by package bridge as it starts.
type Attach struct {
	Network Network  `json:"network"`
	IP      string   `json:"ip,omitempty"`
	MAC     string   `json:"mac,omitempty"` // --mac-address; else one derived from the address
	Aliases []string `json:"aliases,omitempty"`
}

// AttachOpt is what run/create say about networks.
type AttachOpt struct {
	Networks []string // --network NAME[,NAME...]
	IP       string   // --ip, for the first network
	MAC      string   // --mac-address, for the first network
	Aliases  []string // --network-alias, on every network
}

// Resolve finds each network of o (creating the default one on first
// use) and checks --ip against the first; unknown networks are an error.
func (s Store) Resolve(o AttachOpt) ([]Attach, error) {
	var out []Attach
	seen := map[string]bool{}
	for i, name := range o.Networks {
		n, err := s.Get(name)
		if err != nil {
			return nil, fmt.Errorf("--network %s: %w: %w", name, err, errdefs.ErrInvalidArgument)
		}
		if seen[n.ID] {
			return nil, fmt.Errorf("--network %s given twice: %w", name, errdefs.ErrInvalidArgument)
		}
		seen[n.ID] = true
		a := Attach{Network: n, Aliases: o.Aliases}
		if i == 0 && o.IP != "" {
			if _, err := Allocate(n, nil, o.IP); err != nil {
				return nil, err
			}
			a.IP = o.IP
		}
		if i == 0 && o.MAC != "" {
			mac, err := ParseMAC(o.MAC)
			if err != nil {
				return nil, err
			}
			a.MAC = mac.String()
		}
		out = append(out, a)
	}
	for _, al := range o.Aliases {
		if !names.Valid(al) {
			return nil, fmt.Errorf("--network-alias %q: want letters, digits, '_', '.', '-': %w", al, errdefs.ErrInvalidArgument)
		}
	}
	return out, nil
}

// SortSubnets takes network create's --subnet values apart: at most one
// IPv4 and one IPv6 subnet, checked later by Create.
func SortSubnets(subnets []string) (v4, v6 string, err error) {
	for _, s := range subnets {
		p := &v4
		if strings.Contains(s, ":") {
			p = &v6
		}
		if *p != "" {
			return "", "", fmt.Errorf("--subnet %s and %s: one IPv4 and one IPv6 subnet at most: %w", *p, s, errdefs.ErrInvalidArgument)
		}
		*p = s
	}
	return v4, v6, nil
}
