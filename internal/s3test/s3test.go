// Package s3test starts an S3-compatible server (gofakes3, in memory) on
// loopback for tests of the S3 blob store.
package s3test

import (
	"net/http/httptest"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Access keys the server accepts (it does not check them).
const (
	AccessKey = "pressroom-test"
	SecretKey = "pressroom-test-secret"
)

// Start serves a bucket and returns the PRESSROOM_BLOB URL for it.
func Start(t testing.TB, bucket string) string {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatalf("s3test: %v", err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return "s3://" + bucket + "/artwork?endpoint=" + srv.URL + "&region=us-east-1"
}

// Env is the credentials' environment.
func Env(k string) string {
	return map[string]string{"AWS_ACCESS_KEY_ID": AccessKey, "AWS_SECRET_ACCESS_KEY": SecretKey}[k]
}
