package catalog

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Dieline is the cutting die of a box: its panels as a grid of columns
// (left to right) and rows (bottom to top), each a linear function of the
// box's width, depth and height in mm. Cells marks the panels that exist,
// a string of 0s and 1s per row, bottom row first (empty: all do). The
// body is the row with the most panels (the walls): its neighbouring
// panels are creased, and so are panels above or below one another;
// flaps side by side in the other rows are cut apart, and every outer
// edge is cut.
type Dieline struct {
	Columns []Linear `json:"columns"`
	Rows    []Linear `json:"rows"`
	Cells   []string `json:"cells,omitempty"`
}

// Segment is a line of a die from (X1, Y1) to (X2, Y2), in mm from its
// bottom left corner.
type Segment struct {
	X1, Y1, X2, Y2 decimal.Decimal
}

// Die is a dieline drawn for one box size.
type Die struct {
	Length, Width decimal.Decimal // mm: the flat blank
	Cut, Crease   []Segment
}

// body is the row of the walls: the one with the most panels.
func (d *Dieline) body() int {
	best, most := 0, -1
	for r := range d.Rows {
		n := 0
		for c := range d.Columns {
			if d.present(r, c) {
				n++
			}
		}
		if n > most {
			best, most = r, n
		}
	}
	return best
}

func (d *Dieline) present(row, col int) bool {
	if row < 0 || col < 0 || row >= len(d.Rows) || col >= len(d.Columns) {
		return false
	}
	return len(d.Cells) == 0 || d.Cells[row][col] == '1'
}

// check reports what is wrong with the grid.
func (d *Dieline) check() error {
	if len(d.Columns) == 0 || len(d.Rows) == 0 {
		return fmt.Errorf("a dieline needs columns and rows")
	}
	if len(d.Cells) != 0 && len(d.Cells) != len(d.Rows) {
		return fmt.Errorf("a dieline has a cells string per row: %d rows, %d strings", len(d.Rows), len(d.Cells))
	}
	for i, c := range d.Cells {
		if len(c) != len(d.Columns) {
			return fmt.Errorf("cells row %d has %d marks for %d columns", i, len(c), len(d.Columns))
		}
		for _, ch := range c {
			if ch != '0' && ch != '1' {
				return fmt.Errorf("cells row %d: marks are 0 or 1", i)
			}
		}
	}
	return nil
}

// Draw lays the die out for a box of w x d x h mm.
func (d *Dieline) Draw(w, dp, h decimal.Decimal) Die {
	xs := []decimal.Decimal{decimal.Zero}
	for _, c := range d.Columns {
		xs = append(xs, xs[len(xs)-1].Add(c.Eval(w, dp, h)))
	}
	ys := []decimal.Decimal{decimal.Zero}
	for _, r := range d.Rows {
		ys = append(ys, ys[len(ys)-1].Add(r.Eval(w, dp, h)))
	}
	die := Die{Length: xs[len(xs)-1], Width: ys[len(ys)-1]}
	edge := func(crease bool, s Segment) {
		if crease {
			die.Crease = append(die.Crease, s)
		} else {
			die.Cut = append(die.Cut, s)
		}
	}
	body := d.body()
	for r := range d.Rows {
		for c := range d.Columns {
			if !d.present(r, c) {
				continue
			}
			x1, x2, y1, y2 := xs[c], xs[c+1], ys[r], ys[r+1]
			// Each shared edge once: the left and bottom ones when the neighbour is there.
			if d.present(r, c-1) && r != body {
				edge(false, Segment{x1, y1, x1, y2}) // flaps side by side: a slot between them
			} else {
				edge(d.present(r, c-1), Segment{x1, y1, x1, y2})
			}
			edge(d.present(r-1, c), Segment{x1, y1, x2, y1})
			if !d.present(r, c+1) {
				edge(false, Segment{x2, y1, x2, y2})
			}
			if !d.present(r+1, c) {
				edge(false, Segment{x1, y2, x2, y2})
			}
		}
	}
	return die
}
