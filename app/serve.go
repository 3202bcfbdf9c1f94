package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/api"
	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/boxes"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/console"
	"github.com/pressroom/pressroom/internal/batch"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/internal/outbound"
	"github.com/pressroom/pressroom/jobs"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/orders"
	"github.com/pressroom/pressroom/pricing"
	"github.com/pressroom/pressroom/probo"
	"github.com/pressroom/pressroom/profotonet"
	"github.com/pressroom/pressroom/webhook"
	"github.com/pressroom/pressroom/wl3"
)

// DemoResellerName names the reseller created on an empty database.
const DemoResellerName = "demo"

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// serve runs the server until ctx ends, then shuts down gracefully:
// in-flight requests finish, background work stops after a last flush.
func (p *Program) serve(ctx context.Context, cfg *Config) error {
	logger := newLogger(p.Stderr, cfg.LogLevel)
	store, err := OpenStore(ctx, cfg)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer store.Close()
	if path, _ := sqlitePath(cfg); path == "" {
		sharedStoreWarnings(logger, cfg)
	}

	cat := catalog.NewService(store, logger)
	if created, err := cat.EnsureDemo(ctx); err != nil {
		return fmt.Errorf("demo catalog: %w", err)
	} else if created {
		logger.Info("demo catalog loaded into an empty database")
	}
	if _, err := cat.Load(ctx); err != nil {
		return err
	}
	if err := p.bootstrap(ctx, store, cfg); err != nil {
		return err
	}
	if err := resellerWarnings(ctx, logger, store); err != nil {
		return err
	}

	recorder := catalog.NewRecorder(store, logger)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewBuildInfoCollector())
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "pressroom_job_queue_depth", Help: "Background work waiting to be done, by queue.",
		ConstLabels: prometheus.Labels{"queue": "calculations"},
	}, func() float64 { return float64(recorder.Pending()) }))
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "pressroom_catalog_version", Help: "The catalog version this node serves.",
	}, func() float64 { return float64(cat.Current().Version) }))
	if gc, ok := store.(interface{ CommitStats() (uint64, uint64) }); ok { // SQLite's group commit
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "pressroom_store_commits_total", Help: "Durable commits of the store's writes (SQLite: one per commit group).",
		}, func() float64 { c, _ := gc.CommitStats(); return float64(c) }))
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "pressroom_store_committed_writes_total", Help: "Store writes committed; divided by the commits, how many writes one fsync serves.",
		}, func() float64 { _, w := gc.CommitStats(); return float64(w) }))
	}
	purged := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pressroom_purged_total", Help: "What the clean-ups removed, by what: expired calculations, old callbacks, upload sessions no order cited, files let go of by cancelled and test orders and by delivered orders past PRESSROOM_KEEP_DELIVERED_FILES, orphaned files listed, stored print files deleted.",
	}, []string{"what"})
	reg.MustRegister(purged)
	metrics := httpx.NewMetrics(reg)

	var ready atomic.Bool
	clock := pressroom.SystemClock{}
	pricer := &pricing.Service{Store: store, Catalog: cat, Recorder: recorder, Clock: clock}
	ordersvc := &orders.Service{Store: store, Catalog: cat, Pricing: pricer, Clock: clock, Logger: logger,
		Sandbox: cfg.Sandbox, SandboxStep: cfg.SandboxStep}
	srv := &api.Server{
		Store: store, Auth: pressroom.NewAuthenticator(store), Catalog: cat,
		Pricing:     pricer,
		Orders:      ordersvc,
		RateLimiter: httpx.NewRateLimiter(cfg.RateLimit), Logger: logger, Registry: reg,
		Clock: clock, Ready: ready.Load, NoMetrics: cfg.MetricsAddr != "",
		MetricsFrom: func(r *http.Request) error { return cfg.TrustedProxies.From(r, cfg.MetricsAllowed) },
	}
	// Each compatible API under its own prefix, on the same core, keys and
	// rate limit (one limiter: a key's calls count the same on every API).
	pro := &probo.Server{Store: store, Auth: srv.Auth, Catalog: cat, Pricing: pricer, Orders: ordersvc, RateLimiter: srv.RateLimiter, Logger: logger, Clock: clock}
	pfn := &profotonet.Server{Store: store, Auth: srv.Auth, Catalog: cat, Pricing: pricer, Orders: ordersvc, RateLimiter: srv.RateLimiter, Logger: logger, Clock: clock}
	root := http.NewServeMux()
	root.Handle("/probo/", http.StripPrefix("/probo", pro.Handler()))
	root.Handle("/profotonet/v1/", http.StripPrefix("/profotonet/v1", pfn.Handler()))
	wl := &wl3.Server{Store: store, Auth: srv.Auth, Orders: ordersvc, RateLimiter: srv.RateLimiter, Logger: logger, Clock: clock, TokenTTL: cfg.AccessTokenTTL}
	root.Handle("/wl3/", http.StripPrefix("/wl3", wl.Handler()))
	bx := &boxes.Server{Store: store, Auth: srv.Auth, Catalog: cat, Orders: ordersvc, RateLimiter: srv.RateLimiter, Logger: logger, Clock: clock, TokenTTL: cfg.AccessTokenTTL}
	root.Handle("/boxes/", http.StripPrefix("/boxes", bx.Handler()))
	staff := &console.Server{Store: store, Auth: srv.Auth, Catalog: cat, Orders: ordersvc, Logger: logger, Clock: clock,
		RateLimiter: srv.RateLimiter, Files: srv.StaffFile, Documents: srv.StaffDocument, Secure: strings.HasPrefix(cfg.PublicURL, "https://")}
	root.Handle(console.Base+"/", staff.Handler())
	root.Handle(console.Base, http.RedirectHandler(console.Base+"/orders", http.StatusSeeOther))
	root.Handle("/", srv.Handler())
	httpServer := &http.Server{
		Handler:           httpx.Observe(root, logger, metrics, cfg.TrustedProxies, srv.PanicHandler),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // artwork uploads are long
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}

	if srv.PublicURL = cfg.PublicURL; srv.PublicURL == "" {
		srv.PublicURL = "http://" + ln.Addr().String()
	}
	ordersvc.PublicURL = srv.PublicURL
	pro.PublicURL = srv.PublicURL
	deliverer := webhook.NewDeliverer(store, clock, logger, outbound.NewPoster(cfg.AllowPrivateNetworks, cfg.WebhookTimeout),
		webhook.Config{Interval: cfg.WebhookRetryInterval, Window: cfg.WebhookRetryWindow, Timeout: cfg.WebhookTimeout, PerEndpoint: 16})
	deliverer.Formats = map[string]func(*order.Callback) []byte{probo.Format: probo.CallbackBody, profotonet.Format: profotonet.CallbackBody}
	ordersvc.CreatedCallbacks = map[string][]string{probo.Format: probo.CreatedCallbacks}
	blobs, err := p.openBlobs(ctx, cfg)
	if err != nil {
		ln.Close()
		return fmt.Errorf("PRESSROOM_BLOB: %w", err)
	}
	exe, err := os.Executable()
	if err != nil {
		ln.Close()
		return fmt.Errorf("find the executable for preflight children: %w", err)
	}
	isolate := &artwork.Isolated{Executable: exe, MemoryMB: cfg.PreflightMemoryMB, Timeout: cfg.PreflightTimeout, MaxIdle: jobs.FileWorkers}
	defer isolate.Close() // the idle preflight children
	art := &artwork.Service{Store: store, Orders: ordersvc, Catalog: cat, Blobs: blobs,
		Isolate: isolate,
		Fetcher: outbound.NewFetcher(cfg.AllowPrivateNetworks, cfg.DownloadTimeout), Stall: cfg.DownloadTimeout, Limit: cfg.MaxFileMB << 20, Logger: logger, Scratch: filepath.Join(cfg.Data, "tmp")}
	srv.Artwork = art
	pro.Artwork = art
	bx.Artwork = art
	staff.Artwork = art
	if cfg.Workers > 0 {
		cleanups := cleanups(cfg, store, art, clock)
		for _, c := range cleanups {
			purged.WithLabelValues(c.Name) // on /metrics from the start
		}
		queue, err := jobs.New(store, ordersvc, deliverer, art, jobs.Config{Workers: cfg.Workers, Poll: 200 * time.Millisecond, Logger: logger, DownloadRetry: cfg.DownloadRetry,
			Cleanups: cleanups, Cleaned: func(name string, n int64) { purged.WithLabelValues(name).Add(float64(n)) }})
		if err != nil {
			ln.Close()
			return err
		}
		if err := queue.Start(context.Background()); err != nil {
			ln.Close()
			return fmt.Errorf("start job queue: %w", err)
		}
		defer func() {
			// Running jobs finish (or are rescued by another node later).
			sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := queue.Stop(sctx); err != nil {
				logger.Warn("stopping the job queue", "err", err)
			}
		}()
	} else {
		logger.Info("PRESSROOM_WORKERS=0: this node runs no background jobs; another node must")
	}
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("PRESSROOM_METRICS_ADDR: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		ms := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute,
			ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
		defer ms.Close()
		go ms.Serve(mln)
		fmt.Fprintf(p.Stdout, "metrics on http://%s/metrics\n", mln.Addr())
	}
	if cfg.DebugAddr != "" {
		dln, err := net.Listen("tcp", cfg.DebugAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("PRESSROOM_DEBUG_ADDR: %w", err)
		}
		defer dln.Close()
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		go http.Serve(dln, mux)
		logger.Info("profiler listening", "addr", dln.Addr().String())
	}
	bg, stopBG := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); recorder.Run() }()
	go func() { defer wg.Done(); cat.Watch(bg, cfg.CatalogPoll) }()
	go func() { defer wg.Done(); every(bg, time.Minute, ordersvc.Sweep) }()
	ready.Store(true)
	addr := ln.Addr().String()
	logger.Info("listening", "addr", addr, "catalog_version", cat.Current().Version, "build", Build())
	fmt.Fprintf(p.Stdout, "pressroom listening on http://%s\n", addr)
	if p.Listening != nil {
		p.Listening(addr)
	}
	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(ln) }()

	select {
	case err = <-errc:
	case <-ctx.Done():
		logger.Info("shutting down")
		ready.Store(false)
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = httpServer.Shutdown(sctx)
		cancel()
	}
	stopBG()
	recorder.Close()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	logger.Info("stopped")
	return err
}

// bootstrap creates the demo reseller and applies the demo and operator
// keys of the environment, at every start and safely on several nodes.
func (p *Program) bootstrap(ctx context.Context, store pressroom.Store, cfg *Config) error {
	demo, err := store.EnsureReseller(ctx, &pressroom.Reseller{Name: DemoResellerName, Edition: pressroom.EditionStandard, CallbackURL: cfg.DemoCallbackURL})
	if err != nil {
		return fmt.Errorf("demo reseller: %w", err)
	}
	// The demo's fixed values apply at every start.
	changed := false
	if cfg.DemoCallbackURL != "" && demo.CallbackURL != cfg.DemoCallbackURL {
		demo.CallbackURL, changed = cfg.DemoCallbackURL, true
	}
	if cfg.DemoWebhookSecret != "" && demo.WebhookSecret != cfg.DemoWebhookSecret {
		demo.WebhookSecret, demo.PreviousSecret, demo.PreviousUntil, changed = cfg.DemoWebhookSecret, "", nil, true
	}
	if changed {
		if err := store.UpdateReseller(ctx, demo); err != nil {
			return fmt.Errorf("demo reseller: %w", err)
		}
	}
	label := fmt.Sprintf("demo reseller %d API key", demo.ID)
	if err := p.ensureKey(ctx, store, pressroom.RoleReseller, demo.ID, "PRESSROOM_DEMO_API_KEY", cfg.DemoAPIKey, "pr_", label); err != nil {
		return err
	}
	return p.ensureKey(ctx, store, pressroom.RoleOperator, 0, "PRESSROOM_OPERATOR_KEY", cfg.OperatorKey, "pro_", "operator key")
}

// ensureKey gives an owner (a reseller, or the operators when resellerID is
// 0) the key set in the environment variable env, or else a first key when
// it has none; a key is printed when it is set or created, never later.
func (p *Program) ensureKey(ctx context.Context, store pressroom.Store, role pressroom.KeyRole, resellerID int64, env, fixed, prefix, label string) error {
	if fixed != "" {
		k, err := store.EnsureAPIKey(ctx, &pressroom.APIKey{ResellerID: resellerID, Role: role, Name: env, Hash: pressroom.HashKey(fixed), Hint: pressroom.KeyHint(fixed)})
		if err != nil {
			return fmt.Errorf("%s: %w", env, err)
		}
		if k.Role != role || k.ResellerID != resellerID || k.RevokedAt != nil {
			return fmt.Errorf("%s is already in use by another account or was revoked; choose another key", env)
		}
		fmt.Fprintf(p.Stdout, "%s: %s (from %s)\n", label, fixed, env)
		return nil
	}
	keys, err := store.ListAPIKeys(ctx, resellerID)
	if err != nil {
		return err
	}
	if len(keys) > 0 {
		fmt.Fprintf(p.Stdout, "%s: created earlier (shown only then; set %s to fix one)\n", label, env)
		return nil
	}
	key := pressroom.NewKey(prefix)
	if err := store.CreateAPIKey(ctx, &pressroom.APIKey{ResellerID: resellerID, Role: role, Name: "first key", Hash: pressroom.HashKey(key), Hint: pressroom.KeyHint(key)}); err != nil {
		return err
	}
	fmt.Fprintf(p.Stdout, "%s: %s (shown once; set %s to fix it)\n", label, key, env)
	return nil
}

// cleanups are the clean-ups the job queue runs (one node of a cluster,
// River's leader, queues them: see jobs.Cleanup). Each is idempotent and
// deletes in small batches. Their names label pressroom_purged_total.
func cleanups(cfg *Config, store pressroom.Store, art *artwork.Service, clock pressroom.Clock) []jobs.Cleanup {
	cs := []jobs.Cleanup{
		{Name: "calculations", What: "expired calculations", Run: batched(func(ctx context.Context, limit int) (int64, error) {
			return store.DeleteExpiredCalculations(ctx, clock.Now(), limit)
		})},
		{Name: "upload_sessions", What: "upload sessions no order cites", Run: batched(func(ctx context.Context, limit int) (int64, error) {
			return store.DeleteOldUploadSessions(ctx, clock.Now().Add(-pressroom.UploadSessionLifetime), limit)
		})},
		{Name: "unproduced_files", What: "files of cancelled and test orders", Run: batched(func(ctx context.Context, limit int) (int64, error) {
			return store.DropUnproducedFiles(ctx, clock.Now().Add(-artwork.UnproducedKeep), limit)
		})},
		{Name: "files", What: "dropped print files", Run: batched(func(ctx context.Context, limit int) (int64, error) {
			return art.DeleteDropped(ctx, clock.Now().Add(-artwork.DropGrace), limit)
		})},
		// The walk of the storage lists the files nothing names as
		// dropped; "files" deletes them after their grace.
		{Name: "orphans", What: "orphaned files (listed for deletion)", Every: 24 * time.Hour, Run: func(ctx context.Context) (int64, error) {
			return art.SweepOrphans(ctx, clock.Now().Add(-artwork.OrphanAge))
		}},
	}
	if cfg.KeepDeliveredFiles > 0 {
		cs = append(cs, jobs.Cleanup{Name: "delivered_files", What: "files of delivered orders", Run: batched(func(ctx context.Context, limit int) (int64, error) {
			return store.DropDeliveredFiles(ctx, clock.Now().Add(-cfg.KeepDeliveredFiles), limit)
		})})
	}
	if cfg.CallbackRetention > 0 {
		cs = append(cs, jobs.Cleanup{Name: "callbacks", What: "old callbacks", Run: batched(func(ctx context.Context, limit int) (int64, error) {
			return store.DeleteOldCallbacks(ctx, clock.Now().Add(-cfg.CallbackRetention), limit)
		})})
	}
	return cs
}

// batched runs del a batch at a time until none is left (a clean-up's
// run for periodic).
func batched(del func(ctx context.Context, limit int) (int64, error)) func(ctx context.Context) (int64, error) {
	return func(ctx context.Context) (int64, error) {
		return batch.DeleteAll(func(limit int) (int64, error) { return del(ctx, limit) })
	}
}

// every runs fn now and then every interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		fn(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// resellerWarnings names the resellers whose stored details the rules
// of this version refuse (a VAT number of another country, a callback
// URL that is no http(s) URL): until staff fix them, no change of them is
// taken, the reseller's own callback settings included.
func resellerWarnings(ctx context.Context, logger *slog.Logger, store pressroom.Store) error {
	rs, err := store.ListResellers(ctx)
	if err != nil {
		return fmt.Errorf("read the resellers: %w", err)
	}
	for _, r := range rs {
		cp := *r // Validate fills defaults and normalises
		if err := cp.Validate(); err != nil {
			var problems []string
			for _, f := range pressroom.ErrorFields(err) {
				problems = append(problems, f.Detail)
			}
			logger.Warn("a reseller's stored details are no longer valid; no change of it is taken until they are fixed (pressroom resellers update, or PATCH /v1/operator/resellers/{id})",
				"reseller", r.ID, "problems", strings.Join(problems, "; "))
		}
	}
	return nil
}

// sharedStoreWarnings names, on a PostgreSQL store, what every node of
// several sharing it must be given alike and this one was not: the address
// resellers and their customers reach (each node would hand out links to
// itself), and the print files' storage (a node's own folder is out of the
// others' reach, so a file stored on one could not be checked or printed
// from another). One node alone on PostgreSQL may ignore them.
func sharedStoreWarnings(logger *slog.Logger, cfg *Config) {
	if cfg.PublicURL == "" {
		logger.Warn("PRESSROOM_PUBLIC_URL is not set, so tracking links and callbacks name this node's own address; when several nodes share this database, set it on each to the one address resellers use", "addr", cfg.Addr)
	}
	if cfg.Blob == "" {
		logger.Warn("PRESSROOM_BLOB is not set, so print files are kept in this node's own folder; when several nodes share this database, set it on each to the same S3 storage or shared folder", "folder", filepath.Join(cfg.Data, "artwork"))
	}
}

// openBlobs opens the artwork storage PRESSROOM_BLOB names: S3-compatible
// object storage for an s3:// URL, else a folder (default --data/artwork).
func (p *Program) openBlobs(ctx context.Context, cfg *Config) (artwork.Blobs, error) {
	if strings.HasPrefix(cfg.Blob, "s3://") {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		return artwork.OpenS3(ctx, cfg.Blob, p.Getenv)
	}
	dir := cfg.Blob
	if dir == "" {
		dir = filepath.Join(cfg.Data, "artwork")
	}
	return artwork.Folder{Dir: dir}, nil
}
