package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"regexp"
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
		status.Error = publicError(err)
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

// acceptable refuses a dataset that lost too much of any kind of data
// against the one serving: stations per force, communes, boundaries,
// jurisdiction rows, addresses or directory records, or rows in all.
func (s *Server) acceptable(next *data.Dataset) error {
	cur := s.ds.Load()
	if cur == nil {
		return nil
	}
	ratio := s.cfg.ReloadMinRatio
	var lost []string
	had, got := cur.Sizes(), next.Sizes()
	had = append(had, data.Size{Kind: "rows", N: cur.Report().Kept()})
	got = append(got, data.Size{Kind: "rows", N: next.Report().Kept()})
	for i, h := range had {
		if h.N > 0 && float64(got[i].N) < ratio*float64(h.N) {
			lost = append(lost, fmt.Sprintf("%s %d of %d", h.Kind, got[i].N, h.N))
		}
	}
	if len(lost) > 0 {
		return fmt.Errorf("%w: less than %.0f%% of the data serving now would remain: %s", ErrReloadRefused, ratio*100, strings.Join(lost, "; "))
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
			s.fail(c, refuse(typeUnauthorized, "a valid bearer token is required"))
			return
		}
		if err := s.Reload(c.Request.Context()); err != nil {
			s.fail(c, refuse(typeReloadRefused, publicError(err)))
			return
		}
		ds := s.ds.Load()
		c.JSON(http.StatusOK, gin.H{"status": "reloaded", "version": ds.Version(), "stations": ds.Len()})
	})
}

// authorised checks an Authorization header: the Bearer scheme, whose
// name is case-insensitive (RFC 9110 §11.1), then the token.
func (s *Server) authorised(header string) bool {
	scheme, token, ok := strings.Cut(header, " ")
	return ok && strings.EqualFold(scheme, "Bearer") &&
		subtle.ConstantTimeCompare([]byte(strings.TrimLeft(token, " ")), []byte(s.cfg.AdminToken)) == 1
}

// absolutePath matches a file system path that an error message names
// after a space, quote, parenthesis or equals sign (not after "scheme:",
// so that URLs stay).
var absolutePath = regexp.MustCompile(`(^|[\s"'(=])/[^\s"'():,;]*`)

// publicError is an error's message as answers may show it: what went
// wrong, never where on the server's file system. The log keeps the full
// message.
func publicError(err error) string {
	msg := err.Error()
	for e := err; e != nil; {
		var pe *fs.PathError
		if !errors.As(e, &pe) {
			break
		}
		msg = strings.ReplaceAll(msg, pe.Op+" "+pe.Path+": ", "")
		msg = strings.ReplaceAll(msg, pe.Path, "")
		e = pe.Err
	}
	return absolutePath.ReplaceAllString(msg, "$1(path withheld)")
}

func newReloadJSON(st *reloadStatus) *reloadJSON {
	if st == nil {
		return nil
	}
	return &reloadJSON{At: st.At.UTC(), OK: st.OK, Error: st.Error, Version: st.Version}
}
