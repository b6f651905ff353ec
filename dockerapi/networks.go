package dockerapi

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/moby/moby/api/types/network"
)

// apiNetwork is a user-defined network in the API's shape.
func apiNetwork(n engine.Network) network.Network {
	out := network.Network{Name: n.Name, ID: n.ID, Created: n.Created, Scope: "local", Driver: n.Driver,
		EnableIPv4: true, Internal: n.Internal, Labels: n.Labels, Options: map[string]string{},
		IPAM: network.IPAM{Driver: "default", Options: map[string]string{}, Config: []network.IPAMConfig{}}}
	if out.Labels == nil {
		out.Labels = map[string]string{}
	}
	var c network.IPAMConfig
	c.Subnet, _ = netip.ParsePrefix(n.Subnet)
	c.Gateway, _ = netip.ParseAddr(n.Gateway)
	c.IPRange, _ = netip.ParsePrefix(n.IPRange)
	out.IPAM.Config = append(out.IPAM.Config, c)
	return out
}

// networkMatches: docker's network filters (name and id are prefixes or
// parts, as docker's are; values of one key ORed, keys ANDed, labels all
// required).
func networkMatches(n engine.Network, f map[string][]string) bool {
	if !hasLabels(n.Labels, f["label"]) {
		return false
	}
	for key, values := range f {
		ok := false
		for _, v := range values {
			switch key {
			case "name":
				ok = ok || strings.Contains(n.Name, v)
			case "id":
				ok = ok || strings.HasPrefix(n.ID, v)
			case "driver":
				ok = ok || n.Driver == v
			case "type":
				ok = ok || (v == "custom") == (n.Name != "bridge")
			case "scope":
				ok = ok || v == "local"
			default:
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (s *Server) listNetworks(w http.ResponseWriter, r *http.Request) {
	f, err := filters(r)
	if err != nil {
		fail(w, err)
		return
	}
	var all []engine.Network
	err = s.locked(func() (err error) {
		// docker always has "bridge": made here on first use, as by run.
		if _, err = s.eng.Network("bridge"); err != nil {
			return err
		}
		all, err = s.eng.Networks()
		return err
	})
	if err != nil {
		fail(w, err)
		return
	}
	out := []network.Summary{}
	for _, n := range all {
		if networkMatches(n, f) {
			out = append(out, network.Summary{Network: apiNetwork(n)})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) inspectNetwork(w http.ResponseWriter, r *http.Request) {
	var n engine.Network
	var members []engine.NetworkMember
	err := s.locked(func() (err error) {
		if n, err = s.eng.Network(r.PathValue("id")); err != nil {
			return err
		}
		members, err = s.eng.NetworkMembers(n)
		return err
	})
	if err != nil {
		fail(w, err)
		return
	}
	resp := network.Inspect{Network: apiNetwork(n), Containers: map[string]network.EndpointResource{}}
	prefix := ""
	if _, bits, ok := strings.Cut(n.Subnet, "/"); ok {
		prefix = "/" + bits
	}
	for _, m := range members {
		ep := network.EndpointResource{Name: m.Name, EndpointID: m.ID}
		if m.IP != "" {
			ep.IPv4Address, _ = netip.ParsePrefix(m.IP + prefix)
		}
		resp.Containers[m.ID] = ep
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) createNetwork(w http.ResponseWriter, r *http.Request) {
	var req network.CreateRequest
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	if err := unsupportedNetwork(req); err != nil {
		fail(w, err)
		return
	}
	o := engine.NetworkCreateOptions{Name: req.Name, Driver: req.Driver, Internal: req.Internal, Labels: req.Labels}
	if req.IPAM != nil && len(req.IPAM.Config) == 1 {
		c := req.IPAM.Config[0]
		if c.Subnet.IsValid() {
			o.Subnet = c.Subnet.String()
		}
		if c.Gateway.IsValid() {
			o.Gateway = c.Gateway.String()
		}
		if c.IPRange.IsValid() {
			o.IPRange = c.IPRange.String()
		}
	}
	var n engine.Network
	err := s.locked(func() (err error) { n, err = s.eng.CreateNetwork(o); return err })
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, network.CreateResponse{ID: n.ID})
}

// unsupportedNetwork refuses, by name, what burrow's networks do not have.
func unsupportedNetwork(req network.CreateRequest) error {
	var what []string
	add := func(set bool, name string) {
		if set {
			what = append(what, name)
		}
	}
	add(req.Name == "", "a network without Name")
	add(req.Driver != "" && req.Driver != "bridge", "Driver "+req.Driver+" (bridge is burrow's one driver)")
	add(req.EnableIPv6 != nil && *req.EnableIPv6, "EnableIPv6")
	add(req.EnableIPv4 != nil && !*req.EnableIPv4, "EnableIPv4 false")
	add(req.IPAM != nil && len(req.IPAM.Config) > 1, "more than one IPAM.Config")
	add(req.IPAM != nil && req.IPAM.Driver != "" && req.IPAM.Driver != "default", "IPAM.Driver "+ipamDriver(req))
	add(req.Ingress || req.ConfigOnly || req.ConfigFrom != nil || (req.Scope != "" && req.Scope != "local"), "swarm networks (Ingress, ConfigOnly, ConfigFrom, Scope)")
	add(len(req.Options) > 0, "driver Options")
	if len(what) > 0 {
		return fmt.Errorf("%w: burrow does not support %s", errdefs.ErrInvalidArgument, strings.Join(what, ", "))
	}
	return nil
}

func ipamDriver(req network.CreateRequest) string {
	if req.IPAM == nil {
		return ""
	}
	return req.IPAM.Driver
}

func (s *Server) removeNetwork(w http.ResponseWriter, r *http.Request) {
	if err := s.locked(func() error { return s.eng.RemoveNetwork(r.PathValue("id"), false) }); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) pruneNetworks(w http.ResponseWriter, _ *http.Request) {
	var removed []string
	err := s.locked(func() (err error) { removed, err = s.eng.PruneNetworks(); return err })
	if err != nil {
		fail(w, err)
		return
	}
	if removed == nil {
		removed = []string{}
	}
	writeJSON(w, http.StatusOK, network.PruneReport{NetworksDeleted: removed})
}

func (s *Server) connectNetwork(w http.ResponseWriter, r *http.Request) {
	var req network.ConnectRequest
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	var o engine.ConnectOptions
	if ep := req.EndpointConfig; ep != nil {
		o.Aliases = ep.Aliases
		if ep.IPAMConfig != nil && ep.IPAMConfig.IPv4Address.IsValid() {
			o.IP = ep.IPAMConfig.IPv4Address.String()
		}
	}
	err := s.locked(func() error { return s.eng.ConnectNetwork(r.PathValue("id"), req.Container, o) })
	if err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) disconnectNetwork(w http.ResponseWriter, r *http.Request) {
	var req network.DisconnectRequest
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	err := s.locked(func() error { return s.eng.DisconnectNetwork(r.PathValue("id"), req.Container) })
	if err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// endpointSettings is a container's endpoint as inspect shows it; like
// docker's, its aliases include the container's short ID (compose looks
// for it to know the endpoint is its own).
func endpointSettings(id string, ep engine.Endpoint) *network.EndpointSettings {
	out := &network.EndpointSettings{NetworkID: ep.Network.ID, EndpointID: id,
		Aliases: append(append([]string{}, ep.Aliases...), id[:12]), DNSNames: []string{}}
	out.Gateway, _ = netip.ParseAddr(ep.Network.Gateway)
	if p, err := netip.ParsePrefix(ep.Network.Subnet); err == nil {
		out.IPPrefixLen = p.Bits()
	}
	if ep.IP != "" {
		out.IPAddress, _ = netip.ParseAddr(ep.IP)
	}
	return out
}
