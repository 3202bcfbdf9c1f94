package artwork

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 keeps blobs in a bucket of S3-compatible object storage (AWS S3,
// MinIO, Ceph, R2, ...), under an optional key prefix.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string
}

// s3PartSize is the size of the parts a file of unknown length is sent in:
// the most an upload holds in memory, and a ten-thousandth of the largest
// file (160 GB).
const s3PartSize = 16 << 20

// OpenS3 connects to the bucket a URL names:
//
//	s3://bucket[/prefix]?endpoint=https://host:port&region=eu-west-1
//
// The endpoint defaults to AWS (s3.amazonaws.com); an http:// endpoint is
// reached without TLS. Credentials come from AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) through getenv. The bucket
// must exist.
func OpenS3(ctx context.Context, raw string, getenv func(string) string) (*S3, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return nil, fmt.Errorf("an S3 location looks like s3://bucket?endpoint=https://host&region=eu-west-1, not %q", raw)
	}
	q := u.Query()
	endpoint, secure := "s3.amazonaws.com", true
	if e := q.Get("endpoint"); e != "" {
		eu, err := url.Parse(e)
		switch {
		case err == nil && (eu.Scheme == "http" || eu.Scheme == "https") && eu.Host != "":
			endpoint, secure = eu.Host, eu.Scheme == "https"
		case err == nil && !strings.Contains(e, "/"):
			endpoint = e // host:port alone: TLS
		default:
			return nil, fmt.Errorf("the S3 endpoint must be https://host[:port] or http://host[:port], not %q", e)
		}
	}
	key, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if key == "" || secret == "" {
		return nil, errors.New("S3 storage needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	c, err := minio.New(endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(key, secret, getenv("AWS_SESSION_TOKEN")),
		Secure: secure,
		Region: q.Get("region"),
	})
	if err != nil {
		return nil, fmt.Errorf("S3 endpoint %s: %w", endpoint, err)
	}
	s := &S3{client: c, bucket: u.Host, prefix: strings.Trim(u.Path, "/")}
	if s.prefix != "" {
		s.prefix += "/"
	}
	ok, err := c.BucketExists(ctx, s.bucket)
	if err != nil {
		return nil, fmt.Errorf("S3 bucket %q at %s cannot be reached: %w", s.bucket, endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("S3 bucket %q does not exist at %s; create it first", s.bucket, endpoint)
	}
	return s, nil
}

func (s *S3) key(key string) (string, error) {
	if key == "" || strings.Contains(key, "..") || strings.HasPrefix(key, "/") || strings.ContainsAny(key, "\\\x00") {
		return "", fmt.Errorf("artwork: bad blob key %q", key)
	}
	return s.prefix + key, nil
}

// Put streams r to the bucket in parts; an object appears whole or not at
// all.
func (s *S3) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	k, err := s.key(key)
	if err != nil {
		return 0, err
	}
	info, err := s.client.PutObject(ctx, s.bucket, k, readerCtx{ctx, r}, -1,
		// Unsigned payload: the body is not hashed twice (Ingest already
		// hashes it, and TLS guards it), and servers that do not speak
		// aws-chunked signing take it.
		minio.PutObjectOptions{PartSize: s3PartSize, ContentType: "application/octet-stream", DisableContentSha256: true})
	if err != nil {
		return 0, err
	}
	return info.Size, nil
}

// Open reads an object; a missing one is an error at once (wrapping
// fs.ErrNotExist), not at the first read.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	k, err := s.key(key)
	if err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, k, minio.GetObjectOptions{})
	if err != nil {
		return nil, missing(key, err)
	}
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		return nil, missing(key, err)
	}
	return obj, nil
}

// missing makes S3's "no such key" an error wrapping fs.ErrNotExist, as
// the folder store's is.
func missing(key string, err error) error {
	if minio.ToErrorResponse(err).Code == "NoSuchKey" {
		return fmt.Errorf("%s: %w", key, fs.ErrNotExist)
	}
	return err
}

// Delete removes an object; a missing one is no error.
func (s *S3) Delete(ctx context.Context, key string) error {
	k, err := s.key(key)
	if err != nil {
		return err
	}
	return s.client.RemoveObject(ctx, s.bucket, k, minio.RemoveObjectOptions{})
}

// Size is the stored size of key, or an error wrapping fs.ErrNotExist when
// there is none.
func (s *S3) Size(ctx context.Context, key string) (int64, error) {
	k, err := s.key(key)
	if err != nil {
		return 0, err
	}
	info, err := s.client.StatObject(ctx, s.bucket, k, minio.StatObjectOptions{})
	if err != nil {
		return 0, missing(key, err)
	}
	return info.Size, nil
}

// Walk calls fn with every object's key (below the prefix) and when it
// was stored.
func (s *S3) Walk(ctx context.Context, fn func(key string, stored time.Time) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the listing when fn stops early
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true}) {
		if obj.Err != nil {
			return obj.Err
		}
		if err := fn(strings.TrimPrefix(obj.Key, s.prefix), obj.LastModified); err != nil {
			return err
		}
	}
	return ctx.Err()
}
