package pressroom

import "time"

// Job is background work stored in the same transaction as the change that
// causes it, so that it exists exactly when the change does; the job queue
// (River) runs it once, across restarts and nodes.
type Job struct {
	Args JobArgs
	// RunAt delays the job; zero runs it at once.
	RunAt time.Time
}

// JobArgs are a job's arguments, stored as JSON; Kind names the worker
// (the shape of River's JobArgs).
type JobArgs interface{ Kind() string }

// OrderJobArgs are the arguments of a job about an order that is being
// created: the store gives them the order's number before queueing them.
type OrderJobArgs interface {
	JobArgs
	SetOrder(number int64)
}

// CallbackJobArgs is the job that delivers one callback.
type CallbackJobArgs struct {
	ID int64 `json:"id"`
}

// Kind names the job's worker.
func (CallbackJobArgs) Kind() string { return "callback" }

// QueuedJobArgs are jobs of a queue of their own (not the default one),
// which bounds how many of them run at once on a node.
type QueuedJobArgs interface {
	JobArgs
	Queue() string
}

// QueueFiles holds downloads and preflights: each holds a connection,
// buffers and, for a check, a child process, so few run at once.
const QueueFiles = "files"
