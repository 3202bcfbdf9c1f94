package api

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/order"
)

// The tracking page is the one page of pressroom that a reseller's own
// customer sees: the reseller hands its link on. A browser gets it as a
// small page in the customer's language, without the print company's name
// (resellers sell under their own: the page names the reseller's shop when
// it has one set); any other client gets the JSON.

//go:embed track.html
var trackHTML string

//go:embed track.css
var trackCSS string

var trackPage = template.Must(template.New("track").Parse(strings.Replace(trackHTML, "/*CSS*/", trackCSS, 1)))

// trackCSP allows the page's own style and nothing else: no script, no
// framing, no form. The style is allowed by its hash, so no other inline
// style is.
var trackCSP = func() string {
	sum := sha256.Sum256([]byte(trackCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
}()

// wantsHTML reports whether the client asks for a page (a browser) rather
// than data: text/html named in Accept.
func wantsHTML(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		if strings.Contains(v, "text/html") {
			return true
		}
	}
	return false
}

var trackLanguages = []language.Tag{language.English, language.Dutch, language.German, language.French}

var trackMatcher = language.NewMatcher(trackLanguages)

// trackLanguage is the order's language when it has one, else the
// browser's best match among the page's, else English.
func trackLanguage(o *order.Order, r *http.Request) string {
	switch o.Language {
	case "en", "nl", "de", "fr":
		return o.Language
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return "en"
	}
	_, i, _ := trackMatcher.Match(tags...)
	base, _ := trackLanguages[i].Base()
	return base.String()
}

// trackWords are the page's words in each language.
type trackWords struct {
	Title, Order, Expected, Delivered, Shipped, Packages, Steps string
	// Unknown is said for a link that leads to no order.
	Unknown string
	Step    [4]string
	Months  [12]string
	Status  map[order.Status]string
}

var trackText = map[string]trackWords{
	"en": {Title: "Your order", Order: "Order", Expected: "Expected delivery", Delivered: "Delivered", Shipped: "Shipped",
		Packages: "Parcels", Steps: "Progress",
		Unknown: "This link leads to no order. Check that it was copied whole, or ask the shop you ordered from.",
		Step:    [4]string{"Received", "In production", "Shipped", "Delivered"},
		Months:  [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		Status: map[order.Status]string{
			order.Accepted: "We have received your order.", order.Hold: "We are checking your order.",
			order.InProduction: "Your order is being made.", order.Logistics: "Your order is being packed.",
			order.ShipmentCreated: "Your order is ready for the carrier.", order.ShipmentScannedByCarrier: "The carrier has your parcel.",
			order.ShipmentInTransit: "Your parcel is on its way.", order.ShipmentDelayed: "Your parcel is delayed.",
			order.ShipmentReturned: "Your parcel is being returned to us.", order.ShipmentException: "There is a problem with the delivery; the carrier's page says more.",
			order.ShipmentNotAtHome: "The carrier found no one at home.", order.ShipmentAvailableAtPickupPoint: "Your parcel is waiting at the pick-up point.",
			order.ShipmentPickedUp: "Your parcel was picked up.", order.ShipmentDelivered: "Your parcel was delivered.",
			order.Cancelled: "This order was cancelled.",
		}},
	"nl": {Title: "Uw bestelling", Order: "Bestelling", Expected: "Verwachte levering", Delivered: "Geleverd", Shipped: "Verzonden",
		Packages: "Pakketten", Steps: "Voortgang",
		Unknown: "Bij deze link hoort geen bestelling. Controleer of hij helemaal is overgenomen, of vraag het de winkel waar u bestelde.",
		Step:    [4]string{"Ontvangen", "In productie", "Verzonden", "Geleverd"},
		Months:  [12]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
		Status: map[order.Status]string{
			order.Accepted: "We hebben uw bestelling ontvangen.", order.Hold: "We controleren uw bestelling.",
			order.InProduction: "Uw bestelling wordt gemaakt.", order.Logistics: "Uw bestelling wordt ingepakt.",
			order.ShipmentCreated: "Uw bestelling ligt klaar voor de vervoerder.", order.ShipmentScannedByCarrier: "De vervoerder heeft uw pakket.",
			order.ShipmentInTransit: "Uw pakket is onderweg.", order.ShipmentDelayed: "Uw pakket heeft vertraging.",
			order.ShipmentReturned: "Uw pakket komt naar ons terug.", order.ShipmentException: "Er is een probleem met de bezorging; de pagina van de vervoerder zegt meer.",
			order.ShipmentNotAtHome: "De vervoerder trof niemand thuis.", order.ShipmentAvailableAtPickupPoint: "Uw pakket ligt klaar bij het afhaalpunt.",
			order.ShipmentPickedUp: "Uw pakket is afgehaald.", order.ShipmentDelivered: "Uw pakket is bezorgd.",
			order.Cancelled: "Deze bestelling is geannuleerd.",
		}},
	"de": {Title: "Ihre Bestellung", Order: "Bestellung", Expected: "Voraussichtliche Lieferung", Delivered: "Geliefert", Shipped: "Versendet",
		Packages: "Pakete", Steps: "Fortschritt",
		Unknown: "Zu diesem Link gehört keine Bestellung. Prüfen Sie, ob er vollständig übernommen wurde, oder fragen Sie den Shop, in dem Sie bestellt haben.",
		Step:    [4]string{"Eingegangen", "In Produktion", "Versendet", "Geliefert"},
		Months:  [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
		Status: map[order.Status]string{
			order.Accepted: "Wir haben Ihre Bestellung erhalten.", order.Hold: "Wir prüfen Ihre Bestellung.",
			order.InProduction: "Ihre Bestellung wird hergestellt.", order.Logistics: "Ihre Bestellung wird verpackt.",
			order.ShipmentCreated: "Ihre Bestellung liegt für den Versanddienst bereit.", order.ShipmentScannedByCarrier: "Der Versanddienst hat Ihr Paket.",
			order.ShipmentInTransit: "Ihr Paket ist unterwegs.", order.ShipmentDelayed: "Ihr Paket verspätet sich.",
			order.ShipmentReturned: "Ihr Paket wird an uns zurückgeschickt.", order.ShipmentException: "Bei der Zustellung gibt es ein Problem; die Seite des Versanddienstes sagt mehr.",
			order.ShipmentNotAtHome: "Der Zusteller hat niemanden angetroffen.", order.ShipmentAvailableAtPickupPoint: "Ihr Paket liegt in der Abholstelle bereit.",
			order.ShipmentPickedUp: "Ihr Paket wurde abgeholt.", order.ShipmentDelivered: "Ihr Paket wurde zugestellt.",
			order.Cancelled: "Diese Bestellung wurde storniert.",
		}},
	"fr": {Title: "Votre commande", Order: "Commande", Expected: "Livraison prévue", Delivered: "Livrée", Shipped: "Expédiée",
		Packages: "Colis", Steps: "Avancement",
		Unknown: "Ce lien ne mène à aucune commande. Vérifiez qu'il a été copié en entier, ou demandez à la boutique où vous avez commandé.",
		Step:    [4]string{"Reçue", "En production", "Expédiée", "Livrée"},
		Months:  [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		Status: map[order.Status]string{
			order.Accepted: "Nous avons reçu votre commande.", order.Hold: "Nous vérifions votre commande.",
			order.InProduction: "Votre commande est en cours de fabrication.", order.Logistics: "Votre commande est en cours d'emballage.",
			order.ShipmentCreated: "Votre commande est prête pour le transporteur.", order.ShipmentScannedByCarrier: "Le transporteur a pris en charge votre colis.",
			order.ShipmentInTransit: "Votre colis est en route.", order.ShipmentDelayed: "Votre colis est retardé.",
			order.ShipmentReturned: "Votre colis nous est renvoyé.", order.ShipmentException: "La livraison rencontre un problème ; la page du transporteur en dit plus.",
			order.ShipmentNotAtHome: "Le livreur n'a trouvé personne.", order.ShipmentAvailableAtPickupPoint: "Votre colis vous attend au point relais.",
			order.ShipmentPickedUp: "Votre colis a été retiré.", order.ShipmentDelivered: "Votre colis a été livré.",
			order.Cancelled: "Cette commande a été annulée.",
		}},
}

// longDate writes a YYYY-MM-DD date as "8 January 2027" in the page's words.
func longDate(d string, w trackWords) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("2") + " " + w.Months[t.Month()-1] + " " + t.Format("2006")
}

// trackStep is how far along the four steps an order is: 0 received, 1
// in production, 2 shipped, 3 delivered (-1: cancelled).
func trackStep(s order.Status) int {
	switch {
	case s == order.Cancelled:
		return -1
	case s == order.ShipmentDelivered, s == order.ShipmentPickedUp:
		return 3
	case s.IsShipment():
		return 2
	case s == order.InProduction, s == order.Logistics:
		return 1
	}
	return 0
}

type trackPackage struct{ Carrier, Code, URL string }

type trackShop struct{ Name, URL string }

type trackView struct {
	Shop                                      *trackShop
	Lang, Number, Reference, Status, Expected string
	W                                         trackWords
	Step                                      int
	Steps                                     []trackStepView
	Packages                                  []trackPackage
}

type trackStepView struct {
	Name       string
	Done, Here bool
}

func (s *Server) writeTrackingPage(w http.ResponseWriter, r *http.Request, o *order.Order, pkgs []*order.Package, res *pressroom.Reseller) {
	lang := trackLanguage(o, r)
	words := trackText[lang]
	v := trackView{Lang: lang, Number: strconv.FormatInt(o.Number, 10), Reference: o.Reference, Status: words.Status[o.Status], W: words, Step: trackStep(o.Status)}
	if res.ShopName != "" {
		// Reseller.Validate keeps the URL http(s); html/template would
		// neutralise any other scheme in the href as well.
		v.Shop = &trackShop{Name: res.ShopName, URL: res.ShopURL}
	}
	if v.Status == "" {
		v.Status = words.Status[order.Accepted]
	}
	if v.Step >= 0 && v.Step < 3 && o.Delivery.DeliveryDate != "" {
		v.Expected = longDate(o.Delivery.DeliveryDate, words)
	}
	for i, name := range words.Step {
		v.Steps = append(v.Steps, trackStepView{Name: name, Done: v.Step >= i, Here: v.Step == i})
	}
	for _, p := range pkgs {
		// A stored tracking URL is http(s) (orders.Advance checks it), and
		// html/template would neutralise any other scheme in an href.
		v.Packages = append(v.Packages, trackPackage{Carrier: p.Carrier, Code: p.TrackingCode, URL: p.TrackingURL})
	}
	s.renderTrack(w, r, http.StatusOK, v)
}

// writeUnknownTrackingPage answers a browser whose link leads to no order:
// 404, in the browser's language.
func (s *Server) writeUnknownTrackingPage(w http.ResponseWriter, r *http.Request) {
	lang := trackLanguage(&order.Order{}, r)
	words := trackText[lang]
	s.renderTrack(w, r, http.StatusNotFound, trackView{Lang: lang, Status: words.Unknown, W: words, Step: -1})
}

func (s *Server) renderTrack(w http.ResponseWriter, r *http.Request, status int, v trackView) {
	var b strings.Builder
	if err := trackPage.Execute(&b, v); err != nil {
		s.Error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", trackCSP)
	// The token in the URL is the page's only key: no link may carry it on.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write([]byte(b.String()))
	}
}
