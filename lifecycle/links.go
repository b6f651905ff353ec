package lifecycle

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/burrow/burrow/bridge"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/netconf"
	"github.com/burrow/burrow/store"
	"go.podman.io/storage"
)

// Link is what --link CTR[:ALIAS] adds to a container: /etc/hosts lines
// (NAME:IP, as --add-host takes them) and docker's legacy environment.
type Link struct {
	Hosts []string
	Env   []string
}

// ResolveLinks reads --link values for a container joining network n:
// each linked container must be running on n; it gets its name and alias
// in /etc/hosts and ALIAS_PORT_5432_TCP_ADDR-style variables for the
// ports its image exposes and its -p ports.
func ResolveLinks(s storage.Store, runRoot string, n netconf.Network, self string, links []string) (Link, error) {
	var out Link
	for _, l := range links {
		ref, alias, _ := strings.Cut(l, ":")
		if alias == "" {
			alias = ref
		}
		c, err := Find(s, runRoot, ref)
		if err != nil {
			return out, fmt.Errorf("--link %s: %w", l, err)
		}
		if !c.Running {
			return out, fmt.Errorf("--link %s: container %s is not running: %w", l, c.Record.Name, errdefs.ErrInvalidArgument)
		}
		ip, ok := bridge.Address(runRoot, c.ID, n.ID)
		if !ok {
			return out, fmt.Errorf("--link %s: container %s is not on network %s: %w", l, c.Record.Name, n.Name, errdefs.ErrInvalidArgument)
		}
		ports := linkPorts(s, c)
		out.Hosts = append(out.Hosts, alias+":"+ip.String())
		if alias != c.Record.Name {
			out.Hosts = append(out.Hosts, c.Record.Name+":"+ip.String())
		}
		out.Env = append(out.Env, linkEnv(alias, self, ip.String(), ports)...)
	}
	return out, nil
}

// linkPorts are the linked container's exposed and published ports as
// "5432/tcp", sorted by number.
func linkPorts(s storage.Store, c Container) []string {
	seen := map[string]bool{}
	img, err := s.Image(c.Record.ImageID)
	if err == nil {
		if cfg, err := store.Config(s, img); err == nil {
			for p := range cfg.Config.ExposedPorts {
				if !strings.Contains(p, "/") {
					p += "/tcp"
				}
				seen[p] = true
			}
		}
	}
	for _, p := range c.Record.Ports {
		seen[fmt.Sprintf("%d/%s", p.ContainerPort, p.Proto)] = true
	}
	var ports []string
	for p := range seen {
		ports = append(ports, p)
	}
	sort.Slice(ports, func(i, j int) bool {
		a, _ := strconv.Atoi(strings.Split(ports[i], "/")[0])
		b, _ := strconv.Atoi(strings.Split(ports[j], "/")[0])
		return a < b || (a == b && ports[i] < ports[j])
	})
	return ports
}

// linkEnv is docker's legacy link environment: ALIAS_NAME=/self/alias,
// ALIAS_PORT=tcp://IP:first, and per port ALIAS_PORT_N_PROTO{,_ADDR,_PORT,_PROTO}.
func linkEnv(alias, self, ip string, ports []string) []string {
	prefix := strings.ToUpper(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, alias))
	env := []string{fmt.Sprintf("%s_NAME=/%s/%s", prefix, self, alias)}
	for i, p := range ports {
		num, proto, _ := strings.Cut(p, "/")
		key := fmt.Sprintf("%s_PORT_%s_%s", prefix, num, strings.ToUpper(proto))
		url := fmt.Sprintf("%s://%s:%s", proto, ip, num)
		if i == 0 {
			env = append(env, prefix+"_PORT="+url)
		}
		env = append(env, key+"="+url, key+"_ADDR="+ip, key+"_PORT="+num, key+"_PROTO="+proto)
	}
	return env
}
