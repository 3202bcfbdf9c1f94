package app_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Each staff member has an operator key of their own (pressroom keys create
// --operator --name): the changes they make, through the operator API, the
// console or the CLI, name them in the order's history. Staff see the name;
// resellers do not.
func TestStaffKeysNameTheirChanges(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		env := baseEnv()
		env["USER"] = "printer"
		code, out, errOut := runCLI(t, env, append([]string{"keys", "create", "--operator", "--name", "Anna (print room)"}, srv.Args...)...)
		if code != 0 {
			t.Fatalf("keys create --operator: exit %d: %s", code, errOut)
		}
		m := regexp.MustCompile(`operator key: (pro_\S+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no key in %q", out)
		}
		anna := m[1]
		code, out, _ = runCLI(t, env, append([]string{"keys", "list", "--reseller", "0"}, srv.Args...)...)
		if code != 0 || !strings.Contains(out, "Anna (print room)") || !strings.Contains(out, "PRESSROOM_OPERATOR_KEY") {
			t.Fatalf("keys list of the operator keys: exit %d\n%s", code, out)
		}

		o := mustOrder(t, srv, demoKey, orderBody("staff-1"))
		n := num(t, o["number"])
		// Anna through the API, then Bram's console sign-in is Anna's key too
		// (one browser), then the CLI by its --by and by the system user.
		wantOK(t, do(t, "POST", operatorURL(srv, o, "/status"), anna, `{"status":"hold","reason":"check the bleed"}`), 200)
		b := newBrowser(t, srv)
		wantPage(t, b.post("/console/login", url.Values{"key": {anna}}), 303)
		wantPage(t, b.post("/console/orders/"+n+"/status", url.Values{"status": {"in_production"}}), 303)
		if code, _, errOut := runCLI(t, env, append([]string{"orders", "advance", n, "--status", "logistics", "--by", "Bram"}, srv.Args...)...); code != 0 {
			t.Fatalf("orders advance --by: exit %d: %s", code, errOut)
		}
		if code, _, errOut := runCLI(t, env, append([]string{"orders", "advance", n, "--status", "shipment_created"}, srv.Args...)...); code != 0 {
			t.Fatalf("orders advance: exit %d: %s", code, errOut)
		}
		wantOK(t, do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, `{"status":"shipment_delivered"}`), 200)

		type ev struct{ To, By string }
		events := func(key, url string) []ev {
			var out []ev
			for _, e := range decodeNumbers(t, wantOK(t, do(t, "GET", url, key, nil), 200).Body)["events"].([]any) {
				m := e.(map[string]any)
				if m["kind"] == "status" {
					by, _ := m["by"].(string)
					out = append(out, ev{m["to"].(string), by})
				}
			}
			return out
		}
		want := []ev{{"hold", "Anna (print room)"}, {"in_production", "Anna (print room)"}, {"logistics", "Bram"},
			{"shipment_created", "command line (printer)"}, {"shipment_delivered", "PRESSROOM_OPERATOR_KEY"}}
		if got := events(operatorKey, operatorURL(srv, o, "/events")); !equalEvents(got, want) {
			t.Errorf("the operator's events: %v, want %v", got, want)
		}
		// The reseller sees the changes, not who of the staff made them.
		for _, e := range events(demoKey, orderURL(srv, o, "/events")) {
			if e.By != "" {
				t.Errorf("the reseller sees %q", e.By)
			}
		}
		if body := string(do(t, "GET", orderURL(srv, o, "/events"), demoKey, nil).Body); strings.Contains(body, "Anna") || strings.Contains(body, `"by"`) {
			t.Errorf("the reseller's events name staff: %s", body)
		}
		wantPage(t, b.get("/console/orders/"+n), 200, "operator (Anna (print room))", "operator (Bram)")
	})
}

func equalEvents[E comparable](a, b []E) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
