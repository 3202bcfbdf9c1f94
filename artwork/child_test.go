package artwork_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/internal/testfiles"
)

// TestMain lets this test binary serve as the preflight child.
func TestMain(m *testing.M) {
	if os.Getenv(artwork.ChildEnv) == "preflight" {
		os.Exit(artwork.RunChild(os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIsolated(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	iso := artwork.Isolated{Executable: exe, MemoryMB: 128, Timeout: time.Minute}
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
		short := iso
		short.Timeout = time.Millisecond
		f, err := short.Check(ctx, writeTemp(t, testfiles.PDF(210, 297, 0)), artwork.TypePDF, a4)
		if err != nil || len(f) != 1 || f[0].Code != "check_timed_out" {
			t.Fatalf("findings %+v, %v", f, err)
		}
	})
}
