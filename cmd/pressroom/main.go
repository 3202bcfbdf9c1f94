// Command pressroom runs the server and the staff's command-line tools.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	// The catalog's company keeps its dates and cut-offs in its own time
	// zone (Europe/Amsterdam in the demo); the binary carries the zone
	// database (about 450 kB) so that it runs where the system has none,
	// a minimal container for one.
	_ "time/tzdata"

	"github.com/pressroom/pressroom/app"
	"github.com/pressroom/pressroom/artwork"
)

func main() {
	if os.Getenv(artwork.ChildEnv) == "preflight" {
		os.Exit(artwork.RunChild(os.Stdin, os.Stdout))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	p := &app.Program{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(p.Main(ctx, os.Args[1:]))
}
