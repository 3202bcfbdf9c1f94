package api

import (
	"strconv"

	"github.com/pressroom/pressroom/internal/jsonw"
	"github.com/pressroom/pressroom/pricing"
)

// The price answer (46 kB for dibond with every shipping method to
// Belgium) writes itself as encoding/json would, without its reflection;
// TestPriceAnswerMatchesEncodingJSON proves the bytes equal for random
// values of every field. Native answers do not escape HTML.

func (p *priceResponse) appendJSON(b []byte) []byte {
	b = append(b, `{"calculation_id":`...)
	b = strconv.AppendInt(b, p.CalculationID, 10)
	b = append(b, `,"expires_at":`...)
	b = jsonw.String(b, p.ExpiresAt, false)
	b = append(b, `,"catalog_version":`...)
	b = strconv.AppendInt(b, p.CatalogVersion, 10)
	b = append(b, `,"currency":`...)
	b = jsonw.String(b, p.Currency, false)
	b = append(b, `,"country":`...)
	b = jsonw.String(b, p.Country, false)
	b = append(b, `,"vat_rate":`...)
	b = jsonw.Number(b, p.VATRate)
	b = append(b, `,"reverse_charge":`...)
	b = strconv.AppendBool(b, p.ReverseCharge)
	b = append(b, `,"prices":`...)
	b = jsonw.Slice(b, p.Prices, false, (*priceOptionOut).appendJSON)
	b = append(b, `,"products":`...)
	b = jsonw.Slice(b, p.Products, false, (*pricedProductIn).appendJSON)
	return append(b, '}')
}

func (p *pricedProductIn) appendJSON(b []byte, esc bool) []byte {
	b = append(b, `{"id":`...)
	b = jsonw.Raw(b, p.ID, esc)
	b = append(b, `,"code":`...)
	b = jsonw.String(b, p.Code, esc)
	if p.CustomerCode != "" {
		b = append(b, `,"customer_code":`...)
		b = jsonw.String(b, p.CustomerCode, esc)
	}
	b = append(b, `,"amount":`...)
	b = jsonw.Number(b, p.Amount)
	b = append(b, `,"options":`...)
	b = jsonw.Slice(b, p.Options, esc, pricing.AppendOption)
	b = append(b, `,"weight":`...)
	b = jsonw.Number(b, p.Weight)
	return append(b, '}')
}

func (o *priceOptionOut) appendJSON(b []byte, esc bool) []byte {
	b = append(b, `{"production_time":`...)
	b = jsonw.String(b, o.ProductionTime, esc)
	b = append(b, `,"production_hours":`...)
	b = strconv.AppendInt(b, int64(o.ProductionHours), 10)
	b = append(b, `,"production_days":`...)
	b = strconv.AppendInt(b, int64(o.ProductionDays), 10)
	b = append(b, `,"shipping_date":`...)
	b = jsonw.String(b, o.ShippingDate, esc)
	b = append(b, `,"delivery_date":`...)
	b = jsonw.String(b, o.DeliveryDate, esc)
	b = append(b, `,"products_total":`...)
	b = o.ProductsTotal.AppendJSON(b)
	b = append(b, `,"products":`...)
	b = jsonw.Slice(b, o.Products, esc, (*productPriceOut).appendJSON)
	b = append(b, `,"deliveries":`...)
	b = jsonw.Slice(b, o.Deliveries, esc, (*deliveryOut).appendJSON)
	return append(b, '}')
}

func (p *productPriceOut) appendJSON(b []byte, esc bool) []byte {
	b = append(b, `{"id":`...)
	b = jsonw.Raw(b, p.ID, esc)
	b = append(b, `,"prices_total":`...)
	b = p.PricesTotal.AppendJSON(b)
	b = append(b, `,"prices_per_product":`...)
	b = p.PricesPerProduct.AppendJSON(b)
	return append(b, '}')
}

func (d *deliveryOut) appendJSON(b []byte, esc bool) []byte {
	b = append(b, `{"shipping_method_code":`...)
	b = jsonw.String(b, d.ShippingMethodCode, esc)
	b = append(b, `,"name":`...)
	b = jsonw.StringPtr(b, d.Name, esc)
	b = append(b, `,"description":`...)
	b = jsonw.StringPtr(b, d.Description, esc)
	b = append(b, `,"short_description":`...)
	b = jsonw.StringPtr(b, d.ShortDescription, esc)
	b = append(b, `,"icon":`...)
	b = jsonw.String(b, d.Icon, esc)
	b = append(b, `,"carrier":`...)
	b = jsonw.String(b, d.Carrier, esc)
	b = append(b, `,"type":`...)
	b = jsonw.String(b, d.Type, esc)
	b = append(b, `,"transit_days":`...)
	b = strconv.AppendInt(b, int64(d.TransitDays), 10)
	b = append(b, `,"shipping_date":`...)
	b = jsonw.String(b, d.ShippingDate, esc)
	b = append(b, `,"delivery_date":`...)
	b = jsonw.String(b, d.DeliveryDate, esc)
	b = append(b, `,"prices":{"purchase_shipping_price":`...)
	p := &d.Prices
	b = jsonw.Number(b, p.PurchaseShippingPrice)
	b = append(b, `,"purchase_packaging_price":`...)
	b = jsonw.Number(b, p.PurchasePackagingPrice)
	b = append(b, `,"purchase_price":`...)
	b = jsonw.Number(b, p.PurchasePrice)
	b = append(b, `,"purchase_price_incl_vat":`...)
	b = jsonw.Number(b, p.PurchasePriceInclVAT)
	b = append(b, `,"sales_price":`...)
	b = jsonw.Number(b, p.SalesPrice)
	b = append(b, `,"sales_price_incl_vat":`...)
	b = jsonw.Number(b, p.SalesPriceInclVAT)
	return append(b, "}}"...)
}
