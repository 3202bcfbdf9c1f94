package batch

import (
	"errors"
	"testing"
)

// TestDeleteAll: batches go on while they come back full, stop at the
// first short one or the first error, and the total counts them all.
func TestDeleteAll(t *testing.T) {
	left := int64(2*Limit + 7)
	calls := 0
	total, err := DeleteAll(func(limit int) (int64, error) {
		calls++
		n := min(left, int64(limit))
		left -= n
		return n, nil
	})
	if err != nil || total != 2*Limit+7 || calls != 3 || left != 0 {
		t.Errorf("deleted %d in %d calls (%d left), %v; want %d in 3", total, calls, left, err, 2*Limit+7)
	}

	// Exactly full batches: one more call finds none.
	left, calls = 2*Limit, 0
	if total, _ := DeleteAll(func(limit int) (int64, error) {
		calls++
		n := min(left, int64(limit))
		left -= n
		return n, nil
	}); total != 2*Limit || calls != 3 {
		t.Errorf("deleted %d in %d calls, want %d in 3", total, calls, 2*Limit)
	}

	boom := errors.New("store gone")
	calls = 0
	total, err = DeleteAll(func(limit int) (int64, error) {
		calls++
		if calls == 2 {
			return 0, boom
		}
		return int64(limit), nil
	})
	if !errors.Is(err, boom) || total != Limit || calls != 2 {
		t.Errorf("at an error: deleted %d in %d calls, %v", total, calls, err)
	}
}
