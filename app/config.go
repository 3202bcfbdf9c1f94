// Package app wires pressroom together: configuration, the server and the
// command-line tools. main stays tiny; tests run the same Main.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/orders"
	"github.com/pressroom/pressroom/store/postgres"
	"github.com/pressroom/pressroom/store/sqlite"
)

// Config is everything a pressroom process is told from outside.
type Config struct {
	Addr string
	Data string
	DB   string

	DemoAPIKey      string
	DemoCallbackURL string
	OperatorKey     string
	RateLimit       int
	CatalogPoll     time.Duration
	LogLevel        string
	// PublicURL starts the links handed out; empty: http:// + the listen address.
	PublicURL string
	// DebugAddr, when set, serves Go's profiler (net/http/pprof) there.
	DebugAddr string
	// MetricsAddr, when set, serves /metrics there instead of on Addr.
	MetricsAddr string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (for the console's sign-in limit and the request log).
	TrustedProxies httpx.Proxies
	// MetricsAllowed are the networks that GET /metrics on the API's port
	// answers (the default: loopback and private networks).
	MetricsAllowed httpx.Networks
	// Sandbox walks test orders through their lifecycle every SandboxStep.
	Sandbox     bool
	SandboxStep time.Duration
	// Callbacks.
	DemoWebhookSecret    string
	WebhookRetryInterval time.Duration
	WebhookRetryWindow   time.Duration
	WebhookTimeout       time.Duration
	// CallbackRetention is how long a delivered or failed callback is
	// kept (0: for ever).
	CallbackRetention time.Duration
	// KeepDeliveredFiles is how long a delivered order's print files stay
	// after its last change (0: for ever).
	KeepDeliveredFiles   time.Duration
	AccessTokenTTL       time.Duration
	AllowPrivateNetworks bool
	// Artwork: the folder files are kept in, and the largest file taken.
	Blob      string
	MaxFileMB int64
	// DownloadTimeout bounds the wait for a file server's answer and any
	// stall in its body; PreflightTimeout and PreflightMemoryMB bound the
	// child process that checks one file.
	DownloadTimeout   time.Duration
	DownloadRetry     time.Duration // the first wait after a transient download failure; then 4x each time
	PreflightTimeout  time.Duration
	PreflightMemoryMB int64
	// Workers is how many background jobs (downloads, checks, callbacks)
	// this node runs at once; 0 makes it an API-only node.
	Workers int
}

// DefaultMetricsNetworks are those that GET /metrics answers on the API's
// port without PRESSROOM_METRICS_ALLOWED_NETWORKS: loopback and the
// private networks (RFC 1918, RFC 4193), where a Prometheus server is.
const DefaultMetricsNetworks = "127.0.0.0/8, ::1, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7"

// maxFileMB reads PRESSROOM_MAX_FILE_MB: the largest print file taken
// (500 MB when unset).
func maxFileMB(getenv func(string) string) (int64, error) {
	v := getenv("PRESSROOM_MAX_FILE_MB")
	if v == "" {
		return 500, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 || n > 100_000 {
		return 0, fmt.Errorf("PRESSROOM_MAX_FILE_MB must be a whole number of megabytes from 1, not %q", v)
	}
	return n, nil
}

// storeFlags adds --data and --db, defaulting from the environment.
func storeFlags(fs *flag.FlagSet, cfg *Config, getenv func(string) string) {
	fs.StringVar(&cfg.Data, "data", envOr(getenv, "PRESSROOM_DATA", "./pressroom-data"), "data directory: SQLite database and artwork (env PRESSROOM_DATA)")
	fs.StringVar(&cfg.DB, "db", getenv("PRESSROOM_DB"), "database DSN; default SQLite in --data, a postgres:// DSN selects PostgreSQL (env PRESSROOM_DB)")
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// loadEnv reads the settings that only the environment gives.
func (cfg *Config) loadEnv(getenv func(string) string) error {
	cfg.DemoAPIKey = getenv("PRESSROOM_DEMO_API_KEY")
	cfg.DemoCallbackURL = getenv("PRESSROOM_DEMO_CALLBACK_URL")
	cfg.OperatorKey = getenv("PRESSROOM_OPERATOR_KEY")
	cfg.LogLevel = envOr(getenv, "PRESSROOM_LOG_LEVEL", "info")
	cfg.PublicURL = strings.TrimRight(getenv("PRESSROOM_PUBLIC_URL"), "/")
	cfg.DebugAddr = getenv("PRESSROOM_DEBUG_ADDR")
	cfg.MetricsAddr = getenv("PRESSROOM_METRICS_ADDR")
	proxies, err := httpx.ParseProxies(getenv("PRESSROOM_TRUSTED_PROXIES"))
	if err != nil {
		return fmt.Errorf("PRESSROOM_TRUSTED_PROXIES: %w", err)
	}
	cfg.TrustedProxies = proxies
	allowed := envOr(getenv, "PRESSROOM_METRICS_ALLOWED_NETWORKS", DefaultMetricsNetworks)
	if cfg.MetricsAllowed, err = httpx.ParseNetworks(allowed); err != nil {
		return fmt.Errorf("PRESSROOM_METRICS_ALLOWED_NETWORKS: %w", err)
	}
	if cfg.PublicURL != "" && !strings.HasPrefix(cfg.PublicURL, "http://") && !strings.HasPrefix(cfg.PublicURL, "https://") {
		return fmt.Errorf("PRESSROOM_PUBLIC_URL must start with http:// or https://, not %q", cfg.PublicURL)
	}
	cfg.RateLimit = 6000
	if v := getenv("PRESSROOM_RATE_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("PRESSROOM_RATE_LIMIT must be a whole number of requests per minute (0 turns it off), not %q", v)
		}
		cfg.RateLimit = n
	}
	cfg.DemoWebhookSecret = getenv("PRESSROOM_DEMO_WEBHOOK_SECRET")
	if cfg.DemoWebhookSecret != "" && !pressroom.ValidWebhookSecret(cfg.DemoWebhookSecret) {
		return fmt.Errorf(`PRESSROOM_DEMO_WEBHOOK_SECRET must be "whsec_" and the base64 of 24 to 64 bytes`)
	}
	cfg.AllowPrivateNetworks = getenv("PRESSROOM_ALLOW_PRIVATE_NETWORKS") == "1"
	for _, d := range []struct {
		name string
		dst  *time.Duration
		def  time.Duration
	}{{"PRESSROOM_WEBHOOK_RETRY_INTERVAL", &cfg.WebhookRetryInterval, 2 * time.Hour}, {"PRESSROOM_WEBHOOK_RETRY_WINDOW", &cfg.WebhookRetryWindow, 72 * time.Hour},
		{"PRESSROOM_WEBHOOK_TIMEOUT", &cfg.WebhookTimeout, 10 * time.Second},
		{"PRESSROOM_DOWNLOAD_TIMEOUT", &cfg.DownloadTimeout, 60 * time.Second},
		{"PRESSROOM_DOWNLOAD_RETRY_INTERVAL", &cfg.DownloadRetry, 10 * time.Second},
		{"PRESSROOM_PREFLIGHT_TIMEOUT", &cfg.PreflightTimeout, 2 * time.Minute},
		{"PRESSROOM_ACCESS_TOKEN_TTL", &cfg.AccessTokenTTL, pressroom.AccessTokenTTL}} {
		*d.dst = d.def
		if v := getenv(d.name); v != "" {
			x, err := time.ParseDuration(v)
			if err != nil || x <= 0 {
				return fmt.Errorf("%s must be a positive Go duration such as 2h, not %q", d.name, v)
			}
			*d.dst = x
		}
	}
	cfg.CallbackRetention = 90 * 24 * time.Hour
	if v := getenv("PRESSROOM_CALLBACK_RETENTION"); v != "" {
		x, err := time.ParseDuration(v)
		if err != nil || x < 0 || (x > 0 && x < time.Hour) {
			return fmt.Errorf("PRESSROOM_CALLBACK_RETENTION must be a Go duration of at least 1h, such as 2160h (90 days), or 0 to keep callbacks for ever, not %q", v)
		}
		cfg.CallbackRetention = x
	}
	if v := getenv("PRESSROOM_KEEP_DELIVERED_FILES"); v != "" {
		x, err := time.ParseDuration(v)
		if err != nil || x < 0 || (x > 0 && x < orders.ReprintWindow) {
			return fmt.Errorf("PRESSROOM_KEEP_DELIVERED_FILES must be a Go duration of at least %s (the %d days in which a reprint may be asked, which prints the same files), such as 2160h (90 days), or 0 to keep them for ever, not %q",
				orders.ReprintWindow, int(orders.ReprintWindow.Hours()/24), v)
		}
		cfg.KeepDeliveredFiles = x
	}
	cfg.Blob = getenv("PRESSROOM_BLOB")
	cfg.Workers = 100
	if v := getenv("PRESSROOM_WORKERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10_000 {
			return fmt.Errorf("PRESSROOM_WORKERS must be a whole number of concurrent background jobs (0: this node runs none), not %q", v)
		}
		cfg.Workers = n
	}
	cfg.PreflightMemoryMB = 1024
	if v := getenv("PRESSROOM_PREFLIGHT_MEMORY_MB"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 64 || n > 1<<20 {
			return fmt.Errorf("PRESSROOM_PREFLIGHT_MEMORY_MB must be a whole number of megabytes from 64, not %q", v)
		}
		cfg.PreflightMemoryMB = n
	}
	if cfg.MaxFileMB, err = maxFileMB(getenv); err != nil {
		return err
	}
	cfg.Sandbox = getenv("PRESSROOM_SANDBOX") == "1"
	cfg.SandboxStep = 2 * time.Second
	if v := getenv("PRESSROOM_SANDBOX_STEP"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("PRESSROOM_SANDBOX_STEP must be a positive Go duration such as 2s, not %q", v)
		}
		cfg.SandboxStep = d
	}
	cfg.CatalogPoll = 2 * time.Second
	if v := getenv("PRESSROOM_CATALOG_POLL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("PRESSROOM_CATALOG_POLL must be a positive Go duration such as 2s, not %q", v)
		}
		cfg.CatalogPoll = d
	}
	for _, k := range []struct{ name, value string }{{"PRESSROOM_DEMO_API_KEY", cfg.DemoAPIKey}, {"PRESSROOM_OPERATOR_KEY", cfg.OperatorKey}} {
		if k.value != "" && len(k.value) < 8 {
			return fmt.Errorf("%s must be at least 8 characters", k.name)
		}
	}
	if cfg.DemoAPIKey != "" && cfg.DemoAPIKey == cfg.OperatorKey {
		return fmt.Errorf("PRESSROOM_DEMO_API_KEY and PRESSROOM_OPERATOR_KEY must differ")
	}
	return nil
}

// OpenStore opens the store the configuration names.
func OpenStore(ctx context.Context, cfg *Config) (pressroom.Store, error) {
	path, err := sqlitePath(cfg)
	if err != nil {
		return nil, err
	}
	if path == "" {
		return postgres.Open(ctx, cfg.DB)
	}
	return sqlite.Open(ctx, path)
}

// sqlitePath is the SQLite file the configuration names, "" when it names
// PostgreSQL.
func sqlitePath(cfg *Config) (string, error) {
	if strings.HasPrefix(cfg.DB, "postgres://") || strings.HasPrefix(cfg.DB, "postgresql://") {
		return "", nil
	}
	path := cfg.DB
	switch {
	case path == "":
		path = filepath.Join(cfg.Data, "pressroom.db")
	case strings.HasPrefix(path, "sqlite://"):
		path = strings.TrimPrefix(path, "sqlite://")
	case strings.HasPrefix(path, "file:"):
		path = strings.TrimPrefix(path, "file:")
	case strings.Contains(path, "://"):
		return "", fmt.Errorf("--db %q: use a postgres:// DSN, a sqlite:// path, or leave it empty for SQLite in --data", redact(cfg.DB))
	}
	return path, nil
}

// newStoreWarning is what a CLI command says when the SQLite store it
// names is not there yet, "" when it is (or the store is PostgreSQL). The
// command still makes it and goes on (setting up resellers before the first
// start is allowed), but one run in the wrong folder, or without the
// server's --data, would otherwise work on a new empty database in silence,
// and a catalog imported or a key created there never reaches the server.
func newStoreWarning(cfg *Config) string {
	path, err := sqlitePath(cfg)
	if err != nil || path == "" {
		return ""
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	return fmt.Sprintf("note: there was no pressroom database at %s, so this command made a new one; a server that runs on another store does not see what it does (name that store with --data or --db, or PRESSROOM_DATA, PRESSROOM_DB)", path)
}

// redact hides a password in a DSN.
func redact(dsn string) string {
	if i := strings.Index(dsn, "@"); i > 0 {
		if j := strings.Index(dsn, "://"); j > 0 && j < i {
			return dsn[:j+3] + "***" + dsn[i:]
		}
	}
	return dsn
}

// parseArgs parses flags that may come before or after positional
// arguments. Its error is flag.ErrHelp for -h or --help (the flag set has
// printed them: exit 0), else an exit of 2 (the flag set has said why).
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			return nil, err
		} else if err != nil {
			return nil, exitError{code: 2}
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
