package app_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestGracefulShutdown: a request in flight when the server is told to stop
// is answered in full; new connections are refused; Main returns 0.
func TestGracefulShutdown(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	addr := strings.TrimPrefix(srv.URL, "http://")
	body := seedConfigureBody(t)
	half := len(body) / 2

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The request is in flight once its handler reads the body: with
	// "Expect: 100-continue" the server says so. (A connection whose request
	// the server has not read when it stops is closed unanswered, as
	// net/http does; under load that can be one it accepted long before.)
	fmt.Fprintf(conn, "POST /v1/products/configure HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n%s", addr, demoKey, len(body), body[:half])
	answers := bufio.NewReader(conn)
	if resp, err := http.ReadResponse(answers, nil); err != nil || resp.StatusCode != http.StatusContinue {
		t.Fatalf("the request's handler did not start: %v %v", resp, err)
	}

	srv.cancel()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break // the listener is closed: shutdown has begun
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after being told to stop")
		}
	}

	if _, err := io.WriteString(conn, body[half:]); err != nil {
		t.Fatalf("finishing the in-flight request: %v", err)
	}
	resp, err := http.ReadResponse(answers, nil)
	if err != nil {
		t.Fatalf("in-flight request got no answer: %v", err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(data), `"can_order":true`) {
		t.Fatalf("in-flight request: %d %s", resp.StatusCode, data)
	}
	if code := srv.stop(); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
}

func seedConfigureBody(t *testing.T) string {
	t.Helper()
	data, err := json.Marshal(seedExample(t, "probo-user-guide.txt", "Request payload (can_order iteration)"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
