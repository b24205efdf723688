// Example account reads the merchant account: Account.Balance (what payouts draw on: a payout
// above it gets ErrInsufficientBalance) and the day's statements for reconciliation, read page
// by page until a page comes back empty (the page size is undocumented). Sixty QR payments and
// a payout fill them.
//
//	go run ./examples/account -dialect ph
//
// It runs on an embedded fake gateway (package paycoolstest), by default in the PH dialect of
// the Philippine host: flat k=v-signed requests (with your appName where the host asks for it),
// callbacks signed with SHA-1 and your callback secret. -dialect open-api (or
// PAYCOOLS_DIALECT=open-api) switches both sides to the open-api dialect.
//
// gw.Client() stands for the client you build for your host: paycools.NewClient(appID, key,
// paycools.WithBaseURL(host), paycools.WithAppName(name), paycools.WithCallbackSecret(secret),
// paycools.WithPlatformPublicKey(pub)).
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

func main() {
	dialect := flag.String("dialect", os.Getenv("PAYCOOLS_DIALECT"), "wire dialect: ph (the default) or open-api; also PAYCOOLS_DIALECT")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *dialect); err != nil {
		fmt.Fprintln(os.Stderr, "account:", err)
		os.Exit(1)
	}
}

// run runs the example on a fake gateway speaking dialect ("" is ph), one line per step on out.
func run(ctx context.Context, out io.Writer, dialect string) error {
	d, err := paycools.ParseDialect(cmp.Or(dialect, "ph"))
	if err != nil {
		return err
	}
	// One instant for the whole run (the gateway and its client read it), so that "today"
	// below is the day the gateway recorded the payments in, even at midnight.
	now := time.Now()
	gw := paycoolstest.NewServer(paycoolstest.WithBalance(100000), paycoolstest.WithDialect(d), paycoolstest.WithClock(func() time.Time { return now })) // PHP 1,000.00
	defer gw.Close()
	fmt.Fprintf(out, "gateway:  embedded fake PayCools gateway, %s dialect\n", gw.Dialect())
	c := gw.Client()
	notify := httptest.NewServer(c.NotificationHandler(func(context.Context, *paycools.Notification) error { return nil }))
	defer notify.Close()

	b, err := c.Account.Balance(ctx, &paycools.AccountBalanceParams{CountryCode: paycools.CountryPH})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "balance:  PHP %s\n", b.Balance)
	payout := func(id string, a paycools.Amount) error {
		_, err := c.Payouts.Create(ctx, &paycools.PayoutCreateParams{MchOrderID: id, Amount: a, PayMethodCode: paycools.PayMethodBank,
			TransferCode: "BPI", AccountNo: "001234567890", AccountName: "Juan Dela Cruz"})
		return err
	}
	err = payout("PO20240719000001", b.Balance+1)
	fmt.Fprintf(out, "payout of PHP %s: ErrInsufficientBalance %v\n", b.Balance+1, errors.Is(err, paycools.ErrInsufficientBalance))
	if _, err := c.QRCodes.Create(ctx, &paycools.QRCodeCreateParams{ChannelCode: paycools.QRChannelCodeQRPHStaticQR,
		MchOrderID: "COUNTER1", NotifyURL: notify.URL, CustomerName: "Sari Sari Store"}); err != nil {
		return err
	}
	for range 60 {
		if _, err := gw.PayQRCode("COUNTER1", 2500); err != nil {
			return err
		}
	}
	if err := payout("PO20240719000002", 200000); err != nil { // the payments made room for it
		return err
	}
	today := now.In(time.FixedZone("PHT", 8*3600)).Format("2006-01-02")
	// The iterators walk every page (PayCools' page size is undocumented; the fake's is 50).
	var total paycools.Amount
	n := 0
	for r, err := range c.Account.PaymentStatementRecords(ctx, &paycools.AccountPaymentStatementParams{CreateDate: today, Status: paycools.StatementStatusComplete}) {
		if err != nil {
			return err
		}
		total += r.Amount
		n++
	}
	fmt.Fprintf(out, "payments: %d records, PHP %s collected %s\n", n, total, today)
	payouts := 0
	for _, err := range c.Account.PayoutStatementRecords(ctx, &paycools.AccountPayoutStatementParams{CreateDate: today}) {
		if err != nil {
			return err
		}
		payouts++
	}
	fmt.Fprintf(out, "payouts:  %d, balance now PHP %s\n", payouts, gw.Balance())
	return nil
}
