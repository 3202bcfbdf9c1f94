package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// Cleanup is work the queue runs every interval: deleting what has
// expired, walking the storage for files nothing names.
//
// River's leader queues it, so one node of a cluster runs it, not each
// node that works jobs. The leader also queues it when it starts
// (RunOnStart), and at most one run is queued within each interval of the
// clock (unique by period): nodes restarted more often than the interval
// (each deploy, a crash loop) still run it, and no more often than that.
type Cleanup struct {
	Name  string        // the job's argument, and how Cleaned names it
	What  string        // what it removes, for the log
	Every time.Duration // 0: hourly
	// Run removes what it can and says how much. An error ends this run; the
	// next interval tries again.
	Run func(ctx context.Context) (int64, error)
}

// cleanupTimeout bounds one run, within the time after which another node
// would take a job over (RescueStuckJobsAfter): a large store's walk of
// the storage, or a backlog of deletions after a long stop.
const cleanupTimeout = 30 * time.Minute

type cleanupArgs struct {
	Name string `json:"name"`
}

func (cleanupArgs) Kind() string { return "cleanup" }

type cleanupWorker struct {
	river.WorkerDefaults[cleanupArgs]
	byName  map[string]Cleanup
	cleaned func(name string, n int64)
	logger  *slog.Logger
}

func (w *cleanupWorker) Work(ctx context.Context, job *river.Job[cleanupArgs]) error {
	c, ok := w.byName[job.Args.Name]
	if !ok {
		// Queued by a leader configured otherwise (PRESSROOM_KEEP_DELIVERED_FILES
		// on one node only): the nodes of a cluster share their settings.
		return river.JobCancel(fmt.Errorf("this node has no clean-up %q: give every node the same settings", job.Args.Name))
	}
	n, err := c.Run(ctx)
	if n > 0 {
		if w.cleaned != nil {
			w.cleaned(c.Name, n)
		}
		w.logger.Info("cleaned up "+c.What, "count", n)
	}
	if err != nil {
		return fmt.Errorf("clean-up of %s: %w", c.What, err)
	}
	return nil
}

func (w *cleanupWorker) Timeout(*river.Job[cleanupArgs]) time.Duration { return cleanupTimeout }

// sweepOrphansArgs is the walk of the storage as versions before the
// clean-ups were jobs queued it; one left in the queue at an upgrade
// completes, and the "orphans" clean-up walks instead.
type sweepOrphansArgs struct{}

func (sweepOrphansArgs) Kind() string { return "sweep_orphans" }

type sweepOrphansWorker struct {
	river.WorkerDefaults[sweepOrphansArgs]
}

func (sweepOrphansWorker) Work(context.Context, *river.Job[sweepOrphansArgs]) error { return nil }

// periodic is the queue's schedule of the clean-ups.
func periodic(cleanups []Cleanup) []*river.PeriodicJob {
	var jobs []*river.PeriodicJob
	for _, c := range cleanups {
		every := c.Every
		if every <= 0 {
			every = time.Hour
		}
		args := cleanupArgs{Name: c.Name}
		jobs = append(jobs, river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) {
				// One try: a failed run is retried by the next interval's.
				return args, &river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: every}}
			},
			&river.PeriodicJobOpts{ID: "cleanup-" + c.Name, RunOnStart: true}))
	}
	return jobs
}
