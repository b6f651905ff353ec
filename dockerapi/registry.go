package dockerapi

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/moby/moby/api/types/registry"
)

// decodeAuth reads docker's X-Registry-Auth: base64url of an AuthConfig.
func decodeAuth(header string) (registry.AuthConfig, error) {
	var a registry.AuthConfig
	if header == "" {
		return a, nil
	}
	data, err := base64.URLEncoding.DecodeString(header)
	if err != nil {
		data, err = base64.RawURLEncoding.DecodeString(header)
	}
	if err != nil || json.Unmarshal(data, &a) != nil {
		return a, fmt.Errorf("%w: X-Registry-Auth is not base64url JSON", errdefs.ErrInvalidArgument)
	}
	return a, nil
}

// registryOptions are the credentials a request brings (else the user's
// credentials file), and docker's rule that a registry on a loopback
// address may be plain HTTP.
func registryOptions(ref string, a registry.AuthConfig) engine.RegistryOptions {
	o := engine.RegistryOptions{Username: a.Username, Password: a.Password, IdentityToken: a.IdentityToken}
	if o.Username == "" && a.Auth != "" {
		if raw, err := base64.StdEncoding.DecodeString(a.Auth); err == nil {
			o.Username, o.Password, _ = strings.Cut(string(raw), ":")
		}
	}
	if loopbackRegistry(ref) {
		verify := false
		o.TLSVerify = &verify
	}
	return o
}

// loopbackRegistry reports whether ref's first component is a loopback
// host (docker's default insecure registries are 127.0.0.0/8).
func loopbackRegistry(ref string) bool {
	host, _, hasPath := strings.Cut(ref, "/")
	if !hasPath || (!strings.ContainsAny(host, ".:") && host != "localhost") {
		return false
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// auth checks credentials at a registry, as docker login does before the
// client stores them.
func (s *Server) auth(w http.ResponseWriter, r *http.Request) {
	var a registry.AuthConfig
	if err := decode(r, &a); err != nil {
		fail(w, err)
		return
	}
	server := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(a.ServerAddress, "https://"), "http://"), "/")
	if server == "" || strings.Contains(server, "index.docker.io") {
		server = "docker.io"
	}
	o := registryOptions(server+"/", registry.AuthConfig{})
	if err := s.eng.CheckLogin(r.Context(), server, a.Username, a.Password, o); err != nil {
		writeError(w, http.StatusUnauthorized, err)
		return
	}
	writeJSON(w, http.StatusOK, registry.AuthResponse{Status: "Login Succeeded"})
}

// pushImage pushes NAME[:tag] to its registry, with docker's JSON progress
// stream; a failure is the stream's last line.
func (s *Server) pushImage(w http.ResponseWriter, r *http.Request, name string) {
	a, err := decodeAuth(r.Header.Get("X-Registry-Auth"))
	if err != nil {
		fail(w, err)
		return
	}
	ref := name
	if tag := r.URL.Query().Get("tag"); tag != "" {
		ref += ":" + tag
	}
	if _, err := s.eng.InspectImage(ref); err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	out := &jsonStream{w: w}
	out.send(map[string]string{"status": "The push refers to repository [" + name + "]"})
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			out.send(map[string]string{"status": sc.Text()})
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	o := registryOptions(ref, a)
	o.Progress = pw
	p, err := s.eng.Push(r.Context(), ref, "", o)
	pw.Close()
	<-done
	if err != nil {
		out.fail(err)
		return
	}
	out.send(map[string]string{"status": "Pushed " + ref})
	// docker's closing line, and the aux message its CLI reads the digest from.
	out.send(map[string]string{"status": fmt.Sprintf("%s: digest: %s size: %d", p.Tag, p.Digest, p.Size)})
	out.send(map[string]any{"progressDetail": map[string]any{}, "aux": map[string]any{"Tag": p.Tag, "Digest": p.Digest, "Size": p.Size}})
}
