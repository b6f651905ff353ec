package dockerapi

import (
	"net/http"

	"github.com/burrow/burrow/engine"
	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/volume"
)

// diskUsage is GET /system/df's answer up to API 1.51, the versions
// burrow serves: the API module keeps only the newer shape, so this one
// is spelled out with its element types.
type diskUsage struct {
	LayersSize int64
	Images     []image.Summary
	Containers []container.Summary
	Volumes    []volume.Volume
	BuildCache []build.CacheRecord
}

// systemDF sums as `burrow system df` does: an image's size counts in
// full (LayersSize is their sum); a container's is what it wrote to its
// own layer; a volume's, what its directory holds.
func (s *Server) systemDF(w http.ResponseWriter, _ *http.Request) {
	imgs, err := s.eng.Images()
	if err != nil {
		fail(w, err)
		return
	}
	ctrs, err := s.eng.Containers()
	if err != nil {
		fail(w, err)
		return
	}
	vols, err := s.eng.Volumes(engine.VolumeListOptions{})
	if err != nil {
		fail(w, err)
		return
	}
	du := diskUsage{Images: []image.Summary{}, Containers: []container.Summary{}, Volumes: []volume.Volume{}, BuildCache: []build.CacheRecord{}}
	users := map[string]int64{}
	for _, c := range ctrs {
		users[c.Record.ImageID]++
		sum := summary(c)
		sum.Mounts = s.mountPoints(c)
		sum.SizeRw, _ = s.eng.ContainerSize(c)
		du.Containers = append(du.Containers, sum)
	}
	for _, img := range imgs {
		sum := imageSummary(img)
		sum.Containers, sum.SharedSize = users[img.ID], 0
		du.LayersSize += img.Size
		du.Images = append(du.Images, sum)
	}
	for _, v := range vols {
		av := apiVolume(v.Volume)
		av.UsageData = &volume.UsageData{Size: s.eng.VolumeSize(v.Volume), RefCount: int64(len(v.Users))}
		du.Volumes = append(du.Volumes, av)
	}
	writeJSON(w, http.StatusOK, du)
}
