package catalog

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/pressroom/pressroom"
)

// Recorder gives complete configurations their calculation id and stores
// them. Ids come from blocks reserved in the store (unique across nodes);
// rows are written in batches in the background, so a configure call never
// waits on the database. A crash can lose the last fraction of a second of
// calculations: a later order that names a lost id gets a clear "not found"
// and is priced anew, never wrongly.
type Recorder struct {
	store     pressroom.Store
	logger    *slog.Logger
	blockSize int64
	interval  time.Duration

	mu      sync.Mutex
	next    int64 // next free id of the current block
	end     int64 // first id past the current block
	pending []*pressroom.Calculation
	writing []*pressroom.Calculation // the batch being written
	kick    chan struct{}
	done    chan struct{}
	stopped chan struct{}
}

// NewRecorder returns a recorder; call Run to start writing.
func NewRecorder(store pressroom.Store, logger *slog.Logger) *Recorder {
	return &Recorder{
		store: store, logger: logger, blockSize: 1000, interval: 50 * time.Millisecond,
		kick: make(chan struct{}, 1), done: make(chan struct{}), stopped: make(chan struct{}),
	}
}

// Record assigns an id to c and queues it for storage.
func (r *Recorder) Record(ctx context.Context, c *pressroom.Calculation) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.next == r.end {
		first, err := r.store.ReserveIDs(ctx, "calculation", r.blockSize)
		if err != nil {
			return err
		}
		r.next, r.end = first, first+r.blockSize
	}
	c.ID = r.next
	r.next++
	r.pending = append(r.pending, c)
	if len(r.pending) >= 500 {
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// Lookup finds a reseller's calculation that is still waiting to be written.
func (r *Recorder) Lookup(resellerID, id int64) (*pressroom.Calculation, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, list := range [][]*pressroom.Calculation{r.pending, r.writing} {
		for _, c := range list {
			if c.ID == id && c.ResellerID == resellerID {
				return c, true
			}
		}
	}
	return nil, false
}

// Pending is the number of calculations waiting to be written.
func (r *Recorder) Pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pending)
}

// Run writes queued calculations until Close; then it writes what is left.
func (r *Recorder) Run() {
	defer close(r.stopped)
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		select {
		case <-r.done:
			r.flush()
			return
		case <-t.C:
		case <-r.kick:
		}
		r.flush()
	}
}

func (r *Recorder) flush() {
	r.mu.Lock()
	batch := r.pending
	r.pending = nil
	// Found by Lookup until they are committed: a calculation answered a
	// moment ago is never missing in between.
	r.writing = batch
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.writing = nil
		r.mu.Unlock()
	}()
	if len(batch) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.store.SaveCalculations(ctx, batch); err != nil {
		r.logger.Error("calculations not stored", "count", len(batch), "err", err)
	}
}

// Close stops Run after a last write.
func (r *Recorder) Close() {
	select {
	case <-r.done:
	default:
		close(r.done)
	}
	<-r.stopped
}
