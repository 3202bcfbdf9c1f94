package artwork

import (
	"context"
	"errors"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/order"
)

// Documents fetches an order's packing slip and shipping label (PDFs by
// URL), kept as the order's files of item 0: they are downloaded as print
// files are, with the same limits and retries, and must be PDFs that open.
// A transient failure is returned for the job to retry, unless last.
func (s *Service) Documents(ctx context.Context, number int64, last bool) error {
	o, err := s.Store.FindOrder(ctx, 0, number)
	if pressroom.ErrorCode(err) == pressroom.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if o.Status == order.Cancelled {
		return nil
	}
	have, err := s.Store.ListArtwork(ctx, number, 0)
	if err != nil {
		return err
	}
	for idx, ref := range []*order.FileRef{o.PackingSlip, o.ShippingLabel} {
		if ref == nil || ref.URL == "" {
			continue
		}
		done := false
		for _, a := range have {
			done = done || (a.ItemID == 0 && a.Index == idx && (a.State == order.FilePassed || a.State == order.FileFailed))
		}
		if done {
			continue
		}
		a := &order.Artwork{OrderNumber: number, ItemID: 0, Index: idx, Source: "url", URL: ref.URL, ExpectedMD5: ref.MD5, State: order.FileDownloading}
		ferr := s.fetch(ctx, a)
		var tr *Transient
		switch {
		case errors.As(ferr, &tr) && !last:
			a.Error = tr.Reason + " (retrying)"
			if err := s.Store.SaveArtwork(ctx, a); err != nil {
				return err
			}
			return ferr
		case ferr != nil:
			code := "download_failed"
			var p *Problem
			if errors.As(ferr, &p) {
				code = p.Code
			}
			a.State, a.Error = order.FileFailed, ferr.Error()
			if tr != nil {
				a.Error = "gave up: " + tr.Reason
			}
			a.Findings = []order.Finding{{Code: code, Severity: "error", Message: a.Error}}
		case a.ContentType != TypePDF:
			a.State, a.Error = order.FileFailed, "a "+order.DocumentName(idx)+" must be a PDF"
			a.Findings = []order.Finding{{Code: "not_pdf", Severity: "error", Measured: a.ContentType, Required: TypePDF, Message: a.Error}}
		default:
			// The PDF must open; its size is the printer's to fit.
			a.State = order.FileChecking
			findings, err := s.check(ctx, a, Spec{})
			if err != nil {
				return err
			}
			a.Findings, a.State = findings, order.FilePassed
			if Failed(findings) {
				a.State, a.Error = order.FileFailed, findings[0].Message
			}
		}
		if err := s.Store.SaveArtwork(ctx, a); err != nil {
			return err
		}
	}
	return nil
}
