package predict

import (
	"context"
	"log/slog"
	"os"
	"time"
)

// DefaultReloadInterval is how often serve checks the model file.
const DefaultReloadInterval = 30 * time.Second

// WatchModel checks path every interval and swaps in the model when the
// file changes. A file that fails to load is logged, counted and
// refused; the server keeps the model it has. It returns when ctx ends.
func WatchModel(ctx context.Context, path string, interval time.Duration, s *Server, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if interval <= 0 {
		return
	}
	var lastMod time.Time
	var lastSize int64
	if fi, err := os.Stat(path); err == nil {
		lastMod, lastSize = fi.ModTime(), fi.Size()
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fi, err := os.Stat(path)
		if err != nil || (fi.ModTime().Equal(lastMod) && fi.Size() == lastSize) {
			continue
		}
		lastMod, lastSize = fi.ModTime(), fi.Size()
		m, err := s.Reload(path)
		if err != nil {
			log.Error("model file refused; keeping the current model", "path", path, "err", err)
			continue
		}
		s.SetModel(m)
		log.Info("model reloaded", "version", m.Version, "path", path)
	}
}
