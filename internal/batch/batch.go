// Package batch deletes what has grown old a batch at a time, so that no
// one statement holds the store for long, until none is left.
package batch

// Limit is how many rows one delete statement removes at most.
const Limit = 1000

// DeleteAll calls del with Limit until a call deletes fewer rows, and
// reports how many all the calls deleted; it stops at the first error.
func DeleteAll(del func(limit int) (int64, error)) (int64, error) {
	var total int64
	for {
		n, err := del(Limit)
		total += n
		if err != nil || n < Limit {
			return total, err
		}
	}
}
