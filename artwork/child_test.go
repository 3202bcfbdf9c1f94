package artwork_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/internal/pgtest"
	"github.com/pressroom/pressroom/internal/testfiles"
)

// TestMain lets this test binary serve as the preflight child.
func TestMain(m *testing.M) {
	if os.Getenv(artwork.ChildEnv) == "preflight" {
		os.Exit(artwork.RunChild(os.Stdin, os.Stdout))
	}
	os.Exit(pgtest.Main(m))
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// newIsolated runs checks in this test binary as the child.
func newIsolated(t *testing.T, timeout time.Duration) *artwork.Isolated {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	iso := &artwork.Isolated{Executable: exe, MemoryMB: 128, Timeout: timeout}
	t.Cleanup(iso.Close)
	return iso
}

func TestIsolated(t *testing.T) {
	iso := newIsolated(t, time.Minute)
	ctx := context.Background()
	a4 := artwork.Spec{WidthMM: 210, HeightMM: 297}

	t.Run("a good file passes in the child", func(t *testing.T) {
		f, err := iso.Check(ctx, writeTemp(t, testfiles.PDF(210, 297, 0)), artwork.TypePDF, a4)
		if err != nil || len(f) != 0 {
			t.Fatalf("findings %+v, %v", f, err)
		}
	})
	t.Run("the child's findings come back", func(t *testing.T) {
		f, err := iso.Check(ctx, writeTemp(t, testfiles.PDF(100, 100, 0)), artwork.TypePDF, a4)
		if err != nil || len(f) == 0 || f[0].Code != "page_size" {
			t.Fatalf("findings %+v, %v", f, err)
		}
	})
	t.Run("a decompression bomb costs the child, not the caller", func(t *testing.T) {
		// 1.4 kB of structure and a compressed object stream that inflates
		// to 4 times the child's memory.
		bomb := testfiles.PDFBomb(512 << 20)
		if len(bomb) > 1<<20 {
			t.Fatalf("bomb is %d bytes, not small", len(bomb))
		}
		f, err := iso.Check(ctx, writeTemp(t, bomb), artwork.TypePDF, a4)
		if err != nil || len(f) != 1 || f[0].Code != "check_failed" || f[0].Severity != "error" || !strings.Contains(f[0].Message, "memory") {
			t.Fatalf("findings %+v, %v", f, err)
		}
	})
	t.Run("a check that runs too long is stopped", func(t *testing.T) {
		short := newIsolated(t, time.Millisecond)
		f, err := short.Check(ctx, writeTemp(t, testfiles.PDF(210, 297, 0)), artwork.TypePDF, a4)
		if err != nil || len(f) != 1 || f[0].Code != "check_timed_out" {
			t.Fatalf("findings %+v, %v", f, err)
		}
	})
}

// Children are kept between checks; one that crashed, timed out or was
// killed while idle is never given work again, and the next check gets a
// new one.
func TestIsolatedChildrenReused(t *testing.T) {
	iso := newIsolated(t, time.Minute)
	ctx := context.Background()
	a4 := artwork.Spec{WidthMM: 210, HeightMM: 297}
	good, small := writeTemp(t, testfiles.PDF(210, 297, 0)), writeTemp(t, testfiles.PDF(100, 100, 0))
	check := func(file, wantCode string) {
		t.Helper()
		f, err := iso.Check(ctx, file, artwork.TypePDF, a4)
		if err != nil || (wantCode == "" && len(f) != 0) || (wantCode != "" && (len(f) == 0 || f[0].Code != wantCode)) {
			t.Fatalf("findings %+v, %v; want %q", f, err, wantCode)
		}
	}
	for range 10 {
		check(good, "")
		check(small, "page_size")
	}
	if n := iso.Started(); n != 1 {
		t.Errorf("%d children started for 20 checks one after another, want 1", n)
	}

	// Four at once: four children, kept for the next four.
	var wg sync.WaitGroup
	for round := range 2 {
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if f, err := iso.Check(ctx, good, artwork.TypePDF, a4); err != nil || len(f) != 0 {
					t.Errorf("round %d: %+v, %v", round, f, err)
				}
			}()
		}
		wg.Wait()
	}
	if n := iso.Started(); n > 4 {
		t.Errorf("%d children started for two rounds of 4 checks at once, want at most 4", n)
	}

	// A bomb kills its child; the next check has a working one.
	before := iso.Started()
	check(writeTemp(t, testfiles.PDFBomb(512<<20)), "check_failed")
	check(good, "")
	// Idle children killed behind our back are not used, and a file is
	// not blamed for the death of a kept child (killed just before it
	// was given the file).
	for _, wait := range []bool{true, false, false, false} {
		if iso.KillIdle(wait) == 0 {
			t.Fatal("no idle child after a check")
		}
		check(small, "page_size")
	}
	if n := iso.Started() - before; n < 1 {
		t.Errorf("no new child after a crash and a kill")
	}
}
