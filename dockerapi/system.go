package dockerapi

import (
	"fmt"
	"net/http"
	"os"
	"runtime"

	"github.com/moby/moby/api/types/system"
	"golang.org/x/sys/unix"
)

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /_ping", s.ping)
	m.HandleFunc("HEAD /_ping", s.ping)
	m.HandleFunc("GET /version", s.versionInfo)
	m.HandleFunc("GET /info", s.info)
	m.HandleFunc("GET /events", s.events)

	m.HandleFunc("GET /containers/json", s.listContainers)
	m.HandleFunc("POST /containers/create", s.createContainer)
	m.HandleFunc("GET /containers/{id}/json", s.inspectContainer)
	m.HandleFunc("POST /containers/{id}/start", s.startContainer)
	m.HandleFunc("POST /containers/{id}/stop", s.stopContainer)
	m.HandleFunc("POST /containers/{id}/restart", s.restartContainer)
	m.HandleFunc("POST /containers/{id}/kill", s.killContainer)
	m.HandleFunc("POST /containers/{id}/pause", s.pauseContainer(true))
	m.HandleFunc("POST /containers/{id}/unpause", s.pauseContainer(false))
	m.HandleFunc("POST /containers/{id}/rename", s.renameContainer)
	m.HandleFunc("POST /containers/{id}/wait", s.waitContainer)
	m.HandleFunc("DELETE /containers/{id}", s.removeContainer)
	m.HandleFunc("GET /containers/{id}/logs", s.logs)
	m.HandleFunc("POST /containers/{id}/attach", s.attach)
	m.HandleFunc("POST /containers/{id}/resize", s.resizeContainer)
	m.HandleFunc("GET /containers/{id}/top", s.top)
	m.HandleFunc("GET /containers/{id}/stats", s.stats)
	m.HandleFunc("HEAD /containers/{id}/archive", s.headArchive)
	m.HandleFunc("GET /containers/{id}/archive", s.getArchive)
	m.HandleFunc("PUT /containers/{id}/archive", s.putArchive)
	m.HandleFunc("POST /containers/prune", s.pruneContainers)
	m.HandleFunc("POST /containers/{id}/exec", s.createExec)
	m.HandleFunc("POST /exec/{id}/start", s.startExec)
	m.HandleFunc("POST /exec/{id}/resize", s.resizeExec)
	m.HandleFunc("GET /exec/{id}/json", s.inspectExec)

	m.HandleFunc("GET /images/json", s.listImages)
	m.HandleFunc("POST /images/create", s.pullImage)
	m.HandleFunc("POST /images/prune", s.pruneImages)
	m.HandleFunc("GET /images/get", s.getImages)
	m.HandleFunc("POST /images/load", s.loadImages)
	// Image names hold slashes: the verb is the last element.
	m.HandleFunc("GET /images/{rest...}", s.imageGet)
	m.HandleFunc("POST /images/{rest...}", s.imagePost)
	m.HandleFunc("DELETE /images/{rest...}", s.removeImage)
	m.HandleFunc("POST /build", s.buildImage)
	m.HandleFunc("POST /auth", s.auth)
	m.HandleFunc("GET /networks", s.listNetworks)
	m.HandleFunc("POST /networks/create", s.createNetwork)
	m.HandleFunc("POST /networks/prune", s.pruneNetworks)
	m.HandleFunc("GET /networks/{id}", s.inspectNetwork)
	m.HandleFunc("DELETE /networks/{id}", s.removeNetwork)
	m.HandleFunc("POST /networks/{id}/connect", s.connectNetwork)
	m.HandleFunc("POST /networks/{id}/disconnect", s.disconnectNetwork)
	s.volumeRoutes()
	m.HandleFunc("/", notServed)
}

// notServed answers what burrow does not serve in docker's error shape,
// saying so, rather than with a bare 404 a client cannot explain.
func notServed(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, fmt.Errorf("burrow does not serve %s %s", r.Method, r.URL.Path))
}

func (s *Server) ping(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache, no-store, must-revalidate")
	// The classic builder's POST /build is what burrow serves (BuildKit's
	// session endpoints are not), as docker says with version 1.
	w.Header().Set("Builder-Version", "1")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte("OK"))
	}
}

func kernel() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}

func (s *Server) versionInfo(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, system.VersionResponse{
		Platform: system.PlatformInfo{Name: "burrow"},
		Components: []system.ComponentVersion{{Name: "Engine", Version: s.version, Details: map[string]string{
			"ApiVersion": APIVersion, "MinAPIVersion": MinAPIVersion, "Os": runtime.GOOS, "Arch": runtime.GOARCH,
			"GoVersion": runtime.Version(), "KernelVersion": kernel(), "GitCommit": s.version,
		}}},
		Version: s.version, APIVersion: APIVersion, MinAPIVersion: MinAPIVersion,
		Os: runtime.GOOS, Arch: runtime.GOARCH, GoVersion: runtime.Version(), KernelVersion: kernel(),
	})
}

func (s *Server) info(w http.ResponseWriter, _ *http.Request) {
	host := s.eng.Info()
	info := system.Info{
		Driver: host.StorageDriver, DockerRootDir: host.GraphRoot, KernelVersion: host.Kernel,
		OperatingSystem: "burrow (rootless)", OSType: runtime.GOOS, Architecture: runtime.GOARCH,
		NCPU: runtime.NumCPU(), ServerVersion: s.version, LoggingDriver: "json-file",
		CgroupDriver: host.Cgroup.Manager, CgroupVersion: "2",
		IndexServerAddress: "https://index.docker.io/v1/",
		SecurityOptions:    []string{"name=seccomp,profile=builtin", "name=rootless"},
	}
	info.Name, _ = os.Hostname()
	info.ID = info.Name
	info.MemTotal = int64(memTotal())
	if ctrs, err := s.eng.Containers(); err == nil {
		info.Containers = len(ctrs)
		for _, c := range ctrs {
			switch c.Status() {
			case "running", "restarting", "stopping":
				info.ContainersRunning++
			case "paused":
				info.ContainersPaused++
			default:
				info.ContainersStopped++
			}
		}
	}
	if imgs, err := s.eng.Images(); err == nil {
		info.Images = len(imgs)
	}
	writeJSON(w, http.StatusOK, info)
}

func memTotal() uint64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 0
	}
	return uint64(si.Totalram) * uint64(si.Unit)
}
