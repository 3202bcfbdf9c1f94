package app_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
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
		// The operator API issues one too: shown once, named.
		k := decodeNumbers(t, wantOK(t, do(t, "POST", srv.URL+"/v1/operator/keys", operatorKey, `{"name":"Bram (shipping)"}`), 201).Body)
		bram, _ := k["key"].(string)
		if k["name"] != "Bram (shipping)" || !strings.HasPrefix(bram, "pro_") {
			t.Fatalf("an operator key from the API: %v", k)
		}
		for _, c := range []struct {
			key, body string
			status    int
		}{
			{operatorKey, `{"name":"  "}`, 422},
			{operatorKey, `{}`, 422},
			{operatorKey, `{"name":"` + strings.Repeat("x", 201) + `"}`, 422},
			{operatorKey, `{"name":7}`, 400},
			{demoKey, `{"name":"me"}`, 404},
			{"", `{"name":"me"}`, 401},
		} {
			if r := do(t, "POST", srv.URL+"/v1/operator/keys", c.key, c.body); r.Status != c.status {
				t.Errorf("POST /v1/operator/keys %s: %d %s, want %d", c.body, r.Status, r.Body, c.status)
			}
		}
		wantOK(t, do(t, "GET", srv.URL+"/v1/operator/orders", bram, nil), 200)
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
		wantPage(t, b.get("/console/orders/"+n), 200, "operator (Anna (print room))", "operator (Bram)", `<span class="who">Anna (print room)</span>`)
		// The CLI writes a note too, and shows who did what.
		if code, _, errOut := runCLI(t, env, append([]string{"orders", "note", n, "--text", "ship on Friday", "--by", "Bram"}, srv.Args...)...); code != 0 {
			t.Fatalf("orders note: exit %d: %s", code, errOut)
		}
		code, out, _ = runCLI(t, env, append([]string{"orders", "show", n}, srv.Args...)...)
		if code != 0 || !strings.Contains(out, "operator (Anna (print room)) status hold→in_production") || !strings.Contains(out, "operator (Bram) note - ship on Friday") {
			t.Errorf("orders show: exit %d\n%s", code, out)
		}
		if code, _, errOut := runCLI(t, env, append([]string{"orders", "note", "424242", "--text", "x"}, srv.Args...)...); code == 0 || !strings.Contains(errOut, "424242") {
			t.Errorf("a note on an unknown order: exit %d %s", code, errOut)
		}
		// A console sign-in is no key: the staff's keys are the two keys and
		// the shared one, whoever signed in.
		code, out, _ = runCLI(t, env, append([]string{"keys", "list", "--operator"}, srv.Args...)...)
		if code != 0 || strings.Count(out, "\n") != 4 || !strings.Contains(out, "Bram") {
			t.Errorf("keys list --operator after console sign-ins: exit %d\n%s", code, out)
		}
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

// Staff keep notes in an order's history ("customer called: ship on
// Friday"), through the operator API or the console: staff see them with
// who wrote them; resellers see neither the notes nor a callback for them.
func TestStaffNotesStayWithStaff(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		rv := newReceiver(t)
		srv := startServer(t, st.args(t), callbackEnv())
		o := mustOrder(t, srv, demoKey, withCallback("note-1", rv.URL+"/ok"))
		n := num(t, o["number"])
		rv.wait(t, "/ok", 1) // order.created
		seen := wantOK(t, do(t, "GET", orderURL(srv, o, ""), demoKey, nil), 200).JSON(t)
		time.Sleep(1100 * time.Millisecond) // updated_at is in whole seconds

		r := wantOK(t, do(t, "POST", operatorURL(srv, o, "/notes"), operatorKey, `{"note":"  customer called: ship on Friday  "}`), 201)
		note := decodeNumbers(t, r.Body)
		if note["kind"] != "note" || note["reason"] != "customer called: ship on Friday" || note["by"] != "PRESSROOM_OPERATOR_KEY" || note["actor"] != "operator" {
			t.Fatalf("the note: %v", note)
		}
		b := newBrowser(t, srv)
		wantPage(t, b.post("/console/login", url.Values{"key": {operatorKey}}), 303)
		p := b.post("/console/orders/"+n+"/notes", url.Values{"note": {"plates <b>bent</b>: reprint"}})
		if p.Status != 303 || p.Location != "/console/orders/"+n+"?done=note" {
			t.Fatalf("a note from the console: %d to %q", p.Status, p.Location)
		}
		wantPage(t, b.get(p.Location), 200, "for staff only", "customer called: ship on Friday", "plates &lt;b&gt;bent&lt;/b&gt;: reprint", `<tr class="note">`)

		// Refused: empty, too long, unknown order; a reseller's key finds no such endpoint.
		for _, c := range []struct {
			url, key, body string
			status         int
		}{
			{operatorURL(srv, o, "/notes"), operatorKey, `{"note":"   "}`, 422},
			{operatorURL(srv, o, "/notes"), operatorKey, `{"note":"` + strings.Repeat("é", 2001) + `"}`, 422},
			{operatorURL(srv, o, "/notes"), operatorKey, `{"note":1}`, 400},
			{operatorURL(srv, o, "/notes"), operatorKey, `{"nota":"x"}`, 400},
			{srv.URL + "/v1/operator/orders/424242/notes", operatorKey, `{"note":"x"}`, 404},
			{operatorURL(srv, o, "/notes"), demoKey, `{"note":"x"}`, 404},
			{operatorURL(srv, o, "/notes"), "", `{"note":"x"}`, 401},
		} {
			if r := do(t, "POST", c.url, c.key, c.body); r.Status != c.status {
				t.Errorf("%s %.40s: %d %s, want %d", c.url, c.body, r.Status, r.Body, c.status)
			}
		}
		wantOK(t, do(t, "POST", operatorURL(srv, o, "/notes"), operatorKey, `{"note":"`+strings.Repeat("é", 2000)+`"}`), 201)
		wantPage(t, b.post("/console/orders/"+n+"/notes", url.Values{"note": {" "}}), 422, "The note is empty.")
		wantPage(t, b.post("/console/orders/424242/notes", url.Values{"note": {"x"}}), 404)

		staffView := string(do(t, "GET", operatorURL(srv, o, "/events"), operatorKey, nil).Body)
		if strings.Count(staffView, `"kind":"note"`) != 3 {
			t.Errorf("the operator's events: %s", staffView)
		}
		// The order itself did not change for its reseller.
		if now := wantOK(t, do(t, "GET", orderURL(srv, o, ""), demoKey, nil), 200).JSON(t); now["updated_at"] != seen["updated_at"] {
			t.Errorf("the notes moved the order's updated_at from %v to %v", seen["updated_at"], now["updated_at"])
		}
		resellerView := string(do(t, "GET", orderURL(srv, o, "/events"), demoKey, nil).Body)
		if strings.Contains(resellerView, "note") || strings.Contains(resellerView, "Friday") {
			t.Errorf("the reseller's events show a staff note: %s", resellerView)
		}
		// No callback for a note: the next one the reseller gets is the next status.
		wantOK(t, do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, `{"status":"in_production"}`), 200)
		got := rv.wait(t, "/ok", 2)
		time.Sleep(200 * time.Millisecond)
		if got = rv.wait(t, "/ok", 2); len(got) != 2 || got[1].Payload.Type != "order.status" || got[1].Payload.Sequence != 2 {
			t.Errorf("callbacks after the notes: %d, the second %s #%d", len(got), got[1].Payload.Type, got[1].Payload.Sequence)
		}
	})
}
