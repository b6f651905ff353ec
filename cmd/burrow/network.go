package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

func networkCommand() *cli.Command {
	return &cli.Command{
		Name:  "network",
		Usage: "manage user-defined networks",
		Subcommands: []*cli.Command{
			{Name: "create", Usage: "create a network", ArgsUsage: "NAME", Action: networkCreate, Flags: []cli.Flag{
				&cli.StringFlag{Name: "driver", Aliases: []string{"d"}, Value: "bridge", Usage: "bridge (the only driver)"},
				&cli.StringSliceFlag{Name: "subnet", Usage: "subnet in CIDR form: IPv4 (default: a free 10.89.N.0/24), and an IPv6 one for a dual-stack network"},
				&cli.BoolFlag{Name: "ipv6", Usage: "dual-stack: an IPv6 subnet too (the --subnet given, else a unique local /64)"},
				&cli.StringFlag{Name: "gateway", Usage: "gateway address (default: the subnet's first)"},
				&cli.StringFlag{Name: "ip-range", Usage: "allocate container addresses from this part of the subnet"},
				&cli.BoolFlag{Name: "internal", Usage: "no route out of the network"},
				&cli.StringSliceFlag{Name: "label", Usage: "set a label KEY=VALUE"},
			}},
			{Name: "ls", Aliases: []string{"list"}, Usage: "list networks", Action: networkList, Flags: []cli.Flag{
				&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "names only"},
				&cli.StringSliceFlag{Name: "filter", Aliases: []string{"f"}, Usage: "name=, id=, driver=, label=KEY[=VALUE]"},
				&cli.StringFlag{Name: "format", Usage: "Go template, e.g. '{{.Name}} {{.Subnet}}'"},
			}},
			{Name: "inspect", Usage: "show networks as JSON", ArgsUsage: "NETWORK...", Action: networkInspect,
				Flags: []cli.Flag{&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "Go template"}}},
			{Name: "rm", Aliases: []string{"remove"}, Usage: "remove networks", ArgsUsage: "NETWORK...", Action: networkRemove,
				Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "remove the containers that use it too"}}},
			{Name: "prune", Usage: "remove networks no container uses", Action: networkPrune,
				Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not ask"}}},
			{Name: "exists", Usage: "exit 0 if the network exists, 1 if not", ArgsUsage: "NETWORK", Action: networkExists},
			{Name: "connect", Usage: "connect a container to a network (a stopped one joins at its next start)", ArgsUsage: "NETWORK CONTAINER", Action: networkConnect,
				Flags: []cli.Flag{
					&cli.StringSliceFlag{Name: "alias", Usage: "another name for the container on this network"},
					&cli.StringFlag{Name: "ip", Usage: "the container's address on this network"},
				}},
			{Name: "disconnect", Usage: "disconnect a container from a network", ArgsUsage: "NETWORK CONTAINER", Action: networkDisconnect,
				Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "accepted for docker"}}},
		},
	}
}

func networkCreate(c *cli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("%w: network create needs one NAME", errdefs.ErrInvalidArgument)
	}
	labels, err := parseLabels(c.StringSlice("label"))
	if err != nil {
		return err
	}
	v4, v6, err := engine.SortSubnets(c.StringSlice("subnet"))
	if err != nil {
		return err
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	n, err := e.CreateNetwork(engine.NetworkCreateOptions{Name: c.Args().First(), Driver: c.String("driver"),
		Subnet: v4, Subnet6: v6, IPv6: c.Bool("ipv6"), Gateway: c.String("gateway"), IPRange: c.String("ip-range"),
		Internal: c.Bool("internal"), Labels: labels})
	if err != nil {
		return err
	}
	fmt.Println(n.Name)
	return nil
}

// networkRow is a network as ls shows it.
type networkRow struct {
	ID, Name, Driver, Subnet, Gateway string
	Internal                          bool
	Labels                            map[string]string
	Created                           time.Time
}

func rowOf(n engine.Network) networkRow {
	return networkRow{ID: n.ID[:12], Name: n.Name, Driver: n.Driver, Subnet: n.Subnet, Gateway: n.Gateway,
		Internal: n.Internal, Labels: n.Labels, Created: n.Created}
}

func networkList(c *cli.Context) error {
	match, err := networkFilter(c.StringSlice("filter"))
	if err != nil {
		return err
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	all, err := e.Networks()
	if err != nil {
		return err
	}
	var rows []networkRow
	for _, n := range all {
		if match(n) {
			rows = append(rows, rowOf(n))
		}
	}
	switch {
	case c.Bool("quiet"):
		for _, r := range rows {
			fmt.Println(r.Name)
		}
	case c.String("format") != "":
		for _, r := range rows {
			if err := printTemplate(c.String("format"), r); err != nil {
				return err
			}
		}
	default:
		w := tabwriter.NewWriter(os.Stdout, 0, 8, 3, ' ', 0)
		fmt.Fprintln(w, "NETWORK ID\tNAME\tDRIVER\tSUBNET")
		for _, r := range rows {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Driver, r.Subnet)
		}
		return w.Flush()
	}
	return nil
}

// networkFilter reads name=, id=, driver= and label=KEY[=VALUE]; all must match.
func networkFilter(values []string) (func(engine.Network) bool, error) {
	var tests []func(engine.Network) bool
	for _, v := range values {
		key, val, ok := strings.Cut(v, "=")
		switch {
		case ok && key == "name":
			tests = append(tests, func(n engine.Network) bool { return strings.Contains(n.Name, val) })
		case ok && key == "id":
			tests = append(tests, func(n engine.Network) bool { return strings.HasPrefix(n.ID, val) })
		case ok && key == "driver":
			tests = append(tests, func(n engine.Network) bool { return n.Driver == val })
		case ok && key == "label":
			k, lv, hasValue := strings.Cut(val, "=")
			tests = append(tests, func(n engine.Network) bool {
				have, found := n.Labels[k]
				return found && (!hasValue || have == lv)
			})
		default:
			return nil, fmt.Errorf("%w: --filter %q (want name=, id=, driver= or label=)", errdefs.ErrInvalidArgument, v)
		}
	}
	return func(n engine.Network) bool {
		for _, t := range tests {
			if !t(n) {
				return false
			}
		}
		return true
	}, nil
}

// networkInspect is podman's shape, trimmed to what burrow has.
type networkInfo struct {
	Name        string                        `json:"name"`
	ID          string                        `json:"id"`
	Driver      string                        `json:"driver"`
	NetworkIntf string                        `json:"network_interface"`
	Created     time.Time                     `json:"created"`
	Subnets     []networkSubnet               `json:"subnets"`
	Internal    bool                          `json:"internal"`
	IPv6Enabled bool                          `json:"ipv6_enabled"`
	DNSEnabled  bool                          `json:"dns_enabled"`
	Labels      map[string]string             `json:"labels,omitempty"`
	Containers  map[string]networkContainerIn `json:"containers"`
}

type networkSubnet struct {
	Subnet   string `json:"subnet"`
	Gateway  string `json:"gateway"`
	LeaseRng string `json:"lease_range,omitempty"`
}

type networkContainerIn struct {
	Name    string   `json:"name"`
	IP      string   `json:"ip,omitempty"`
	Aliases []string `json:"aliases,omitempty"`
}

func networkInspect(c *cli.Context) error {
	if c.NArg() < 1 {
		return fmt.Errorf("%w: network inspect needs a NETWORK", errdefs.ErrInvalidArgument)
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	var out []networkInfo
	for _, ref := range c.Args().Slice() {
		n, err := e.Network(ref)
		if err != nil {
			return err
		}
		info := networkInfo{Name: n.Name, ID: n.ID, Driver: n.Driver, NetworkIntf: n.Bridge(), Created: n.Created,
			Subnets: []networkSubnet{{Subnet: n.Subnet, Gateway: n.Gateway, LeaseRng: n.IPRange}}, Internal: n.Internal,
			DNSEnabled: true, Labels: n.Labels, Containers: map[string]networkContainerIn{}, IPv6Enabled: n.Subnet6 != ""}
		if n.Subnet6 != "" {
			info.Subnets = append(info.Subnets, networkSubnet{Subnet: n.Subnet6, Gateway: n.Gateway6})
		}
		members, err := e.NetworkMembers(n)
		if err != nil {
			return err
		}
		for _, m := range members {
			info.Containers[m.ID] = networkContainerIn{Name: m.Name, IP: m.IP, Aliases: m.Aliases}
		}
		out = append(out, info)
	}
	if f := c.String("format"); f != "" {
		for _, o := range out {
			if err := printTemplate(f, o); err != nil {
				return err
			}
		}
		return nil
	}
	return printJSON(out)
}

func networkRemove(c *cli.Context) error {
	if c.NArg() < 1 {
		return fmt.Errorf("%w: network rm needs a NETWORK", errdefs.ErrInvalidArgument)
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	var errs []error
	for _, ref := range c.Args().Slice() {
		err := e.RemoveNetwork(ref, c.Bool("force"))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Println(ref)
	}
	return errors.Join(errs...)
}

func networkPrune(c *cli.Context) error {
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	removed, err := e.PruneNetworks()
	for _, name := range removed {
		fmt.Println(name)
	}
	return err
}

func networkExists(c *cli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("%w: network exists needs one NETWORK", errdefs.ErrInvalidArgument)
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	ok, err := e.NetworkExists(c.Args().First())
	if err != nil {
		return err
	}
	if !ok {
		return statusError{1}
	}
	return nil
}

// twoArgs checks connect's and disconnect's NETWORK CONTAINER.
func twoArgs(c *cli.Context) error {
	if c.NArg() != 2 {
		return fmt.Errorf("%w: %s needs NETWORK CONTAINER", errdefs.ErrInvalidArgument, c.Command.Name)
	}
	return nil
}

func networkConnect(c *cli.Context) error {
	if err := twoArgs(c); err != nil {
		return err
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	return e.ConnectNetwork(c.Args().Get(0), c.Args().Get(1), engine.ConnectOptions{Aliases: c.StringSlice("alias"), IP: c.String("ip")})
}

func networkDisconnect(c *cli.Context) error {
	if err := twoArgs(c); err != nil {
		return err
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	return e.DisconnectNetwork(c.Args().Get(0), c.Args().Get(1))
}
