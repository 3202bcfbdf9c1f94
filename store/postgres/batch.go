package postgres

import (
	"context"
	"errors"
	"sync"
	"time"
)

// batcher runs the calls that arrive together as one statement. Callers
// hand in a request and wait; a few runners each take whatever has queued
// (up to maxBatch) and run it at once. A callback delivery's read and its
// write are one indexed row each: at thousands a second the database
// spends its time on round trips, statements and commits, not on rows,
// and a batch pays those once.
type batcher[Req, Res any] struct {
	in      chan *call[Req, Res]
	quit    chan struct{}
	closing sync.Once
	stopped chan struct{}
	// run answers every request of a batch, in order.
	run func(ctx context.Context, reqs []Req) ([]Res, []error)
}

type call[Req, Res any] struct {
	req  Req
	res  Res
	err  error
	done chan struct{}
}

const (
	maxBatch     = 256
	batchRunners = 2 // one batch runs while the next gathers
	batchTimeout = 30 * time.Second
)

var errClosed = errors.New("postgres: the store is closed")

func newBatcher[Req, Res any](run func(ctx context.Context, reqs []Req) ([]Res, []error)) *batcher[Req, Res] {
	b := &batcher[Req, Res]{in: make(chan *call[Req, Res], maxBatch), quit: make(chan struct{}), stopped: make(chan struct{}), run: run}
	var wg sync.WaitGroup
	for range batchRunners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.loop()
		}()
	}
	go func() {
		wg.Wait()
		// Calls queued after the runners left are answered here.
		for {
			select {
			case c := <-b.in:
				c.err = errClosed
				close(c.done)
			default:
				close(b.stopped)
				return
			}
		}
	}()
	return b
}

// do runs req in the next batch. It waits for the batch even when ctx
// ends: a write may commit, and its caller must not be told otherwise.
func (b *batcher[Req, Res]) do(ctx context.Context, req Req) (Res, error) {
	c := &call[Req, Res]{req: req, done: make(chan struct{})}
	var zero Res
	select {
	case b.in <- c:
	case <-ctx.Done():
		return zero, ctx.Err()
	case <-b.quit:
		return zero, errClosed
	}
	select {
	case <-c.done:
	case <-b.stopped:
		select {
		case <-c.done:
		default: // queued after the last drain: never run
			return zero, errClosed
		}
	}
	return c.res, c.err
}

func (b *batcher[Req, Res]) loop() {
	for {
		var first *call[Req, Res]
		select {
		case first = <-b.in:
		case <-b.quit:
			return
		}
		calls := []*call[Req, Res]{first}
	more:
		for len(calls) < maxBatch {
			select {
			case c := <-b.in:
				calls = append(calls, c)
			default:
				break more
			}
		}
		reqs := make([]Req, len(calls))
		for i, c := range calls {
			reqs[i] = c.req
		}
		ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
		res, errs := b.run(ctx, reqs)
		cancel()
		for i, c := range calls {
			c.res, c.err = res[i], errs[i]
			close(c.done)
		}
	}
}

// close stops the runners after their current batch and answers what is
// still queued.
func (b *batcher[Req, Res]) close() {
	b.closing.Do(func() { close(b.quit) })
	<-b.stopped
}
