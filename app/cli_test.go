package app_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pressroom/pressroom/app"
	"github.com/pressroom/pressroom/catalog"
)

func TestCLIAccounts(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		args := st.args(t)
		createStore(t, args)
		cli := func(want int, a ...string) string {
			t.Helper()
			code, out, errOut := runCLI(t, nil, append(a, args...)...)
			if code != want {
				t.Fatalf("pressroom %s: exit %d, want %d\n%s%s", strings.Join(a, " "), code, want, out, errOut)
			}
			return out + errOut
		}
		out := cli(0, "resellers", "create", "--name", "Drukwerk Online", "--edition", "free")
		m := regexp.MustCompile(`reseller (\d+) "Drukwerk Online" created \(edition free\)\napi key: (pr_\w+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("create output:\n%s", out)
		}
		id := m[1]
		if out := cli(1, "resellers", "create", "--name", "Drukwerk Online"); !strings.Contains(out, "exists already") {
			t.Errorf("duplicate reseller: %s", out)
		}
		if out := cli(1, "resellers", "create", "--name", "X", "--edition", "gold"); !strings.Contains(out, "edition must be") {
			t.Errorf("bad edition: %s", out)
		}
		cli(0, "resellers", "add-customer", "--reseller", id, "--name", "Bakkerij Jansen", "--email", "info@jansen.example", "--reference", "K-17")
		if out := cli(1, "resellers", "add-customer", "--reseller", "999", "--name", "Nobody"); !strings.Contains(out, "not found") {
			t.Errorf("customer of unknown reseller: %s", out)
		}
		cli(2, "resellers", "add-customer", "--name", "No reseller")
		out = cli(0, "keys", "create", "--reseller", id, "--name", "webshop")
		km := regexp.MustCompile(`key (\d+) created`).FindStringSubmatch(out)
		if km == nil {
			t.Fatalf("keys create: %s", out)
		}
		cli(0, "keys", "revoke", km[1])
		if out := cli(0, "keys", "list", "--reseller", id); !strings.Contains(out, "webshop") || strings.Count(out, "\n") != 3 {
			t.Errorf("keys list:\n%s", out)
		}
		cli(1, "keys", "revoke", "424242")
		if out := cli(1, "keys", "list", "--reseller", "424242"); !strings.Contains(out, "Reseller not found") {
			t.Errorf("keys of an unknown reseller: %s", out)
		}
		if out := cli(1, "keys", "create", "--reseller", "424242"); !strings.Contains(out, "Reseller not found") {
			t.Errorf("a key for an unknown reseller: %s", out)
		}
		out = cli(0, "resellers", "list")
		if !regexp.MustCompile(id + `\s+Drukwerk Online\s+free\s+2.5\s+-\s+-\s+1\s+1\s`).MatchString(out) {
			t.Errorf("resellers list (1 customer, 1 active key):\n%s", out)
		}
		// The VAT profile and markup.
		out = cli(0, "resellers", "create", "--name", "Gent Print", "--markup", "1.8", "--country", "BE", "--vat-id", "BE0123456789")
		gm := regexp.MustCompile(`reseller (\d+) "Gent Print"`).FindStringSubmatch(out)
		if gm == nil {
			t.Fatalf("create with profile: %s", out)
		}
		if out := cli(0, "resellers", "list"); !regexp.MustCompile(gm[1] + `\s+Gent Print\s+standard\s+1.8\s+BE\s+BE0123456789\s`).MatchString(out) {
			t.Errorf("list with profile:\n%s", out)
		}
		if out := cli(0, "resellers", "update", "--id", gm[1], "--markup", "3", "--vat-id", ""); !strings.Contains(out, `markup 3, country "BE", VAT id ""`) {
			t.Errorf("update: %s", out)
		}
		if out := cli(1, "resellers", "update", "--id", gm[1], "--country", "belgium"); !strings.Contains(out, "ISO 3166") {
			t.Errorf("bad country: %s", out)
		}
		cli(2, "resellers", "update", "--id", gm[1], "--markup", "lots")
		cli(2, "resellers", "create", "--name", "Y", "--markup", "lots")
		if out := cli(1, "resellers", "update", "--id", "424242", "--markup", "2"); !strings.Contains(out, "not found") {
			t.Errorf("update unknown: %s", out)
		}
		cli(2, "resellers")
		cli(2, "keys", "explode")
		cli(2, "nonsense")
	})
}

func TestCLICatalogValidate(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, catalog.DemoJSON, 0o644)
	code, out, _ := runCLI(t, nil, "catalog", "validate", good)
	if code != 0 || !strings.Contains(out, "valid catalog with 37 products") {
		t.Errorf("validate demo: %d %s", code, out)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"default_language":"nl","products":[
	  {"code":"poster","article_group":"material","unit":"m2","translations":{"en":{"title":"Poster"}},
	   "groups":[{"code":"paper","name":{"en":"Paper"},"options":[
	      {"code":"gloss","type":"radio","name":{"en":"Gloss"},"requires_any":["matt"]},
	      {"code":"matt","type":"radio","name":{"en":"Matt"}}]}],
	   "steps":[["amount-missing"],["paper"]]},
	  {"code":"flyer","article_group":"material","unit":"yard","translations":{"en":{"title":"Flyer"}},"steps":[["x"]]}]}`), 0o644)
	code, _, errOut := runCLI(t, nil, "catalog", "validate", bad)
	if code != 1 {
		t.Fatalf("validate bad: exit %d, want 1", code)
	}
	// Schema problems and rule problems come in one run.
	for _, want := range []string{`product "flyer"`, `unit`, `yard`, `product "poster", option "amount-missing": step 1 names group "amount-missing"`, `product "flyer", option "x": step 1 names group "x"`, "6 problem(s)"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("schema problems lack %q:\n%s", want, errOut)
		}
	}
	// The catalog's own rules name product, option and reason.
	os.WriteFile(bad, []byte(`{"default_language":"nl","products":[
	  {"code":"poster","article_group":"material","unit":"m2","translations":{"en":{"title":"Poster"}},
	   "groups":[{"code":"paper","name":{"en":"Paper"},"options":[
	      {"code":"gloss","type":"radio","name":{"en":"Gloss"},"requires_any":["matt"]},
	      {"code":"matt","type":"radio","name":{"en":"Matt"}}]}],
	   "steps":[["amount-missing"],["paper"]]}]}`), 0o644)
	code, _, errOut = runCLI(t, nil, "catalog", "validate", bad)
	for _, want := range []string{
		`product "poster", option "amount-missing": step 1 names group "amount-missing", which is defined neither in the product nor in the catalog`,
		`product "poster", option "gloss": requires_any refers to "matt", which is chosen at step 2, not before step 2`,
		`product "poster": the option tree needs an amount input`,
		"nothing imported",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("exit %d; problems lack %q:\n%s", code, want, errOut)
		}
	}
	if code, _, _ := runCLI(t, nil, "catalog", "validate", filepath.Join(dir, "missing.json")); code != 1 {
		t.Errorf("missing file: exit %d, want 1", code)
	}
	if code, out, _ := runCLI(t, nil, "catalog", "schema"); code != 0 || !strings.Contains(out, "2020-12") {
		t.Errorf("catalog schema: %d", code)
	}
}

// A mistyped command is refused before the store opens: it makes no data
// folder, and a database it names is neither created nor migrated.
func TestCLIMistakesTouchNoStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pressroom-data")
	db := filepath.Join(t.TempDir(), "elsewhere.db")
	for _, args := range [][]string{
		{"resellers", "create", "--name", "X", "--markup", "lots"},
		{"resellers", "create", "--name", "X", "surplus"},
		{"resellers", "list", "surplus"},
		{"resellers", "update", "--markup", "2"},
		{"resellers", "update", "--id", "1", "--markup", "0"},
		{"resellers", "add-customer", "--name", "No reseller"},
		{"keys", "create", "--name", "no reseller"},
		{"keys", "create", "--operator"},
		{"keys", "create", "--operator", "--name", " "},
		{"keys", "create", "--operator", "--name", "Anna", "--reseller", "1000001"},
		{"keys", "list", "surplus"},
		{"keys", "list", "--operator", "--reseller", "1000001"},
		{"keys", "revoke"},
		{"keys", "revoke", "seven"},
		{"catalog", "import"},
		{"catalog", "import", filepath.Join(dir, "missing.json")},
		{"catalog", "export", "surplus"},
		{"orders", "list", "--limit", "0"},
		{"orders", "list", "--status", "shiped"},
		{"orders", "list", "--files", "some"},
		{"orders", "show"},
		{"orders", "show", "-3"},
		{"orders", "advance", "1000001"},
		{"orders", "advance", "1000001", "--status", "shiped"},
		{"orders", "advance", "--status", "cancelled"},
		{"orders", "note", "1000001"},
		{"orders", "note", "--text", "no order"},
		{"orders", "files", "many"},
		{"reprints"},
		{"reprints", "decide"},
		{"reprints", "list", "--status", "open"},
		{"reprints", "list", "--limit", "0"},
		{"reprints", "approve"},
		{"reprints", "approve", "seven"},
		{"reprints", "reject", "1", "2"},
		{"reprints", "reject", "1", "--production-time", "24"},
		{"backup"},
		{"backup", "--out", t.TempDir(), "surplus"},
		{"store", "copy"},
		{"store", "copy", "--to", "mysql://x"},
	} {
		for _, where := range [][]string{{"--data", dir}, {"--db", "sqlite://" + db}} {
			code, out, errOut := runCLI(t, nil, append(args, where...)...)
			if code == 0 {
				t.Errorf("pressroom %s: exit 0\n%s", strings.Join(args, " "), out)
			}
			if strings.Contains(errOut, "open store") {
				t.Errorf("pressroom %s opened the store: %s", strings.Join(args, " "), errOut)
			}
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("pressroom %s made the data folder (%v)", strings.Join(args, " "), err)
		}
		if _, err := os.Stat(db); !os.IsNotExist(err) {
			t.Fatalf("pressroom %s made the database it names (%v)", strings.Join(args, " "), err)
		}
	}
	// The same words, right, on a store that is not there: it is made, and
	// the command says so, naming where (one run without the server's
	// --data would otherwise work on a new empty database in silence).
	for _, where := range [][]string{{"--data", dir}, {"--db", "sqlite://" + db}} {
		code, _, errOut := runCLI(t, nil, append([]string{"orders", "list", "--status", "shipment_delivered"}, where...)...)
		if code != 0 || !strings.Contains(errOut, "no pressroom database at ") || !strings.Contains(errOut, "made a new one") {
			t.Errorf("orders list %v on no store: exit %d: %s", where, code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "pressroom.db")); err != nil {
		t.Fatalf("a right command makes the store: %v", err)
	}
	// On a store that is there, it says nothing of the kind.
	if code, _, errOut := runCLI(t, nil, "orders", "list", "--status", "shipment_delivered", "--data", dir); code != 0 || errOut != "" {
		t.Fatalf("orders list: exit %d: %s", code, errOut)
	}
}

// createStore makes the store args name, as the server's first start does:
// the CLI works only on a store that is there.
func createStore(t *testing.T, args []string) {
	t.Helper()
	s, err := app.OpenStore(context.Background(), configOf(args))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// pressroom version names the build; --help of a command prints its flags
// and succeeds, a flag it does not know fails with 2.
func TestCLIVersionAndHelp(t *testing.T) {
	code, out, _ := runCLI(t, nil, "version")
	if code != 0 || !regexp.MustCompile(`^pressroom \S+.*, go1\.\d+`).MatchString(out) {
		t.Errorf("version: exit %d, %q", code, out)
	}
	if out2 := app.Build(); !strings.HasPrefix(out, out2) {
		t.Errorf("version says %q, the build %q", out, out2)
	}
	dir := t.TempDir()
	for _, args := range [][]string{{"serve", "--help"}, {"orders", "list", "-h"}, {"backup", "--help"}, {"files", "copy", "--help"}} {
		code, _, errOut := runCLI(t, nil, append(args, "--data", dir)...)
		if code != 0 || !strings.Contains(errOut, "-data") {
			t.Errorf("pressroom %s: exit %d, flags:\n%s", strings.Join(args, " "), code, errOut)
		}
	}
	if code, _, errOut := runCLI(t, nil, "orders", "list", "--colour", "red", "--data", dir); code != 2 || !strings.Contains(errOut, "colour") {
		t.Errorf("unknown flag: exit %d, %s", code, errOut)
	}
}
