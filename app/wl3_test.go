package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/testfiles"
)

const wl3Dibond = `{"productCode":"dibond","quantity":2,"characteristics":[{"code":"width","value":40},{"code":"height","value":"40"},
  {"code":"direct-to-plate"},{"code":"single-sided"},{"code":"dibond-budget"},{"code":"3mm"},{"code":"milling"},
  {"code":"no-drillholes"},{"code":"customer-supplied-file"}],"files":[{"url":"%s"}]}`

const wl3Address = `{"deliveryAddress":{"companyName":"Probo","firstName":"Mr.","lastName":"Print","street":"Fortuinweg","houseNumber":"17",
  "postalCode":"9101PE","city":"Dokkum","country":"NL","phone":"31612345678","email":"print@example.com"},"shippingMethod":"onbezorgd-standard"}`

// wl calls the WL-V3 API with a bearer token.
func wl(t testing.TB, srv *server, method, p, token string, body any) response {
	t.Helper()
	return do(t, method, srv.URL+"/wl3/api"+p, token, body)
}

// token asks /wl3/oauth/token for an access token.
func wlToken(t *testing.T, srv *server, form url.Values, basicUser, basicPass string) response {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+"/wl3/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicPass != "" {
		req.SetBasicAuth(basicUser, basicPass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: []byte(b.String())}
}

func wantStatus(t *testing.T, what string, r response, status int) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: %d %s, want %d", what, r.Status, r.Body, status)
	}
	if len(r.Body) == 0 {
		return nil
	}
	return decodeNumbers(t, r.Body)
}

// TestWL3Flow walks the document's seven steps with an access token, for
// the reseller and for one of its end customers: create a draft, add two
// items, delete one, complete and check it out, list by every stage, the
// execution status, custom fields and characteristics; and proves each
// refusal (a confirmed order's items, a second checkout, a free edition
// writing, an expired draft, another reseller's objects).
func TestWL3Flow(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		files := fileServer(t, map[string][]byte{"/plate.pdf": testfiles.PDF(200, 400, 10)})
		rv := newReceiver(t)
		srv := startServer(t, st.args(t), callbackEnv())
		account := fmt.Sprint(decodeNumbers(t, do(t, "GET", srv.URL+"/v1/account", demoKey, nil).Body)["id"])

		// Authentication: client credentials in Basic auth, the password
		// grant, and the key itself as a bearer token.
		tok := wantStatus(t, "token", wlToken(t, srv, url.Values{"grant_type": {"client_credentials"}}, account, demoKey), 200)
		if tok["token_type"] != "Bearer" || fmt.Sprint(tok["expires_in"]) != "3600" || !strings.HasPrefix(fmt.Sprint(tok["access_token"]), "pat_") {
			t.Fatalf("token answer: %v", tok)
		}
		token := fmt.Sprint(tok["access_token"])
		pw := wantStatus(t, "password grant", wlToken(t, srv, url.Values{"grant_type": {"password"}, "username": {account}, "password": {demoKey}}, "", ""), 200)
		for _, k := range []string{token, fmt.Sprint(pw["access_token"]), demoKey} {
			wantStatus(t, "list with "+k[:4], wl(t, srv, "GET", "/orders", k, nil), 200)
		}
		if r := wlToken(t, srv, url.Values{"grant_type": {"client_credentials"}}, account, "wrong-secret-123"); r.Status != 401 || !strings.Contains(string(r.Body), `"invalid_client"`) {
			t.Errorf("wrong secret: %d %s", r.Status, r.Body)
		}
		if r := wlToken(t, srv, url.Values{"grant_type": {"authorization_code"}}, account, demoKey); r.Status != 400 || !strings.Contains(string(r.Body), `"unsupported_grant_type"`) {
			t.Errorf("unsupported grant: %d %s", r.Status, r.Body)
		}
		for _, k := range []string{"", "pat_unknown"} {
			if r := wl(t, srv, "GET", "/orders", k, nil); r.Status != 401 || !strings.Contains(string(r.Body), `"code":"unauthorized"`) {
				t.Errorf("token %q: %d %s", k, r.Status, r.Body)
			}
		}

		// Step 1: a draft, with the document's AccountID spelling.
		d := wantStatus(t, "create", wl(t, srv, "POST", "/orders", token, `{"AccountID":"`+account+`","callbackUrl":"`+rv.URL+`/wl3"}`), 201)
		id := fmt.Sprint(d["orderId"])
		today := companyToday(t) // a draft's dates are the print company's
		if d["status"] != "Draft" || d["accountId"] != account || d["expirationDate"] != today.AddDate(0, 0, 7).Format(time.DateOnly) || d["orderDate"] != today.Format(time.DateOnly) {
			t.Errorf("draft: %v", d)
		}
		// Step 2: two items; step 3: delete one.
		first := wantStatus(t, "add", wl(t, srv, "POST", "/orders/"+id+"/items", token, fmt.Sprintf(wl3Dibond, files.URL+"/plate.pdf")), 201)
		second := wantStatus(t, "add", wl(t, srv, "POST", "/orders/"+id+"/items", token, `{"productCode":"side-grip-spacer-2-5mm","quantity":4}`), 201)
		if path(t, first, "characteristics", 0, "code") != "width" || fmt.Sprint(path(t, first, "characteristics", 0, "value")) != "40" || fmt.Sprint(first["quantity"]) != "2" {
			t.Errorf("item: %v", first)
		}
		wantStatus(t, "delete", wl(t, srv, "DELETE", fmt.Sprintf("/orders/%s/items/%v", id, second["itemId"]), token, nil), 204)
		items := wantStatus(t, "items", wl(t, srv, "GET", "/orders/"+id+"/items", token, nil), 200)
		if fmt.Sprint(items["total"]) != "1" || fmt.Sprint(path(t, items, "data", 0, "itemId")) != fmt.Sprint(first["itemId"]) {
			t.Errorf("items after delete: %v", items)
		}
		itemPath := fmt.Sprintf("/orders/%s/items/%v", id, first["itemId"])
		wantStatus(t, "item", wl(t, srv, "GET", itemPath, token, nil), 200)
		// Characteristics: changed on a draft, the item is configured and priced again.
		ch := wantStatus(t, "characteristics", wl(t, srv, "GET", itemPath+"/characteristics", token, nil), 200)
		if len(ch["characteristics"].([]any)) != 9 {
			t.Errorf("characteristics: %v", ch)
		}
		wider := strings.Replace(fmt.Sprintf(wl3Dibond, ""), `"value":40}`, `"value":80}`, 1)
		var body map[string]any
		json.Unmarshal([]byte(wider), &body)
		changed := wantStatus(t, "set characteristics", wl(t, srv, "PUT", itemPath+"/characteristics", token, map[string]any{"characteristics": body["characteristics"]}), 200)
		if fmt.Sprint(path(t, changed, "characteristics", 0, "value")) != "80" || fmt.Sprint(path(t, changed, "item", "price", "exclVat")) == fmt.Sprint(path(t, first, "price", "exclVat")) {
			t.Errorf("wider plate: %v (was %v)", changed, first["price"])
		}
		if r := wl(t, srv, "PUT", itemPath+"/characteristics", token, `{"characteristics":[{"code":"width","value":"wide"}]}`); r.Status != 422 || !strings.Contains(string(r.Body), `"field":"characteristics[0]"`) {
			t.Errorf("bad characteristic: %d %s", r.Status, r.Body)
		}
		// Step 4: the checkout needs an address and a shipping method.
		if r := wl(t, srv, "POST", "/orders/"+id+"/checkout", token, nil); r.Status != 422 || !strings.Contains(string(r.Body), `"field":"deliveryAddress"`) || !strings.Contains(string(r.Body), `"field":"shippingMethod"`) {
			t.Errorf("checkout without address: %d %s", r.Status, r.Body)
		}
		wantStatus(t, "address", wl(t, srv, "PUT", "/orders/"+id, token, wl3Address), 200)
		// null takes the address away again (the buyer went back to the
		// cart); a PUT without it keeps it.
		if got := wantStatus(t, "no address", wl(t, srv, "PUT", "/orders/"+id, token, `{"deliveryAddress":null}`), 200); got["deliveryAddress"] != nil || got["shippingMethod"] != "onbezorgd-standard" {
			t.Errorf("after deliveryAddress null: %v", got)
		}
		wantStatus(t, "address again", wl(t, srv, "PUT", "/orders/"+id, token, wl3Address), 200)
		if got := wantStatus(t, "a reference", wl(t, srv, "PUT", "/orders/"+id, token, `{"reference":"cart 7"}`), 200); path(t, got, "deliveryAddress", "city") != "Dokkum" {
			t.Errorf("a PUT without the address lost it: %v", got)
		}
		done := wantStatus(t, "checkout", wl(t, srv, "POST", "/orders/"+id+"/checkout", token, nil), 200)
		if done["status"] != "Confirmed" || done["expirationDate"] != nil || done["shippingMethod"] != "onbezorgd-standard" || done["deliveryDate"] == nil {
			t.Errorf("checked out: %v", done)
		}
		cb := rv.wait(t, "/wl3", 1)
		if cb[0].Payload.Type == "" || fmt.Sprint(cb[0].Payload.Order.Number) != id {
			t.Errorf("callback in the native envelope: %s", cb[0].Body)
		}
		// Refusals on a confirmed order.
		for _, c := range []struct{ method, p, body string }{
			{"POST", "/orders/" + id + "/checkout", ""},
			{"POST", "/orders/" + id + "/items", `{"productCode":"side-grip-spacer-2-5mm","quantity":1}`},
			{"DELETE", itemPath, ""},
			{"PUT", itemPath + "/characteristics", `{"characteristics":[]}`},
			{"PUT", "/orders/" + id, wl3Address},
		} {
			var b any
			if c.body != "" {
				b = c.body
			}
			if r := wl(t, srv, c.method, c.p, token, b); r.Status != 409 || !strings.Contains(string(r.Body), `"code":"conflict"`) {
				t.Errorf("%s %s on a confirmed order: %d %s", c.method, c.p, r.Status, r.Body)
			}
		}
		// Step 5: listings by stage; the execution status.
		draft := wantStatus(t, "second draft", wl(t, srv, "POST", "/orders", token, `{"accountId":`+account+`}`), 201)
		stage := func(q string) []string {
			l := wantStatus(t, "list "+q, wl(t, srv, "GET", "/orders"+q, token, nil), 200)
			var ids []string
			for _, o := range l["data"].([]any) {
				ids = append(ids, fmt.Sprint(o.(map[string]any)["orderId"]))
			}
			return ids
		}
		dID := fmt.Sprint(draft["orderId"])
		if got := stage(""); strings.Join(got, ",") != id {
			t.Errorf("default (Confirmed): %v", got)
		}
		if got := stage("?stage=Confirmed"); strings.Join(got, ",") != id {
			t.Errorf("Confirmed: %v", got)
		}
		if got := stage("?stage=Draft"); strings.Join(got, ",") != dID {
			t.Errorf("Draft: %v", got)
		}
		// A listed order is the order as its own GET has it, its items too,
		// once its file is checked (the two reads would otherwise race the
		// file's job).
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			one := wantStatus(t, "order", wl(t, srv, "GET", "/orders/"+id, token, nil), 200)
			if st := path(t, one, "items", 0, "fileState"); st == "passed" || st == "failed" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the order's file is still %v", path(t, one, "items", 0, "fileState"))
			}
		}
		listed := wantStatus(t, "list", wl(t, srv, "GET", "/orders", token, nil), 200)["data"].([]any)[0]
		if one := wantStatus(t, "order", wl(t, srv, "GET", "/orders/"+id, token, nil), 200); !reflect.DeepEqual(listed, any(one)) || len(one["items"].([]any)) == 0 {
			t.Errorf("the listed order:\n%v\nits own GET:\n%v", listed, one)
		}
		if got := stage("?stage=All"); len(got) != 2 {
			t.Errorf("All: %v", got)
		}
		if got := stage("?stage=All&page=2&pageSize=1"); len(got) != 1 {
			t.Errorf("All, page 2 of 1: %v", got)
		}
		ex := wantStatus(t, "execute status", wl(t, srv, "GET", "/orders/"+id+"/execute/status", token, nil), 200)
		if ex["status"] != "Confirmed" || ex["executionStatus"] != "accepted" || len(ex["items"].([]any)) != 1 {
			t.Errorf("execution: %v", ex)
		}
		if r := wl(t, srv, "GET", "/orders/"+dID+"/execute/status", token, nil); r.Status != 409 {
			t.Errorf("execution status of a draft: %d %s", r.Status, r.Body)
		}
		// Step 7: custom fields.
		cf := wantStatus(t, "set custom fields", wl(t, srv, "PUT", "/orders/"+id+"/customfields", token, `{"customFields":[{"name":"costCenter","value":"42"},{"name":"buyer","value":"Ann"}]}`), 200)
		if fmt.Sprint(cf["customFields"]) != "[map[name:buyer value:Ann] map[name:costCenter value:42]]" {
			t.Errorf("custom fields: %v", cf)
		}
		wantStatus(t, "remove a custom field", wl(t, srv, "PUT", "/orders/"+id+"/customfields", token, `{"customFields":[{"name":"buyer","value":""}]}`), 200)
		if cf := wantStatus(t, "custom fields", wl(t, srv, "GET", "/orders/"+id+"/customfields", token, nil), 200); fmt.Sprint(cf["customFields"]) != "[map[name:costCenter value:42]]" {
			t.Errorf("custom fields after removal: %v", cf)
		}

		// An end customer of the reseller.
		cust := do(t, "POST", srv.URL+"/v1/operator/resellers/"+account+"/customers", operatorKey, `{"name":"Bakery Jansen","reference":"cust-9"}`)
		if cust.Status != 201 {
			t.Fatalf("customer: %d %s", cust.Status, cust.Body)
		}
		accounts := wantStatus(t, "accounts", wl(t, srv, "GET", "/accounts", token, nil), 200)
		custAccount := fmt.Sprint(path(t, accounts, "data", 1, "accountId"))
		if path(t, accounts, "data", 1, "type") != "endCustomer" || !strings.HasPrefix(custAccount, account+"-") {
			t.Fatalf("accounts: %v", accounts)
		}
		co := wantStatus(t, "end customer's draft", wl(t, srv, "POST", "/orders", token, `{"accountId":"`+custAccount+`"}`), 201)
		coID := fmt.Sprint(co["orderId"])
		wantStatus(t, "end customer's item", wl(t, srv, "POST", "/orders/"+coID+"/items", token, fmt.Sprintf(wl3Dibond, files.URL+"/plate.pdf")), 201)
		wantStatus(t, "end customer's address", wl(t, srv, "PUT", "/orders/"+coID, token, wl3Address), 200)
		if c := wantStatus(t, "end customer's checkout", wl(t, srv, "POST", "/orders/"+coID+"/checkout", token, nil), 200); c["accountId"] != custAccount {
			t.Errorf("end customer's order: %v", c)
		}

		// Another reseller: its own end customer and orders are not ours.
		other := decodeNumbers(t, do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).Body)
		otherKey, otherID := other["api_key"].(string), fmt.Sprint(other["id"])
		oc := decodeNumbers(t, do(t, "POST", srv.URL+"/v1/operator/resellers/"+otherID+"/customers", operatorKey, `{"name":"Theirs"}`).Body)
		for _, acc := range []string{otherID, otherID + "-" + fmt.Sprint(oc["id"]), account + "-999999", "nonsense"} {
			if r := wl(t, srv, "POST", "/orders", token, `{"accountId":"`+acc+`"}`); r.Status != 404 {
				t.Errorf("account %s: %d %s", acc, r.Status, r.Body)
			}
		}
		for _, p := range []string{"/orders/" + id, "/orders/" + id + "/items", itemPath, itemPath + "/characteristics", "/orders/" + id + "/customfields", "/orders/" + id + "/execute/status"} {
			if r := wl(t, srv, "GET", p, otherKey, nil); r.Status != 404 || !strings.Contains(string(r.Body), `"code":"not_found"`) {
				t.Errorf("other reseller GET %s: %d %s", p, r.Status, r.Body)
			}
		}
		if r := wl(t, srv, "POST", "/orders/"+dID+"/items", otherKey, `{"productCode":"side-grip-spacer-2-5mm","quantity":1}`); r.Status != 404 {
			t.Errorf("other reseller adds to our draft: %d %s", r.Status, r.Body)
		}

		// A draft whose order date is more than 7 days ago expires: refused, then deleted.
		old := time.Now().UTC().AddDate(0, 0, -8).Format(time.DateOnly)
		x := wantStatus(t, "old draft", wl(t, srv, "POST", "/orders", token, `{"accountId":"`+account+`","orderDate":"`+old+`"}`), 201)
		xID := fmt.Sprint(x["orderId"])
		if r := wl(t, srv, "POST", "/orders/"+xID+"/items", token, `{"productCode":"side-grip-spacer-2-5mm","quantity":1}`); r.Status != 409 && r.Status != 404 {
			t.Errorf("adding to an expired draft: %d %s", r.Status, r.Body)
		}
		for deadline := time.Now().Add(15 * time.Second); wl(t, srv, "GET", "/orders/"+xID, token, nil).Status != 404; time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the expired draft was not deleted")
			}
		}

		// A free edition reads, and every write is refused naming the edition.
		free := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Free","edition":"free"}`).JSON(t)["api_key"].(string)
		wantStatus(t, "free list", wl(t, srv, "GET", "/orders?stage=All", free, nil), 200)
		// Configure and price are reads: a free edition may use them.
		wantStatus(t, "free configure", do(t, "POST", srv.URL+"/v1/products/configure", free, `{"products":[{"code":"dibond"}]}`), 200)
		wantStatus(t, "free price", do(t, "POST", srv.URL+"/v1/prices", free, `{"products":[{"code":"dibond","options":`+dibondOptions+`}]}`), 200)
		freeToken := fmt.Sprint(wantStatus(t, "free token", wlToken(t, srv, url.Values{"grant_type": {"client_credentials"}}, "x", free), 200)["access_token"])
		for _, c := range []struct{ method, p string }{{"POST", "/orders"}, {"POST", "/orders/1/items"}, {"DELETE", "/orders/1/items/1"}, {"POST", "/orders/1/checkout"},
			{"PUT", "/orders/1"}, {"PUT", "/orders/1/customfields"}, {"PUT", "/orders/1/items/1/characteristics"}} {
			if r := wl(t, srv, c.method, c.p, freeToken, `{}`); r.Status != 403 || !strings.Contains(string(r.Body), "free edition") {
				t.Errorf("free %s %s: %d %s", c.method, c.p, r.Status, r.Body)
			}
		}
	})
}

// TestWL3Tokens: a token stops working when it expires and when the key
// that issued it is revoked.
func TestWL3Tokens(t *testing.T) {
	env := baseEnv()
	env["PRESSROOM_ACCESS_TOKEN_TTL"] = "2s"
	srv := startServer(t, stores[0].args(t), env)
	issued := decodeNumbers(t, do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Tokens"}`).Body)
	key := issued["api_key"].(string)
	tok := wantStatus(t, "token", wlToken(t, srv, url.Values{"grant_type": {"client_credentials"}}, "x", key), 200)
	if fmt.Sprint(tok["expires_in"]) != "2" {
		t.Errorf("expires_in = %v, want 2", tok["expires_in"])
	}
	token := fmt.Sprint(tok["access_token"])
	wantStatus(t, "fresh token", wl(t, srv, "GET", "/orders", token, nil), 200)
	for deadline := time.Now().Add(10 * time.Second); wl(t, srv, "GET", "/orders", token, nil).Status != 401; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("an expired token still works")
		}
	}
	// Revoking the key ends its tokens (within the key cache's few seconds).
	token = fmt.Sprint(wantStatus(t, "token", wlToken(t, srv, url.Values{"grant_type": {"client_credentials"}}, "x", key), 200)["access_token"])
	keys := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/operator/resellers/"+fmt.Sprint(issued["id"]), operatorKey, nil).Body)
	keyID := fmt.Sprint(path(t, keys, "keys", 0, "id"))
	if len(keys["keys"].([]any)) != 1 {
		t.Errorf("the reseller's keys list its tokens: %v", keys["keys"])
	}
	if r := do(t, "DELETE", srv.URL+"/v1/operator/keys/"+keyID, operatorKey, nil); r.Status != 204 {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	for deadline := time.Now().Add(15 * time.Second); wl(t, srv, "GET", "/orders", token, nil).Status != 401; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a token outlived its revoked key")
		}
	}
}

// TestWL3BadInput: what a caller can get wrong answers 4xx in the one
// error shape, naming the field; never a 500.
func TestWL3BadInput(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	account := fmt.Sprint(decodeNumbers(t, do(t, "GET", srv.URL+"/v1/account", demoKey, nil).Body)["id"])
	d := wantStatus(t, "draft", wl(t, srv, "POST", "/orders", demoKey, `{"accountId":"`+account+`"}`), 201)
	id := fmt.Sprint(d["orderId"])
	for _, c := range []struct {
		method, p string
		body      any
		status    int
		field     string
	}{
		{"POST", "/orders", `{"accountId":`, 400, ""},
		{"POST", "/orders", `{}`, 422, "accountId"},
		{"POST", "/orders", `{"accountId":"` + account + `","orderDate":"yesterday"}`, 422, "orderDate"},
		{"POST", "/orders", `{"accountId":"` + account + `","callbackUrl":"ftp://x"}`, 422, "callbackUrl"},
		{"POST", "/orders", `{"accountId":"` + account + `","deliveryAddress":{"country":"NL","postalCode":"ABC","street":"S","city":"C","lastName":"L","houseNumber":"1"}}`, 422, "deliveryAddress.postalCode"},
		{"POST", "/orders", `{"accountId":"` + account + `","reference":"` + strings.Repeat("x", 2<<20) + `"}`, 413, ""},
		{"PUT", "/orders/" + id, `{"shippingMethod":"carrier-pigeon"}`, 422, ""},
		{"PUT", "/orders/" + id, `{"accountId":"1"}`, 422, "accountId"},
		{"POST", "/orders/" + id + "/items", `{"productCode":"unobtainium","quantity":1}`, 422, "productCode"},
		{"POST", "/orders/" + id + "/items", `{"productCode":"side-grip-spacer-2-5mm"}`, 422, "quantity"},
		{"POST", "/orders/" + id + "/items", `{"productCode":"side-grip-spacer-2-5mm","quantity":"many"}`, 422, "quantity"},
		{"POST", "/orders/" + id + "/items", strings.Replace(fmt.Sprintf(wl3Dibond, "https://x.example/a.pdf"), `"value":"40"`, `"value":9999`, 1), 422, "characteristics[4]"},
		{"POST", "/orders/" + id + "/items", `{"productCode":"dibond","quantity":1,"characteristics":[{"code":"width","value":40}]}`, 422, "characteristics"},
		{"POST", "/orders/" + id + "/items", `[1,2]`, 400, ""},
		{"POST", "/orders/" + id + "/checkout", nil, 422, "deliveryAddress"},
		{"GET", "/orders?stage=Shipped", nil, 400, "stage"},
		{"GET", "/orders?pageSize=1000", nil, 400, "page"},
		{"GET", "/orders?page=0", nil, 400, "page"},
		{"GET", "/orders/abc", nil, 404, ""},
		{"GET", "/orders/999999999", nil, 404, ""},
		{"GET", "/orders/" + id + "/items/77", nil, 404, ""},
		{"DELETE", "/orders/" + id + "/items/77", nil, 404, ""},
		{"PUT", "/orders/" + id + "/customfields", `{"customFields":[{"name":"","value":"x"}]}`, 422, ""},
		{"PUT", "/orders/" + id + "/customfields", `{"other":1}`, 422, "customFields"},
		{"GET", "/nowhere", nil, 404, ""},
	} {
		r := wl(t, srv, c.method, c.p, demoKey, c.body)
		var body struct {
			Code, Message string
			Errors        []struct{ Field, Message string }
		}
		if r.Status != c.status || json.Unmarshal(r.Body, &body) != nil || body.Code == "" || body.Message == "" {
			t.Errorf("%s %s %.60v: %d %s, want %d", c.method, c.p, c.body, r.Status, r.Body, c.status)
			continue
		}
		found := c.field == ""
		for _, e := range body.Errors {
			found = found || e.Field == c.field
		}
		if !found {
			t.Errorf("%s %s %.60v: no error on %s: %s", c.method, c.p, c.body, c.field, r.Body)
		}
	}
}

// TestWL3AndBoxRateLimit: past the key's limit, the WL-V3 and box APIs
// answer 429 in their own error shapes, with Retry-After.
func TestWL3AndBoxRateLimit(t *testing.T) {
	env := baseEnv()
	env["PRESSROOM_RATE_LIMIT"] = "3"
	srv := startServer(t, stores[0].args(t), env)
	for _, c := range []struct{ path, body string }{
		{"/wl3/api/orders", `{"code":"rate_limited"`},
		{"/boxes/v1/reseller/orders", `"code":"RATE_LIMITED"`},
	} {
		var last response
		for range 4 {
			last = do(t, "GET", srv.URL+c.path, demoKey, nil)
		}
		if last.Status != 429 || !waitForOne(last.Header) || !strings.Contains(string(last.Body), c.body) {
			t.Errorf("%s past the limit: %d %v %s", c.path, last.Status, last.Header, last.Body)
		}
	}
}
