package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"guichet/data"
)

// Loader builds a fresh dataset for a reload.
type Loader func(ctx context.Context) (*data.Dataset, error)

// ErrReloadRefused is returned when a freshly loaded dataset fails the
// sanity checks and the current one is kept.
var ErrReloadRefused = errors.New("api: reload refused")

// reloadStatus is the outcome of the last reload attempt.
type reloadStatus struct {
	At      time.Time
	OK      bool
	Error   string
	Version string
}

type reloadJSON struct {
	At      time.Time `json:"at"`
	OK      bool      `json:"ok"`
	Error   string    `json:"error,omitempty"`
	Version string    `json:"version"`
}

// Reload loads a new dataset with the configured Loader and swaps it in.
// A dataset that fails to load, or keeps fewer rows than
// ReloadMinRatio of the current one, is refused: the current dataset keeps
// serving and the refusal shows in /readyz and /v1/meta. Reloads are
// serialised; readers never wait for them.
func (s *Server) Reload(ctx context.Context) error {
	if s.cfg.Loader == nil {
		return errors.New("api: no loader configured")
	}
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	start := s.now()
	next, err := s.cfg.Loader(ctx)
	if err == nil {
		err = s.acceptable(next)
	}
	status := &reloadStatus{At: start, OK: err == nil}
	if err != nil {
		status.Error = err.Error()
		if cur := s.ds.Load(); cur != nil {
			status.Version = cur.Version()
		}
		s.lastReload.Store(status)
		s.log.Error("reload refused, keeping the current dataset", slog.Any("error", err), slog.String("version", status.Version))
		s.ObserveReload(false)
		return err
	}
	s.SetDataset(next)
	status.Version = next.Version()
	s.lastReload.Store(status)
	s.log.Info("reloaded", slog.String("version", next.Version()), slog.Int("stations", next.Len()), slog.Int64("took_ms", time.Since(start).Milliseconds()))
	s.ObserveReload(true)
	return nil
}

func (s *Server) acceptable(next *data.Dataset) error {
	cur := s.ds.Load()
	if cur == nil {
		return nil
	}
	ratio := s.cfg.ReloadMinRatio
	if ratio <= 0 {
		ratio = DefaultConfig().ReloadMinRatio
	}
	if got, had := next.Report().Kept(), cur.Report().Kept(); float64(got) < ratio*float64(had) {
		return fmt.Errorf("%w: the new data keeps %d rows, fewer than %.0f%% of the %d rows serving now", ErrReloadRefused, got, ratio*100, had)
	}
	return nil
}

func (s *Server) registerAdminRoutes(e *gin.Engine) {
	// Without a token the endpoint does not exist: an unauthenticated
	// reload would let anyone load the server.
	if s.cfg.AdminToken == "" {
		return
	}
	e.POST("/admin/reload", func(c *gin.Context) {
		if !s.authorised(c.GetHeader("Authorization")) {
			c.Header("WWW-Authenticate", `Bearer realm="guichet admin"`)
			writeProblem(c, http.StatusUnauthorized, typeUnauthorized, "a valid bearer token is required")
			return
		}
		if err := s.Reload(c.Request.Context()); err != nil {
			writeProblem(c, http.StatusUnprocessableEntity, typeReloadRefused, err.Error())
			return
		}
		ds := s.ds.Load()
		c.JSON(http.StatusOK, gin.H{"status": "reloaded", "version": ds.Version(), "stations": ds.Len()})
	})
}

func (s *Server) authorised(header string) bool {
	token, ok := strings.CutPrefix(header, "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.AdminToken)) == 1
}

func newReloadJSON(st *reloadStatus) *reloadJSON {
	if st == nil {
		return nil
	}
	return &reloadJSON{At: st.At.UTC(), OK: st.OK, Error: st.Error, Version: st.Version}
}
