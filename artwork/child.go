package artwork

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/pressroom/pressroom/order"
)

// ChildEnv marks a process started to run one preflight.
const ChildEnv = "PRESSROOM_CHILD"

// Isolated runs preflights of untrusted files in child processes (the
// same executable, with ChildEnv set) that have a memory limit and a
// timeout, so that a decompression bomb or a parser bug costs one child,
// never the server.
//
// A child serves one check at a time and, between checks, waits for the
// next: starting one costs about 70 ms of CPU (the runtime and package
// initialisation of a large program), more than checking most files. A
// child that crashed, ran out of memory or time is killed and never
// reused; one whose memory grew during a check leaves by itself after
// answering, so every check starts with the headroom of a new child.
type Isolated struct {
	// Executable is the program to start (os.Executable()).
	Executable string
	// MemoryMB caps a child's address space; Timeout each check.
	MemoryMB int64
	Timeout  time.Duration
	// MaxIdle is how many children wait between checks (0: 4): as many
	// as the node runs checks at once.
	MaxIdle int

	mu      sync.Mutex
	idle    []*child
	shut    bool
	started int // children started, for tests
}

const (
	childIdle = 60 * time.Second // an idle child is ended after this
	childUses = 500              // checks per child, to bound what a leak can cost
)

// child is one running preflight process.
type child struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	exited chan struct{} // closed when the process has ended
	uses   int
	since  time.Time // idle since
}

// Check runs Check(file, typ, spec) in a child process.
func (i *Isolated) Check(ctx context.Context, file, typ string, spec Spec) ([]order.Finding, error) {
	ctx, cancel := context.WithTimeout(ctx, i.Timeout)
	defer cancel()
	in, err := json.Marshal(childRequest{File: file, Type: typ, Spec: spec})
	if err != nil {
		return nil, err
	}
	c, err := i.take()
	if err != nil {
		return nil, fmt.Errorf("preflight child: %w", err)
	}
	for {
		ans, err := c.ask(ctx, in)
		switch {
		case ctx.Err() != nil:
			c.stop()
			return []order.Finding{{Code: "check_timed_out", Severity: "error",
				Message: fmt.Sprintf("checking the file took longer than %s; it may be built to exhaust the checker", i.Timeout)}}, nil
		case err != nil && c.uses > 0:
			// A kept child may have died while it waited (killed from
			// outside): the file gets a new child before it is blamed.
			c.stop()
			if c, err = i.start(); err != nil {
				return nil, fmt.Errorf("preflight child: %w", err)
			}
			continue
		case err != nil: // a new child died on this file, or answered nonsense
			c.stop()
			return []order.Finding{{Code: "check_failed", Severity: "error",
				Message: "the file could not be checked: reading it needed more memory than a print file should (a decompression bomb?) or broke the reader"}}, nil
		}
		c.uses++
		if ans.Leaving || c.uses >= childUses {
			c.stop()
		} else {
			i.put(c)
		}
		if ans.Findings == nil {
			ans.Findings = []order.Finding{}
		}
		return ans.Findings, nil
	}
}

// ask sends one request and reads the answer, unless ctx ends first.
func (c *child) ask(ctx context.Context, req []byte) (childAnswer, error) {
	type result struct {
		ans childAnswer
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		if _, r.err = c.in.Write(append(req, '\n')); r.err == nil {
			var line []byte
			if line, r.err = c.out.ReadBytes('\n'); r.err == nil {
				r.err = json.Unmarshal(line, &r.ans)
			}
		}
		done <- r
	}()
	select {
	case r := <-done:
		return r.ans, r.err
	case <-ctx.Done():
		return childAnswer{}, ctx.Err()
	}
}

// take returns an idle child that is still fit for work, or starts one.
func (i *Isolated) take() (*child, error) {
	i.mu.Lock()
	for len(i.idle) > 0 {
		c := i.idle[len(i.idle)-1]
		i.idle = i.idle[:len(i.idle)-1]
		select {
		case <-c.exited:
			continue
		default:
		}
		i.mu.Unlock()
		return c, nil
	}
	i.mu.Unlock()
	return i.start()
}

// put keeps a child that answered for the next check, for childIdle.
func (i *Isolated) put(c *child) {
	since := time.Now()
	c.since = since
	i.mu.Lock()
	if i.shut || len(i.idle) >= cmp.Or(i.MaxIdle, 4) {
		i.mu.Unlock()
		c.stop()
		return
	}
	i.idle = append(i.idle, c)
	i.mu.Unlock()
	time.AfterFunc(childIdle, func() {
		i.mu.Lock()
		for k, d := range i.idle {
			if d == c && d.since.Equal(since) { // still idle since then
				i.idle = append(i.idle[:k], i.idle[k+1:]...)
				i.mu.Unlock()
				c.stop()
				return
			}
		}
		i.mu.Unlock()
	})
}

func (i *Isolated) start() (*child, error) {
	cmd := exec.Command(i.Executable)
	cmd.Env = append(os.Environ(), ChildEnv+"=preflight", "PRESSROOM_CHILD_MEMORY_MB="+strconv.FormatInt(i.MemoryMB, 10))
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	i.mu.Lock()
	i.started++
	i.mu.Unlock()
	c := &child{cmd: cmd, in: in, out: bufio.NewReader(out), exited: make(chan struct{})}
	go func() {
		// Wait after the reads: it closes the pipes.
		cmd.Wait()
		close(c.exited)
	}()
	return c, nil
}

// stop ends the child and waits for it.
func (c *child) stop() {
	c.in.Close()
	c.cmd.Process.Kill()
	<-c.exited
}

// Close ends the idle children; checks running now end their children
// when they finish.
func (i *Isolated) Close() {
	i.mu.Lock()
	idle := i.idle
	i.idle, i.shut = nil, true
	i.mu.Unlock()
	for _, c := range idle {
		c.stop()
	}
}

type childRequest struct {
	File string `json:"file"`
	Type string `json:"type"`
	Spec Spec   `json:"spec"`
}

type childAnswer struct {
	Findings []order.Finding `json:"findings"`
	// Leaving: the check grew the child's memory; it ends after this
	// answer, so that the next check has a new child's headroom.
	Leaving bool `json:"leaving,omitempty"`
}

// leaveAfterMB is how far a child's address space may grow over its
// start before it leaves after a check.
const leaveAfterMB = 128

// RunChild is the child's side: it limits its own memory, then reads
// requests from stdin, one JSON line each, checks each file and answers
// its findings on stdout, until stdin ends.
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
	base, ok := addressSpace()
	if ok {
		lim := base + uint64(mb)<<20
		syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: lim, Max: lim})
	}
	in := bufio.NewReader(stdin)
	for {
		line, err := in.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) == 0 && err != nil {
			return 0 // the server closed the pipe
		}
		var req childRequest
		if err := json.Unmarshal(line, &req); err != nil {
			return 2
		}
		findings, code := checkFile(req)
		if code != 0 {
			return code
		}
		now, _ := addressSpace()
		ans := childAnswer{Findings: findings, Leaving: ok && now > base+leaveAfterMB<<20}
		if err := json.NewEncoder(stdout).Encode(ans); err != nil {
			return 4
		}
		if ans.Leaving {
			return 0
		}
	}
}

func checkFile(req childRequest) ([]order.Finding, int) {
	f, err := os.Open(req.File)
	if err != nil {
		return nil, 3
	}
	defer f.Close()
	findings := Check(f, req.Type, req.Spec)
	if findings == nil {
		findings = []order.Finding{}
	}
	return findings, 0
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
