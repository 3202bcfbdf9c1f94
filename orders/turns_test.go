package orders

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestTurns: one holder per order at a time, orders apart do not wait for
// each other, a waiter whose context ends leaves, and nothing is kept once
// every turn is given back.
func TestTurns(t *testing.T) {
	var tr turns
	ctx := context.Background()

	// Exclusive per order: 50 goroutines on 5 orders, counting holders.
	var holders [5]atomic.Int32
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := int64(i % 5)
			done, err := tr.take(ctx, n)
			if err != nil {
				t.Error(err)
				return
			}
			if h := holders[n].Add(1); h != 1 {
				t.Errorf("order %d has %d holders", n, h)
			}
			time.Sleep(time.Millisecond)
			holders[n].Add(-1)
			done()
		}()
	}
	wg.Wait()
	if n := tr.size(); n != 0 {
		t.Errorf("%d orders kept after every turn was given back", n)
	}

	// Another order's turn is free while one is held.
	done1, err := tr.take(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	done2, err := tr.take(ctx, 2)
	if err != nil {
		t.Fatalf("order 2 waited for order 1: %v", err)
	}
	done2()

	// A waiter whose context ends gives up with its error and leaves.
	wctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := tr.take(wctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting past the deadline: %v", err)
	}
	done1()
	if n := tr.size(); n != 0 {
		t.Errorf("%d orders kept after the waiter left and the holder gave back", n)
	}
	// The turn is free again.
	done, err := tr.take(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	done()
}
