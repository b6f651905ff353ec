package bridge

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"runtime"

	"github.com/burrow/burrow/netconf"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// mtu of bridges and veths: as large as pasta's uplink, so traffic
// between containers moves in big frames.
const mtu = 65520

// inNetns runs fn on a thread of its own that has entered the network
// namespace at path, and that thread ends with fn. Moving between
// namespaces of burrow's user namespace always works, but back into the
// host's never does (it belongs to the initial user namespace), and the
// netlink libraries ignore a failed return and hand the thread back to
// the scheduler, where any later socket would land in the wrong namespace.
// From a thread already inside, their returns succeed.
func inNetns(path string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// Never unlocked: Go ends the thread when this goroutine returns.
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- fmt.Errorf("open the rootless netns: %w", err)
			return
		}
		err = unix.Setns(fd, unix.CLONE_NEWNET)
		unix.Close(fd)
		if err != nil {
			errc <- fmt.Errorf("enter the rootless netns: %w", err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// namespaces are the two ends a container's veth joins.
type namespaces struct {
	rootless *netlink.Handle
	rootFd   netns.NsHandle
}

func openRootless(runRoot string) (*namespaces, error) {
	fd, err := netns.GetFromPath(nsFile(runRoot))
	if err != nil {
		return nil, fmt.Errorf("open the rootless netns: %w", err)
	}
	h, err := netlink.NewHandleAt(fd)
	if err != nil {
		fd.Close()
		return nil, fmt.Errorf("netlink in the rootless netns: %w", err)
	}
	return &namespaces{rootless: h, rootFd: fd}, nil
}

func (n *namespaces) close() {
	n.rootless.Close()
	n.rootFd.Close()
}

// ensureBridge makes the network's bridge with the gateway address, up.
func (n *namespaces) ensureBridge(nw netconf.Network) (netlink.Link, error) {
	if l, err := n.rootless.LinkByName(nw.Bridge()); err == nil {
		return l, nil
	}
	// A bridge with no address of its own takes its lowest port's, so the
	// gateway's MAC changed when a container left and the others' ARP
	// entries pointed nowhere: give it a fixed one.
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: nw.Bridge(), MTU: mtu, HardwareAddr: bridgeMAC(nw.ID)}}
	if err := n.rootless.LinkAdd(br); err != nil && !errors.Is(err, unix.EEXIST) {
		return nil, fmt.Errorf("bridge of network %s: %w", nw.Name, err)
	}
	l, err := n.rootless.LinkByName(nw.Bridge())
	if err != nil {
		return nil, fmt.Errorf("bridge of network %s: %w", nw.Name, err)
	}
	sub := nw.IPNet()
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: net.ParseIP(nw.Gateway).To4(), Mask: sub.Mask}}
	if err := n.rootless.AddrAdd(l, addr); err != nil && !errors.Is(err, unix.EEXIST) {
		return nil, fmt.Errorf("gateway %s of network %s: %w", nw.Gateway, nw.Name, err)
	}
	if sub6 := nw.IPNet6(); sub6 != nil {
		if err := n.rootless.AddrAdd(l, address6(nw.Gateway6, sub6)); err != nil && !errors.Is(err, unix.EEXIST) {
			return nil, fmt.Errorf("IPv6 gateway %s of network %s: %w", nw.Gateway6, nw.Name, err)
		}
	}
	if err := n.rootless.LinkSetUp(l); err != nil {
		return nil, fmt.Errorf("bridge of network %s up: %w", nw.Name, err)
	}
	return l, nil
}

// bridgeMAC is a locally administered unicast address stable for the network.
func bridgeMAC(netID string) net.HardwareAddr {
	sum := sha256.Sum256([]byte("bridge/" + netID))
	mac := net.HardwareAddr(sum[:6])
	mac[0] = mac[0]&0xfe | 0x02
	return mac
}

// hostIface names a container's veth on the bridge: stable for the
// container and network, 15 bytes at most.
func hostIface(ctr, netID string) string {
	sum := sha256.Sum256([]byte(ctr + "/" + netID))
	return "vb" + hex.EncodeToString(sum[:])[:11]
}

// wire gives the container in namespace ctrNs the endpoint: a veth pair
// with one end on the bridge and the other as ep.Iface with ep.IP inside,
// and the default route through the gateway when asked.
func (n *namespaces) wire(ctrNs netns.NsHandle, ep Endpoint, defaultRoute bool) error {
	br, err := n.ensureBridge(ep.Network)
	if err != nil {
		return err
	}
	mac, err := net.ParseMAC(ep.MAC)
	if err != nil {
		return err
	}
	// A veth of an earlier life of this endpoint (a rewire) goes first.
	if old, err := n.rootless.LinkByName(ep.HostIface); err == nil {
		_ = n.rootless.LinkDel(old)
	}
	veth := &netlink.Veth{
		LinkAttrs:        netlink.LinkAttrs{Name: ep.HostIface, MTU: mtu, MasterIndex: br.Attrs().Index},
		PeerName:         ep.Iface,
		PeerHardwareAddr: mac,
		PeerNamespace:    netlink.NsFd(int(ctrNs)),
	}
	err = n.rootless.LinkAdd(veth)
	if errors.Is(err, unix.EEXIST) && dropStale(ctrNs, ep.Iface) {
		err = n.rootless.LinkAdd(veth)
	}
	if err != nil {
		return fmt.Errorf("veth for network %s: %w", ep.Network.Name, err)
	}
	host, err := n.rootless.LinkByName(ep.HostIface)
	if err == nil {
		err = n.rootless.LinkSetUp(host)
	}
	if err != nil {
		_ = n.rootless.LinkDel(veth)
		return fmt.Errorf("veth for network %s up: %w", ep.Network.Name, err)
	}
	if err := configureInside(ctrNs, ep, defaultRoute); err != nil {
		_ = n.rootless.LinkDel(host)
		return err
	}
	return nil
}

// dropStale deletes the container's interface name when a rewire finds it
// taken: the killed rootless netns is torn down by the kernel after it is
// gone from sight, and until then the container keeps its end of the old
// veth. Deleting that end takes the pair.
func dropStale(ctrNs netns.NsHandle, name string) bool {
	h, err := netlink.NewHandleAt(ctrNs)
	if err != nil {
		return false
	}
	defer h.Close()
	l, err := h.LinkByName(name)
	if err != nil {
		return false
	}
	if _, ok := l.(*netlink.Veth); !ok {
		return false
	}
	return h.LinkDel(l) == nil
}

func configureInside(ctrNs netns.NsHandle, ep Endpoint, defaultRoute bool) error {
	h, err := netlink.NewHandleAt(ctrNs)
	if err != nil {
		return fmt.Errorf("netlink in the container: %w", err)
	}
	defer h.Close()
	l, err := h.LinkByName(ep.Iface)
	if err != nil {
		return fmt.Errorf("%s in the container: %w", ep.Iface, err)
	}
	sub := ep.Network.IPNet()
	if err := h.AddrAdd(l, &netlink.Addr{IPNet: &net.IPNet{IP: net.ParseIP(ep.IP).To4(), Mask: sub.Mask}}); err != nil {
		return fmt.Errorf("address %s in the container: %w", ep.IP, err)
	}
	sub6 := ep.Network.IPNet6()
	if sub6 != nil && ep.IP6 != "" {
		if err := h.AddrAdd(l, address6(ep.IP6, sub6)); err != nil {
			return fmt.Errorf("IPv6 address %s in the container: %w", ep.IP6, err)
		}
	}
	if err := h.LinkSetUp(l); err != nil {
		return fmt.Errorf("%s up in the container: %w", ep.Iface, err)
	}
	if !defaultRoute {
		return nil
	}
	route := &netlink.Route{LinkIndex: l.Attrs().Index, Gw: net.ParseIP(ep.Network.Gateway).To4()}
	if err := h.RouteAdd(route); err != nil {
		return fmt.Errorf("default route in the container: %w", err)
	}
	if sub6 != nil && !hasDefaultRoute(h, netlink.FAMILY_V6) {
		route6 := &netlink.Route{LinkIndex: l.Attrs().Index, Gw: net.ParseIP(ep.Network.Gateway6)}
		if err := h.RouteAdd(route6); err != nil {
			return fmt.Errorf("IPv6 default route in the container: %w", err)
		}
	}
	return nil
}

// address6 is an IPv6 address without duplicate address detection: the
// address is ours alone on the bridge (IPAM says so), and DAD would keep it
// unusable for a second or so after the container starts.
func address6(ip string, sub *net.IPNet) *netlink.Addr {
	return &netlink.Addr{IPNet: &net.IPNet{IP: net.ParseIP(ip), Mask: sub.Mask}, Flags: unix.IFA_F_NODAD}
}

// unwire removes a live container's veth (network disconnect); a stopped
// container's went with its namespace.
func (n *namespaces) unwire(ep Endpoint) {
	if l, err := n.rootless.LinkByName(ep.HostIface); err == nil {
		_ = n.rootless.LinkDel(l)
	}
}

// hasDefaultRoute reports whether the container already routes out.
func hasDefaultRoute(h *netlink.Handle, family int) bool {
	routes, err := h.RouteList(nil, family)
	if err != nil {
		return false
	}
	for _, r := range routes {
		if r.Dst == nil || r.Dst.IP.IsUnspecified() {
			return true
		}
	}
	return false
}

// nextIface is the first ethN the container does not have.
func nextIface(ctrNs netns.NsHandle) (string, error) {
	h, err := netlink.NewHandleAt(ctrNs)
	if err != nil {
		return "", err
	}
	defer h.Close()
	for i := 0; i < 64; i++ {
		name := fmt.Sprintf("eth%d", i)
		if _, err := h.LinkByName(name); err != nil {
			return name, nil
		}
	}
	return "", errors.New("the container has 64 interfaces")
}

// containerRoutesOut reports whether the container has an IPv4 default route.
func containerRoutesOut(ctrNs netns.NsHandle) bool {
	h, err := netlink.NewHandleAt(ctrNs)
	if err != nil {
		return false
	}
	defer h.Close()
	return hasDefaultRoute(h, netlink.FAMILY_V4)
}
