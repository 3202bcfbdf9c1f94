package catalog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/pressroom/pressroom"
)

// Service holds the current compiled catalog and follows new versions in the
// store, so an import by any process or node reaches every server.
type Service struct {
	store   pressroom.Store
	logger  *slog.Logger
	current atomic.Pointer[Catalog]
}

// NewService returns a service reading catalogs from store.
func NewService(store pressroom.Store, logger *slog.Logger) *Service {
	return &Service{store: store, logger: logger}
}

// Current returns the catalog in use; nil before the first Load.
func (s *Service) Current() *Catalog { return s.current.Load() }

// EnsureDemo stores the embedded demo catalog as version 1 on an empty
// database (safe when several nodes start at once).
func (s *Service) EnsureDemo(ctx context.Context) (bool, error) {
	sum := sha256.Sum256(DemoJSON)
	v := &pressroom.CatalogVersion{Document: DemoJSON, Checksum: hex.EncodeToString(sum[:]), Note: "embedded demo catalog"}
	return s.store.EnsureFirstCatalogVersion(ctx, v)
}

// Load compiles the newest catalog version of the store and makes it current.
func (s *Service) Load(ctx context.Context) (*Catalog, error) {
	v, err := s.store.LatestCatalogVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	if cur := s.Current(); cur != nil && cur.Version == v.Version {
		return cur, nil
	}
	c, err := Load(v.Document, v.Version, v.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("compile catalog version %d: %w", v.Version, err)
	}
	s.adopt(c)
	return s.Current(), nil
}

// adopt makes c current unless a newer version is current already.
func (s *Service) adopt(c *Catalog) {
	for {
		cur := s.Current()
		if cur != nil && cur.Version >= c.Version {
			return
		}
		if s.current.CompareAndSwap(cur, c) {
			return
		}
	}
}

// Watch polls the store for a newer version every interval until ctx ends.
// A version that does not compile (it cannot be imported, but the database
// is shared) is logged and the current one kept.
func (s *Service) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	failed := int64(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := s.store.LatestCatalogVersionNumber(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.logger.Warn("catalog poll failed", "err", err)
			}
			continue
		}
		cur := s.Current()
		if (cur != nil && cur.Version == n) || n == failed {
			continue
		}
		c, err := s.Load(ctx)
		if err != nil {
			failed = n
			s.logger.Error("new catalog version not loaded", "version", n, "err", err)
			continue
		}
		s.logger.Info("catalog version loaded", "version", c.Version, "products", len(c.Products()))
	}
}

// Import validates doc, stores it as the next version and makes it current
// here (other nodes follow within their poll interval). Problems come back
// as an EINVALID pressroom error whose fields name each one.
func (s *Service) Import(ctx context.Context, doc []byte, note string) (*Catalog, error) {
	if err := notJSON(doc); err != nil {
		return nil, err
	}
	c, err := Load(doc, 0, time.Time{})
	if err != nil {
		return nil, AsDomainError(err)
	}
	v := &pressroom.CatalogVersion{Document: doc, Checksum: c.Checksum, Note: note}
	if err := s.store.CreateCatalogVersion(ctx, v); err != nil {
		return nil, err
	}
	c.Version, c.CreatedAt = v.Version, v.CreatedAt
	s.adopt(c)
	return c, nil
}

// notJSON is an EMALFORMED pressroom error, naming the line and column,
// when doc is not JSON at all (nil when it is): a catalog's problems are
// for a document that parses.
func notJSON(doc []byte) error {
	if json.Valid(doc) {
		return nil
	}
	var v any
	err := json.Unmarshal(doc, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		before := doc[:min(int(se.Offset), len(doc))] // up to and with the character it stopped at
		line := bytes.Count(before, []byte("\n")) + 1
		col := len(before) - bytes.LastIndexByte(before, '\n') - 1
		return pressroom.Errorf(pressroom.EMALFORMED, "The catalog is not JSON: %s at line %d, column %d.", se, line, col)
	}
	return pressroom.Errorf(pressroom.EMALFORMED, "The catalog is not JSON: %s.", err)
}

// AsDomainError turns a *ValidationError into an EINVALID pressroom error
// whose fields name each problem.
func AsDomainError(err error) error {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	fields := make([]pressroom.FieldError, len(ve.Problems))
	for i, p := range ve.Problems {
		fields[i] = pressroom.FieldError{Pointer: p.Path, Detail: p.String()}
	}
	return pressroom.Invalid(fmt.Sprintf("The catalog has %d problem(s).", len(ve.Problems)), fields...)
}
