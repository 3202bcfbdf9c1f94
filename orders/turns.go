package orders

import (
	"context"
	"sync"
)

// turns lets the changes of one order on this node take turns: the file
// jobs of a 100-item order, four at once, would otherwise each read the
// order, write it at the version read and lose to one another, most of
// them again and again. Across nodes the version check still decides
// (see again). The zero value is ready to use.
type turns struct {
	mu sync.Mutex
	m  map[int64]*turn
}

type turn struct {
	held    chan struct{} // a token while someone has the turn
	waiting int           // holders and waiters: the turn goes when none is left
}

// take waits for number's turn, or for ctx to end; done gives it back.
func (t *turns) take(ctx context.Context, number int64) (done func(), err error) {
	t.mu.Lock()
	if t.m == nil {
		t.m = map[int64]*turn{}
	}
	x := t.m[number]
	if x == nil {
		x = &turn{held: make(chan struct{}, 1)}
		t.m[number] = x
	}
	x.waiting++
	t.mu.Unlock()
	select {
	case x.held <- struct{}{}:
		return func() { <-x.held; t.leave(number, x) }, nil
	case <-ctx.Done():
		t.leave(number, x)
		return nil, ctx.Err()
	}
}

func (t *turns) leave(number int64, x *turn) {
	t.mu.Lock()
	if x.waiting--; x.waiting == 0 {
		delete(t.m, number)
	}
	t.mu.Unlock()
}

// size is how many orders have someone holding or waiting for a turn.
func (t *turns) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}
