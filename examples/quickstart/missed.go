package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

const famMissed = "sync"

// missedCallback shows Client.Sync: a payout completes while the callback URL is down, so
// its callback never reaches the merchant; Sync asks PayCools, finds it final and runs the
// same function the handler runs, once; the callback redelivered later is acknowledged
// without running it again. It needs the embedded gateway, which can lose a callback.
func (t *tour) missedCallback(ctx context.Context) error {
	if t.gw == nil {
		t.line(famMissed, "skipped", "(real host): run Client.Sync from time to time to deliver the final states whose callback never came")
		return nil
	}
	id := t.id("POMISS")
	_, err := t.c.Payouts.Create(ctx, &paycools.PayoutCreateParams{
		MchOrderID: id, Amount: 12000, PayMethodCode: paycools.PayMethodBank, TransferCode: "BDO",
		AccountNo: "001234567890", AccountName: payerName, Remark: "quickstart missed callback",
	})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	t.gw.SetCallbackURL("") // the merchant's endpoint is unreachable during a deploy
	res, err := t.gw.CompletePayout(id)
	t.gw.SetCallbackURL(t.notifyURL)
	if err != nil {
		return fmt.Errorf("complete: %w", err)
	}
	if !errors.Is(res.Err, paycoolstest.ErrNoCallbackURL) {
		return fmt.Errorf("the callback was not lost: %+v", res)
	}
	t.line(famMissed, "drive", "payout %s completed while the callback URL was down: callback lost", id)

	report, err := t.c.Sync(ctx, t.onNotification)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	for _, o := range report.Orders {
		t.line(famMissed, "sync", "%s %s: %s (PayCools says %s)", o.Intent.Operation, o.Intent.MchOrderID, o.Outcome, o.Status)
	}
	select {
	case n := <-t.events:
		t.line(famMissed, "handled", "%s delivered by Sync (Synced=%v): %s", n.EventName, n.Synced, describe(n))
	case <-time.After(5 * time.Second):
		return errors.New("sync did not run the function")
	}

	again, err := t.gw.Redeliver(len(t.gw.Callbacks()) - 1)
	if err != nil {
		return fmt.Errorf("redeliver: %w", err)
	}
	select {
	case n := <-t.events:
		return fmt.Errorf("the late callback ran the function again: %s", n.EventName)
	default:
	}
	t.line(famMissed, "late", "the real callback arrives after all: acknowledged=%v, function not run again", again.Acknowledged())
	return nil
}
