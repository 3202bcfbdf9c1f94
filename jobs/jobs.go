// Package jobs runs pressroom's durable background jobs with River: the
// workers that adapt River jobs to the order service, and the River client
// for the store in use (SQLite or PostgreSQL).
package jobs

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/orders"
	"github.com/pressroom/pressroom/store/postgres"
	"github.com/pressroom/pressroom/store/sqlite"
	"github.com/pressroom/pressroom/webhook"
)

type testOrderWorker struct {
	river.WorkerDefaults[orders.TestOrderArgs]
	svc *orders.Service
}

func (w *testOrderWorker) Work(ctx context.Context, job *river.Job[orders.TestOrderArgs]) error {
	return again(w.svc.RunTestOrder(ctx, job.Args.Number))
}

type expireDraftWorker struct {
	river.WorkerDefaults[orders.ExpireDraftArgs]
	svc *orders.Service
}

func (w *expireDraftWorker) Work(ctx context.Context, job *river.Job[orders.ExpireDraftArgs]) error {
	return again(w.svc.ExpireDraft(ctx, job.Args.Number))
}

type callbackWorker struct {
	river.WorkerDefaults[pressroom.CallbackJobArgs]
	d *webhook.Deliverer
}

func (w *callbackWorker) Work(ctx context.Context, job *river.Job[pressroom.CallbackJobArgs]) error {
	return again(w.d.Deliver(ctx, job.Args.ID))
}

// Timeout leaves room for the attempt's own timeout.
func (w *callbackWorker) Timeout(*river.Job[pressroom.CallbackJobArgs]) time.Duration {
	return w.d.Config.Timeout + 30*time.Second
}

// FileWorkers is how many downloads and checks a node runs at once.
const FileWorkers = 4

// DownloadAttempts is how often a download is tried (River backs off
// between tries); the last failure ends the file with its reason.
const DownloadAttempts = 6

type downloadWorker struct {
	river.WorkerDefaults[orders.DownloadArgs]
	a     *artwork.Service
	retry time.Duration
}

// NextRetry: 10 s, 40 s, 2m40s, 10m40s, 42m40s by default; the sixth
// failure gives up, about an hour after the first.
func (w *downloadWorker) NextRetry(job *river.Job[orders.DownloadArgs]) time.Time {
	return time.Now().Add(downloadBackoff(w.retry, job.Attempt))
}

// downloadBackoff is base x 4^(attempt-1).
func downloadBackoff(base time.Duration, attempt int) time.Duration {
	if base <= 0 {
		base = 10 * time.Second
	}
	return base << (2 * min(max(attempt-1, 0), 10))
}

func (w *downloadWorker) Work(ctx context.Context, job *river.Job[orders.DownloadArgs]) error {
	return w.a.Download(ctx, job.Args.Number, job.Args.Position, job.Attempt >= DownloadAttempts)
}

// Timeout leaves room for a 500 MB file on a slow line.
func (w *downloadWorker) Timeout(*river.Job[orders.DownloadArgs]) time.Duration {
	return 30 * time.Minute
}

type documentsWorker struct {
	river.WorkerDefaults[orders.DocumentsArgs]
	a     *artwork.Service
	retry time.Duration
}

// NextRetry is a download's.
func (w *documentsWorker) NextRetry(job *river.Job[orders.DocumentsArgs]) time.Time {
	return time.Now().Add(downloadBackoff(w.retry, job.Attempt))
}

func (w *documentsWorker) Work(ctx context.Context, job *river.Job[orders.DocumentsArgs]) error {
	return w.a.Documents(ctx, job.Args.Number, job.Attempt >= DownloadAttempts)
}

// Timeout is a download's.
func (w *documentsWorker) Timeout(*river.Job[orders.DocumentsArgs]) time.Duration {
	return 30 * time.Minute
}

type preflightWorker struct {
	river.WorkerDefaults[orders.PreflightArgs]
	a *artwork.Service
}

func (w *preflightWorker) Work(ctx context.Context, job *river.Job[orders.PreflightArgs]) error {
	return w.a.Preflight(ctx, job.Args.Number, job.Args.ItemID)
}

// again turns "run me again after d" into River's snooze.
func again(d time.Duration, err error) error {
	if err != nil {
		return err
	}
	if d > 0 {
		return river.JobSnooze(d)
	}
	return nil
}

// Runner works the queue until stopped.
type Runner interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Config tunes the queue.
type Config struct {
	Workers int // concurrent jobs per node
	// Poll is how often a node without notifications (SQLite) looks for jobs.
	Poll   time.Duration
	Logger *slog.Logger
	// DownloadRetry is the wait after a download's first transient
	// failure; each next wait is four times the last (0: 10 s).
	DownloadRetry time.Duration
	// Cleanups are run by one node of a cluster, each every interval;
	// Cleaned hears how much each run removed.
	Cleanups []Cleanup
	Cleaned  func(name string, n int64)
}

// New builds the River client that works jobs on the store.
func New(store pressroom.Store, svc *orders.Service, deliverer *webhook.Deliverer, art *artwork.Service, cfg Config) (Runner, error) {
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &testOrderWorker{svc: svc}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &expireDraftWorker{svc: svc}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &callbackWorker{d: deliverer}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &downloadWorker{a: art, retry: cfg.DownloadRetry}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &documentsWorker{a: art, retry: cfg.DownloadRetry}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &preflightWorker{a: art}); err != nil {
		return nil, err
	}
	byName := make(map[string]Cleanup, len(cfg.Cleanups))
	for _, c := range cfg.Cleanups {
		if _, dup := byName[c.Name]; dup || c.Name == "" || c.Run == nil {
			return nil, fmt.Errorf("jobs: clean-up %q is named twice, unnamed or does nothing", c.Name)
		}
		byName[c.Name] = c
	}
	if err := river.AddWorkerSafely(workers, sweepOrphansWorker{}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &cleanupWorker{byName: byName, cleaned: cfg.Cleaned, logger: cmp.Or(cfg.Logger, slog.Default())}); err != nil {
		return nil, err
	}
	rc := &river.Config{
		Queues: map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: cfg.Workers},
			// Downloads and checks hold buffers, connections and child
			// processes: a few at a time, whatever the backlog.
			pressroom.QueueFiles: {MaxWorkers: max(1, min(FileWorkers, cfg.Workers))},
		},
		Workers:           workers,
		Logger:            cfg.Logger,
		JobTimeout:        2 * time.Minute,
		MaxAttempts:       DownloadAttempts,
		FetchPollInterval: cfg.Poll,
		// A queue fetches at most this often, each time as many jobs as it
		// has free workers: with 4 file workers and short jobs, 20 ms held
		// a backlog of files to about 180 jobs/s; 5 ms gives about 240 (2 ms
		// no more), and callbacks keep their rate.
		FetchCooldown: min(cfg.Poll, 5*time.Millisecond),
		// A node that died mid-job leaves it running; another node takes
		// it over after this (longer than any job's timeout: a download's 30 minutes).
		RescueStuckJobsAfter: 35 * time.Minute,
		PeriodicJobs:         periodic(cfg.Cleanups),
	}
	switch s := store.(type) {
	case *sqlite.DB:
		return river.NewClient(riversqlite.New(s.JobDB()), rc)
	case *postgres.DB:
		return river.NewClient(riverpgxv5.New(s.Pool()), rc)
	}
	return nil, fmt.Errorf("jobs: no job queue for store %T", store)
}
