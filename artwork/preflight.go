package artwork

import (
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig of JPEG
	_ "image/png"  // and PNG
	"io"
	"math"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	_ "golang.org/x/image/tiff" // and TIFF

	"github.com/pressroom/pressroom/order"
)

// Spec is what a file must fit: the item's ordered size and uploader.
type Spec struct {
	WidthMM, HeightMM float64
	// Reversible sizes may come in either orientation.
	Reversible bool
	// BleedMM is the bleed each side needs (0: none).
	BleedMM float64
	MinDPI  int
}

// MaxPixels refuses images whose header claims more pixels than this, so
// that nothing ever tries to hold them (an image bomb).
const MaxPixels = 1 << 30

const tolerance = 1.0 // mm a page may be off

// Check runs the preflight of one file. Errors hold the item; warnings do
// not. It never decodes image data: images are judged by their headers,
// PDFs by their page boxes.
func Check(r io.ReadSeeker, typ string, spec Spec) []order.Finding {
	switch typ {
	case TypePDF:
		return checkPDF(r, spec)
	case TypeJPEG, TypePNG, TypeTIFF:
		return checkImage(r, spec)
	}
	return []order.Finding{{Code: "unsupported_type", Severity: "error", Message: "the file is not a PDF, JPEG, PNG or TIFF"}}
}

func errorf(code, measured, required, format string, args ...any) order.Finding {
	return order.Finding{Code: code, Severity: "error", Measured: measured, Required: required, Message: fmt.Sprintf(format, args...)}
}

func checkImage(r io.ReadSeeker, spec Spec) []order.Finding {
	cfg, _, err := image.DecodeConfig(r)
	if err != nil {
		return []order.Finding{errorf("unreadable_image", "", "", "the image cannot be read: %v", err)}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return []order.Finding{errorf("image_too_large", fmt.Sprintf("%d x %d px", cfg.Width, cfg.Height), "", "the image claims %d x %d pixels, more than we open", cfg.Width, cfg.Height)}
	}
	if spec.WidthMM <= 0 || spec.HeightMM <= 0 {
		return nil
	}
	w, h := spec.WidthMM, spec.HeightMM
	if spec.Reversible && (cfg.Width > cfg.Height) != (w > h) {
		w, h = h, w
	}
	var out []order.Finding
	dpi := math.Min(float64(cfg.Width)/(w/25.4), float64(cfg.Height)/(h/25.4))
	if spec.MinDPI > 0 && dpi < float64(spec.MinDPI) {
		f := order.Finding{Code: "resolution_low", Severity: "warning", Measured: fmt.Sprintf("%.0f dpi", dpi), Required: fmt.Sprintf("%d dpi", spec.MinDPI),
			Message: fmt.Sprintf("the image gives %.0f dpi at %.0f x %.0f mm; %d dpi are asked", dpi, w, h, spec.MinDPI)}
		if dpi < 0.8*float64(spec.MinDPI) {
			f.Severity, f.Message = "error", f.Message+": it would print visibly coarse"
		}
		out = append(out, f)
	}
	got, want := float64(cfg.Width)/float64(cfg.Height), w/h
	if math.Abs(got-want)/want > 0.05 {
		out = append(out, order.Finding{Code: "aspect_ratio", Severity: "warning", Measured: fmt.Sprintf("%.3f", got), Required: fmt.Sprintf("%.3f", want),
			Message: "the image's proportions differ from the ordered size by more than 5 %; it will be cropped or filled"})
	}
	return out
}

func checkPDF(r io.ReadSeeker, spec Spec) (out []order.Finding) {
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	boxes, err := api.Boxes(r, nil, conf)
	if err != nil {
		return []order.Finding{errorf("unreadable_pdf", "", "", "the PDF cannot be read: %v", err)}
	}
	if len(boxes) == 0 {
		return []order.Finding{errorf("no_pages", "0", "1", "the PDF has no pages")}
	}
	if spec.WidthMM <= 0 || spec.HeightMM <= 0 {
		return nil
	}
	const mmPerPt = 25.4 / 72
	for i, pb := range boxes {
		page := i + 1
		trim := pb.TrimBox()
		if trim == nil {
			out = append(out, order.Finding{Code: "no_page_box", Severity: "error", Page: page, Message: fmt.Sprintf("page %d has no page size", page)})
			continue
		}
		w, h := trim.Width()*mmPerPt, trim.Height()*mmPerPt
		if pb.Rot%180 != 0 {
			w, h = h, w
		}
		fits := func(a, b float64) bool {
			return math.Abs(a-spec.WidthMM) <= tolerance && math.Abs(b-spec.HeightMM) <= tolerance
		}
		if !fits(w, h) && !(spec.Reversible && fits(h, w)) {
			out = append(out, order.Finding{Code: "page_size", Severity: "error", Page: page,
				Measured: fmt.Sprintf("%.1f x %.1f mm", w, h), Required: fmt.Sprintf("%.1f x %.1f mm", spec.WidthMM, spec.HeightMM),
				Message: fmt.Sprintf("page %d is %.1f x %.1f mm; the order is %.1f x %.1f mm", page, w, h, spec.WidthMM, spec.HeightMM)})
			continue
		}
		if spec.BleedMM > 0 {
			bleed := pb.BleedBox()
			bw, bh := bleed.Width()*mmPerPt, bleed.Height()*mmPerPt
			if pb.Rot%180 != 0 {
				bw, bh = bh, bw
			}
			need := 2 * spec.BleedMM
			if math.Min(bw-w, bh-h) < need-0.5 {
				out = append(out, order.Finding{Code: "bleed_missing", Severity: "error", Page: page,
					Measured: fmt.Sprintf("%.1f mm", math.Max(0, math.Min(bw-w, bh-h)/2)), Required: fmt.Sprintf("%.1f mm", spec.BleedMM),
					Message: fmt.Sprintf("page %d has %.1f mm of bleed around the trim; %.1f mm on each side are needed", page, math.Max(0, math.Min(bw-w, bh-h)/2), spec.BleedMM)})
			}
		}
	}
	return out
}

// Failed reports whether the findings hold the item.
func Failed(fs []order.Finding) bool {
	for _, f := range fs {
		if f.Severity == "error" {
			return true
		}
	}
	return false
}
