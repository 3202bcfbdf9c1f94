// Package jobparams turns the store's queued jobs into River's insert
// parameters, for both stores.
package jobparams

import (
	"github.com/riverqueue/river"

	"github.com/pressroom/pressroom"
)

// Of is River's insert parameters for jobs: their run time and queue.
func Of(jobs []pressroom.Job) []river.InsertManyParams {
	params := make([]river.InsertManyParams, len(jobs))
	for i, j := range jobs {
		opts := &river.InsertOpts{}
		if !j.RunAt.IsZero() {
			opts.ScheduledAt = j.RunAt
		}
		if q, ok := j.Args.(pressroom.QueuedJobArgs); ok {
			opts.Queue = q.Queue()
		}
		params[i] = river.InsertManyParams{Args: j.Args, InsertOpts: opts}
	}
	return params
}
