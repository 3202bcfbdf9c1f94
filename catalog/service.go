package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	s.current.Store(c)
	return c, nil
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
		if cur != nil && cur.Version == n || n == failed {
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

// Import validates doc and stores it as the next version. A *ValidationError
// (wrapped in a pressroom EINVALID error) lists every problem.
func (s *Service) Import(ctx context.Context, doc []byte, note string) (*pressroom.CatalogVersion, error) {
	if _, err := Load(doc, 0, time.Now()); err != nil {
		return nil, AsDomainError(err)
	}
	sum := sha256.Sum256(doc)
	v := &pressroom.CatalogVersion{Document: doc, Checksum: hex.EncodeToString(sum[:]), Note: note}
	if err := s.store.CreateCatalogVersion(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
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
		ptr := ""
		if p.Product != "" {
			ptr = "/products/" + p.Product
			if p.Option != "" {
				ptr += "/" + p.Option
			}
		}
		fields[i] = pressroom.FieldError{Pointer: ptr, Detail: p.String()}
	}
	return pressroom.Invalid(fmt.Sprintf("The catalog has %d problem(s).", len(ve.Problems)), fields...)
}
