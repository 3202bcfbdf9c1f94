package artwork

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"github.com/pressroom/pressroom/order"
)

// ChildEnv marks a process started to run one preflight.
const ChildEnv = "PRESSROOM_CHILD"

// Isolated runs preflights of untrusted files in a child process (the same
// executable, with ChildEnv set) that has a memory limit and a timeout, so
// that a decompression bomb or a parser bug costs one child, never the
// server.
type Isolated struct {
	// Executable is the program to start (os.Executable()).
	Executable string
	// MemoryMB caps the child's address space; Timeout its run.
	MemoryMB int64
	Timeout  time.Duration
}

// Check runs Check(file, typ, spec) in a child process.
func (i Isolated) Check(ctx context.Context, file, typ string, spec Spec) ([]order.Finding, error) {
	ctx, cancel := context.WithTimeout(ctx, i.Timeout)
	defer cancel()
	in, err := json.Marshal(childRequest{File: file, Type: typ, Spec: spec})
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, i.Executable)
	cmd.Env = append(os.Environ(), ChildEnv+"=preflight", "PRESSROOM_CHILD_MEMORY_MB="+strconv.FormatInt(i.MemoryMB, 10))
	cmd.Stdin = bytes.NewReader(in)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err = cmd.Run()
	switch {
	case ctx.Err() != nil:
		return []order.Finding{{Code: "check_timed_out", Severity: "error",
			Message: fmt.Sprintf("checking the file took longer than %s; it may be built to exhaust the checker", i.Timeout)}}, nil
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return []order.Finding{{Code: "check_failed", Severity: "error",
				Message: "the file could not be checked: reading it needed more memory than a print file should (a decompression bomb?) or broke the reader"}}, nil
		}
		return nil, fmt.Errorf("preflight child: %w", err)
	}
	var findings []order.Finding
	if err := json.Unmarshal(out.Bytes(), &findings); err != nil {
		return nil, fmt.Errorf("preflight child answered %q: %w", out.String(), err)
	}
	return findings, nil
}

type childRequest struct {
	File string `json:"file"`
	Type string `json:"type"`
	Spec Spec   `json:"spec"`
}

// RunChild is the child's side: it limits its own memory, reads the
// request from stdin, checks the file and writes the findings to stdout.
// It returns the exit code.
func RunChild(stdin io.Reader, stdout io.Writer) int {
	mb, _ := strconv.ParseInt(os.Getenv("PRESSROOM_CHILD_MEMORY_MB"), 10, 64)
	if mb <= 0 {
		mb = 1024
	}
	// A soft limit makes the collector work hard near it; the hard limit
	// on the address space ends the process past it. The runtime has
	// mapped some already: the hard limit allows mb beyond that.
	debug.SetMemoryLimit(mb << 20 / 2)
	if base, ok := addressSpace(); ok {
		lim := base + uint64(mb)<<20
		syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: lim, Max: lim})
	}
	var req childRequest
	if err := json.NewDecoder(stdin).Decode(&req); err != nil {
		return 2
	}
	f, err := os.Open(req.File)
	if err != nil {
		return 3
	}
	defer f.Close()
	findings := Check(f, req.Type, req.Spec)
	if findings == nil {
		findings = []order.Finding{}
	}
	if err := json.NewEncoder(stdout).Encode(findings); err != nil {
		return 4
	}
	return 0
}

// addressSpace is the process's mapped virtual memory, from /proc.
func addressSpace() (uint64, bool) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	var pages uint64
	if _, err := fmt.Sscan(string(b), &pages); err != nil {
		return 0, false
	}
	return pages * uint64(os.Getpagesize()), true
}
