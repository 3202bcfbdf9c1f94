package artwork

import (
	"fmt"
	"image"
	_ "image/jpeg" // DecodeConfig of JPEG
	_ "image/png"  // and PNG
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/fault"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/validate"
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
	// Pages is how many pieces the item makes: a PDF has one page (one
	// design for all) or one per piece (0: not checked). Page chooses the
	// one page of a PDF to print (0: all).
	Pages int
	Page  int
	// Fill scales an image of other proportions to cover the size
	// (cropping); otherwise it is fitted in (blank edges).
	Fill bool
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
		msg := "the image's proportions differ from the ordered size by more than 5 %; it will be fitted in, leaving blank edges (order it with fill to crop instead)"
		if spec.Fill {
			msg = "the image's proportions differ from the ordered size by more than 5 %; filling the size crops part of it"
		}
		out = append(out, order.Finding{Code: "aspect_ratio", Severity: "warning", Measured: fmt.Sprintf("%.3f", got), Required: fmt.Sprintf("%.3f", want), Message: msg})
	}
	return out
}

func checkPDF(r io.ReadSeeker, spec Spec) (out []order.Finding) {
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Cmd = model.LISTINFO
	// One parse serves the boxes, the fonts and the image list; image data
	// is never decoded.
	ctx, err := readPDF(r, conf)
	if err != nil {
		return []order.Finding{errorf("unreadable_pdf", "", "", "the PDF cannot be read: %v", err)}
	}
	if ctx.PageCount == 0 {
		return []order.Finding{errorf("no_pages", "0", "1", "the PDF has no pages")}
	}
	pages := types.IntSet{}
	switch {
	case spec.Page > 0 && spec.Page > ctx.PageCount:
		return []order.Finding{errorf("page_missing", strconv.Itoa(ctx.PageCount), strconv.Itoa(spec.Page),
			"page %d was chosen for print, but the PDF has %d page(s)", spec.Page, ctx.PageCount)}
	case spec.Page > 0:
		pages[spec.Page] = true
	default:
		for i := 1; i <= ctx.PageCount; i++ {
			pages[i] = true
		}
		switch {
		case spec.Pages <= 0 || ctx.PageCount == 1 || ctx.PageCount == spec.Pages:
		case spec.Pages == 1:
			out = append(out, errorf("page_count", strconv.Itoa(ctx.PageCount), "1",
				"the PDF has %d pages; the item prints one: send one page, or choose the page to print", ctx.PageCount))
		default:
			out = append(out, errorf("page_count", strconv.Itoa(ctx.PageCount), fmt.Sprintf("1 or %d", spec.Pages),
				"the PDF has %d pages; the item prints one design on all %d pieces (1 page) or one design per piece (%d pages)", ctx.PageCount, spec.Pages, spec.Pages))
		}
	}
	if info, err := pdfcpu.Info(ctx, "", pages, true); err == nil {
		var missing []string
		seen := map[string]bool{}
		for _, f := range info.Fonts {
			if !f.Embedded && !seen[f.Name] {
				seen[f.Name] = true
				missing = append(missing, f.Name)
			}
		}
		if len(missing) > 0 {
			out = append(out, errorf("font_not_embedded", strings.Join(missing, ", "), "embedded",
				"the PDF uses fonts it does not contain (%s); embed them or convert text to outlines", strings.Join(missing, ", ")))
		}
	}
	if spec.WidthMM <= 0 || spec.HeightMM <= 0 {
		return out
	}
	boxes, err := ctx.PageBoundaries(pages)
	if err != nil {
		return append(out, errorf("unreadable_pdf", "", "", "the PDF's page sizes cannot be read: %v", err))
	}
	images, _, err := pdfcpu.Images(ctx, pages)
	if err != nil {
		images = nil
	}
	numbers := make([]int, 0, len(pages))
	for n := range pages {
		numbers = append(numbers, n)
	}
	sort.Ints(numbers)
	const mmPerPt = 25.4 / 72
	for _, page := range numbers {
		if page > len(boxes) {
			break
		}
		pb := boxes[page-1] // one per page of the document, the selected ones filled
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
		if f, ok := fullPageImage(images, page, w, h, spec.MinDPI); ok {
			out = append(out, f)
		}
	}
	return out
}

// fullPageImage judges the resolution of a page made of one image with
// the page's proportions (a photo product's usual file): that image is
// taken to fill the page. Where a page holds several images, or one of
// other proportions, where each is placed is not known without reading
// the page's drawing operators, and nothing is said.
func fullPageImage(images []map[int]model.Image, page int, wMM, hMM float64, minDPI int) (order.Finding, bool) {
	if minDPI <= 0 {
		return order.Finding{}, false
	}
	var only *model.Image
	for _, m := range images {
		for _, img := range m {
			if img.PageNr != page || img.IsImgMask || img.Thumb {
				continue
			}
			if only != nil {
				return order.Finding{}, false
			}
			img := img
			only = &img
		}
	}
	if only == nil || only.Width <= 0 || only.Height <= 0 {
		return order.Finding{}, false
	}
	pw, ph := float64(only.Width), float64(only.Height)
	if (pw > ph) != (wMM > hMM) {
		pw, ph = ph, pw // placed turned
	}
	if math.Abs(pw/ph-wMM/hMM)/(wMM/hMM) > 0.02 {
		return order.Finding{}, false
	}
	dpi := math.Min(pw/(wMM/25.4), ph/(hMM/25.4))
	if dpi >= float64(minDPI) {
		return order.Finding{}, false
	}
	f := order.Finding{Code: "resolution_low", Severity: "warning", Page: page, Measured: fmt.Sprintf("%.0f dpi", dpi), Required: fmt.Sprintf("%d dpi", minDPI),
		Message: fmt.Sprintf("the image filling page %d gives %.0f dpi at %.0f x %.0f mm; %d dpi are asked", page, dpi, wMM, hMM, minDPI)}
	if dpi < 0.8*float64(minDPI) {
		f.Severity, f.Message = "error", f.Message+": it would print visibly coarse"
	}
	return f, true
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

// readPDF reads, validates and optimizes a PDF as pdfcpu's
// api.ReadValidateAndOptimize does, from the packages below that api:
// importing api links its form filling, whose text-width tables cost
// every start of the program (each preflight's child process) about 30 ms.
func readPDF(r io.ReadSeeker, conf *model.Configuration) (ctx *model.Context, err error) {
	defer fault.Catch(&err)
	if ctx, err = pdfcpu.Read(r, conf); err != nil {
		return nil, fmt.Errorf("read context: %w", err)
	}
	if err := validate.XRefTable(ctx); err != nil {
		return nil, fmt.Errorf("validation error (obj#:%d): %w", ctx.CurObj, err)
	}
	if conf.Optimize {
		if err := pdfcpu.OptimizeXRefTable(ctx); err != nil {
			return nil, fmt.Errorf("optimize context: %w", err)
		}
	}
	return ctx, nil
}
