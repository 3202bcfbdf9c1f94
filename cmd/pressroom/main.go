// Command pressroom runs the server and the staff's command-line tools.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

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
