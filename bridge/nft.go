package bridge

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"slices"

	"github.com/burrow/burrow/netconf"
	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
)

// setRules makes the rootless netns's nftables tables the ones for nets:
// traffic within a network passes, traffic from a network that is not
// internal goes out through the uplink with its source masqueraded,
// replies come back, and nothing else is forwarded (so two networks cannot
// reach each other, and an internal one has no way out). The holder sets
// them for no network before any container is wired, so nothing is
// forwarded before a network's rules are in.
//
// A table that is already the one for nets (its first rule carries the key
// of what it was made for) is left alone, and one for other networks gets
// its chains' rules replaced, in one transaction: deleting and adding the
// table again re-registers its chains' hooks, which waits for RCU grace
// periods and was most of the time a container took to join a network.
func setRules(nets []netconf.Network) error {
	// Called inside the namespace (inNetns): the library's own namespace
	// switch runs on another thread, whose return to the host's fails.
	c, err := nftables.New()
	if err != nil {
		return fmt.Errorf("nftables in the rootless netns: %w", err)
	}
	var nets6 []netconf.Network
	for _, nw := range nets {
		if nw.IPNet6() != nil {
			nets6 = append(nets6, nw)
		}
	}
	key := rulesKey(nftables.TableFamilyIPv4, nets)
	if have, exists := tableKey(c, nftables.TableFamilyIPv4); !bytes.Equal(have, key) {
		addTable(c, nftables.TableFamilyIPv4, nets, netconf.Network.IPNet, key, exists)
		if err := c.Flush(); err != nil {
			return fmt.Errorf("nftables rules in the rootless netns: %w", err)
		}
	}
	// The IPv6 table apart: a kernel without IPv6 NAT fails it, and the
	// IPv4 networks must work all the same. With no IPv6 network it is
	// still made, empty.
	key = rulesKey(nftables.TableFamilyIPv6, nets6)
	if have, exists := tableKey(c, nftables.TableFamilyIPv6); !bytes.Equal(have, key) {
		addTable(c, nftables.TableFamilyIPv6, nets6, netconf.Network.IPNet6, key, exists)
		if err := c.Flush(); err != nil && len(nets6) > 0 {
			return fmt.Errorf("IPv6 nftables rules in the rootless netns: %w", err)
		}
	}
	return nil
}

// rulesVersion changes whenever addTable makes other rules for the same
// networks, so that a running netns gets the new ones.
const rulesVersion = "2"

// rulesKey names the table addTable makes for nets: every property of a
// network that its rules depend on, in order.
func rulesKey(family nftables.TableFamily, nets []netconf.Network) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "burrow rules %s family %d\n", rulesVersion, family)
	for _, nw := range nets {
		fmt.Fprintf(h, "%s %s %s %t\n", nw.ID, nw.IPNet(), nw.IPNet6(), nw.Internal)
	}
	return []byte("burrow:" + hex.EncodeToString(h.Sum(nil)))
}

// tableKey returns the key the family's table was made with (the user
// data of its forward chain's first rule), and whether the chain exists.
func tableKey(c *nftables.Conn, family nftables.TableFamily) ([]byte, bool) {
	t := &nftables.Table{Name: "burrow", Family: family}
	rules, err := c.GetRules(t, &nftables.Chain{Name: "forward", Table: t})
	if err != nil {
		return nil, false
	}
	if len(rules) == 0 {
		return nil, true
	}
	return rules[0].UserData, true
}

// addTable queues the table "burrow" of one address family for nets, its
// first rule marked with key: made new, or, when it exists, with its
// chains' rules replaced.
func addTable(c *nftables.Conn, family nftables.TableFamily, nets []netconf.Network, subnet func(netconf.Network) *net.IPNet, key []byte, exists bool) {
	t := c.AddTable(&nftables.Table{Name: "burrow", Family: family})
	accept := nftables.ChainPolicyDrop
	fwd := c.AddChain(&nftables.Chain{Name: "forward", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookForward, Priority: nftables.ChainPriorityFilter, Policy: &accept})
	nat := c.AddChain(&nftables.Chain{Name: "postrouting", Table: t, Type: nftables.ChainTypeNAT,
		Hooknum: nftables.ChainHookPostrouting, Priority: nftables.ChainPriorityNATSource})
	if exists {
		c.FlushChain(fwd)
		c.FlushChain(nat)
	}
	c.AddRule(&nftables.Rule{Table: t, Chain: fwd, Exprs: append(established(), verdict(expr.VerdictAccept)), UserData: key})
	src, dst := uint32(12), uint32(16)
	if family == nftables.TableFamilyIPv6 {
		src, dst = 8, 24
		// Where br_netfilter is loaded, traffic bridged between two
		// containers passes this chain too. IPv4 finds its neighbours by
		// ARP, which it does not see; IPv6 by ICMPv6 to link-local
		// multicast, from link-local addresses, which never leave the link.
		for _, link := range []struct {
			off  uint32
			cidr string
		}{{dst, "ff02::/16"}, {src, "fe80::/10"}} {
			_, sub, _ := net.ParseCIDR(link.cidr)
			c.AddRule(&nftables.Rule{Table: t, Chain: fwd, Exprs: append(match(link.off, sub), verdict(expr.VerdictAccept))})
		}
	}
	for _, nw := range nets {
		sub := subnet(nw)
		// The source address alone proves nothing: a container may forge
		// one of another network's. What came in through this network's
		// bridge is from this network (br_netfilter also names the bridge
		// for traffic bridged between its ports).
		from := append(iifname(nw.Bridge()), match(src, sub)...)
		within := append(slices.Clip(from), match(dst, sub)...)
		c.AddRule(&nftables.Rule{Table: t, Chain: fwd, Exprs: append(within, verdict(expr.VerdictAccept))})
		if nw.Internal {
			continue
		}
		out := append(slices.Clip(from), oifname(Uplink)...)
		c.AddRule(&nftables.Rule{Table: t, Chain: fwd, Exprs: append(out, verdict(expr.VerdictAccept))})
		c.AddRule(&nftables.Rule{Table: t, Chain: nat, Exprs: append(append(match(src, sub), oifname(Uplink)...), &expr.Masq{})})
	}
}

// match: the address at offset of the network header (IPv4: 12 source,
// 16 destination; IPv6: 8 and 24) is in sub.
func match(offset uint32, sub *net.IPNet) []expr.Any {
	ip := sub.IP.To4()
	if ip == nil {
		ip = sub.IP.To16()
	}
	n := uint32(len(ip))
	return []expr.Any{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: offset, Len: n},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: n, Mask: []byte(sub.Mask), Xor: make([]byte, n)},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: ip},
	}
}

func oifname(name string) []expr.Any { return ifname(expr.MetaKeyOIFNAME, name) }

func iifname(name string) []expr.Any { return ifname(expr.MetaKeyIIFNAME, name) }

func ifname(key expr.MetaKey, name string) []expr.Any {
	data := make([]byte, 16)
	copy(data, name)
	return []expr.Any{
		&expr.Meta{Key: key, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: data},
	}
}

func established() []expr.Any {
	return []expr.Any{
		&expr.Ct{Register: 1, Key: expr.CtKeySTATE},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4,
			Mask: binaryutil.NativeEndian.PutUint32(expr.CtStateBitESTABLISHED | expr.CtStateBitRELATED), Xor: make([]byte, 4)},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: make([]byte, 4)},
	}
}

func verdict(k expr.VerdictKind) *expr.Verdict { return &expr.Verdict{Kind: k} }
