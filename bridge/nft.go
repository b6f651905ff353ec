package bridge

import (
	"fmt"
	"net"

	"github.com/burrow/burrow/netconf"
	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
)

// setRules replaces the rootless netns's nftables table with one for
// nets: traffic within a network passes, traffic from a network that is
// not internal goes out through the uplink with its source masqueraded,
// replies come back, and nothing else is forwarded (so two networks cannot
// reach each other, and an internal one has no way out).
func (n *namespaces) setRules(nets []netconf.Network) error {
	// Called inside the namespace (inNetns): the library's own namespace
	// switch runs on another thread, whose return to the host's fails.
	c, err := nftables.New()
	if err != nil {
		return fmt.Errorf("nftables in the rootless netns: %w", err)
	}
	t := &nftables.Table{Name: "burrow", Family: nftables.TableFamilyIPv4}
	c.AddTable(t)
	c.DelTable(t)
	c.AddTable(t)
	accept := nftables.ChainPolicyDrop
	fwd := c.AddChain(&nftables.Chain{Name: "forward", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookForward, Priority: nftables.ChainPriorityFilter, Policy: &accept})
	nat := c.AddChain(&nftables.Chain{Name: "postrouting", Table: t, Type: nftables.ChainTypeNAT,
		Hooknum: nftables.ChainHookPostrouting, Priority: nftables.ChainPriorityNATSource})
	c.AddRule(&nftables.Rule{Table: t, Chain: fwd, Exprs: append(established(), verdict(expr.VerdictAccept))})
	for _, nw := range nets {
		sub := nw.IPNet()
		within := append(match(12, sub), match(16, sub)...)
		c.AddRule(&nftables.Rule{Table: t, Chain: fwd, Exprs: append(within, verdict(expr.VerdictAccept))})
		if nw.Internal {
			continue
		}
		out := append(match(12, sub), oifname(Uplink)...)
		c.AddRule(&nftables.Rule{Table: t, Chain: fwd, Exprs: append(out, verdict(expr.VerdictAccept))})
		c.AddRule(&nftables.Rule{Table: t, Chain: nat, Exprs: append(append(match(12, sub), oifname(Uplink)...), &expr.Masq{})})
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("nftables rules in the rootless netns: %w", err)
	}
	return nil
}

// match: the IPv4 address at offset (12 source, 16 destination) is in sub.
func match(offset uint32, sub *net.IPNet) []expr.Any {
	return []expr.Any{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: offset, Len: 4},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: []byte(sub.Mask), Xor: make([]byte, 4)},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: sub.IP.To4()},
	}
}

func oifname(name string) []expr.Any {
	data := make([]byte, 16)
	copy(data, name)
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1},
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
