package app_test

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// The tracking page a reseller hands its customer: a browser gets a page in
// the customer's language, with the parcels' links, that passes the token
// on to no one; other clients get the JSON as before.
func TestTrackingPageForBrowsers(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		de := mustOrder(t, srv, demoKey, strings.Replace(orderBody("tr-de", `"language":"de"`), `"reference":"Reseller API test order"`, `"reference":"Schild <b>42</b>"`, 1))
		plain := mustOrder(t, srv, demoKey, orderBody("tr-any"))
		browser := map[string]string{"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"}

		// The order's own language wins over the browser's.
		p := doWith(t, "GET", de["tracking_page"].(string), "", nil, browser)
		body := string(p.Body)
		if p.Status != 200 || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("tracking page for a browser: %d %s\n%s", p.Status, p.Header.Get("Content-Type"), body)
		}
		for _, want := range []string{`<html lang="de">`, "Ihre Bestellung", "Wir haben Ihre Bestellung erhalten.", "Bestellung " + num(t, de["number"]),
			"Schild &lt;b&gt;42&lt;/b&gt;", `<li class="here" aria-current="step">Eingegangen</li>`, "Voraussichtliche Lieferung"} {
			if !strings.Contains(body, want) {
				t.Errorf("the German page lacks %q:\n%s", want, body)
			}
		}
		if strings.Contains(body, "<b>42</b>") || strings.Contains(body, "pressroom") {
			t.Errorf("the page shows the reference as HTML or names pressroom:\n%s", body)
		}
		for k, v := range map[string]string{"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex", "Vary": "Accept"} {
			if !strings.Contains(p.Header.Get(k), v) {
				t.Errorf("%s: %q, want %q", k, p.Header.Get(k), v)
			}
		}
		// The policy allows the page's own style, by its hash, and no script.
		style := body[strings.Index(body, "<style>")+len("<style>") : strings.Index(body, "</style>")]
		sum := sha256.Sum256([]byte(style))
		csp := p.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "style-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("CSP %q does not allow the page's style by its hash", csp)
		}

		// No language on the order: the browser's, as far as the page has it.
		for _, s := range []string{"in_production", "shipment_created"} {
			body := `{"status":"` + s + `"}`
			if s == "shipment_created" {
				body = `{"status":"shipment_created","track_and_trace":"3SYMFU0000009","carrier":"postnl","tracking_url":"https://postnl.example/3SYMFU0000009"}`
			}
			wantOK(t, do(t, "POST", operatorURL(srv, plain, "/status"), operatorKey, body), 200)
		}
		body = string(doWith(t, "GET", plain["tracking_page"].(string), "", nil, browser).Body)
		for _, want := range []string{`<html lang="fr">`, "Votre commande est prête pour le transporteur.", "<h2>Colis</h2>", `<li class="done">Reçue</li>`, `<li class="here" aria-current="step">Expédiée</li>`,
			`postnl: <a href="https://postnl.example/3SYMFU0000009" rel="noreferrer noopener">3SYMFU0000009</a>`} {
			if !strings.Contains(body, want) {
				t.Errorf("the French page lacks %q:\n%s", want, body)
			}
		}
		body = string(doWith(t, "GET", plain["tracking_page"].(string), "", nil, map[string]string{"Accept": "text/html", "Accept-Language": "sv-SE"}).Body)
		if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Your order is ready for the carrier.") {
			t.Errorf("a language the page lacks gives English:\n%s", body)
		}
		// Delivered: no expected date any more; cancelled: no steps.
		wantOK(t, do(t, "POST", operatorURL(srv, plain, "/status"), operatorKey, `{"status":"shipment_delivered"}`), 200)
		body = string(doWith(t, "GET", plain["tracking_page"].(string), "", nil, map[string]string{"Accept": "text/html"}).Body)
		if !strings.Contains(body, `<li class="here" aria-current="step">Delivered</li>`) || strings.Contains(body, "Expected delivery") {
			t.Errorf("the delivered page:\n%s", body)
		}
		wantOK(t, do(t, "POST", orderURL(srv, de, "/cancel"), demoKey, nil), 200)
		body = string(doWith(t, "GET", de["tracking_page"].(string), "", nil, map[string]string{"Accept": "text/html"}).Body)
		if !strings.Contains(body, "Diese Bestellung wurde storniert.") || strings.Contains(body, `class="steps"`) {
			t.Errorf("the cancelled page:\n%s", body)
		}

		// Any other client gets the JSON; an unknown token is not found either way.
		if r := do(t, "GET", plain["tracking_page"].(string), "", nil); !strings.Contains(string(r.Body), `"status":"shipment_delivered"`) {
			t.Errorf("the JSON: %d %s", r.Status, r.Body)
		}
		// A customer whose link leads nowhere gets a page that says so, in
		// their language; a program gets the problem.
		r := doWith(t, "GET", srv.URL+"/track/nope", "", nil, map[string]string{"Accept": "text/html", "Accept-Language": "fr-BE, en;q=0.5"})
		if r.Status != 404 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.Body), "Ce lien ne mène à aucune commande.") ||
			strings.Contains(string(r.Body), "Commande ") || r.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("an unknown token for a browser: %d %s\n%s", r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		if r := do(t, "GET", srv.URL+"/track/nope", "", nil); r.Status != 404 || !strings.Contains(string(r.Body), `"code":"not_found"`) {
			t.Errorf("an unknown token for a program: %d %s", r.Status, r.Body)
		}
	})
}
