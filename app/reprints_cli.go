package app

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/orders"
)

// cmdReprints lists the reprints resellers asked for, and approves or
// rejects one, as the console and the operator API do.
func (p *Program) cmdReprints(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError("reprints needs a subcommand: list, approve or reject")
	}
	switch args[0] {
	case "list":
		var status string
		var reseller int64
		var limit int
		return p.onStore(ctx, args[1:], storeCommand{name: "reprints list", flags: func(fs *flag.FlagSet) {
			fs.StringVar(&status, "status", string(order.ReprintRequested), "requested (waiting for a decision), approved, rejected, or all")
			fs.Int64Var(&reseller, "reseller", 0, "only this reseller's")
			fs.IntVar(&limit, "limit", 50, "at most this many, newest first")
		}, check: func(rest []string) error {
			if len(rest) > 0 || limit < 1 || limit > 10000 {
				return usageError("reprints list takes only flags; --limit from 1 to 10000")
			}
			switch order.ReprintStatus(status) {
			case order.ReprintRequested, order.ReprintApproved, order.ReprintRejected, "all":
				return nil
			}
			return usageError("--status is requested, approved, rejected or all, not %q", status)
		}, run: func(_ *Config, s pressroom.Store, _ []string) error {
			f := pressroom.ReprintFilter{ResellerID: reseller, Status: order.ReprintStatus(status), Limit: limit}
			if status == "all" {
				f.Status = ""
			}
			list, total, err := s.ListReprints(ctx, f)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(p.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REPRINT\tORDER\tRESELLER\tSTATUS\tREASON\tITEMS\tASKED\tNEW ORDER")
			for _, rp := range list {
				var items []string
				for _, it := range rp.Items {
					items = append(items, fmt.Sprintf("%d×%s", it.ItemID, it.Quantity))
				}
				made := ""
				if rp.NewOrder != 0 {
					made = strconv.FormatInt(rp.NewOrder, 10)
				}
				fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n", rp.ID, rp.OrderNumber, rp.ResellerID, rp.Status, rp.Reason,
					strings.Join(items, " "), rp.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"), made)
			}
			tw.Flush()
			fmt.Fprintf(p.Stdout, "%d of %d reprint(s)\n", len(list), total)
			return nil
		}})
	case "approve", "reject":
		approve := args[0] == "approve"
		var note, productionTime, by string
		var id int64
		return p.onStore(ctx, args[1:], storeCommand{name: "reprints " + args[0], flags: func(fs *flag.FlagSet) {
			fs.StringVar(&note, "note", "", "to the reseller, with the decision")
			if approve {
				fs.StringVar(&productionTime, "production-time", "", "make it at this production time (hours) instead of the original's")
			}
			fs.StringVar(&by, "by", p.commandLineUser(), "who decides, for the order's events (staff see it, resellers do not)")
		}, check: func(rest []string) error {
			if len(rest) != 1 {
				return usageError("give one reprint id")
			}
			n, err := strconv.ParseInt(rest[0], 10, 64)
			if err != nil || n < 1 {
				return usageError("%q is not a reprint id", rest[0])
			}
			id = n
			return nil
		}, run: func(_ *Config, s pressroom.Store, _ []string) error {
			svc := cliOrders(s)
			if approve { // the new order is planned with the catalog in use
				cat := catalog.NewService(s, nil)
				if _, err := cat.Load(ctx); err != nil {
					return err
				}
				svc.Catalog = cat
			}
			rp, err := svc.DecideReprint(ctx, id, orders.Decision{Approve: approve, Note: note, By: by, ProductionTime: productionTime})
			if err != nil {
				return describe(err)
			}
			if rp.NewOrder != 0 {
				fmt.Fprintf(p.Stdout, "reprint %d of order %d is approved: order %d will print it\n", rp.ID, rp.OrderNumber, rp.NewOrder)
			} else {
				fmt.Fprintf(p.Stdout, "reprint %d of order %d is rejected\n", rp.ID, rp.OrderNumber)
			}
			return nil
		}})
	}
	return usageError("unknown reprints subcommand %q", args[0])
}
