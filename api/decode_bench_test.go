package api

import (
	"strings"
	"testing"

	"github.com/pressroom/pressroom/internal/httpx"
)

// benchOrderBody is an order of three items with a delivery address, as a
// webshop sends it: what intake decodes first.
var benchOrderBody = []byte(`{"id":"web-1","reference":"Reseller API test order","contact_email":"customer@test.com","callback_urls":["https://shop.example/status"],` +
	`"delivery":{"address":{"company_name":"Probo Sign","first_name":"John","last_name":"Doe","street":"Fortuinweg","house_number":"17","addition":"A","postal_code":"9101PE","city":"Dokkum","country":"NL","phone":"0031880223200","email":"test@test.nl"},"shipping_method_code":"onbezorgd-standard"},` +
	`"items":[` + strings.Repeat(`{"reference":"line","code":"dibond","options":[{"code":"height","value":40},{"code":"width","value":20},{"code":"amount","value":5},{"code":"direct-to-plate"},{"code":"single-sided"},{"code":"dibond-budget"},{"code":"3mm"},{"code":"milling"},{"code":"no-drillholes"},{"code":"customer-supplied-file"}],"files":[{"url":"https://files.example/print.pdf","md5":"e2c0c4781074792afbaf73c6af5eae87","page":1}]},`, 2) +
	`{"reference":"line","code":"dibond","options":[{"code":"height","value":40},{"code":"width","value":20},{"code":"amount","value":5},{"code":"direct-to-plate"},{"code":"single-sided"},{"code":"dibond-budget"},{"code":"3mm"},{"code":"milling"},{"code":"no-drillholes"},{"code":"customer-supplied-file"}],"files":[{"url":"https://files.example/print.pdf","md5":"e2c0c4781074792afbaf73c6af5eae87","page":1}]}]}`)

// BenchmarkDecodeOrderBody is the native intake's strict decoding of a
// 3-item order, the check of its member names' case included.
func BenchmarkDecodeOrderBody(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var in orderIn
		if err := httpx.Unmarshal(benchOrderBody, true, &in); err != nil {
			b.Fatal(err)
		}
	}
}
