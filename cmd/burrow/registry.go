package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// registryFlags are shared by pull, push, login and run --pull.
func registryFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "tls-verify", Value: true, Usage: "require HTTPS with a valid certificate (false: also plain HTTP)"},
		&cli.StringFlag{Name: "cert-dir", Usage: "directory of CA certificates and client keys for the registry"},
		&cli.StringFlag{Name: "authfile", Usage: "credentials file (default: $XDG_RUNTIME_DIR/containers/auth.json)", EnvVars: []string{"REGISTRY_AUTH_FILE"}},
		&cli.StringFlag{Name: "platform", Usage: "os/arch[/variant] of a multi-arch image"},
		&cli.StringFlag{Name: "arch", Usage: "architecture of a multi-arch image"},
	}
}

// pullMoreFlags are pull's (and run's and create's) beyond the registry's;
// push takes them from --creds on.
func pullMoreFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "os", Usage: "OS of a multi-arch image (with --arch, --variant)"},
		&cli.StringFlag{Name: "variant", Usage: "variant of a multi-arch image (arm: v6, v7, v8)"},
		&cli.StringFlag{Name: "creds", Usage: "USER[:PASSWORD] for the registry instead of the credentials file (asks for the password on a terminal)"},
		&cli.UintFlag{Name: "retry", Usage: "times to try again after a network or server failure"},
		&cli.DurationFlag{Name: "retry-delay", Usage: "wait between tries (0: 2s, doubling)"},
		&cli.BoolFlag{Name: "disable-content-trust", Usage: "docker's; a no-op, as in podman (burrow verifies no signatures)"},
	}
}

func registryOptions(c *cli.Context) engine.RegistryOptions {
	opt := engine.RegistryOptions{CertDir: c.String("cert-dir"), AuthFile: c.String("authfile"), Platform: c.String("platform"),
		Retry: int(c.Uint("retry")), RetryDelay: c.Duration("retry-delay")}
	if isSet(c, "tls-verify") {
		v := c.Bool("tls-verify")
		opt.TLSVerify = &v
	}
	if opt.Platform == "" {
		opt.Platform = platformOf(c.String("os"), c.String("arch"), c.String("variant"))
	}
	if !c.Bool("quiet") {
		opt.Progress = os.Stderr
	}
	return opt
}

// platformOf is --os, --arch and --variant as os/arch[/variant], the
// host's filling what is not given; "" when none is.
func platformOf(goos, arch, variant string) string {
	if goos == "" && arch == "" && variant == "" {
		return ""
	}
	if goos == "" {
		goos = runtime.GOOS
	}
	if arch == "" {
		arch = runtime.GOARCH
	}
	if variant != "" {
		return goos + "/" + arch + "/" + variant
	}
	return goos + "/" + arch
}

// registryCreds is --creds USER[:PASSWORD]; the password is asked for on
// a terminal when not given.
func registryCreds(c *cli.Context, opt *engine.RegistryOptions) error {
	v := c.String("creds")
	if v == "" {
		return nil
	}
	user, pass, _ := strings.Cut(v, ":")
	if pass == "" && term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Fprint(os.Stderr, "Password: ")
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return err
		}
		pass = string(b)
	}
	if user == "" || pass == "" {
		return fmt.Errorf("%w: --creds: want USER:PASSWORD (or USER on a terminal, to be asked)", errdefs.ErrInvalidArgument)
	}
	opt.Username, opt.Password = user, pass
	return nil
}

func pullCommand() *cli.Command {
	return &cli.Command{
		Name: "pull", Usage: "copy an image from a registry into the store", ArgsUsage: "IMAGE[:TAG|@DIGEST]",
		Flags: append(append(registryFlags(), pullMoreFlags()...), &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress"}),
		Action: func(c *cli.Context) error {
			if err := registryHandOver(); err != nil {
				return err
			}
			if c.NArg() != 1 {
				return fmt.Errorf("%w: pull needs one image", errdefs.ErrInvalidArgument)
			}
			opt := registryOptions(c)
			if err := registryCreds(c, &opt); err != nil {
				return err
			}
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
			id, err := e.Pull(c.Context, c.Args().First(), opt)
			if err != nil {
				return err
			}
			fmt.Println(id)
			return nil
		},
	}
}

func pushCommand() *cli.Command {
	return &cli.Command{
		Name: "push", Usage: "copy an image from the store to a registry", ArgsUsage: "IMAGE [DESTINATION]",
		Flags: append(append(registryFlags(), pullMoreFlags()[2:]...),
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress"},
			&cli.StringFlag{Name: "digestfile", Usage: "write the digest of the pushed manifest to this file"},
		),
		Action: pushAction,
	}
}

func pushAction(c *cli.Context) error {
	if err := registryHandOver(); err != nil {
		return err
	}
	if c.NArg() < 1 || c.NArg() > 2 {
		return fmt.Errorf("%w: push needs IMAGE [DESTINATION]", errdefs.ErrInvalidArgument)
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	o := registryOptions(c)
	if err := registryCreds(c, &o); err != nil {
		return err
	}
	p, err := e.Push(c.Context, c.Args().First(), c.Args().Get(1), o)
	if err != nil {
		return err
	}
	if o.Progress != nil {
		// docker's last line: what a deploy script greps for.
		tag := p.Tag
		if tag != "" {
			tag += ": "
		}
		fmt.Fprintf(o.Progress, "%sdigest: %s size: %d\n", tag, p.Digest, p.Size)
	}
	if f := c.String("digestfile"); f != "" {
		if err := os.WriteFile(f, []byte(p.Digest), 0o644); err != nil {
			return fmt.Errorf("write the digest file: %w", err)
		}
	}
	return nil
}

func loginCommand() *cli.Command {
	return &cli.Command{
		Name: "login", Usage: "log in to a registry", ArgsUsage: "REGISTRY",
		Flags: append(registryFlags(),
			&cli.StringFlag{Name: "username", Aliases: []string{"u"}, Usage: "user name"},
			&cli.StringFlag{Name: "password", Aliases: []string{"p"}, Usage: "password (prefer --password-stdin)"},
			&cli.BoolFlag{Name: "password-stdin", Usage: "read the password from stdin"},
		),
		Action: func(c *cli.Context) error {
			if err := registryHandOver(); err != nil {
				return err
			}
			if c.NArg() != 1 {
				return fmt.Errorf("%w: login needs a registry", errdefs.ErrInvalidArgument)
			}
			user, pass, err := credentials(c)
			if err != nil {
				return err
			}
			if err := engine.Login(c.Context, registryTransport(), c.Args().First(), user, pass, registryOptions(c)); err != nil {
				return err
			}
			fmt.Println("Login Succeeded!")
			return nil
		},
	}
}

func credentials(c *cli.Context) (string, string, error) {
	user, pass := c.String("username"), c.String("password")
	in := bufio.NewReader(os.Stdin)
	if user == "" {
		fmt.Fprint(os.Stderr, "Username: ")
		line, _ := in.ReadString('\n')
		user = strings.TrimSpace(line)
	}
	switch {
	case c.Bool("password-stdin"):
		line, _ := in.ReadString('\n')
		pass = strings.TrimRight(line, "\r\n")
	case pass == "" && term.IsTerminal(int(os.Stdin.Fd())):
		fmt.Fprint(os.Stderr, "Password: ")
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", "", err
		}
		pass = string(b)
	}
	if user == "" || pass == "" {
		return "", "", fmt.Errorf("%w: login needs a user name and a password", errdefs.ErrInvalidArgument)
	}
	return user, pass, nil
}

func logoutCommand() *cli.Command {
	return &cli.Command{
		Name: "logout", Usage: "forget a registry's credentials", ArgsUsage: "REGISTRY",
		Flags: []cli.Flag{&cli.StringFlag{Name: "authfile", Usage: "credentials file", EnvVars: []string{"REGISTRY_AUTH_FILE"}}},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("%w: logout needs a registry", errdefs.ErrInvalidArgument)
			}
			if err := engine.Logout(c.Args().First(), c.String("authfile")); err != nil {
				return err
			}
			fmt.Printf("Removed login credentials for %s\n", c.Args().First())
			return nil
		},
	}
}
